#pragma once
// The masked values one kept row must hold, as erasure and purge both write
// them: masks applied column by column (masks.h), a row masked before left
// as it is (so a second run changes nothing), and a UNIQUE column's
// pseudonym kept unique against the table's other rows.

#include <string>
#include <vector>

#include "crypto/secret.h"
#include "db/database.h"
#include "db/schema.h"
#include "erase/masks.h"
#include "policy/model.h"

namespace dsr::erase {

/// How `column` of `table` stores its values, from the schema, and its time
/// format when a hold or retention rule of the table declares it.
ColumnShape shape_of(const db::TableInfo* info, const policy::Table& table, const std::string& column);

class RowMasker {
public:
    /// `key` is the installation's pseudonym key; all three must outlive the masker.
    RowMasker(db::Database& db, const db::Schema& schema, const crypto::SecretBytes& key)
        : db_(db), schema_(schema), key_(key) {}

    /// The values `masks` leave in the row whose key is `row_key` and whose
    /// masked columns now hold `current` (one per mask, in order). Equal to
    /// `current` when the row is already masked. A null mask on a NOT NULL
    /// column is dsr::Error(invalid_policy).
    std::vector<db::Value> masked_values(const policy::Table& table, const std::vector<policy::Mask>& masks,
                                         const std::vector<db::Value>& current, const db::Value& row_key);

private:
    db::Value fresh_mask(const policy::Table& table, const policy::Mask& mask, const ColumnShape& shape,
                         const db::Value& current, const db::Value& row_key);
    bool taken_by_other_row(const policy::Table& table, const std::string& column, const db::Value& value,
                            const db::Value& row_key);

    db::Database& db_;
    const db::Schema& schema_;
    const crypto::SecretBytes& key_;
};

}  // namespace dsr::erase
