#include "cli/schema_guard.h"

#include <iostream>

#include "jobs/policy_check.h"
#include "policy/diagnostic.h"

namespace dsr::cli {

bool schema_matches_or_report(db::Database& database, const policy::Policy& policy, const std::string& database_name,
                              Format format, report::Envelope& envelope) {
    jobs::PolicyCheckResult check;
    jobs::check_database(policy, database_name, database.schema(), check);
    if (check.errors.empty()) return true;
    std::vector<policy::Diagnostic> errors;
    for (const auto& problem : check.errors)
        errors.push_back({policy::position_of(policy, problem.table, problem.column), problem.message});
    for (const auto& d : errors) std::cerr << policy::format_diagnostic(envelope.policy_path, d) << '\n';
    print_error("the policy does not match the database (" + std::to_string(errors.size()) +
                (errors.size() == 1 ? " error" : " errors") + "; run dsr policy check); nothing was read or changed");
    envelope.status = "invalid_policy";
    if (effective(format) == Format::json) print_report(format, report::policy_errors_json(envelope, errors), "");
    return false;
}

}  // namespace dsr::cli
