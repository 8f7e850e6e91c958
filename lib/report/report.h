#pragma once
// The report every command prints: one JSON object (dsr-report(7)), or text
// for a person. Renderers take plain results; they know nothing of databases.

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/diagnostic.h"
#include "policy/model.h"

namespace dsr::report {

/// Bumped only when a field changes meaning or disappears; additions keep it.
inline constexpr int report_version = 1;

/// Fields every report carries, whatever the command.
struct Envelope {
    std::string command;  ///< e.g. "policy check"
    std::string status;   ///< "ok", "findings", "invalid_policy", "error", …
    bool dry_run = false;
    std::string policy_path;
    std::string policy_sha256;  ///< empty when the file could not be read
    std::chrono::system_clock::time_point started_at = std::chrono::system_clock::now();
    /// For duration_ms, which is measured up to the moment the report is rendered.
    std::chrono::steady_clock::time_point steady_start = std::chrono::steady_clock::now();
};

nlohmann::ordered_json envelope_json(const Envelope& envelope);

/// A report for a policy that failed to load: each diagnostic with its
/// position as `file`, `line` and `col` (`column` names a table column elsewhere).
nlohmann::ordered_json policy_errors_json(const Envelope& envelope, const std::vector<policy::Diagnostic>& errors);

/// Who a report is about, without saying it: the pseudonym and how they were named.
struct SubjectRef {
    std::string pseudonym;
    std::string identity_kind;
    std::size_t registered_matches = 0;
};

/// The `subject` object of every report about one subject.
nlohmann::ordered_json subject_json(const SubjectRef& subject);

/// The `notify` array of erase and rectify: each recipient to tell (GDPR
/// Art. 19) with the categories it received.
nlohmann::ordered_json notify_json(const std::vector<policy::RecipientShare>& recipients);

/// An ISO-8601 UTC timestamp with seconds, e.g. 2026-11-22T21:47:06Z.
std::string utc_iso8601(std::chrono::system_clock::time_point t);

}  // namespace dsr::report
