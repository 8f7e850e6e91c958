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

}  // namespace dsr::jobs
