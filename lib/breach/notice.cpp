#include "breach/notice.h"

#include <algorithm>

namespace dsr::breach {

namespace {

constexpr std::int64_t hours = 3600;

bool has(const std::vector<ExposedCategory>& categories, std::string_view name) {
    return std::any_of(categories.begin(), categories.end(), [&](const ExposedCategory& c) { return c.name == name; });
}

}  // namespace

std::vector<ExposedCategory> exposed_categories(const policy::Policy& policy, const Scope& scope) {
    std::vector<ExposedCategory> out;
    for (const auto& entry : scope.tables)
        for (const auto* column : entry.columns) {
            auto it = std::find_if(out.begin(), out.end(), [&](const ExposedCategory& c) { return c.name == column->category; });
            if (it == out.end()) {
                const auto* category = policy.find_category(column->category);
                out.push_back({column->category, category && category->sensitive, {}});
                it = out.end() - 1;
            }
            it->columns.push_back(entry.table->name + "." + column->name);
        }
    return out;
}

Risk assess_risk(const std::vector<ExposedCategory>& categories, bool encrypted) {
    Risk risk;
    std::string sensitive;
    for (const auto& c : categories)
        if (c.sensitive) sensitive += (sensitive.empty() ? "" : ", ") + c.name;
    if (!sensitive.empty()) risk.reasons.push_back("special or sensitive categories exposed: " + sensitive);
    if (has(categories, "contact") && has(categories, "payment"))
        risk.reasons.push_back("contact data together with payment data: phishing and payment fraud");
    if (has(categories, "credentials")) risk.reasons.push_back("credentials: accounts can be taken over; force resets");
    if (has(categories, "identity") && (has(categories, "address") || has(categories, "demographic")))
        risk.reasons.push_back("names together with addresses or dates of birth: identity theft");
    risk.high = !risk.reasons.empty();
    if (encrypted) {
        risk.reasons.push_back(
            "the data was encrypted and the key did not leak: unintelligible to whoever holds it (GDPR Art. 34(3)(a))");
        risk.high = false;
    }
    if (risk.reasons.empty()) risk.reasons.push_back("no sensitive category and no risky combination of categories");
    return risk;
}

std::vector<NoticeDeadline> notice_deadlines(policy::Regime regime, std::int64_t discovered_at, const Risk& risk,
                                             bool encrypted, std::int64_t subjects) {
    std::vector<NoticeDeadline> out;
    switch (regime) {
        case policy::Regime::gdpr:
            out.push_back({"authority", discovered_at + 72 * hours,
                           "GDPR Art. 33(1): the supervisory authority within 72 hours of becoming aware, unless the "
                           "breach is unlikely to result in a risk to people"});
            if (risk.high)
                out.push_back({"subjects", std::nullopt,
                               "GDPR Art. 34(1): the people affected without undue delay, the risk being high"});
            break;
        case policy::Regime::ccpa:
            if (!encrypted) {
                out.push_back({"subjects", std::nullopt,
                               "Cal. Civ. Code § 1798.82(a): the California residents affected in the most expedient "
                               "time possible and without unreasonable delay"});
                if (subjects > 500)
                    out.push_back({"attorney_general", std::nullopt,
                                   "Cal. Civ. Code § 1798.82(f): a sample copy of the notice to the Attorney General, "
                                   "more than 500 residents being notified"});
            }
            break;
        case policy::Regime::pipl:
            out.push_back({"authority", discovered_at,
                           "PIPL Art. 57: remedial measures and notice to the personal-information protection "
                           "authorities immediately"});
            out.push_back({"subjects", discovered_at,
                           "PIPL Art. 57: the individuals immediately, unless the measures taken avoid the harm"});
            break;
    }
    return out;
}

}  // namespace dsr::breach
