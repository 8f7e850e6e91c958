#pragma once
// The legal deadline of a data-subject request, per regime:
//   GDPR Art. 12(3): one month from receipt, extendable once by two further
//     months; the extension must be decided within the first month.
//   CCPA/CPRA (Cal. Code Regs. tit. 11, §7021-7026): 45 days, extendable once
//     by 45 more (90 in all); receipt confirmed within 10 business days;
//     requests to opt out of sale/sharing within 15 business days.
//   PIPL Art. 50: "in a timely manner", no number: the policy's
//     `requests: deadline:` is the commitment.

#include <optional>
#include <set>
#include <string>

#include "policy/model.h"
#include "requests/calendar.h"

namespace dsr::requests {

enum class RequestType { access, export_data, rectify, erase, consent, optout };

std::optional<RequestType> parse_request_type(std::string_view name);
std::string_view to_string(RequestType type);

struct InitialDeadline {
    Date due;
    std::optional<Date> confirm_by;  ///< CCPA: confirm receipt by this date
};

InitialDeadline initial_deadline(policy::Regime regime, RequestType type, Date received,
                                 const policy::RequestSettings& settings);

/// The due date after the one extension the regime allows, or an error
/// message (in `refusal`) when it allows none or it is too late to extend.
std::optional<Date> extended_deadline(policy::Regime regime, Date received, Date original_due, Date today,
                                      std::string& refusal);

std::set<std::string> holiday_set(const policy::RequestSettings& settings);

}  // namespace dsr::requests
