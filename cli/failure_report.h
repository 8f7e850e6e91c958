#pragma once
// The report of a command line that fails before its command runs: CLI11
// refusing an option (exit 2), or an error escaping to main. Without it a
// script that asked for --format json gets nothing to parse on stdout for
// exactly those failures.

#include <string>

#include <CLI/CLI.hpp>

#include "util/exit_status.h"

namespace dsr::cli {

/// Prints, on stdout, a report with status "error" and an `error` object
/// (exit_status, message) when the command line asked for JSON by name
/// (`--format json` or `--report-format json`) and names a runnable command
/// (`dsr access`, `dsr consent grant`; not `dsr consent` alone, which has no
/// report of its own). Prints nothing otherwise. For main(): after parsing
/// failed, and in its last-resort catch; `app` is the root, parsed as far as
/// it went.
void print_failure_report(const CLI::App& app, int argc, const char* const* argv, const std::string& message,
                          ExitStatus status);

}  // namespace dsr::cli
