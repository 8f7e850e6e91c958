#pragma once
// A table's masks written by the database itself: `SET column = expression`
// giving each row the values RowMasker would give it (row_masker.h), so
// that masking a purge batch is one UPDATE instead of reading the rows,
// masking them here and writing them back (shipments at 1,000,000
// customers: 14.5 s of a 36.4 s purge, the largest part).
//
// Only masks whose value SQL can compute exactly are written this way: a
// null mask on a nullable column, and a redact or a prefix generalization
// of a text column that is not UNIQUE, as each database writes them
// (Database::text_redact_sql, text_prefix_sql; on SQLite such a column
// can hold bytes too). A UNIQUE column's keyed tag, pseudonyms, random
// values and generalized dates stay the masker's. For these masks a
// value already in masked form is its own mask, so "a row masked before is
// left alone" is simply: a row whose every mask would leave it as it is.

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "policy/model.h"

namespace dsr::erase {

struct MaskSql {
    /// `"column" = expression`, one per mask, for an UPDATE's SET.
    std::string assignments;
    std::vector<db::Value> assignment_params;
    /// True for a row that some mask would change: not masked yet.
    db::SqlCondition changes;
};

/// The masks of `table` (of `db`, its rows read as `alias`) as SQL, or
/// nullopt when any of them cannot be.
std::optional<MaskSql> mask_sql(db::Database& db, const policy::Table& table, const std::vector<policy::Mask>& masks,
                                const std::string& alias);

}  // namespace dsr::erase
