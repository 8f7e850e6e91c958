#include "cli/policy_check.h"

#include <iostream>

#include "cli/output.h"
#include "cli/state_options.h"
#include "db/database.h"
#include "jobs/databases.h"
#include "jobs/policy_check.h"
#include "policy/diagnostic.h"
#include "report/policy_check_report.h"

namespace dsr::cli {

void setup_policy_check(CLI::App& policy_command, PolicyCheckOptions& options) {
    auto* cmd = policy_command.add_subcommand("check", "Validate a policy against the live database schema");
    cmd->footer(
        "Validate a policy against the live database schema.\n\n"
        "Errors: a table or column the database lacks, a link whose types cannot match,\n"
        "a null mask on a NOT NULL column. Findings: unclassified columns, personal-looking\n"
        "columns in unlisted tables, columns with no purpose, tables with no retention,\n"
        "declared foreign keys not used as links, link or retention columns without an index.\n\n"
        "Examples:\n"
        "  dsr policy check --policy shop.yaml\n"
        "  dsr policy check --policy shop.yaml --db demo/shop.db --format json --strict");
    add_policy_option(*cmd, options.policy)->required();
    add_database_option(*cmd, options.db, options.verbose);
    cmd->add_option("--busy-timeout", options.busy_timeout_ms, "Milliseconds to wait for a locked database")
        ->default_val(5000)
        ->check(CLI::Range(0, 3600000))
        ->group("Input");
    add_statement_timeout_option(*cmd, options.statement_timeout_ms);
    cmd->add_flag("--strict", options.strict, "Exit 8 when there are findings (errors always exit 3)")->group("Output");
    add_format_option(*cmd, options.format);
}

ExitStatus run_policy_check(const PolicyCheckOptions& options) {
    report::Envelope envelope;
    envelope.command = "policy check";
    auto policy = load_policy_or_report(options.policy, options.format, envelope);
    if (!policy) return ExitStatus::invalid_policy;

    jobs::PolicyCheckResult result;
    try {
        // Each database is checked against its own schema; tables name the database they live in.
        for (const auto& database : policy->databases) {
            auto db = db::open_database(jobs::database_url(*policy, database, options.db),
                                        {.read_only = true,
                                         .busy_timeout = std::chrono::milliseconds(options.busy_timeout_ms),
                                         .statement_timeout = std::chrono::milliseconds(options.statement_timeout_ms),
                                         .kill_after_statements = {},
                                         .on_statement = statement_printer(options.verbose)});
            jobs::check_database(*policy, database.name, db->read_schema(), result);
        }
    } catch (const Error& e) {
        return report_failure(options.format, envelope, e);
    }
    jobs::check_policy_alone(*policy, result);

    ExitStatus status = ExitStatus::ok;
    envelope.status = "ok";
    if (!result.errors.empty()) {
        envelope.status = "invalid_policy";
        status = ExitStatus::invalid_policy;
    } else if (!result.findings.empty()) {
        envelope.status = "findings";
        if (options.strict) status = ExitStatus::findings;
    }
    // A problem against the database is reported where the policy names
    // the table or column, as a load error is: on stderr, and in the report.
    // A policy of 60,000 tables the database lacks gets the first hundred on
    // stderr; the report has them all.
    constexpr std::size_t max_printed = 100;
    auto json = report::policy_check_json(envelope, result);
    for (std::size_t i = 0; i < result.errors.size(); ++i) {
        const auto& problem = result.errors[i];
        policy::Diagnostic d{policy::position_of(*policy, problem.table, problem.column), problem.message};
        if (i < max_printed) std::cerr << policy::format_diagnostic(options.policy, d) << '\n';
        if (i == max_printed)
            print_error("and " + std::to_string(result.errors.size() - max_printed) + " more errors (all in the report)");
        if (i < json["errors"].size()) {
            auto& item = json["errors"][i];
            item["file"] = json["policy"]["path"];  // made well-formed UTF-8 there
            item["line"] = d.where.line;
            item["col"] = d.where.column;
        }
    }
    print_report(options.format, json, report::policy_check_text(envelope, result));
    return status;
}

}  // namespace dsr::cli
