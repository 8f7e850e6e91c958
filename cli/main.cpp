// The front end: build the command line, parse it, run the one subcommand
// chosen, and turn every error into `dsr: error: …` and a published exit code.

#include <iostream>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/failure_report.h"
#include "cli/fault.h"
#include "cli/output.h"
#include "policy/reader.h"
#include "cli/command.h"
#include "cli/version.h"
#include "util/error.h"
#include "util/exit_status.h"

namespace {

int to_int(dsr::ExitStatus status) { return static_cast<int>(status); }

/// CLI11 reports a mistyped command as "a subcommand is required"; say what
/// was typed instead, and what was probably meant.
std::optional<std::string> unknown_command_message(const CLI::App& app) {
    const CLI::App* level = &app;
    while (true) {
        auto parsed = level->get_subcommands();
        if (parsed.empty()) break;
        level = parsed.front();
    }
    auto extra = level->remaining();
    if (extra.empty() || extra.front().starts_with("-")) return std::nullopt;
    std::vector<std::string_view> names;
    for (const auto* sub : level->get_subcommands({})) names.push_back(sub->get_name());
    std::string message = "unknown command '" + extra.front() + "'";
    if (auto guess = dsr::policy::closest(extra.front(), names)) message += "; did you mean '" + std::string(*guess) + "'?";
    return message;
}

/// In the order `dsr --help` lists them.
constexpr const dsr::cli::TopLevelCommand* top_level_commands[] = {
    &dsr::cli::policy_command,
    &dsr::cli::keygen_command,
    &dsr::cli::audit_command,
    &dsr::cli::request_command,
    &dsr::cli::access_command,
    &dsr::cli::export_command,
    &dsr::cli::erase_command,
    &dsr::cli::rectify_command,
    &dsr::cli::consent_command,
    &dsr::cli::purge_command,
    &dsr::cli::breach_command,
};

/// The top-level command on the command line: its first word that is not an
/// option (dsr itself takes no option with a value); empty if none.
std::string_view named_command(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") break;  // what follows is never a command to CLI11
        if (!arg.starts_with("-")) return arg;
    }
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything can touch SQLite (cli/fault.h says why). A malformed
    // DSR_FAULT is refused like a malformed command line, before any command runs.
    try {
        dsr::cli::install_faults();
    } catch (const dsr::Error& e) {
        dsr::cli::print_error(e.what());
        return to_int(e.status());
    }

    CLI::App app{"dsr - carry out privacy data-subject requests against a shop's own databases"};
    app.description(
        "dsr - carry out privacy data-subject requests (GDPR, CCPA/CPRA, PIPL) against a\n"
        "shop's own databases, described once in a YAML policy (see dsr-policy(5)).\n\n"
        "Examples:\n"
        "  dsr policy check --policy policies/shop.yaml\n"
        "  dsr policy graph --policy policies/shop.yaml --format dot");
    app.footer("Exit codes and reports: see dsr(1) and dsr-report(7).");
    app.set_version_flag("--version", dsr::cli::version_text);
    app.require_subcommand(1);

    // Every command is listed (for --help and for "did you mean"), but only
    // the one named on the command line gets its options.
    const auto named = named_command(argc, argv);
    dsr::cli::Commands commands;
    for (const auto* top : top_level_commands) {
        auto* command = app.add_subcommand(top->name, top->summary);
        if (top->name == named) top->add(command, commands);
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // Help and version are "errors" to CLI11 with exit code 0; everything
        // else is a usage error, whatever CLI11's own code for it.
        if (e.get_exit_code() == 0) return app.exit(e);
        auto message = unknown_command_message(app).value_or(e.what());
        dsr::cli::print_error(message);
        std::cerr << "Run 'dsr --help' or 'dsr COMMAND --help' for usage.\n";
        dsr::cli::print_failure_report(app, argc, argv, message, dsr::ExitStatus::usage);
        return to_int(dsr::ExitStatus::usage);
    }

    try {
        for (const auto& command : commands)
            if (command.app->parsed()) return to_int(command.run());
        dsr::cli::print_error("no command given (see dsr --help)");
        return to_int(dsr::ExitStatus::usage);
    } catch (const dsr::Error& e) {
        // The commands report their own failures; what reaches here failed
        // before a command could (a malformed option value, say).
        dsr::cli::print_error(e.what());
        dsr::cli::print_failure_report(app, argc, argv, e.what(), e.status());
        return to_int(e.status());
    } catch (const std::exception& e) {
        std::string message = std::string("internal error: ") + e.what();
        dsr::cli::print_error(message);
        dsr::cli::print_failure_report(app, argc, argv, message, dsr::ExitStatus::failure);
        return to_int(dsr::ExitStatus::failure);
    }
}
