#pragma once
// What the law asks of a breach, from what leaked: the categories exposed,
// who else holds them, how risky the exposure is, and by when whom must be
// told (GDPR Art. 33 and 34, Cal. Civ. Code § 1798.82, PIPL Art. 57).
// Pure functions of the policy and the scope: no database.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "breach/scope.h"
#include "policy/model.h"

namespace dsr::breach {

struct ExposedCategory {
    std::string name;
    bool sensitive = false;
    std::vector<std::string> columns;  ///< TABLE.COLUMN
};

/// The categories of the scoped columns, in the order the scope names them.
std::vector<ExposedCategory> exposed_categories(const policy::Policy& policy, const Scope& scope);

struct Risk {
    bool high = false;
    std::vector<std::string> reasons;
};

/// High when a sensitive category leaked, or a combination that enables
/// fraud or identity theft; `encrypted` (the key did not leak) lowers it.
Risk assess_risk(const std::vector<ExposedCategory>& categories, bool encrypted);

struct NoticeDeadline {
    std::string notify;              ///< authority, subjects or attorney_general
    std::optional<std::int64_t> due;  ///< Unix seconds; none where the law sets no hours
    std::string rule;
};

/// Whom the policy's regime says to tell, and by when, counted from discovery.
std::vector<NoticeDeadline> notice_deadlines(policy::Regime regime, std::int64_t discovered_at, const Risk& risk,
                                             bool encrypted, std::int64_t subjects);

}  // namespace dsr::breach
