#include "report/report.h"

#include <ctime>

namespace dsr::report {

std::string utc_iso8601(std::chrono::system_clock::time_point t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

nlohmann::ordered_json subject_json(const SubjectRef& subject) {
    return {{"pseudonym", subject.pseudonym},
            {"identity_kind", subject.identity_kind},
            {"registered_matches", subject.registered_matches}};
}

nlohmann::ordered_json notify_json(const std::vector<policy::RecipientShare>& recipients) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& share : recipients)
        out.push_back({{"recipient", share.recipient->id},
                       {"name", share.recipient->name},
                       {"role", policy::to_string(share.recipient->role)},
                       {"country", share.recipient->country},
                       {"categories", share.categories}});
    return out;
}

nlohmann::ordered_json envelope_json(const Envelope& e) {
    using namespace std::chrono;
    nlohmann::ordered_json policy = {{"path", e.policy_path}};
    policy["sha256"] = e.policy_sha256.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.policy_sha256);
    return {
        {"report_version", report_version},
        {"command", e.command},
        {"status", e.status},
        {"dry_run", e.dry_run},
        {"started_at", utc_iso8601(e.started_at)},
        {"duration_ms", duration_cast<duration<double, std::milli>>(steady_clock::now() - e.steady_start).count()},
        {"policy", policy},
    };
}

nlohmann::ordered_json policy_errors_json(const Envelope& envelope, const std::vector<policy::Diagnostic>& errors) {
    auto out = envelope_json(envelope);
    out["errors"] = nlohmann::ordered_json::array();
    for (const auto& d : errors)
        out["errors"].push_back({{"kind", "policy"},
                                 {"file", envelope.policy_path},
                                 {"line", d.where.line},
                                 {"col", d.where.column},
                                 {"message", d.message}});
    out["findings"] = nlohmann::ordered_json::array();
    return out;
}

}  // namespace dsr::report
