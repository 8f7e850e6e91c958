#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "util/exit_status.h"

namespace dsr::cli {

struct PolicyInitOptions {
    std::string db;
    std::optional<std::string> output;  ///< absent: the YAML goes to stdout, with no report
    bool force = false;
    Format format = Format::automatic;
    int sample_rows = 200;
    int busy_timeout_ms = 5000;
    int statement_timeout_ms = 0;
    bool verbose = false;  ///< -v: each statement's SQL and time on stderr
};

void setup_policy_init(CLI::App& policy_command, PolicyInitOptions& options);
ExitStatus run_policy_init(const PolicyInitOptions& options);

}  // namespace dsr::cli
