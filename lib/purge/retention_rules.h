#pragma once
// What purge does with each row whose retention has ended, as SQL the
// database evaluates itself (never row by row in dsr), so the same
// conditions select a batch, count it in a dry run and delete it:
//
//  - a row whose erasure hold still runs (or whose hold timestamp cannot be
//    read) is left as it is;
//  - else a row due for deletion (action delete, or a masked row whose
//    delete_after has ended) is deleted, unless rows this run keeps still
//    refer to it, through a policy link or a declared foreign key, from any
//    table: then it stays until they are gone. A referring row that this
//    same run deletes does not count, so a dry run sees what the real run,
//    which deletes children first (erase/erasure_order.h), will do;
//  - else, under action mask, the row is masked with the table's erasure
//    masks (under action delete it is left as it is).

#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "erase/erasure_order.h"
#include "graph/timestamp_sql.h"
#include "policy/model.h"
#include "util/civil_date.h"

namespace dsr::purge {

using graph::SqlCondition;

/// Rows of another table that keep a row in place while they exist.
struct Blocker {
    std::string table;        ///< the referring table, for the report
    SqlCondition refers;      ///< true when some such row refers to the row
};

/// The conditions for one table's rows, on the alias `alias`.
struct TableRules {
    const policy::Table* table = nullptr;
    std::string alias;
    SqlCondition expired;     ///< the retention period has ended
    SqlCondition held;        ///< the erasure hold still runs
    SqlCondition delete_due;  ///< an expired row is to be deleted (not masked)
    std::vector<Blocker> blockers;
    std::vector<policy::Mask> masks;  ///< what masking writes (action mask)
    /// The rule's action is mask: an expired row that is not deleted (its
    /// delete_after has not ended, or rows kept elsewhere refer to it) is
    /// masked. Under action delete such a row is left as it is.
    bool mask_action = false;
    /// held, delete_due or the blockers ask rows of other tables: a blocker,
    /// or a hold or delete_after timed by a parent's timestamp (a subquery).
    bool fate_asks_other_tables = false;

    /// Some kept row of another table refers to the row.
    SqlCondition referred() const;
    /// expired, not held, due for deletion and referred to by nothing kept.
    SqlCondition deletable() const;
    /// expired, not held, not deletable, and the action is mask.
    SqlCondition maskable() const;
};

class RetentionRules {
public:
    /// `purged` names the tables this run purges: a referring row of any
    /// other table is kept by this run, so it always keeps its parent.
    RetentionRules(db::Database& db, const policy::Policy& policy, const erase::ErasureOrder& order,
                   CivilDate today, std::set<std::string> purged);

    /// The rules of a table with a retention rule.
    TableRules rules_for(const policy::Table& table) const;

private:
    TableRules rules_at(const policy::Table& table, const std::string& alias, int depth) const;
    std::vector<Blocker> blockers_of(const policy::Table& table, const std::string& alias, int depth) const;

    db::Database& db_;
    const policy::Policy& policy_;
    const erase::ErasureOrder& order_;
    CivilDate today_;
    std::set<std::string> purged_;
};

/// Joins conditions with AND / OR, parameters in order.
SqlCondition all_of(const std::vector<SqlCondition>& parts);
SqlCondition any_of(const std::vector<SqlCondition>& parts);
SqlCondition negation(const SqlCondition& part);

}  // namespace dsr::purge
