#pragma once
// The request ledger in the state store: each data-subject request with its
// legal deadline, pauses, extension and outcome. Subjects are pseudonyms.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "policy/model.h"
#include "requests/calendar.h"
#include "requests/deadlines.h"
#include "state/state_store.h"

namespace dsr::requests {

struct Request {
    std::string id;
    std::string type;
    std::string subject;  ///< pseudonym
    std::string regime;
    std::string received_on;
    std::string due_on;
    std::string original_due_on;
    std::string confirm_by;  ///< empty: none
    std::string status;      ///< open, paused, closed
    std::string paused_since;
    int paused_days = 0;
    std::string extended_on;
    std::string extension_reason;
    std::string note;
    std::string opened_at;
    std::string closed_at;
    std::string outcome;
};

struct RequestEvent {
    std::string at;
    std::string event;
    std::string detail;
};

struct NewRequest {
    RequestType type = RequestType::access;
    std::string subject;  ///< pseudonym
    policy::Regime regime = policy::Regime::gdpr;
    Date received;
    std::string note;
};

struct ListFilter {
    std::string status;             ///< empty: any
    std::optional<Date> due_before; ///< open requests due on or before this date
    std::optional<Date> overdue_on; ///< open requests whose due date is before this date
};

class RequestLedger {
public:
    explicit RequestLedger(state::StateStore& store);

    Request open(const NewRequest& request, const policy::RequestSettings& settings,
                 std::chrono::system_clock::time_point now);
    /// Throws dsr::Error(subject_not_found) for an unknown id.
    Request get(const std::string& id);
    std::vector<RequestEvent> events(const std::string& id);
    std::vector<Request> list(const ListFilter& filter);

    /// Stops the clock (identity verification pending). Only an open request.
    Request pause(const std::string& id, Date today, std::chrono::system_clock::time_point now);
    /// Restarts it; the due date moves by the days paused.
    Request resume(const std::string& id, Date today, std::chrono::system_clock::time_point now);
    /// The one extension the regime allows; dsr::Error(usage) when refused.
    Request extend(const std::string& id, const std::string& reason, Date today,
                   std::chrono::system_clock::time_point now);
    /// Closes it with an outcome; closed requests are kept until pruned.
    Request close(const std::string& id, const std::string& outcome, std::chrono::system_clock::time_point now);
    /// Removes closed requests closed before `cutoff`; returns how many.
    int prune(Date cutoff);

private:
    state::StateStore& store_;
    void add_event(const std::string& id, std::chrono::system_clock::time_point now, const std::string& event,
                   const std::string& detail);
};

}  // namespace dsr::requests
