#pragma once
// Breach incidents in the state store: each assessment with its own id, the
// notice deadlines it set, and when the authority and the people affected
// were told. Counts, categories and deadlines only: never a value.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/state_store.h"

namespace dsr::breach {

struct Incident {
    std::string id;
    std::string discovered_at;  ///< UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string recorded_at;
    std::string regime;
    std::string policy_sha256;
    nlohmann::json scope;       ///< scope_json()
    nlohmann::json assessment;  ///< the assessment as reported, without the envelope
    std::int64_t subjects = 0;
    std::int64_t records = 0;
    std::string risk;           ///< high or normal
    std::string authority_due;  ///< empty: no deadline in hours
    std::string authority_notified_at;
    std::string authority_reference;
    std::string subjects_notified_at;
    std::string subjects_reference;
    std::string status;  ///< open or closed
    std::string closed_at;
    std::string note;
};

struct IncidentFilter {
    std::string status;                ///< empty: any
    std::string overdue_at;            ///< UTC time: open incidents whose authority notice is due before it and not given
};

class IncidentLedger {
public:
    explicit IncidentLedger(state::StateStore& store);

    /// Records a new incident (id, recorded_at and status are set here) and returns it.
    Incident record(Incident incident, std::chrono::system_clock::time_point now);
    /// Throws dsr::Error(subject_not_found) for an unknown id.
    Incident get(const std::string& id);
    std::vector<Incident> list(const IncidentFilter& filter);
    /// Records that `whom` (authority or subjects) was told at `at`.
    Incident notified(const std::string& id, const std::string& whom, const std::string& at, const std::string& reference);
    Incident close(const std::string& id, std::chrono::system_clock::time_point now);

private:
    state::StateStore& store_;
};

}  // namespace dsr::breach
