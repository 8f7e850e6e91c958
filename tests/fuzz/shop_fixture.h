#pragma once
// The database the policy and SQL harnesses check fuzzed policies against:
// the demo shop's schema (tools/shopgen/schema.sql, indexes.sql), a few
// tables whose names need quoting in every possible way, and one table of
// personal data that the policies do not declare, which no statement may
// read beyond its foreign key. Made once per process in the scratch
// directory; the SQL harness also fills it with a handful of rows.

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Transaction.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fuzz_support.h"

namespace dsr::fuzz {

inline std::string read_source_file(const std::string& relative) {
    std::ifstream in(std::string(DSR_SOURCE_DIR) + "/" + relative, std::ios::binary);
    if (!in) fail(__FILE__, __LINE__, "in", "cannot read " + relative + " under DSR_SOURCE_DIR");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Names a policy can only write quoted: a quote, a slash and a dot-dot (an
// export names its files after tables), keywords, spaces and brackets.
inline constexpr const char* hostile_tables_sql = R"sql(
CREATE TABLE "gift ""notes""" (
    "key id"      INTEGER PRIMARY KEY,
    "order id"    INTEGER REFERENCES orders(id) ON DELETE CASCADE,
    "note's text" TEXT,
    "[written]"   INTEGER
);
CREATE TABLE "../select" (
    "from"     INTEGER PRIMARY KEY,
    "where"    TEXT,
    "group"    INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    "a.b"      TEXT,
    "x`y"      BLOB
);
-- Personal data no fuzz policy declares: only its foreign key may be read
-- (erasure counts rows that refer to rows it deletes).
CREATE TABLE undeclared_notes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,
    secret      TEXT
);
)sql";

// Rows for the SQL harness: registered customers found by every identity,
// a guest known by email only, a customer with an empty phone, timestamps
// in every declared format and in none (empty, garbage, NULL), some past
// any retention and some not.
inline constexpr const char* shop_rows_sql = R"sql(
INSERT INTO customers VALUES
 (1, 'ana@example.com', 'Ana', 'Lopez', '+353861234567', '1990-02-03', '2014-01-01T10:00:00Z', '2015-06-01T00:00:00Z', 1, 'es'),
 (2, 'bo@example.com', 'Bo', 'Li', '+8613800000000', NULL, '2025-11-01T10:00:00Z', NULL, 0, NULL),
 (3, 'cy@example.com', 'Cy', 'Ng', '', 'not a date', '', 'garbage', 0, 'en');
INSERT INTO addresses VALUES
 (1, 1, 'shipping', 'Ana Lopez', '1 Main St', NULL, 'Dublin', 'D02 X285', 'IE', '2015-01-01T00:00:00Z'),
 (2, 2, 'billing', 'Bo Li', '2 Side Rd', 'Flat 3', 'Beijing', '100000', 'CN', '2026-01-01T00:00:00Z');
INSERT INTO body_measurements VALUES
 (1, 1, 90.5, 70, 95, 170, 80, 60, 38, '2019-05-05T00:00:00Z'),
 (2, 2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '2026-05-05T00:00:00Z');
INSERT INTO products VALUES (1, 'SKU-1', 'Shirt', 'shirts', 5000), (2, 'SKU-2', 'Suit', 'suits', 90000);
INSERT INTO orders VALUES
 (1, 1, 'ana@example.com', '2012-03-01T12:00:00Z', 'delivered', 5000, 'EUR'),
 (2, 1, 'ana@example.com', '2025-03-01T12:00:00Z', 'delivered', 90000, 'EUR'),
 (3, NULL, 'ana@example.com', '2013-01-01', 'delivered', 5000, 'EUR'),
 (4, NULL, 'guest@example.com', 'never', 'cancelled', 0, 'EUR'),
 (5, 2, 'bo@example.com', '2026-10-01T00:00:00Z', 'placed', 5000, 'CNY');
INSERT INTO order_items VALUES (1, 1, 1, 1, 5000, 0), (2, 2, 2, 1, 90000, 1), (3, 3, 1, 1, 5000, 0), (4, 5, 1, 1, 5000, 0);
INSERT INTO payments VALUES
 (1, 1, 'card', 'tok_1', '4242', 5000, '2012-03-01T12:00:00Z', 'paid'),
 (2, 2, 'card', 'tok_2', '4343', 90000, '2025-03-01T12:00:00Z', 'paid');
INSERT INTO shipments VALUES
 (1, 1, 'An Post', 'TRK1', 'Ana Lopez', '1 Main St', 'Dublin', 'D02 X285', 'IE', '2012-03-03T00:00:00Z'),
 (2, 2, 'UPS', 'TRK2', 'Ana Lopez', '1 Main St', 'Dublin', 'D02', 'IE', '2025-03-03T00:00:00Z');
INSERT INTO returns VALUES (1, 1, 'too small', '2012-04-01T00:00:00Z', 5000, 'refunded');
INSERT INTO support_tickets VALUES
 (1, 1, 'ana@example.com', 'Size', 'Which size?', '2016-01-01T00:00:00Z', 'closed'),
 (2, NULL, 'guest@example.com', 'Hi', 'Guest here', '2026-01-01T00:00:00Z', 'open');
INSERT INTO loyalty_ledger VALUES (1, 1, 1, 50, 'order', '2012-03-01T12:00:00Z'), (2, 1, NULL, 10, 'bonus', '2026-01-01T00:00:00Z');
INSERT INTO newsletter_events VALUES (1, 1, 'ana@example.com', 'subscribed', 1300000000), (2, NULL, 'guest@example.com', 'subscribed', 1790000000);
INSERT INTO web_sessions VALUES (1, 1, '192.0.2.1', 'Firefox', 1300000000000), (2, 2, '192.0.2.2', 'Chrome', 1790000000000);
INSERT INTO "gift ""notes""" VALUES (1, 1, 'Happy birthday', 1300000000), (2, 2, 'For you', NULL);
INSERT INTO "../select" VALUES (1, 'ana@example.com', 1, 'x', X'00FF'), (2, 'nobody', NULL, NULL, NULL);
INSERT INTO undeclared_notes VALUES (1, 1, 'must never be read'), (2, 3, 'nor this');
)sql";

/// Creates `name` in the scratch directory with the fuzz schema, and the
/// rows when asked; returns its path.
inline std::string make_shop_db(const std::string& name, bool with_rows) {
    std::string path = (scratch_dir() / name).string();
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    // One transaction: a disk sync per table took a second at every start.
    SQLite::Transaction transaction(db);
    db.exec(read_source_file("tools/shopgen/schema.sql"));
    db.exec(read_source_file("tools/shopgen/indexes.sql"));
    db.exec(hostile_tables_sql);
    if (with_rows) db.exec(shop_rows_sql);
    transaction.commit();
    return path;
}

}  // namespace dsr::fuzz
