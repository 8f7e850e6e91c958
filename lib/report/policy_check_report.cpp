#include "report/policy_check_report.h"

namespace dsr::report {

namespace {

nlohmann::ordered_json problems_json(const std::vector<jobs::Problem>& problems) {
    auto out = nlohmann::ordered_json::array();
    for (const auto& p : problems)
        out.push_back({{"kind", p.kind},
                       {"table", p.table},
                       {"column", p.column.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.column)},
                       {"message", p.message}});
    return out;
}

}  // namespace

nlohmann::ordered_json policy_check_json(const Envelope& envelope, const jobs::PolicyCheckResult& result) {
    auto out = envelope_json(envelope);
    out["errors"] = problems_json(result.errors);
    out["findings"] = problems_json(result.findings);
    out["summary"] = {{"policy_tables", result.policy_tables},
                      {"database_tables", result.database_tables},
                      {"errors", result.errors.size()},
                      {"findings", result.findings.size()}};
    return out;
}

std::string policy_check_text(const Envelope& envelope, const jobs::PolicyCheckResult& result) {
    std::string out = "policy " + envelope.policy_path + ": " + std::to_string(result.policy_tables) +
                      " tables in the policy, " + std::to_string(result.database_tables) + " in the database\n";
    for (const auto& p : result.errors) out += "error: " + p.message + " [" + p.kind + "]\n";
    for (const auto& p : result.findings) out += "finding: " + p.message + " [" + p.kind + "]\n";
    auto count = [](std::size_t n, const std::string& noun) {
        return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
    };
    out += count(result.errors.size(), "error") + ", " + count(result.findings.size(), "finding") + ": " +
           envelope.status + "\n";
    return out;
}

}  // namespace dsr::report
