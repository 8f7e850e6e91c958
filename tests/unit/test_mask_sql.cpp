// Tests for lib/erase/mask_sql.h on SQLite (the PostgreSQL half is in
// test_postgres_database.cpp): the database writes the values RowMasker
// would, for text, bytes a text column holds, white space, letters of
// several bytes and NULL, and a second run finds nothing to change.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <map>
#include <string>
#include <vector>

#include "crypto/pseudonym.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "erase/mask_sql.h"
#include "erase/row_masker.h"
#include "policy/model.h"
#include "temp_dir.h"

namespace {

using dsr::db::Blob;
using dsr::db::Value;

dsr::policy::Mask text_mask(const std::string& column, dsr::policy::MaskMethod method, int prefix = 0) {
    dsr::policy::Mask m;
    m.column = column;
    m.method = method;
    if (prefix > 0) {
        m.generalize = dsr::policy::Generalization::prefix;
        m.prefix_length = prefix;
    }
    return m;
}

std::vector<std::vector<Value>> all_rows(dsr::db::Database& db, const std::string& sql,
                                         const std::vector<Value>& params = {}) {
    std::vector<std::vector<Value>> out;
    db.query(sql, params, [&](const std::vector<std::string>&, const std::vector<Value>& row) { out.push_back(row); });
    return out;
}

}  // namespace

TEST_CASE("mask_sql on SQLite: the values the masker would write, bytes in a text column included") {
    dsr::test::TempDir dir;
    SQLite::Database(dir.file("m.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)
        .exec("CREATE TABLE m (id INTEGER PRIMARY KEY, t TEXT, v VARCHAR(12), b TEXT NOT NULL DEFAULT '', n TEXT, "
              "u TEXT UNIQUE, i INTEGER)");
    dsr::db::OpenOptions options;
    options.read_only = false;
    auto db = dsr::db::open_database(dir.file("m.db"), options);
    const std::vector<Value> values{std::string("  94107 "), std::string("\t\n ab cd"), std::string("Straße 5"),
                                    std::string("日本語テキスト"), std::string(""), std::string(" x\v\fy"),
                                    std::string("[erased]"), Blob{{0x41, 0x00, 0x42}}, Blob{{}},
                                    Value{std::monostate{}}};
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Value& not_null = std::holds_alternative<std::monostate>(values[i]) ? Value{std::string("z")} : values[i];
        db->execute("INSERT INTO m (id, t, v, b, n) VALUES (?, ?, ?, ?, ?)",
                    {static_cast<std::int64_t>(i), values[i], values[i], not_null, values[i]});
    }
    dsr::policy::Table table;
    table.name = "m";
    table.key = "id";
    using dsr::policy::MaskMethod;
    const std::vector<dsr::policy::Mask> masks{text_mask("t", MaskMethod::generalize, 3),
                                               text_mask("v", MaskMethod::redact),
                                               text_mask("b", MaskMethod::generalize, 2),
                                               text_mask("n", MaskMethod::null)};
    auto sql = dsr::erase::mask_sql(*db, table, masks, "a");
    REQUIRE(sql);

    dsr::crypto::SecretBytes key(dsr::crypto::pseudonym_key_bytes);
    dsr::erase::RowMasker masker(*db, db->schema(), key);
    std::map<std::int64_t, std::vector<Value>> expected;
    for (const auto& row : all_rows(*db, "SELECT id, t, v, b, n FROM m")) {
        std::vector<Value> current(row.begin() + 1, row.end());
        expected[std::get<std::int64_t>(row[0])] = masker.masked_values(table, masks, current, row[0]);
    }
    // A prefix of bytes is no prefix: emptied, to x'' in the NOT NULL column.
    CHECK(expected[7] == std::vector<Value>{Value{}, Blob{{'[', 'e', 'r', 'a', 's', 'e', 'd', ']'}}, Blob{{}}, Value{}});

    const std::string changes = "SELECT count(*) FROM m AS a WHERE " + sql->changes.sql;
    CHECK(all_rows(*db, changes, sql->changes.params)[0][0] == Value{std::int64_t{9}});  // all but the row of NULLs
    std::vector<Value> params = sql->assignment_params;
    params.insert(params.end(), sql->changes.params.begin(), sql->changes.params.end());
    CHECK(db->execute("UPDATE m AS a SET " + sql->assignments + " WHERE " + sql->changes.sql, params) == 9);
    for (const auto& row : all_rows(*db, "SELECT id, t, v, b, n FROM m")) {
        CAPTURE(std::get<std::int64_t>(row[0]));
        CHECK(std::vector<Value>(row.begin() + 1, row.end()) == expected[std::get<std::int64_t>(row[0])]);
    }
    CHECK(all_rows(*db, "SELECT t FROM m WHERE id = 3")[0][0] == Value{std::string("日本語")});
    CHECK(all_rows(*db, changes, sql->changes.params)[0][0] == Value{std::int64_t{0}});

    // What SQL cannot say exactly is left to the masker.
    auto month = text_mask("t", MaskMethod::generalize);
    month.generalize = dsr::policy::Generalization::month;
    for (const auto& other : {text_mask("u", MaskMethod::redact), text_mask("b", MaskMethod::null), month,
                              text_mask("i", MaskMethod::redact), text_mask("t", MaskMethod::pseudonymize),
                              text_mask("t", MaskMethod::random)}) {
        CAPTURE(other.column);
        CHECK_FALSE(dsr::erase::mask_sql(*db, table, {masks[0], other}, "a"));
    }
}
