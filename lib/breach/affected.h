#pragma once
// Which rows and which people a breach scope touches, in set-based SQL: one
// statement per count, however many rows leaked. A row belongs to whoever
// `dsr access` would show it to: through foreign-key chains of any depth to
// a subject's own row, or through an identity link (a guest order's email),
// which names a registered subject when one has that identity value and a
// guest otherwise.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "breach/scope.h"
#include "db/database.h"
#include "policy/model.h"

namespace dsr::breach {

struct TableRecords {
    const policy::Table* table = nullptr;
    std::int64_t rows = 0;
};

struct AffectedCounts {
    std::vector<TableRecords> records;  ///< per scoped table, in scope order
    std::int64_t subjects = 0;          ///< distinct people
    std::int64_t registered = 0;        ///< of whom have a row of their own (a customer)
    std::int64_t guests() const { return subjects - registered; }
};

AffectedCounts count_affected(db::Database& db, const policy::Policy& policy, const Scope& scope);

struct NotifyCounts {
    std::int64_t subjects = 0;     ///< affected people
    std::int64_t written = 0;      ///< lines handed to on_contact
    std::int64_t unreachable = 0;  ///< affected people with no contact value
};

/// The header of a notify list: the names of the policy's `breach: notify`
/// columns (qualified TABLE.COLUMN where two tables share a name). Throws
/// dsr::Error(invalid_policy) when the policy names none.
std::vector<std::string> notify_header(const policy::Policy& policy);

/// Hands each affected person's contacts to `on_contact`, one value per
/// notify_header() column (empty where that person has none), people with
/// no contact at all counted as unreachable. Throws as notify_header() does.
NotifyCounts affected_contacts(db::Database& db, const policy::Policy& policy, const Scope& scope,
                               const std::function<void(const std::vector<db::Value>&)>& on_contact);

}  // namespace dsr::breach
