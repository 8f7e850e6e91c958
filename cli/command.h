#pragma once
// How subcommands plug into main: each cli/<command>.cpp adds its CLI11
// subcommands and, for each runnable leaf, what to run when it is chosen.
// CLI11 only fills option structs; the work runs after parsing succeeds.

#include <functional>
#include <vector>

#include <CLI/CLI.hpp>

#include "util/exit_status.h"

namespace dsr::cli {

struct Command {
    CLI::App* app = nullptr;            ///< the leaf subcommand, e.g. `policy check`
    std::function<ExitStatus()> run;    ///< called once, after a successful parse
};

using Commands = std::vector<Command>;

// One per top-level command, each in the file named after it.
void add_policy_commands(CLI::App& app, Commands& commands);   // cli/policy_check.cpp, cli/policy_graph.cpp
void add_keygen_command(CLI::App& app, Commands& commands);    // cli/keygen.cpp
void add_audit_commands(CLI::App& app, Commands& commands);    // cli/audit.cpp
void add_request_commands(CLI::App& app, Commands& commands);  // cli/request.cpp
void add_access_command(CLI::App& app, Commands& commands);    // cli/access.cpp
void add_export_command(CLI::App& app, Commands& commands);    // cli/export.cpp
void add_erase_command(CLI::App& app, Commands& commands);     // cli/erase.cpp
void add_rectify_command(CLI::App& app, Commands& commands);   // cli/rectify.cpp
void add_consent_command(CLI::App& app, Commands& commands);  // cli/consent.cpp
void add_purge_command(CLI::App& app, Commands& commands);    // cli/purge.cpp
void add_breach_command(CLI::App& app, Commands& commands);   // cli/breach.cpp

}  // namespace dsr::cli
