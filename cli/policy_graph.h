#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "util/exit_status.h"

namespace dsr::cli {

struct PolicyGraphOptions {
    std::string policy;
    enum class GraphFormat { text, dot, json } format = GraphFormat::text;
};

void setup_policy_graph(CLI::App& policy_command, PolicyGraphOptions& options);
ExitStatus run_policy_graph(const PolicyGraphOptions& options);

}  // namespace dsr::cli
