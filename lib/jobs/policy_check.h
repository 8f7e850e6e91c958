#pragma once
// `dsr policy check`: does the policy describe the live database, and what
// personal data does the database hold that the policy does not account for?

#include <string>
#include <vector>

#include "db/schema.h"
#include "policy/model.h"

namespace dsr::jobs {

struct Problem {
    std::string kind;     ///< stable identifier, e.g. "unknown_column", "no_retention"
    std::string table;
    std::string column;   ///< empty when the problem concerns a whole table
    std::string message;  ///< for a person; names tables and columns, never data values
};

struct PolicyCheckResult {
    /// The policy and database disagree: jobs would fail or do the wrong thing.
    std::vector<Problem> errors;
    /// Gaps a privacy engineer should review: unclassified or unlisted data,
    /// missing purposes, retention or indexes.
    std::vector<Problem> findings;
    std::size_t policy_tables = 0;
    std::size_t database_tables = 0;
};

/// Checks the tables of one database (`database_name` in the policy) against its schema.
void check_database(const policy::Policy& policy, const std::string& database_name, const db::Schema& schema,
                    PolicyCheckResult& result);

/// Checks that do not depend on any database, e.g. personal columns with no purpose.
void check_policy_alone(const policy::Policy& policy, PolicyCheckResult& result);

}  // namespace dsr::jobs
