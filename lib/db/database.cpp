#include "db/database.h"

#include <algorithm>
#include <cctype>

#include "db/postgres/postgres_database.h"
#include "db/sqlite/sqlite_database.h"
#include "util/error.h"

namespace dsr::db {

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out;
}

bool is_postgresql_url(std::string_view url) {
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return true;
    // A libpq keyword string starts with `keyword=` (`host=/run/pg dbname=shop`).
    auto keyword = url.substr(0, url.find('='));
    if (keyword.size() == url.size() || keyword.empty() || std::isdigit(static_cast<unsigned char>(keyword[0])))
        return false;
    return std::all_of(keyword.begin(), keyword.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options) {
    if (is_postgresql_url(url)) return std::make_unique<PostgresDatabase>(url, options);
    std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
    if (path.empty()) throw Error(ExitStatus::usage, "empty database path");
    return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace dsr::db
