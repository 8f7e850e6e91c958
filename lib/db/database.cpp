#include "db/database.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <numeric>

#include "db/postgres/module.h"
#include "db/sqlite/sqlite_database.h"
#include "util/error.h"

// Defined when the backend is linked into this binary (the unit tests);
// null in dsr, which loads it from dsr-postgresql.so instead.
#pragma weak dsr_open_postgresql

namespace dsr::db {

namespace {

using OpenPostgresql = Database* (*)(const std::string&, const OpenOptions&);

/// The directory holding the running executable, with its trailing slash.
std::string executable_directory() {
    std::string path(4096, '\0');
    ssize_t length = ::readlink("/proc/self/exe", path.data(), path.size());
    if (length <= 0 || static_cast<std::size_t>(length) >= path.size()) return {};
    path.resize(static_cast<std::size_t>(length));
    return path.substr(0, path.rfind('/') + 1);
}

/// dsr-postgresql.so from beside the executable (a build directory) or from
/// DSR_MODULE_RELATIVE_DIR relative to it (an installed bin/dsr). Loaded
/// once and never unloaded: the databases it opens point into its code.
OpenPostgresql load_postgresql_module() {
    static std::once_flag once;
    static OpenPostgresql entry = nullptr;
    static std::string failure;
    std::call_once(once, [] {
        std::string directory = executable_directory();
        // Never a path relative to the working directory, which may be anyone's.
        if (directory.empty()) {
            failure = "cannot find the directory of the running executable";
            return;
        }
        std::string tried;
        void* module = nullptr;
        for (const char* subdirectory : {"", DSR_MODULE_RELATIVE_DIR "/"}) {
            std::string path = directory + subdirectory + "dsr-postgresql.so";
            // A missing file is normal for the first place; any other
            // failure (a library libpq needs is missing) is the one to report.
            if (::access(path.c_str(), F_OK) != 0) {
                tried += (tried.empty() ? "" : ", ") + path;
                continue;
            }
            module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
            if (module == nullptr) {
                failure = "cannot load " + path + ": " + ::dlerror();
                return;
            }
            auto* tag = static_cast<const char*>(::dlsym(module, DSR_POSTGRESQL_MODULE_TAG));
            if (tag == nullptr || std::strcmp(tag, DSR_MODULE_TAG) != 0) {
                failure = path + " belongs to another build of dsr (" + (tag ? tag : "no tag") + ", this is " +
                          DSR_MODULE_TAG + ")";
                return;
            }
            entry = reinterpret_cast<OpenPostgresql>(::dlsym(module, DSR_POSTGRESQL_ENTRY_POINT));
            if (entry == nullptr) failure = path + ": no " DSR_POSTGRESQL_ENTRY_POINT;
            return;
        }
        failure = "dsr-postgresql.so is not installed (looked for " + tried + ")";
    });
    if (entry == nullptr) throw Error(ExitStatus::database, "PostgreSQL support is unavailable: " + failure);
    return entry;
}

}  // namespace

std::string placeholders(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += i ? ", ?" : "?";
    return out;
}

UpdateCount Database::update_by_key(std::string_view table, std::string_view key_column,
                                     const std::vector<std::string>& columns,
                                     const std::vector<std::vector<Value>>& rows) {
    std::string set;
    for (const auto& column : columns) set += (set.empty() ? "" : ", ") + quote(column) + " = ?";
    auto changed =
        execute_each("UPDATE " + quote_table(table) + " SET " + set + " WHERE " + quote(key_column) + " = ?", rows);
    return {std::accumulate(changed.begin(), changed.end(), std::int64_t{0}), changed.size()};
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
    if (is_postgresql_url(url)) {
        OpenPostgresql open_postgresql = dsr_open_postgresql ? &dsr_open_postgresql : load_postgresql_module();
        return std::unique_ptr<Database>(open_postgresql(url, options));
    }
    std::string path = url.starts_with("sqlite:") ? url.substr(7) : url;
    if (path.empty()) throw Error(ExitStatus::usage, "empty database path");
    return std::make_unique<SqliteDatabase>(path, options);
}

}  // namespace dsr::db
