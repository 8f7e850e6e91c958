// The front end: build the command line, parse it, run the one subcommand
// chosen, and turn every error into `dsr: error: …` and a published exit code.

#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "cli/policy_check.h"
#include "cli/policy_graph.h"
#include "util/error.h"
#include "util/exit_status.h"

namespace {

constexpr const char* version = "0.1.0";

int to_int(dsr::ExitStatus status) { return static_cast<int>(status); }

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"dsr - carry out privacy data-subject requests against a shop's own databases"};
    app.description(
        "dsr - carry out privacy data-subject requests (GDPR, CCPA/CPRA, PIPL) against a\n"
        "shop's own databases, described once in a YAML policy (see dsr-policy(5)).\n\n"
        "Examples:\n"
        "  dsr policy check --policy policies/shop.yaml\n"
        "  dsr policy graph --policy policies/shop.yaml --format dot");
    app.footer("Exit codes and reports: see dsr(1) and dsr-report(7).");
    app.set_version_flag("--version", version);
    app.require_subcommand(1);

    auto* policy = app.add_subcommand("policy", "Validate a policy and show how tables link to a subject");
    policy->require_subcommand(1);
    dsr::cli::PolicyCheckOptions check_options;
    dsr::cli::setup_policy_check(*policy, check_options);
    dsr::cli::PolicyGraphOptions graph_options;
    dsr::cli::setup_policy_graph(*policy, graph_options);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Help and version are "errors" to CLI11 with exit code 0; everything
        // else is a usage error, whatever CLI11's own code for it.
        int code = app.exit(e);
        return code == 0 ? 0 : to_int(dsr::ExitStatus::usage);
    }

    try {
        if (policy->got_subcommand("check")) return to_int(dsr::cli::run_policy_check(check_options));
        if (policy->got_subcommand("graph")) return to_int(dsr::cli::run_policy_graph(graph_options));
        dsr::cli::print_error("no command given (see dsr --help)");
        return to_int(dsr::ExitStatus::usage);
    } catch (const dsr::Error& e) {
        dsr::cli::print_error(e.what());
        return to_int(e.status());
    } catch (const std::exception& e) {
        dsr::cli::print_error(std::string("internal error: ") + e.what());
        return to_int(dsr::ExitStatus::failure);
    }
}
