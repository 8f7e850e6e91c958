#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/progress.h"
#include "cli/terminal.h"

namespace dsr::cli {

void add_format_option(CLI::App& command, Format& format, bool with_jsonl, const std::string& option_name) {
    std::vector<std::string> names = {"auto", "json", "text"};
    if (with_jsonl) names.push_back("jsonl");
    std::string choices = with_jsonl ? "auto|json|jsonl|text" : "auto|json|text";
    command
        .add_option_function<std::string>(
            option_name,
            [&format](const std::string& name) {
                format = name == "json"    ? Format::json
                         : name == "jsonl" ? Format::jsonl
                         : name == "text"  ? Format::text
                                           : Format::automatic;
            },
            with_jsonl ? "Report format: json, jsonl (one item per line), text, or auto (text on a terminal, else json)"
                       : "Report format: json, text, or auto (text on a terminal, else json)")
        ->check(CLI::IsMember(names))
        ->option_text(choices + " (default: auto)")
        ->group("Output");
    // The mode is the process's, as stdout and stderr are: set by whichever
    // command runs (only one does).
    command
        .add_option_function<std::string>(
            "--color",
            [](const std::string& name) {
                set_color_mode(name == "always"  ? ColorMode::always
                               : name == "never" ? ColorMode::never
                                                 : ColorMode::automatic);
            },
            "Colour in text reports and error lines: auto (on a terminal, unless NO_COLOR is set or TERM is "
            "dumb), always or never; JSON is never coloured")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->option_text("auto|always|never (default: auto)")
        ->group("Output");
}

void add_progress_options(CLI::App& command, std::string& progress, bool& quiet, const std::string& group) {
    command
        .add_option("--progress", progress,
                    "Progress on stderr: auto (when a terminal), always or never; --quiet wins")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->group(group);
    command.add_flag("-q,--quiet", quiet, "No progress and no notes on stderr, only errors")->group(group);
}

Format effective(Format format) {
    // A listing's failure is still one JSON report, so jsonl falls back to json here.
    if (format == Format::jsonl) return Format::json;
    if (format != Format::automatic) return format;
    return is_terminal(STDOUT_FILENO) ? Format::text : Format::json;
}

void print_report(Format format, const nlohmann::ordered_json& json, const std::string& text) {
    if (effective(format) == Format::json)
        std::cout << json.dump() << '\n';
    else
        std::cout << (color_enabled(STDOUT_FILENO) ? paint_report(text) : text);
    std::cout.flush();
}

std::string render_table(const report::TextTable& table, const CellStyle& style_of) {
    if (!color_enabled(STDOUT_FILENO)) return table.render();
    constexpr auto heading_row = static_cast<std::size_t>(-1);
    return table.render([&](std::size_t row, std::size_t column, const std::string& cell) {
        if (row == heading_row) return paint(cell, Style::heading, true);
        auto style = style_of ? style_of(row, column) : std::nullopt;
        return style ? paint(cell, *style, true) : cell;
    });
}

void print_listing(Format format, const nlohmann::ordered_json& json, const report::TextTable& table,
                   const std::string& when_empty, const CellStyle& style_of) {
    if (effective(format) == Format::json)
        std::cout << json.dump() << '\n';
    else
        std::cout << (table.rows.empty() ? when_empty + '\n' : render_table(table, style_of));
    std::cout.flush();
}

void print_rendered(Format format, const nlohmann::ordered_json& json, const std::string& text) {
    std::cout << (effective(format) == Format::json ? json.dump() + '\n' : text);
    std::cout.flush();
}

void print_error(const std::string& message) {
    clear_progress_line();
    std::cerr << "dsr: " << paint("error:", Style::error, color_enabled(STDERR_FILENO)) << ' ' << message << '\n';
}

std::optional<policy::Policy> load_policy_or_report(const std::string& path, Format format, report::Envelope& envelope) {
    auto loaded = policy::load_policy_file(path);
    envelope.policy_path = path;
    if (loaded.policy) {
        envelope.policy_sha256 = loaded.policy->sha256;
        return std::move(loaded.policy);
    }
    for (const auto& d : loaded.errors) std::cerr << policy::format_diagnostic(path, d) << '\n';
    envelope.status = "invalid_policy";
    envelope.policy_sha256 = loaded.sha256;
    // Text goes to a person who has just read the diagnostics on stderr;
    // only a script needs the report repeated on stdout.
    if (effective(format) == Format::json) print_report(format, report::policy_errors_json(envelope, loaded.errors), "");
    return std::nullopt;
}

ExitStatus report_failure(Format format, report::Envelope& envelope, const Error& error) {
    print_error(error.what());
    envelope.status = "error";
    if (effective(format) == Format::json) {
        auto json = report::envelope_json(envelope);
        json["error"] = {{"exit_status", static_cast<int>(error.status())}, {"message", error.what()}};
        print_report(format, json, "");
    }
    return error.status();
}

}  // namespace dsr::cli
