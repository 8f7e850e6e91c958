#pragma once
// Reads a bounded sample of every column and keeps only what it suggests.

#include <cstddef>
#include <map>
#include <string>

#include "db/database.h"
#include "policy_init/column_guess.h"

namespace dsr::policy_init {

/// Evidence per table, then per column.
using SchemaEvidence = std::map<std::string, std::map<std::string, ValueEvidence>>;

/// Up to `per_column` non-null values of each column (none when 0), read in
/// one read-only transaction with quoted identifiers and a bound LIMIT.
/// Each column's values are weighed and dropped before the next is read:
/// what is returned holds counts and verdicts, never a value.
SchemaEvidence sample_values(db::Database& db, const db::Schema& schema, int current_year, std::size_t per_column);

}  // namespace dsr::policy_init
