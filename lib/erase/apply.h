#pragma once
// Carrying out an erasure plan, and proving afterwards that it was carried
// out. The statements run inside the caller's one write transaction, table
// by table in the planned order (children before parents): deletes by key
// list, then one UPDATE by key per kept row whose masked values change.
// Verification runs after the commit and reads only.

#include <cstddef>
#include <string>
#include <vector>

#include "db/database.h"
#include "erase/erasure_plan.h"
#include "graph/subject_rows.h"
#include "policy/model.h"

namespace dsr::erase {

/// Runs the plan's statements in the open transaction. Each statement must
/// change exactly the rows planned; anything else is dsr::Error(database),
/// and the caller rolls back. Returns the number of statements run.
std::size_t execute_plan(db::Database& db, const ErasurePlan& plan);

/// One table's part of the check.
struct TableCheck {
    std::string table;
    std::size_t kept = 0;          ///< kept rows found, holding their masked values
    std::size_t not_deleted = 0;   ///< planned deletions still present
    std::size_t wrong_values = 0;  ///< kept rows missing, or not holding the planned masked values
    std::size_t unexpected = 0;    ///< rows the subject graph still finds that the plan did not keep
};

struct Verification {
    bool performed = false;
    bool passed = false;
    std::vector<TableCheck> tables;  ///< in erasure order
    std::size_t remaining = 0;       ///< rows the subject graph still finds (all kept, when passed)
};

/// After the commit: every planned deletion is gone; every kept row holds
/// exactly its planned masked values; and the subject graph — run again both
/// with `before` (the identities as they were) and with `again` (the
/// identity looked up afresh) — finds nothing but kept rows.
Verification verify_erasure(db::Database& db, const policy::Policy& policy, const ErasurePlan& plan,
                            const graph::SubjectMatch& before, const graph::SubjectMatch& again);

}  // namespace dsr::erase
