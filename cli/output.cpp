#include "cli/output.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace dsr::cli {

void add_format_option(CLI::App& command, Format& format) {
    std::map<std::string, Format> names = {{"auto", Format::automatic}, {"json", Format::json}, {"text", Format::text}};
    command.add_option("--format", format, "Report format: json, text, or auto (text on a terminal, else json)")
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
        ->option_text("auto|json|text (default: auto)")
        ->group("Output");
}

Format effective(Format format) {
    if (format != Format::automatic) return format;
    return isatty(STDOUT_FILENO) ? Format::text : Format::json;
}

void print_report(Format format, const nlohmann::ordered_json& json, const std::string& text) {
    if (effective(format) == Format::json)
        std::cout << json.dump() << '\n';
    else
        std::cout << text;
    std::cout.flush();
}

void print_error(const std::string& message) { std::cerr << "dsr: error: " << message << '\n'; }

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
    print_report(format, report::policy_errors_json(envelope, loaded.errors),
                 "policy " + path + " is invalid: " + std::to_string(loaded.errors.size()) + " errors\n");
    return std::nullopt;
}

}  // namespace dsr::cli
