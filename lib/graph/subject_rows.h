#pragma once
// Which rows of which tables belong to one subject. From the identity given
// on the command line to the subject's own rows in the root tables, then
// through every link of the policy: identity links (a guest order's email)
// and foreign-key chains of any depth (order_items -> orders -> customers).
// Each table's rows are selected by one set-based statement whose WHERE
// clause nests the conditions of its parents; values are always bound.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/database.h"
#include "policy/model.h"

namespace dsr::graph {

struct SubjectMatch {
    /// Keys of the matched rows in each root table (registered subjects).
    std::map<std::string, std::vector<db::Value>> root_keys;
    /// Every identity value known for the subject, by kind: the one given,
    /// and those read from the matched root rows (a customer found by id
    /// brings their email, which finds their guest orders).
    std::map<std::string, std::set<std::string>> identity_values;
    /// How many root rows matched; more than one is an ambiguous identity.
    std::size_t root_matches = 0;
};

/// Resolves `kind=value` (value already normalised) against the live database.
SubjectMatch match_subject(db::Database& db, const policy::Policy& policy, const std::string& kind,
                           const std::string& normalized_value);

/// Inside a write transaction: locks the subject's root rows until it ends,
/// so that no concurrent writer changes them or adds a row referring to them
/// (an order for the customer being erased) between the plan and the commit.
/// Rows linked by identity alone (guest orders) have no row to lock.
void lock_subject(db::Database& db, const policy::Policy& policy, const SubjectMatch& match);

/// A SQL condition on `table` selecting the subject's rows, and its parameters.
struct RowFilter {
    std::string sql;  ///< "FALSE" when nothing can match
    std::vector<db::Value> params;
};

RowFilter subject_filter(const db::Database& db, const policy::Policy& policy, const policy::Table& table,
                         const SubjectMatch& match);

/// Streams the subject's rows of `table` to `on_row`, `columns` in that
/// order, by key: one statement. Nothing is read when no link can match.
void read_subject_rows(db::Database& db, const policy::Policy& policy, const policy::Table& table,
                       const std::vector<std::string>& columns, const SubjectMatch& match, const db::RowHandler& on_row);

/// read_subject_rows()'s statement, for Database::query_each(); nothing
/// when no link can match.
std::optional<db::Query> subject_rows_query(const db::Database& db, const policy::Policy& policy,
                                            const policy::Table& table, const std::vector<std::string>& columns,
                                            const SubjectMatch& match, db::RowHandler on_row);

/// Text form of a value, for identity values read from the database.
std::string value_text(const db::Value& value);

}  // namespace dsr::graph
