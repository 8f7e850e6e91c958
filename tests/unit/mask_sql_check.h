#pragma once
// Shared by the SQLite and PostgreSQL tests of lib/erase/mask_sql.h: the
// database, given a table's masks as SQL, must write what RowMasker would,
// and leave nothing for a second run to change.

#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "crypto/pseudonym.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "erase/mask_sql.h"
#include "erase/row_masker.h"
#include "policy/model.h"

namespace dsr::test {

/// A mask of `method` on `column`; a prefix generalization of `prefix` characters when that is above 0.
inline policy::Mask mask_of(const std::string& column, policy::MaskMethod method, int prefix = 0) {
    policy::Mask m;
    m.column = column;
    m.method = method;
    if (prefix > 0) {
        m.generalize = policy::Generalization::prefix;
        m.prefix_length = prefix;
    }
    return m;
}

inline std::vector<std::vector<db::Value>> rows_of(db::Database& db, const std::string& sql,
                                                   const std::vector<db::Value>& params = {}) {
    std::vector<std::vector<db::Value>> out;
    db.query(sql, params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) { out.push_back(row); });
    return out;
}

/// Masks table `table` (key `id`) with `masks` as SQL, checking that
/// `changing` rows needed it, that each row then holds what the masker
/// computes from the values before, and that no row needs it after.
/// Returns those values by key.
inline std::map<std::int64_t, std::vector<db::Value>> check_sql_masks_as_masker(db::Database& db,
                                                                              const policy::Table& table,
                                                                              const std::vector<policy::Mask>& masks,
                                                                              std::int64_t changing) {
    auto sql = erase::mask_sql(db, table, masks, "a");
    REQUIRE(sql);
    crypto::SecretBytes key(crypto::pseudonym_key_bytes);
    erase::RowMasker masker(db, db.schema(), key);
    std::string columns = "id";
    for (const auto& m : masks) columns += ", " + m.column;
    const std::string select = "SELECT " + columns + " FROM " + table.name;
    std::map<std::int64_t, std::vector<db::Value>> expected;
    for (const auto& row : rows_of(db, select)) {
        std::vector<db::Value> current(row.begin() + 1, row.end());
        expected[std::get<std::int64_t>(row[0])] = masker.masked_values(table, masks, current, row[0]);
    }
    const std::string changes = "SELECT count(*) FROM " + table.name + " AS a WHERE " + sql->changes.sql;
    CHECK(rows_of(db, changes, sql->changes.params)[0][0] == db::Value{changing});
    std::vector<db::Value> params = sql->assignment_params;
    params.insert(params.end(), sql->changes.params.begin(), sql->changes.params.end());
    CHECK(db.execute("UPDATE " + table.name + " AS a SET " + sql->assignments + " WHERE " + sql->changes.sql, params) ==
          changing);
    for (const auto& row : rows_of(db, select)) {
        CAPTURE(std::get<std::int64_t>(row[0]));
        CHECK(std::vector<db::Value>(row.begin() + 1, row.end()) == expected[std::get<std::int64_t>(row[0])]);
    }
    CHECK(rows_of(db, changes, sql->changes.params)[0][0] == db::Value{std::int64_t{0}});
    return expected;
}

/// Each of `others` beside `first` leaves the table to the masker: mask_sql gives nothing.
inline void check_left_to_masker(db::Database& db, const policy::Table& table, const policy::Mask& first,
                                 const std::vector<policy::Mask>& others) {
    for (const auto& other : others) {
        CAPTURE(other.column);
        CHECK_FALSE(erase::mask_sql(db, table, {first, other}, "a"));
    }
}

}  // namespace dsr::test
