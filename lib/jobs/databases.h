#pragma once

#include <optional>
#include <string>

#include "policy/model.h"

namespace dsr::jobs {

/// Where a policy's database lives: the command line's `--db` for the default
/// database, else the policy's url, with a relative sqlite path taken from
/// the policy file's directory (so a policy and its shop move together).
std::string database_url(const policy::Policy& policy, const policy::DatabaseRef& database,
                         const std::optional<std::string>& db_override);

/// A database location as one string, so `shop.db`, `./shop.db` and
/// `sqlite:/abs/shop.db` compare equal: `sqlite:` and the canonical absolute
/// path for SQLite; any other URL (PostgreSQL's) as given. Erase plan files and purge
/// cursors name their database this way.
std::string canonical_location(const std::string& url);

/// The file of a `sqlite:PATH` or plain-path URL; empty for any other URL
/// (a PostgreSQL URI or libpq keyword string).
std::string sqlite_path(const std::string& url);

}  // namespace dsr::jobs
