#pragma once
// The live schema against the policy, at the start of every job that reads
// or changes a subject's rows: a column dropped or renamed, or a table gone,
// since `dsr policy check` last passed.

#include <string>

#include "cli/output.h"
#include "db/database.h"
#include "policy/model.h"
#include "report/report.h"

namespace dsr::cli {

/// True when the policy's tables in `database_name` match the database.
/// Otherwise, before any statement names a column, prints each mismatch as
/// FILE:LINE:COL (where the policy names it) and the report of a policy that
/// does not load (status invalid_policy), and returns false: the caller
/// exits invalid_policy having read and changed nothing.
bool schema_matches_or_report(db::Database& database, const policy::Policy& policy, const std::string& database_name,
                              Format format, report::Envelope& envelope);

}  // namespace dsr::cli
