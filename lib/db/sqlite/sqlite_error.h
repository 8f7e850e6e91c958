#pragma once

#include <string>
#include <string_view>

namespace SQLite {
class Exception;
}

namespace dsr::db {

/// Turns a SQLiteCpp exception into dsr::Error: a lock held past the busy
/// timeout is database_busy (a retry may succeed), anything else database.
/// `path` names the file, `doing` what was being attempted.
[[noreturn]] void throw_sqlite_error(const SQLite::Exception& e, const std::string& path, std::string_view doing);

}  // namespace dsr::db
