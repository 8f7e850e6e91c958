#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "util/exit_status.h"

namespace dsr::cli {

struct PolicyCheckOptions {
    std::string policy;
    std::optional<std::string> db;
    Format format = Format::automatic;
    bool strict = false;
    int busy_timeout_ms = 5000;
    int statement_timeout_ms = 0;
    bool verbose = false;  ///< -v: each statement's SQL and time on stderr
};

void setup_policy_check(CLI::App& policy_command, PolicyCheckOptions& options);
ExitStatus run_policy_check(const PolicyCheckOptions& options);

}  // namespace dsr::cli
