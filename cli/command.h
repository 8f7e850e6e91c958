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

/// A top-level command as main sees it: its name, the line `dsr --help`
/// gives it, and how to add the rest (its options, or its leaves and theirs,
/// and what each leaf runs) to the subcommand main made for it. main adds the
/// rest for the command on the command line only: building every command's
/// options was a third of the instructions `dsr --help` took.
struct TopLevelCommand {
    const char* name;
    const char* summary;
    void (*add)(CLI::App* command, Commands& commands);
};

// One per top-level command, each in the file named after it.
extern const TopLevelCommand policy_command;   // cli/policy.cpp (leaves: policy_init, policy_check, policy_graph)
extern const TopLevelCommand keygen_command;   // cli/keygen.cpp
extern const TopLevelCommand audit_command;    // cli/audit.cpp
extern const TopLevelCommand request_command;  // cli/request.cpp
extern const TopLevelCommand access_command;   // cli/access.cpp
extern const TopLevelCommand export_command;   // cli/export.cpp
extern const TopLevelCommand erase_command;    // cli/erase.cpp
extern const TopLevelCommand rectify_command;  // cli/rectify.cpp
extern const TopLevelCommand consent_command;  // cli/consent.cpp
extern const TopLevelCommand purge_command;    // cli/purge.cpp
extern const TopLevelCommand breach_command;   // cli/breach.cpp

}  // namespace dsr::cli
