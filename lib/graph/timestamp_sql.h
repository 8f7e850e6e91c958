#pragma once
// A policy timestamp (a retention or hold column, its own table's or a
// parent's) in SQL. The access report reads it as Unix seconds; purge asks
// whether it is earlier than a cutoff, written so that an index on the
// column can serve the comparison.

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "policy/model.h"

namespace dsr::graph {

/// A condition to splice into a WHERE clause, with its parameters in order.
struct SqlCondition {
    std::string sql;
    std::vector<db::Value> params;
};

/// `column` (already qualified and quoted) as Unix seconds, NULL when empty
/// or unreadable, whatever the declared format.
std::string unix_seconds_sql(const db::Database& db, const std::string& column, policy::TimeFormat format);

/// A row's timestamp as Unix seconds: `row_alias`'s own column, or its
/// parent's through the first foreign-key link to that parent (one indexed
/// lookup per row inside the same statement, never a query of its own).
std::string timestamp_sql(const db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                          const std::string& row_alias);

/// True when `column` (qualified and quoted) holds a time earlier than
/// `cutoff` (Unix seconds); false, never NULL, when it is empty or cannot be
/// read, so the condition can be negated safely.
SqlCondition earlier_than_sql(const db::Database& db, const std::string& column, policy::TimeFormat format,
                              std::int64_t cutoff);

/// earlier_than_sql for a row's timestamp: its own column, or an EXISTS on
/// its parent through the link (false when there is no parent row).
SqlCondition timestamp_earlier_than(const db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                                    const std::string& row_alias, std::int64_t cutoff);

}  // namespace dsr::graph
