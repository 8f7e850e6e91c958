#include "requests/deadlines.h"

namespace dsr::requests {

namespace {
constexpr std::pair<std::string_view, RequestType> type_names[] = {
    {"access", RequestType::access}, {"export", RequestType::export_data}, {"rectify", RequestType::rectify},
    {"erase", RequestType::erase},   {"consent", RequestType::consent},    {"optout", RequestType::optout}};
}

std::optional<RequestType> parse_request_type(std::string_view name) {
    for (const auto& [n, t] : type_names)
        if (n == name) return t;
    return std::nullopt;
}

std::string_view to_string(RequestType type) {
    for (const auto& [n, t] : type_names)
        if (t == type) return n;
    return "?";
}

std::set<std::string> holiday_set(const policy::RequestSettings& settings) {
    return {settings.holidays.begin(), settings.holidays.end()};
}

InitialDeadline initial_deadline(policy::Regime regime, RequestType type, Date received,
                                 const policy::RequestSettings& settings) {
    auto holidays = holiday_set(settings);
    switch (regime) {
        case policy::Regime::gdpr: return {add_months_clamped(received, 1), std::nullopt};
        case policy::Regime::ccpa:
            if (type == RequestType::optout) return {add_business_days(received, 15, holidays), std::nullopt};
            return {add_days(received, 45), add_business_days(received, 10, holidays)};
        case policy::Regime::pipl: {
            // The loader requires the setting under pipl; 15 business days is its documented example.
            policy::RequestDeadline d = settings.deadline.value_or(policy::RequestDeadline{15, true, "15 business days"});
            return {d.business_days ? add_business_days(received, d.count, holidays) : add_days(received, d.count),
                    std::nullopt};
        }
    }
    return {add_months_clamped(received, 1), std::nullopt};
}

std::optional<Date> extended_deadline(policy::Regime regime, Date received, Date original_due, Date today,
                                      std::string& refusal) {
    switch (regime) {
        case policy::Regime::gdpr:
            // Art. 12(3): the subject must be told of the extension within one month of receipt.
            if (days_between(add_months_clamped(received, 1), today) > 0) {
                refusal = "GDPR extensions must be recorded within one month of receipt (by " +
                          format_date(add_months_clamped(received, 1)) + ")";
                return std::nullopt;
            }
            return add_months_clamped(original_due, 2);
        case policy::Regime::ccpa:
            if (days_between(original_due, today) > 0) {
                refusal = "CCPA extensions must be noticed within the first 45 days (by " + format_date(original_due) + ")";
                return std::nullopt;
            }
            return add_days(original_due, 45);
        case policy::Regime::pipl:
            refusal = "PIPL sets no extension; the policy's deadline is the commitment";
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace dsr::requests
