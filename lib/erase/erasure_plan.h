#pragma once
// What erasing one subject will do, table by table, decided before any
// change from the subject graph (one set-based read per table) and the
// erasure order: which rows are deleted, which are kept and masked (the
// table's action is `mask`, a hold still runs, or a kept row elsewhere
// refers to them), the masked values each kept row must hold afterwards,
// and what the database itself will do through ON DELETE actions. The dry
// run prints this plan; the real run computes it again inside its write
// transaction and carries it out (apply.h).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "db/database.h"
#include "erase/erasure_order.h"
#include "graph/subject_rows.h"
#include "policy/model.h"
#include "util/civil_date.h"

namespace dsr::erase {

/// How many held rows of a table a hold keeps until one date; no date when
/// the row's timestamp cannot be read (kept, since its end cannot be shown).
struct HoldEnd {
    std::optional<CivilDate> ends_on;
    std::size_t rows = 0;
};

/// What the database does on its own when the plan deletes rows a declared
/// foreign key points at.
struct Cascade {
    Reference via;
    std::size_t rows = 0;  ///< removed (CASCADE) or unlinked (SET NULL, SET DEFAULT)
    int depth = 1;         ///< 1: refers to the table's own rows; 2: to rows removed by a cascade; …
};

/// A row the erasure keeps, with the value each mask column must hold after it.
struct KeptRow {
    db::Value key;
    std::vector<db::Value> values;  ///< one per TablePlan::masks
    bool changes = false;           ///< some value differs from what the row holds now
};

struct TablePlan {
    const policy::Table* table = nullptr;
    std::vector<policy::Mask> masks;  ///< the table's erasure masks, in the policy's order
    std::size_t matched = 0;          ///< the subject's rows found
    std::vector<db::Value> deletes;   ///< keys, ascending
    std::vector<KeptRow> kept;        ///< keys, ascending
    std::size_t masked = 0;           ///< kept rows whose masked columns change now
    std::size_t held = 0;             ///< kept because the table's hold still runs
    std::vector<HoldEnd> hold_ends;   ///< of the held rows: by date, ascending; unknown last
    std::size_t kept_as_parent = 0;   ///< kept because kept rows of other tables refer to them
    std::vector<std::string> kept_for;  ///< those tables
    std::vector<Cascade> cascades;

    std::size_t cascaded() const;
};

struct ErasurePlan {
    CivilDate today;                ///< holds run while today is before their end (UTC)
    std::vector<TablePlan> tables;  ///< in erasure order
    /// Categories of the columns the erasure removes or masks, in the
    /// policy's order: recipients that received any of them are notified.
    std::vector<std::string> erased_categories;
    /// SHA-256 over the rows read and the fate of each: two plans with the
    /// same digest act on the same rows holding the same values.
    std::string digest;

    std::size_t matched() const;
    std::size_t deleted() const;
    std::size_t masked() const;
    std::size_t held() const;  ///< held and kept_as_parent: rows a hold keeps
    std::size_t cascaded() const;
    /// Rows the run deletes or changes, including through cascades.
    std::size_t changes() const;
};

struct PlanSettings {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

/// Plans the erasure of the subject `match` found. Reads only. Throws
/// dsr::Error(invalid_policy) when the database would have to act on rows
/// outside the plan in a way the policy does not cover: a NO ACTION or
/// RESTRICT foreign key from another table's rows (the delete would fail),
/// or a CASCADE that would remove rows of a listed table that belong to
/// someone else.
ErasurePlan make_plan(db::Database& db, const policy::Policy& policy, const std::string& database_name,
                      const db::Schema& schema, const ErasureOrder& order, const graph::SubjectMatch& match,
                      const crypto::SecretBytes& key, const PlanSettings& settings);

/// Adds to `match` the rows an earlier erasure left masked: the pseudonyms
/// of the subject's identity values (an erased customer's email is now its
/// pseudonym), so a second erasure finds its held rows again. Does not
/// change `root_matches`: rows already erased never make an identity ambiguous.
void include_erased_rows(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
                         graph::SubjectMatch& match);

/// A value as text for maps and digests, its storage class included.
std::string key_text(const db::Value& value);

}  // namespace dsr::erase
