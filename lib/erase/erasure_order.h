#pragma once
// THE place where the order of erasure is decided: children before parents,
// from the policy's links and the foreign keys the schema declares, so no
// statement fails on a foreign key and no row is left pointing at a deleted
// one. It also lists, for each table, every foreign key in the schema that
// points at it — from listed tables and from tables the policy does not
// list — so the plan can count what ON DELETE CASCADE (or SET NULL) would
// do and refuse what NO ACTION would make fail, instead of relying on it.

#include <string>
#include <vector>

#include "db/schema.h"
#include "policy/model.h"

namespace dsr::erase {

/// A column of one table that points at a column of another: a foreign key
/// in the schema, a foreign-key link in the policy, or both.
struct Reference {
    std::string table;          ///< the referencing (child) table
    std::string column;         ///< its column
    std::string parent_table;
    std::string parent_column;  ///< resolved: the parent's primary key when the schema leaves it implicit
    std::string on_delete;      ///< as the schema declares it, upper case; empty for a policy link only
    bool declared = false;      ///< the schema enforces it (only then does the database act on a delete)
};

struct ErasureStep {
    const policy::Table* table = nullptr;
    /// This table's references to other tables of the policy (its parents):
    /// a row kept by the erasure keeps the parent rows it points at.
    std::vector<Reference> parents;
    /// Every declared foreign key pointing at this table, from any table,
    /// listed in the policy or not (self-references included).
    std::vector<Reference> dependents;
};

struct ErasureOrder {
    /// The policy's tables of one database, each after every table that
    /// refers to it; ties keep the policy's order, so the order is stable.
    std::vector<ErasureStep> steps;
};

/// Orders the tables of `database_name`. A cycle of references between
/// tables (other than a table referring to itself) cannot be ordered and is
/// dsr::Error(invalid_policy) naming the tables.
ErasureOrder erasure_order(const policy::Policy& policy, const std::string& database_name, const db::Schema& schema);

/// Declared foreign keys pointing at `table`, from every table of the schema.
std::vector<Reference> dependents_of(const db::Schema& schema, const std::string& table);

/// The single-column primary key of `table` in the schema, else empty
/// (then rows are named by rowid).
std::string primary_key_of(const db::TableInfo& table);

}  // namespace dsr::erase
