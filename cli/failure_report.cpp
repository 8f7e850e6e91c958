#include "cli/failure_report.h"

#include <cstdlib>
#include <iostream>
#include <string_view>

#include "report/report.h"

namespace dsr::cli {

namespace {

/// The value of `name` on the command line (`--name VALUE` or
/// `--name=VALUE`), the last one given; empty if absent. Read from argv
/// rather than from CLI11, which may not have stored it when parsing stopped.
std::string option_value(int argc, const char* const* argv, std::string_view name) {
    std::string value;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") break;
        if (arg == name && i + 1 < argc)
            value = argv[++i];
        else if (arg.size() > name.size() && arg.starts_with(name) && arg[name.size()] == '=')
            value = std::string(arg.substr(name.size() + 1));
    }
    return value;
}

}  // namespace

void print_failure_report(const CLI::App& app, int argc, const char* const* argv, const std::string& message,
                          ExitStatus status) {
    if (option_value(argc, argv, "--format") != "json" && option_value(argc, argv, "--report-format") != "json")
        return;
    // The chain of subcommands CLI11 recognised, down to a leaf.
    const CLI::App* level = &app;
    std::string command;
    while (true) {
        auto chosen = level->get_subcommands();
        if (chosen.empty()) break;
        level = chosen.front();
        command += (command.empty() ? "" : " ") + level->get_name();
    }
    if (command.empty() || !level->get_subcommands({}).empty()) return;

    report::Envelope envelope;
    envelope.command = command;
    envelope.status = "error";
    envelope.policy_path = option_value(argc, argv, "--policy");
    if (envelope.policy_path.empty())
        if (const char* from_environment = std::getenv("DSR_POLICY")) envelope.policy_path = from_environment;
    auto json = report::envelope_json(envelope);
    json["error"] = {{"exit_status", static_cast<int>(status)}, {"message", message}};
    // Replace, not throw: the message may quote bytes of argv that are not UTF-8.
    std::cout << json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n' << std::flush;
}

}  // namespace dsr::cli
