#include "cli/policy_graph.h"

#include <iostream>

#include "cli/state_options.h"
#include "report/graph_render.h"

namespace dsr::cli {

void setup_policy_graph(CLI::App& policy_command, PolicyGraphOptions& options) {
    auto* cmd = policy_command.add_subcommand("graph", "Show how each table links to the subject");
    cmd->footer(
        "Show how each table is reached from the subject's identities: foreign-key chains\n"
        "and identity links, as an indented tree or as Graphviz DOT.\n\n"
        "Examples:\n"
        "  dsr policy graph --policy shop.yaml\n"
        "  dsr policy graph --policy shop.yaml --format dot | dot -Tsvg > links.svg");
    add_policy_option(*cmd, options.policy)->required();
    std::map<std::string, PolicyGraphOptions::GraphFormat> names = {
        {"text", PolicyGraphOptions::GraphFormat::text},
        {"dot", PolicyGraphOptions::GraphFormat::dot},
        {"json", PolicyGraphOptions::GraphFormat::json}};
    cmd->add_option("--format", options.format, "text (indented tree), dot (Graphviz) or json (the report, with the DOT text)")
        ->transform(CLI::CheckedTransformer(names, CLI::ignore_case))
        ->option_text("text|dot|json (default: text)")
        ->group("Output");
}

ExitStatus run_policy_graph(const PolicyGraphOptions& options) {
    report::Envelope envelope;
    envelope.command = "policy graph";
    Format report_format = options.format == PolicyGraphOptions::GraphFormat::json ? Format::json : Format::text;
    auto policy = load_policy_or_report(options.policy, report_format, envelope);
    if (!policy) return ExitStatus::invalid_policy;
    switch (options.format) {
        case PolicyGraphOptions::GraphFormat::text: std::cout << report::link_graph_text(*policy); break;
        case PolicyGraphOptions::GraphFormat::dot: std::cout << report::link_graph_dot(*policy); break;
        case PolicyGraphOptions::GraphFormat::json: {
            envelope.status = "ok";
            auto json = report::envelope_json(envelope);
            json["text"] = report::link_graph_text(*policy);
            json["dot"] = report::link_graph_dot(*policy);
            std::cout << json.dump() << '\n';
            break;
        }
    }
    return ExitStatus::ok;
}

}  // namespace dsr::cli
