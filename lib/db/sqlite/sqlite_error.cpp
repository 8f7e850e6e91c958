#include "db/sqlite/sqlite_error.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "util/error.h"

namespace dsr::db {

void throw_sqlite_error(const SQLite::Exception& e, const std::string& path, std::string_view doing) {
    int code = e.getErrorCode() & 0xff;  // the primary code; extended codes add detail in the high bits
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        throw Error(ExitStatus::database_busy, path + ": " + std::string(doing) + ": database is locked");
    throw Error(ExitStatus::database, path + ": " + std::string(doing) + ": " + e.what());
}

}  // namespace dsr::db
