#include "db/sqlite/sqlite_error.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "util/error.h"

namespace dsr::db {

namespace {

/// What an extended I/O error code says failed, for the message.
std::string io_detail(int extended) {
    switch (extended) {
        case SQLITE_IOERR_WRITE: return " (a write failed)";
        case SQLITE_IOERR_FSYNC:
        case SQLITE_IOERR_DIR_FSYNC: return " (a sync to disk failed)";
        case SQLITE_IOERR_READ:
        case SQLITE_IOERR_SHORT_READ: return " (a read failed)";
        case SQLITE_IOERR_TRUNCATE: return " (a truncation failed)";
        case SQLITE_IOERR_DELETE: return " (a journal could not be deleted)";
        case SQLITE_IOERR_NOMEM: return " (out of memory)";
        case SQLITE_IOERR_SHMOPEN:
        case SQLITE_IOERR_SHMSIZE:
        case SQLITE_IOERR_SHMMAP: return " (the write-ahead log's shared-memory file could not be made)";
        default: return extended > 0 ? " (SQLite code " + std::to_string(extended) + ")" : "";
    }
}

}  // namespace

void throw_sqlite_error(const SQLite::Exception& e, const std::string& path, std::string_view doing) {
    int code = e.getErrorCode() & 0xff;  // the primary code; extended codes add detail in the high bits
    const std::string where = path + ": " + std::string(doing) + ": ";
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) throw Error(ExitStatus::database_busy, where + "database is locked");
    // The machine, not the data: a full disk, a failing write or sync, or no
    // memory left is exit 12 on SQLite as on PostgreSQL (53100, 53200), so a
    // cron job can tell "free some space and retry" from a database problem.
    if (code == SQLITE_FULL) throw Error(ExitStatus::io, where + "disk full (database or disk is full)");
    if (code == SQLITE_IOERR)
        throw Error(ExitStatus::io, where + "database I/O error" + io_detail(e.getExtendedErrorCode()));
    if (code == SQLITE_NOMEM) throw Error(ExitStatus::io, where + "out of memory");
    throw Error(ExitStatus::database, where + e.what());
}

}  // namespace dsr::db
