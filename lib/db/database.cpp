#include "db/database.h"

#include "db/sqlite/sqlite_database.h"
#include "util/error.h"

namespace dsr::db {

std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
        throw Error(ExitStatus::database, "PostgreSQL databases are not supported yet");
    std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
    if (path.empty()) throw Error(ExitStatus::usage, "empty database path");
    return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace dsr::db
