#pragma once
// A policy timestamp (a retention or hold column, its own table's or a
// parent's) in SQL, through the backend's dialect (Database::unix_seconds_sql,
// Database::earlier_than_sql). The access report reads it as Unix seconds; purge asks
// whether it is earlier than a cutoff, written so that an index on the
// column can serve the comparison.

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "policy/model.h"

namespace dsr::graph {

using SqlCondition = db::SqlCondition;

/// A row's timestamp as Unix seconds: `row_alias`'s own column, or its
/// parent's through the first foreign-key link to that parent (one indexed
/// lookup per row inside the same statement, never a query of its own).
std::string timestamp_sql(db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                          const std::string& row_alias);

/// Database::earlier_than_sql for a row's timestamp: its own column, or an EXISTS on
/// its parent through the link (false when there is no parent row).
SqlCondition timestamp_earlier_than(db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                                    const std::string& row_alias, std::int64_t cutoff);

}  // namespace dsr::graph
