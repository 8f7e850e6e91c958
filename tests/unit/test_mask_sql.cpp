// Tests for lib/erase/mask_sql.h on SQLite (the PostgreSQL half is in
// test_postgres_database.cpp): the database writes the values RowMasker
// would, for text, bytes a text column holds, white space, letters of
// several bytes and NULL, and a second run finds nothing to change.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <string>
#include <vector>

#include "db/database.h"
#include "mask_sql_check.h"
#include "policy/model.h"
#include "temp_dir.h"

TEST_CASE("mask_sql on SQLite: the values the masker would write, bytes in a text column included") {
    using dsr::db::Blob;
    using dsr::db::Value;
    using dsr::policy::MaskMethod;
    using dsr::test::mask_of;
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
    const std::vector<dsr::policy::Mask> masks{mask_of("t", MaskMethod::generalize, 3), mask_of("v", MaskMethod::redact),
                                               mask_of("b", MaskMethod::generalize, 2), mask_of("n", MaskMethod::null)};
    auto expected = dsr::test::check_sql_masks_as_masker(*db, table, masks, 9);  // all but the row of NULLs
    // A prefix of bytes is no prefix: emptied, to x'' in the NOT NULL column.
    CHECK(expected[7] == std::vector<Value>{Value{}, Blob{{'[', 'e', 'r', 'a', 's', 'e', 'd', ']'}}, Blob{{}}, Value{}});
    CHECK(dsr::test::rows_of(*db, "SELECT t FROM m WHERE id = 3")[0][0] == Value{std::string("日本語")});

    // What SQL cannot say exactly is left to the masker.
    auto month = mask_of("t", MaskMethod::generalize);
    month.generalize = dsr::policy::Generalization::month;
    dsr::test::check_left_to_masker(*db, table, masks[0],
                                    {mask_of("u", MaskMethod::redact), mask_of("b", MaskMethod::null), month,
                                     mask_of("i", MaskMethod::redact), mask_of("t", MaskMethod::pseudonymize),
                                     mask_of("t", MaskMethod::random)});
}
