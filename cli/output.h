#pragma once
// What every subcommand shares: the report format option, and printing a
// report or a policy's load errors the same way everywhere.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "policy/diagnostic.h"
#include "policy/loader.h"
#include "cli/terminal.h"
#include "report/report.h"
#include "report/text_table.h"
#include "util/error.h"
#include "util/exit_status.h"

namespace dsr::cli {

/// `jsonl` (one item per line, no envelope) is offered only by listing commands.
enum class Format { automatic, json, text, jsonl };

/// Adds `--format` (or `option_name`, for a command whose --format is the
/// format of a file it writes) to a subcommand, and `--color
/// auto|always|never` with it: every command with a text report can colour
/// it. `auto` means text on a terminal, JSON otherwise.
void add_format_option(CLI::App& command, Format& format, bool with_jsonl = false,
                       const std::string& option_name = "--format");

/// Resolves `auto` against whether stdout is a terminal; `jsonl` resolves to json
/// (used for envelopes and failures).
Format effective(Format format);

/// Prints the JSON report on stdout (one line) or the text rendering,
/// painted when colour is on for stdout (cli/terminal.h); a listing command
/// handles jsonl itself before it gets here.
void print_report(Format format, const nlohmann::ordered_json& json, const std::string& text);

/// The style of one cell of a listing (nullopt: plain), by row and column.
using CellStyle = std::function<std::optional<Style>(std::size_t row, std::size_t column)>;

/// A listing command's report: the JSON, or the table (`when_empty` if it
/// has no rows) with its headings in bold and each cell styled by
/// `style_of`, when colour is on for stdout.
void print_listing(Format format, const nlohmann::ordered_json& json, const report::TextTable& table,
                   const std::string& when_empty, const CellStyle& style_of = {});

/// The table's text as print_listing prints it, for a report made of
/// several tables; print that with print_rendered.
std::string render_table(const report::TextTable& table, const CellStyle& style_of = {});

/// The JSON report, or `text` exactly as given (already rendered and painted).
void print_rendered(Format format, const nlohmann::ordered_json& json, const std::string& text);

/// Loads a policy. On failure prints each diagnostic to stderr as FILE:LINE:COL,
/// prints the report, and returns nullopt; the caller exits with invalid_policy.
std::optional<policy::Policy> load_policy_or_report(const std::string& path, Format format, report::Envelope& envelope);

/// For a job that failed after the policy loaded (database missing, locked, …):
/// `dsr: error: …` on stderr and, for scripts, a report with status "error".
ExitStatus report_failure(Format format, report::Envelope& envelope, const Error& error);

/// `dsr: error: MESSAGE` on stderr, the one form diagnostics take ("error:"
/// in red when colour is on for stderr; a progress line is cleared first).
void print_error(const std::string& message);

/// `--progress auto|always|never` and `-q,--quiet` for a command that draws
/// progress on stderr (cli/progress.h: quiet wins).
void add_progress_options(CLI::App& command, std::string& progress, bool& quiet, const std::string& group);

}  // namespace dsr::cli
