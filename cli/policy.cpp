// `dsr policy`: the group; its leaves live in policy_init.cpp, policy_check.cpp and policy_graph.cpp.

#include <memory>

#include "cli/command.h"
#include "cli/policy_check.h"
#include "cli/policy_graph.h"
#include "cli/policy_init.h"

namespace dsr::cli {

void add_policy_commands(CLI::App* policy, Commands& commands) {
    policy->require_subcommand(1);

    auto init = std::make_shared<PolicyInitOptions>();
    setup_policy_init(*policy, *init);
    commands.push_back({policy->get_subcommand("init"), [init] { return run_policy_init(*init); }});

    auto check = std::make_shared<PolicyCheckOptions>();
    setup_policy_check(*policy, *check);
    commands.push_back({policy->get_subcommand("check"), [check] { return run_policy_check(*check); }});

    auto graph = std::make_shared<PolicyGraphOptions>();
    setup_policy_graph(*policy, *graph);
    commands.push_back({policy->get_subcommand("graph"), [graph] { return run_policy_graph(*graph); }});
}

const TopLevelCommand policy_command{"policy", "Draft a policy, validate it and show how tables link to a subject",
                                     add_policy_commands};

}  // namespace dsr::cli
