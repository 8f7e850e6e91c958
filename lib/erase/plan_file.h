#pragma once
// The plan file of `dsr erase --dry-run --plan-out`, read back by
// `--apply`: what one person reviewed and another carries out (four-eyes
// review). It names the subject only by pseudonym and identity kind, never
// by value, so the file holds no personal data and can be passed around;
// the digest ties it to the exact rows it covers (ErasurePlan::digest), so
// `--apply` can refuse a plan whose rows changed since.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "erase/erasure_plan.h"

namespace dsr::erase {

/// One table of the plan: what the erasure does to it, counts only.
struct PlannedTable {
    std::string table;
    std::string action;  ///< delete or mask
    std::size_t matched = 0;
    std::size_t deleted = 0;
    std::size_t masked = 0;
    std::size_t kept_under_hold = 0;
    std::size_t kept_as_parent = 0;
    std::size_t cascaded = 0;

    bool operator==(const PlannedTable&) const = default;
};

struct PlanFile {
    std::string made_at;        ///< when the dry run ran, UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string as_of;          ///< the date holds were counted from, YYYY-MM-DD
    std::string policy_path;    ///< for a person; not compared
    std::string policy_sha256;  ///< the policy the plan was made under
    std::string pseudonym;      ///< the subject's keyed pseudonym
    std::string identity_kind;  ///< how the subject was named (email, customer_id, …)
    std::string database_name;  ///< the policy's name for the database
    std::string database;       ///< its location, as resolved when the plan was made
    std::string digest;         ///< ErasurePlan::digest
    std::vector<PlannedTable> tables;  ///< in erasure order
};

/// The per-table part of a plan, in erasure order.
std::vector<PlannedTable> planned_tables(const ErasurePlan& plan);

/// The plan file as JSON text (format "dsr-erase-plan", version 1).
std::string plan_file_json(const PlanFile& plan);

/// Parses and checks a plan file field by field: every field present with
/// its type and form, no unknown field, totals equal to the tables' sums.
/// Anything else is dsr::Error(usage) naming `name` and the field.
PlanFile parse_plan_file(std::string_view text, const std::string& name);

}  // namespace dsr::erase
