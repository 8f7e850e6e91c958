#include "report/report.h"

#include <ctime>

#include "rectify/value_check.h"

namespace dsr::report {

namespace {

/// `text` as well-formed UTF-8, each invalid byte U+FFFD. For what comes
/// from outside dsr: a file name given on the command line, and yaml-cpp's
/// messages, which quote a character of input it decoded as UTF-16 or -32
/// one byte of its UTF-8 at a time. nlohmann::json throws on invalid UTF-8
/// when the report is printed, which left no report at all.
std::string well_formed(const std::string& text) {
    if (rectify::is_valid_utf8(text)) return text;
    auto replaced = nlohmann::ordered_json(text).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    return nlohmann::ordered_json::parse(replaced).get<std::string>();
}

}  // namespace

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
    nlohmann::ordered_json policy = {{"path", well_formed(e.policy_path)}};
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
                                 {"file", well_formed(envelope.policy_path)},
                                 {"line", d.where.line},
                                 {"col", d.where.column},
                                 {"message", well_formed(d.message)}});
    out["findings"] = nlohmann::ordered_json::array();
    return out;
}

}  // namespace dsr::report
