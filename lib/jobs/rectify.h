#pragma once
// `dsr rectify` (GDPR Art. 16, CCPA right to correct, PIPL Art. 46): sets
// named columns of one subject's rows to checked values, all in one
// transaction, set-based through the subject graph.
//
// A column that carries an identity (customers.email, or orders.email where
// guest orders link by email) is rectified as the identity: every column
// carrying it changes from the subject's old value(s) to the new one —
// the subject's own root rows, and every row linked to the subject by that
// value — so the subject stays one person, found under the new value, and
// nothing is left behind under the old one.
//
// Values never leave this module except as keyed hashes (value_hash): the
// result, the report and the audit log can show that and how many values
// changed, and that two old values were equal, without showing them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "db/database.h"
#include "graph/subject_rows.h"
#include "policy/model.h"

namespace dsr::jobs {

/// One `TABLE.COLUMN=VALUE`, split but not yet checked.
struct SetSpec {
    std::string table;
    std::string column;
    std::string value;
};

/// Splits at the first `=` and at the first `.` before it. A malformed spec
/// is dsr::Error(usage) whose message never repeats the value.
SetSpec parse_set(std::string_view spec);

/// A change that passed every check: where, and the value to store (typed and normalised).
struct Change {
    const policy::Table* table = nullptr;
    const policy::Column* column = nullptr;
    db::Value value;
    /// The identity kind the column carries (its root column or an identity
    /// link), empty if none: then the change follows the identity.
    std::string identity;

    std::string field() const { return table->name + "." + column->name; }
};

/// Checks every spec against the policy before anything is read or written:
/// the table and column exist in `database_name`, the column has a
/// `rectify` rule (else the message lists the rectifiable columns), it is
/// neither the table's key nor a foreign-key link, no column is named twice,
/// no identity is set through two columns, and each value passes its rule
/// (rectify/value_check.h). Any failure is dsr::Error(usage), naming the
/// column but never the value.
std::vector<Change> check_changes(const policy::Policy& policy, const std::string& database_name,
                                  const std::vector<SetSpec>& specs);

/// How many of the subject's rows held one old value of a column.
struct ValueCount {
    std::optional<std::string> hash;  ///< value_hash of the old value; nullopt for NULL
    std::int64_t rows = 0;
};

/// One `--set`: the subject's rows of its table.
struct FieldResult {
    const policy::Table* table = nullptr;
    const policy::Column* column = nullptr;
    std::string identity;            ///< the identity it carries, or empty
    std::int64_t rows = 0;           ///< the subject's rows the set applies to
    std::int64_t rows_changed = 0;   ///< of those, rows whose value differed (and changed, or would)
    std::vector<ValueCount> old_values;  ///< distinct old values, by hash (NULL first, then by hash)
    std::string new_hash;
};

/// A column that follows an identity change: it carries the same identity.
struct FollowResult {
    const policy::Table* table = nullptr;
    std::string column;
    std::string identity;
    std::int64_t rows = 0;          ///< rows holding one of the subject's old values
    std::int64_t rows_changed = 0;
    /// Rows that already held the new value before the change: from now on
    /// they are linked to the subject too (only with allow_join).
    std::int64_t rows_joined = 0;
};

/// A recipient to tell about the correction (GDPR Art. 19), and which of
/// the changed categories it receives.

struct RectifyResult {
    std::vector<FieldResult> fields;      ///< in the order of the specs
    std::vector<FollowResult> followed;   ///< in policy table order
    std::int64_t rows = 0;                ///< rows of the subject the job applies to, fields and followers
    std::int64_t rows_changed = 0;
    std::vector<policy::RecipientShare> notify;           ///< in policy order; only for categories of columns that changed
    std::size_t root_matches = 0;
};

struct RectifySettings {
    /// Plan and count, change nothing: no transaction is opened and the
    /// database may be read-only. The counts are those the real run writes.
    bool dry_run = false;
    /// Allows an identity change whose new value other rows already carry
    /// (they then join the subject); refused otherwise.
    bool allow_join = false;
};

/// Keyed BLAKE2b-256 (hex) of a value's text — integers in decimal, reals in
/// their shortest exact form, text and bytes as they are — with the
/// installation's pseudonymisation key and a tag of its own. Equal values
/// hash equal wherever they are stored; without the key a hash cannot be
/// tested against a list of guessed emails. nullopt for NULL.
std::optional<std::string> value_hash(const crypto::SecretBytes& key, const db::Value& value);

/// Applies `changes` to the subject named by `kind` = `normalized_value`:
/// outside a dry run in one write transaction (BEGIN IMMEDIATE), inside
/// which the subject is matched again, every change is planned and counted,
/// then written, each statement's count checked against the plan, and
/// committed; any error rolls everything back. Changes to plain columns are
/// written before identity changes, whose old values the others' subject
/// filters still select by.
///
/// dsr::Error(ambiguous_subject) if the identity matches more than one
/// registered subject, or an old identity value is also held by another
/// registered subject (the rows it links are not only this subject's);
/// dsr::Error(usage) if a new identity value already identifies another
/// registered subject, or (without allow_join) other rows already carry it.
/// A subject with no row to change gives a result with rows == 0, unchanged.
RectifyResult rectify(db::Database& db, const policy::Policy& policy, const std::string& kind,
                      const std::string& normalized_value, const std::vector<Change>& changes,
                      const crypto::SecretBytes& hash_key, const RectifySettings& settings);

}  // namespace dsr::jobs
