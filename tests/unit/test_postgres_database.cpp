// Tests for lib/db/postgres/: the PostgreSQL backend against a real server.
// DSR_PG_CONNINFO names the server (e.g. `host=/tmp/pg user=postgres`); each
// run makes its own database dsr_unit_<pid> and drops it at exit. Without
// the variable every case fails: ctest runs the suite only with a cluster.

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/database.h"
#include "db/postgres/postgres_database.h"
#include "db/postgres/postgres_error.h"
#include "util/error.h"
#include "mask_sql_check.h"

namespace {

using namespace dsr;
using namespace dsr::db;
using namespace std::chrono_literals;
using Rows = std::vector<std::vector<Value>>;

std::string base_conninfo() {
    const char* base = std::getenv("DSR_PG_CONNINFO");
    if (!base || !*base)
        FAIL("DSR_PG_CONNINFO is not set: point it at a PostgreSQL server the tests may create databases on, e.g. "
             "DSR_PG_CONNINFO='host=/tmp/pg user=postgres' (tests/pg/cluster.sh starts one)");
    return base;
}

/// Writable unless `read_only`; the timeouts as named.
OpenOptions options(bool read_only = false, std::chrono::milliseconds busy = 5s, std::chrono::milliseconds statement = 0ms) {
    OpenOptions o;
    o.read_only = read_only;
    o.busy_timeout = busy;
    o.statement_timeout = statement;
    return o;
}

const std::string database_name = "dsr_unit_" + std::to_string(::getpid());

/// Creates this run's database on first use and drops it at exit.
class TestDatabase {
public:
    TestDatabase() : base_(base_conninfo()) {
        PostgresDatabase admin(base_ + " dbname=postgres", options());
        admin.execute("DROP DATABASE IF EXISTS " + database_name, {});
        admin.execute("CREATE DATABASE " + database_name, {});
    }
    ~TestDatabase() {
        try {
            PostgresDatabase admin(base_ + " dbname=postgres", options());
            admin.execute("DROP DATABASE IF EXISTS " + database_name + " WITH (FORCE)", {});
        } catch (...) {
            // Left for the cluster's removal.
        }
    }
    std::string conninfo() const { return base_ + " dbname=" + database_name; }

private:
    std::string base_;
};

std::string conninfo() {
    static TestDatabase database;
    return database.conninfo();
}

std::unique_ptr<PostgresDatabase> open(OpenOptions options = ::options()) {
    return std::make_unique<PostgresDatabase>(conninfo(), options);
}

Rows rows(Database& db, const std::string& sql, const std::vector<Value>& params = {}) {
    Rows out;
    db.query(sql, params, [&](const std::vector<std::string>&, const std::vector<Value>& row) { out.push_back(row); });
    return out;
}

Value scalar(Database& db, const std::string& sql, const std::vector<Value>& params = {}) {
    auto r = rows(db, sql, params);
    REQUIRE(r.size() == 1);
    return r[0][0];
}

/// Empty schemas for a test; statements run one by one.
void reset(Database& db, const std::vector<std::string>& statements = {}) {
    db.execute("DROP SCHEMA IF EXISTS public, sales, bulk CASCADE", {});
    db.execute("CREATE SCHEMA public", {});
    for (const auto& s : statements) db.execute(s, {});
}

Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    FAIL("no dsr::Error was thrown");
    return Error(ExitStatus::ok, "");
}

std::vector<std::int64_t> ids(Database& db, const std::string& where, const std::vector<Value>& params) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows(db, "SELECT id FROM tt AS a WHERE " + where + " ORDER BY id", params))
        out.push_back(std::get<std::int64_t>(r[0]));
    return out;
}

}  // namespace

TEST_SUITE("postgresql") {

TEST_CASE("placeholders become $n outside literals, quoted identifiers and comments") {
    CHECK(translate_placeholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)") ==
          "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
    CHECK(translate_placeholders("SELECT '?', 'it''s ?', \"a?\"\"b\" -- why?\n, ?") ==
          "SELECT '?', 'it''s ?', \"a?\"\"b\" -- why?\n, $1");
    CHECK(translate_placeholders("SELECT ? -- trailing ?") == "SELECT $1 -- trailing ?");
    CHECK(translate_placeholders("SELECT 'unterminated ?") == "SELECT 'unterminated ?");
    CHECK(translate_placeholders("a - ? - -?") == "a - $1 - -$2");

    auto db = open();
    auto r = rows(*db, "SELECT '?' AS \"q?\", 'it''s ?', ? -- ?\n + 1, ?", {std::int64_t{41}, std::string("x")});
    REQUIRE(r.size() == 1);
    CHECK(r[0][0] == Value{std::string("?")});
    CHECK(r[0][1] == Value{std::string("it's ?")});
    CHECK(r[0][2] == Value{std::int64_t{42}});
    // A bare parameter in the select list is resolved as text.
    CHECK(r[0][3] == Value{std::string("x")});
}

TEST_CASE("result values are mapped by type, NULL as monostate") {
    auto db = open();
    reset(*db, {"CREATE TABLE types (b boolean, i2 smallint, i4 integer, i8 bigint, o oid, f4 real, f8 double "
                "precision, n numeric(10,2), t text, v varchar(10), ts timestamptz, tsl timestamp, d date, j jsonb, "
                "u uuid, a int[], by bytea)",
                "INSERT INTO types VALUES (true, 2, 4, 9007199254740993, 26, 1.5, 0.1, 12.3, 'tëxt', 'v', "
                "'2026-01-02 03:04:05.5+02', '2026-01-02 03:04:05', '2026-01-02', '{\"b\": 1, \"a\": [1, 2]}', "
                "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,2,3}', '\\x00ff41')",
                "INSERT INTO types DEFAULT VALUES"});
    std::vector<std::string> names;
    Rows r;
    db->query("SELECT * FROM types ORDER BY b", {}, [&](const std::vector<std::string>& columns, const std::vector<Value>& row) {
        names = columns;
        r.push_back(row);
    });
    REQUIRE(r.size() == 2);
    CHECK(names == std::vector<std::string>{"b", "i2", "i4", "i8", "o", "f4", "f8", "n", "t", "v", "ts", "tsl", "d",
                                            "j", "u", "a", "by"});
    const auto& v = r[0];
    CHECK(v[0] == Value{std::int64_t{1}});
    CHECK(v[1] == Value{std::int64_t{2}});
    CHECK(v[2] == Value{std::int64_t{4}});
    CHECK(v[3] == Value{std::int64_t{9007199254740993}});
    CHECK(v[4] == Value{std::int64_t{26}});
    CHECK(v[5] == Value{1.5});
    CHECK(v[6] == Value{0.1});
    CHECK(v[7] == Value{std::string("12.30")});
    CHECK(v[8] == Value{std::string("tëxt")});
    CHECK(v[9] == Value{std::string("v")});
    CHECK(v[10] == Value{std::string("2026-01-02T01:04:05.5Z")});  // ISO 8601 UTC, as SQLite shops store it
    CHECK(v[11] == Value{std::string("2026-01-02 03:04:05")});
    CHECK(v[12] == Value{std::string("2026-01-02")});
    CHECK(v[13] == Value{std::string("{\"a\": [1, 2], \"b\": 1}")});
    CHECK(v[14] == Value{std::string("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")});
    CHECK(v[15] == Value{std::string("{1,2,3}")});
    CHECK(v[16] == Value{Blob{{0x00, 0xff, 0x41}}});
    for (const auto& value : r[1]) CHECK(std::holds_alternative<std::monostate>(value));

    auto f = rows(*db, "SELECT CAST('NaN' AS float8), CAST('Infinity' AS float8), CAST('-Infinity' AS float4), false")[0];
    CHECK(std::isnan(std::get<double>(f[0])));
    CHECK(std::get<double>(f[1]) == INFINITY);
    CHECK(std::get<double>(f[2]) == -INFINITY);
    CHECK(f[3] == Value{std::int64_t{0}});
}

TEST_CASE("parameters take the type their context gives them; bytea round-trips") {
    auto db = open();
    reset(*db, {"CREATE TABLE p (id serial PRIMARY KEY, i bigint, t text, n numeric, f float8, b bytea)"});
    CHECK(db->execute("INSERT INTO p (i, t, n, f, b) VALUES (?, ?, ?, ?, ?)",
                      {std::string("5"), std::int64_t{7}, 2.5, std::int64_t{3}, Blob{{0, 1, 0xfe, 0xff}}}) == 1);
    CHECK(db->execute("INSERT INTO p (i, t, n, f, b) VALUES (?, ?, ?, ?, ?)",
                      {std::monostate{}, std::string(), 0.1, 1e300, Blob{}}) == 1);
    auto r = rows(*db, "SELECT i, t, n, f, b FROM p ORDER BY id");
    REQUIRE(r.size() == 2);
    CHECK(r[0] == std::vector<Value>{std::int64_t{5}, std::string("7"), std::string("2.5"), 3.0, Blob{{0, 1, 0xfe, 0xff}}});
    CHECK(r[1] == std::vector<Value>{std::monostate{}, std::string(), std::string("0.1"), 1e300, Blob{}});
    // A text parameter against an integer column, an integer against text.
    CHECK(rows(*db, "SELECT id FROM p WHERE i = ?", {std::string("5")}).size() == 1);
    CHECK(rows(*db, "SELECT id FROM p WHERE t = ?", {std::int64_t{7}}).size() == 1);
    CHECK(rows(*db, "SELECT id FROM p WHERE b = ?", {Blob{{0, 1, 0xfe, 0xff}}}).size() == 1);
    CHECK(rows(*db, "SELECT id FROM p WHERE f IS DISTINCT FROM ? LIMIT ?", {1e300, std::int64_t{5}}).size() == 1);
}

TEST_CASE("read_schema: schemas, keys, foreign keys, indexes, domains") {
    auto db = open();
    reset(*db, {"CREATE SCHEMA sales",
                "CREATE DOMAIN cents AS bigint",
                "CREATE DOMAIN price AS cents",
                "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, tenant int, gone int)",
                "ALTER TABLE customers DROP COLUMN gone",
                "CREATE UNIQUE INDEX customers_tenant ON customers (tenant) WHERE tenant IS NOT NULL",
                "CREATE TABLE orders (id serial PRIMARY KEY, customer_id bigint REFERENCES customers (id) ON DELETE "
                "CASCADE, placed_at timestamptz, due date, total price, note varchar(20), ref uuid, tags text[], "
                "score real, amount numeric(8,2), code char(3), data bytea, paid boolean)",
                "CREATE UNIQUE INDEX orders_ref ON orders (ref)",
                "CREATE INDEX orders_note ON orders (lower(note), id)",
                "CREATE TABLE sales.orders (region text, number int, customer_id bigint REFERENCES customers ON "
                "DELETE SET NULL, PRIMARY KEY (region, number))",
                "CREATE TABLE sales.lines (region text, number int, line int, FOREIGN KEY (region, number) "
                "REFERENCES sales.orders ON DELETE RESTRICT, FOREIGN KEY (region, number) REFERENCES sales.orders "
                "ON DELETE SET DEFAULT)",
                "CREATE TABLE events (id int, at date, customer_id bigint REFERENCES customers (id)) PARTITION BY "
                "RANGE (at)",
                "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "ALTER TABLE events_2026 ADD UNIQUE (id, at)",
                "CREATE TABLE refers_events (id int, at date, FOREIGN KEY (id, at) REFERENCES events_2026 (id, at))",
                "CREATE TEMP TABLE scratch (x int)"});
    auto schema = db->read_schema();

    const auto* customers = schema.find_table("customers");
    REQUIRE(customers);
    CHECK(customers->qualified_name == "public.customers");
    REQUIRE(customers->columns.size() == 3);
    const auto& id = customers->columns[0];
    CHECK((id.name == "id" && id.declared_type == "bigint" && id.type_class == TypeClass::integer));
    CHECK((id.primary_key && id.leads_primary_key && id.unique && id.not_null));
    const auto* email = customers->find_column("email");
    CHECK((email->type_class == TypeClass::text && email->unique && email->not_null && !email->primary_key));
    CHECK_FALSE(customers->find_column("tenant")->unique);  // a partial index
    CHECK(customers->find_column("gone") == nullptr);

    const auto* orders = schema.find_table("orders");
    REQUIRE(orders);
    auto type_of = [&](const char* column) { return orders->find_column(column)->type_class; };
    CHECK(type_of("placed_at") == TypeClass::timestamp);
    CHECK(type_of("due") == TypeClass::timestamp);
    CHECK(type_of("total") == TypeClass::integer);
    CHECK(orders->find_column("total")->declared_type == "price");
    db->execute("INSERT INTO customers VALUES (1, 'a@example.com', NULL)", {});
    db->execute("INSERT INTO orders (customer_id, total) VALUES (1, 1250)", {});
    CHECK(scalar(*db, "SELECT total FROM orders") == Value{std::int64_t{1250}});  // a domain's value as its base type's
    CHECK(type_of("note") == TypeClass::text);
    CHECK(orders->find_column("note")->declared_type == "character varying(20)");
    CHECK(type_of("code") == TypeClass::text);
    CHECK(type_of("ref") == TypeClass::other);
    CHECK(type_of("tags") == TypeClass::other);
    CHECK(type_of("score") == TypeClass::real);
    CHECK(type_of("amount") == TypeClass::numeric);
    CHECK(type_of("data") == TypeClass::blob);
    CHECK(type_of("paid") == TypeClass::other);
    CHECK(orders->find_column("ref")->unique);
    REQUIRE(orders->foreign_keys.size() == 1);
    CHECK(orders->foreign_keys[0].from_column == "customer_id");
    CHECK(orders->foreign_keys[0].to_table == "customers");
    CHECK(orders->foreign_keys[0].to_column == "id");
    CHECK(orders->foreign_keys[0].on_delete == "CASCADE");
    const IndexInfo* note_index = nullptr;
    for (const auto& index : orders->indexes)
        if (index.name == "orders_note") note_index = &index;
    REQUIRE(note_index);
    CHECK(note_index->columns == std::vector<std::string>{"", "id"});
    CHECK_FALSE(note_index->unique);
    CHECK(orders->has_index_on("ref"));
    CHECK_FALSE(orders->has_index_on("customer_id"));

    const auto* sales = schema.find_table("sales.orders");
    REQUIRE(sales);
    CHECK(sales->name == "sales.orders");
    CHECK(sales->qualified_name == "sales.orders");
    CHECK((sales->columns[0].primary_key && sales->columns[0].leads_primary_key && !sales->columns[0].unique));
    CHECK((sales->columns[1].primary_key && !sales->columns[1].leads_primary_key && !sales->columns[1].unique));
    REQUIRE(sales->foreign_keys.size() == 1);
    CHECK(sales->foreign_keys[0].to_table == "customers");
    CHECK(sales->foreign_keys[0].on_delete == "SET NULL");

    const auto* lines = schema.find_table("sales.lines");
    REQUIRE(lines);
    REQUIRE(lines->foreign_keys.size() == 4);
    CHECK(lines->foreign_keys[0].from_column == "region");
    CHECK(lines->foreign_keys[0].to_column == "region");
    CHECK(lines->foreign_keys[1].from_column == "number");
    CHECK(lines->foreign_keys[1].to_column == "number");
    CHECK(lines->foreign_keys[0].to_table == "sales.orders");
    CHECK(lines->foreign_keys[0].on_delete == "RESTRICT");
    CHECK(lines->foreign_keys[2].on_delete == "SET DEFAULT");

    // A partitioned table is one table; its partitions are not listed.
    const auto* events = schema.find_table("events");
    REQUIRE(events);
    CHECK(events->foreign_keys.size() == 1);
    CHECK(schema.find_table("events_2026") == nullptr);
    CHECK(schema.find_table("scratch") == nullptr);
    const auto* refers = schema.find_table("refers_events");
    REQUIRE(refers);
    REQUIRE(refers->foreign_keys.size() == 2);
    CHECK(refers->foreign_keys[0].to_table == "events_2026");  // a table not listed, named all the same
    CHECK(refers->foreign_keys[0].to_column == "id");
    CHECK(refers->foreign_keys[1].from_column == "at");
    CHECK(refers->foreign_keys[1].to_column == "at");
    CHECK(schema.tables.size() == 6);
}

TEST_CASE("read_schema reads a 500-table schema in a handful of catalog queries") {
    auto db = open();
    reset(*db, {"CREATE SCHEMA bulk",
                "DO $$ BEGIN FOR i IN 1..500 LOOP EXECUTE format('CREATE TABLE bulk.t%s (id int PRIMARY KEY, parent "
                "int REFERENCES bulk.t1 (id), name text UNIQUE, at timestamptz)', i); EXECUTE format('CREATE INDEX ON "
                "bulk.t%s (at)', i); END LOOP; END $$"});
    // How fast is a benchmark's question (bench/), not a test's.
    auto schema = db->read_schema();
    CHECK(schema.tables.size() == 500);
    const auto* t = schema.find_table("bulk.t250");
    REQUIRE(t);
    CHECK(t->foreign_keys.size() == 1);
    CHECK(t->indexes.size() == 3);
}

TEST_CASE("quote and quote_table") {
    auto db = open();
    CHECK(db->quote("order") == "\"order\"");
    CHECK(db->quote("a\"b") == "\"a\"\"b\"");
    CHECK(db->quote_table("orders") == "\"orders\"");
    CHECK(db->quote_table("sales.orders") == "\"sales\".\"orders\"");
    CHECK(db->quote_table("sales.or.ders") == "\"sales\".\"or.ders\"");
    CHECK(db->row_id() == "ctid");
    reset(*db, {"CREATE SCHEMA sales", "CREATE TABLE sales.\"Order\" (id int)", "INSERT INTO sales.\"Order\" VALUES (1)"});
    CHECK(scalar(*db, "SELECT count(*) FROM " + db->quote_table("sales.Order")) == Value{std::int64_t{1}});
}

TEST_CASE("execute counts rows; begin, rollback, commit") {
    auto db = open();
    reset(*db, {"CREATE TABLE c (id int PRIMARY KEY, name text)"});
    CHECK(db->execute("INSERT INTO c VALUES (1, 'a'), (2, 'b'), (3, 'c')", {}) == 3);
    CHECK(db->execute("UPDATE c SET name = ? WHERE id > ?", {std::string("x"), std::int64_t{1}}) == 2);
    CHECK(db->execute("CREATE INDEX c_name ON c (name)", {}) == 0);

    db->begin();
    CHECK(db->execute("DELETE FROM c", {}) == 3);
    db->rollback();
    CHECK(scalar(*db, "SELECT count(*) FROM c") == Value{std::int64_t{3}});

    db->begin();
    CHECK(db->execute("DELETE FROM c WHERE id = ?", {std::int64_t{1}}) == 1);
    db->commit();
    CHECK(scalar(*db, "SELECT count(*) FROM c") == Value{std::int64_t{2}});

    // A failed statement aborts the transaction: commit refuses, rollback still works.
    db->begin();
    CHECK(db->execute("DELETE FROM c WHERE id = ?", {std::int64_t{2}}) == 1);
    CHECK_THROWS_AS(db->execute("INSERT INTO c VALUES (3, 'dup')", {}), Error);
    auto e = error_of([&] { db->commit(); });
    CHECK(e.status() == ExitStatus::database);
    CHECK(scalar(*db, "SELECT count(*) FROM c") == Value{std::int64_t{2}});

    db->begin();
    CHECK_THROWS_AS(db->execute("INSERT INTO c VALUES (3, 'dup')", {}), Error);
    db->rollback();
    db->rollback();  // nothing open: nothing happens
    CHECK(scalar(*db, "SELECT count(*) FROM c") == Value{std::int64_t{2}});
}

TEST_CASE("execute_each: a pipeline's counts in order, across chunks; a failure throws and leaves the connection usable") {
    auto db = open();
    reset(*db, {"CREATE TABLE m (id int PRIMARY KEY, name text CHECK (name <> 'bad'))",
                "INSERT INTO m SELECT g, 'n' || g FROM generate_series(1, 600) g"});
    const std::string update = "UPDATE m SET name = ? WHERE id = ?";
    // 700 runs: more than two of the pipeline's chunks; keys above 600 change nothing.
    Rows params;
    for (std::int64_t id = 1; id <= 700; ++id) params.push_back({std::string("masked"), id});
    db->begin();
    auto changed = db->execute_each(update, params);
    db->commit();
    REQUIRE(changed.size() == 700);
    CHECK(changed[0] == 1);
    CHECK(changed[599] == 1);
    CHECK(changed[600] == 0);
    CHECK(changed[699] == 0);
    CHECK(scalar(*db, "SELECT count(*) FROM m WHERE name = 'masked'") == Value{std::int64_t{600}});

    // The 400th run breaks the CHECK: the error is the statement's, the rest never runs,
    // and the caller's rollback undoes the runs before it.
    for (auto& row : params) row[0] = std::string("again");
    params[399][0] = std::string("bad");
    db->begin();
    auto e = error_of([&] { db->execute_each(update, params); });
    CHECK(e.status() == ExitStatus::database);
    CHECK(std::string(e.what()).find("bad") == std::string::npos);  // no values in messages
    db->rollback();
    CHECK(scalar(*db, "SELECT count(*) FROM m WHERE name = 'again'") == Value{std::int64_t{0}});
    CHECK(db->execute("UPDATE m SET name = ? WHERE id = ?", {std::string("one"), std::int64_t{1}}) == 1);

    // One run, and none, take the plain path.
    Rows one(1);
    one[0].push_back(std::string("two"));
    one[0].push_back(std::int64_t{2});
    auto changed_by_one = db->execute_each(update, one);
    CHECK(changed_by_one.size() == 1);
    CHECK(changed_by_one.at(0) == 1);
    CHECK(db->execute_each(update, Rows{}).empty());
}

TEST_CASE("execute_each: rows whose values differ in type (a BLOB, a NULL, text) each run as written") {
    auto db = open();
    reset(*db, {"CREATE TABLE blobs (id int PRIMARY KEY, data bytea, note text)",
                "INSERT INTO blobs SELECT g, NULL, NULL FROM generate_series(1, 300) g"});
    // A statement is prepared once per set of parameter types: a bytea
    // parameter for the BLOB rows, one the server infers for the others.
    Rows params;
    for (std::int64_t id = 1; id <= 300; ++id) {
        Value data = id % 3 == 0 ? Value{std::monostate{}} : Value{Blob{{0, static_cast<unsigned char>(id % 256), 0xff}}};
        Value note = id % 2 == 0 ? Value{std::string("even")} : Value{std::monostate{}};
        params.push_back({data, note, id});
    }
    for (int round = 0; round < 2; ++round) {  // the second round reuses the prepared statements
        db->begin();
        auto changed = db->execute_each("UPDATE blobs SET data = ?, note = ? WHERE id = ?", params);
        db->commit();
        CHECK(changed == std::vector<std::int64_t>(300, 1));
    }
    CHECK(scalar(*db, "SELECT count(*) FROM blobs WHERE data IS NULL") == Value{std::int64_t{100}});
    CHECK(scalar(*db, "SELECT count(*) FROM blobs WHERE note = 'even'") == Value{std::int64_t{150}});
    CHECK(scalar(*db, "SELECT data FROM blobs WHERE id = 7") == Value{Blob{{0, 7, 0xff}}});
}

TEST_CASE("update_by_key: many rows a statement, each value cast to its column's type; too long a value fails as a "
          "plain UPDATE's would") {
    auto db = open();
    reset(*db, {"CREATE TABLE u (id int PRIMARY KEY, name varchar(8), seen timestamptz, data bytea, doc jsonb, "
                "amount numeric(6,2))",
                "INSERT INTO u (id) SELECT g FROM generate_series(1, 600) g"});
    const std::vector<std::string> columns{"name", "seen", "data", "doc", "amount"};
    // 700 rows: two full statements of 256 in one pipeline and one of 188;
    // keys above 600 name no row.
    Rows rows;
    for (std::int64_t id = 1; id <= 700; ++id) {
        Value data = id % 3 == 0 ? Value{std::monostate{}} : Value{Blob{{0, static_cast<unsigned char>(id % 256)}}};
        rows.push_back({std::string("m") + std::to_string(id), std::string("2020-01-02T03:04:05Z"), data,
                        std::string("{\"k\": ") + std::to_string(id) + "}", 1.25, id});
    }
    db->begin();
    auto count = db->update_by_key("u", "id", columns, rows);
    db->commit();
    CHECK(count.rows == 600);
    CHECK(count.statements == 3);
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE name = 'm' || id") == Value{std::int64_t{600}});
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE seen = '2020-01-02 03:04:05+00'") == Value{std::int64_t{600}});
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE (doc->>'k')::int = id") == Value{std::int64_t{600}});
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE amount = 1.25") == Value{std::int64_t{600}});
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE data IS NULL") == Value{std::int64_t{200}});
    CHECK(scalar(*db, "SELECT data FROM u WHERE id = 7") == Value{Blob{{0, 7}}});

    // varchar(8) refuses nine characters, as assigning them would: the
    // cast is to the type without its length, which an explicit cast would
    // otherwise cut silently. The caller's rollback undoes every statement.
    for (auto& row : rows) row[0] = std::string("again");
    rows[450][0] = std::string("ninechars");
    db->begin();
    auto e = error_of([&] { db->update_by_key("u", "id", columns, rows); });
    CHECK(e.status() == ExitStatus::database);
    CHECK(std::string(e.what()).find("ninechars") == std::string::npos);  // no values in messages
    db->rollback();
    CHECK(scalar(*db, "SELECT count(*) FROM u WHERE name = 'again'") == Value{std::int64_t{0}});

    // A single row takes the plain UPDATE; an unknown column is refused by name.
    auto one = db->update_by_key("u", "id", {"name"}, Rows{{std::string("one"), std::int64_t{1}}});
    CHECK(one.rows == 1);
    CHECK(one.statements == 1);
    auto unknown = error_of([&] {
        db->update_by_key("u", "id", {"nosuch"}, Rows{{std::string("a"), std::int64_t{1}}, {std::string("b"), std::int64_t{2}}});
    });
    CHECK(std::string(unknown.what()).find("nosuch") != std::string::npos);
}

TEST_CASE("mask_sql: the database writes the values the masker would, and a second run changes nothing") {
    auto db = open();
    // citext (case-insensitive text) comes from an extension the server may
    // lack: z is plain text then.
    reset(*db);
    std::string z_type = "citext";
    try {
        db->execute("CREATE EXTENSION IF NOT EXISTS citext", {});
    } catch (const Error&) {
        z_type = "text";
    }
    db->execute("CREATE TABLE m (id int PRIMARY KEY, t text, v varchar(12), c char(8), z " + z_type +
                    ", n text, must text NOT NULL DEFAULT 'x', u text UNIQUE, i bigint)",
                {});
    // White space the masker trims (C's isspace), letters of several bytes,
    // values shorter than the prefix, empty text, NULL, a masked value.
    const std::vector<Value> texts{std::string("  94107 "), std::string("\t\n ab cd"), std::string("Straße 5"),
                                   std::string("日本語テキスト"), std::string("a"), std::string(""),
                                   std::string(" x\v\fy"), std::string("[erased]"), Value{std::monostate{}}};
    for (std::size_t i = 0; i < texts.size(); ++i) {
        Value short_text = texts[i];
        if (const auto* s = std::get_if<std::string>(&short_text); s && s->size() > 12) short_text = s->substr(0, 6);
        db->execute("INSERT INTO m (id, t, v, c, z, n) VALUES (?, ?, ?, ?, ?, ?)",
                    {static_cast<std::int64_t>(i), texts[i], short_text,
                     std::holds_alternative<std::string>(texts[i]) ? Value{std::string("ab ")} : Value{std::monostate{}},
                     texts[i], texts[i]});
    }
    policy::Table table;
    table.name = "m";
    table.key = "id";
    using policy::MaskMethod;
    using test::mask_of;
    const std::vector<policy::Mask> masks{mask_of("t", MaskMethod::generalize, 3), mask_of("v", MaskMethod::redact),
                                          mask_of("c", MaskMethod::redact), mask_of("z", MaskMethod::generalize, 2),
                                          mask_of("n", MaskMethod::null)};
    test::check_sql_masks_as_masker(*db, table, masks, 8);  // all but the row of NULLs
    CHECK(scalar(*db, "SELECT t FROM m WHERE id = 0") == Value{std::string("941")});
    CHECK(scalar(*db, "SELECT t FROM m WHERE id = 3") == Value{std::string("日本語")});

    // What SQL cannot say exactly is left to the masker: a UNIQUE column's
    // tagged value, a null mask on NOT NULL, a date, a number, a pseudonym.
    auto month = mask_of("t", MaskMethod::generalize);
    month.generalize = policy::Generalization::month;
    test::check_left_to_masker(*db, table, masks[0],
                               {mask_of("u", MaskMethod::redact), mask_of("must", MaskMethod::null), month,
                                mask_of("i", MaskMethod::redact), mask_of("t", MaskMethod::pseudonymize),
                                mask_of("t", MaskMethod::random)});
}

TEST_CASE("a handler that throws leaves the connection usable, in and out of a transaction") {
    auto db = open();
    reset(*db, {"CREATE TABLE n AS SELECT i FROM generate_series(1, 100000) AS i"});
    struct Stop {};
    int seen = 0;
    auto stop_at_10 = [&](const std::vector<std::string>&, const std::vector<Value>&) {
        if (++seen == 10) throw Stop{};
    };
    CHECK_THROWS_AS(db->query("SELECT i FROM n", {}, stop_at_10), Stop);
    CHECK(seen == 10);
    CHECK(scalar(*db, "SELECT count(*) FROM n") == Value{std::int64_t{100000}});

    db->begin();
    seen = 0;
    CHECK_THROWS_AS(db->query("SELECT i FROM n", {}, stop_at_10), Stop);
    CHECK(db->execute("DELETE FROM n WHERE i <= ?", {std::int64_t{10}}) == 10);
    db->commit();
    CHECK(scalar(*db, "SELECT count(*) FROM n") == Value{std::int64_t{99990}});
}

TEST_CASE("lock_rows: a foreign-key insert waits for the lock, then fails; no orphan") {
    auto a = open();
    reset(*a, {"CREATE TABLE customers (id bigint PRIMARY KEY)",
               "CREATE TABLE orders (id int PRIMARY KEY, customer_id bigint REFERENCES customers (id))",
               "INSERT INTO customers VALUES (1), (2)"});
    auto b = open(options(false, 20s));
    auto watcher = open(options(true));

    a->begin();
    a->lock_rows("customers", "id", {});
    a->lock_rows("customers", "id", {std::int64_t{1}});
    std::optional<Error> b_error;
    std::thread inserter([&] {
        try {
            b->execute("INSERT INTO orders VALUES (?, ?)", {std::int64_t{100}, std::int64_t{1}});
        } catch (const Error& e) {
            b_error = e;
        }
    });
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
        waiting = scalar(*watcher, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                                   "wait_event_type = 'Lock'") == Value{std::int64_t{1}};
        if (!waiting) std::this_thread::sleep_for(20ms);
    }
    CHECK(waiting);
    CHECK(a->execute("DELETE FROM customers WHERE id = ?", {std::int64_t{1}}) == 1);
    a->commit();
    inserter.join();
    REQUIRE(b_error);
    CHECK(b_error->status() == ExitStatus::database);
    CHECK(std::string(b_error->what()).find("foreign key") != std::string::npos);
    CHECK(std::string(b_error->what()).find("orders_customer_id_fkey") != std::string::npos);
    CHECK(scalar(*watcher, "SELECT count(*) FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)") ==
          Value{std::int64_t{0}});
}

TEST_CASE("lock_rows on a locked row runs into lock_timeout: database_busy") {
    auto a = open();
    reset(*a, {"CREATE SCHEMA sales", "CREATE TABLE sales.customers (id bigint PRIMARY KEY)",
               "INSERT INTO sales.customers SELECT generate_series(1, 1200)"});
    auto b = open(options(false, 200ms));
    std::vector<Value> many;
    for (std::int64_t i = 1; i <= 1200; ++i) many.emplace_back(i);

    a->begin();
    a->lock_rows("sales.customers", "id", many);  // three chunks
    b->begin();
    b->lock_rows("sales.customers", "id", {std::int64_t{1300}});  // no such row: nothing to wait for
    auto e = error_of([&] { b->lock_rows("sales.customers", "id", {std::int64_t{1100}}); });
    CHECK(e.status() == ExitStatus::database_busy);
    CHECK(std::string(e.what()).find("lock_timeout 200 ms") != std::string::npos);
    CHECK(std::string(e.what()).find("postgresql:" + database_name + "@") == 0);
    b->rollback();
    a->rollback();
    b->begin();
    b->lock_rows("sales.customers", "id", {std::int64_t{1100}});
    b->commit();
}

TEST_CASE("statement_timeout: database_busy, and the connection stays usable") {
    auto db = open(options(true, 5s, 100ms));
    auto e = error_of([&] { rows(*db, "SELECT pg_sleep(5)"); });
    CHECK(e.status() == ExitStatus::database_busy);
    CHECK(std::string(e.what()).find("statement_timeout 100 ms") != std::string::npos);
    CHECK(scalar(*db, "SELECT 1") == Value{std::int64_t{1}});
}

TEST_CASE("query pages through any number of rows, and a row handler may query and write meanwhile") {
    auto db = open();
    reset(*db, {"CREATE TABLE n (i int PRIMARY KEY, seen int)", "INSERT INTO n SELECT g, 0 FROM generate_series(1, 2500) g"});
    // As the erasure planner does: a query per row read, on the same connection.
    std::int64_t total = 0, inner = 0;
    db->query("SELECT i FROM n ORDER BY i", {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
        total += std::get<std::int64_t>(row[0]);
        if (std::get<std::int64_t>(row[0]) % 500 == 0) {
            inner += std::get<std::int64_t>(scalar(*db, "SELECT count(*) FROM n WHERE i <= ?", {row[0]}));
            db->execute("UPDATE n SET seen = 1 WHERE i = ?", {row[0]});
        }
    });
    CHECK(total == 2500 * 2501 / 2);
    CHECK(inner == 500 + 1000 + 1500 + 2000 + 2500);
    CHECK(scalar(*db, "SELECT count(*) FROM n WHERE seen = 1") == Value{std::int64_t{5}});  // committed with the read

    SUBCASE("a handler that throws leaves the connection usable, and the caller's transaction open") {
        auto stop = [&] {
            db->query("SELECT i FROM n", {}, [](const std::vector<std::string>&, const std::vector<Value>&) {
                throw Error(ExitStatus::failure, "enough");
            });
        };
        CHECK(error_of(stop).status() == ExitStatus::failure);
        CHECK(scalar(*db, "SELECT count(*) FROM n") == Value{std::int64_t{2500}});
        db->begin();
        db->execute("DELETE FROM n WHERE i = 1", {});
        CHECK(error_of(stop).status() == ExitStatus::failure);
        db->commit();
        CHECK(scalar(*db, "SELECT count(*) FROM n") == Value{std::int64_t{2499}});
    }
    SUBCASE("begin() inside a row handler is refused, not silently merged into the read") {
        auto e = error_of([&] {
            db->query("SELECT i FROM n LIMIT 1", {},
                      [&](const std::vector<std::string>&, const std::vector<Value>&) { db->begin(); });
        });
        CHECK(std::string(e.what()).find("begun inside another") != std::string::npos);
        CHECK(scalar(*db, "SELECT count(*) FROM n") == Value{std::int64_t{2500}});
    }
}

TEST_CASE("query: a small result is one statement, prepared when it runs again; a large one goes through a cursor, "
          "in bounded pages") {
    auto db = open();
    reset(*db, {"CREATE TABLE big (i int PRIMARY KEY, pad text)",
                "INSERT INTO big SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g"});
    auto statements = [&] {
        return std::get<std::int64_t>(scalar(*db, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE ?",
                                             {std::string("dsr_statement_%")}));
    };
    statements();  // its own query is prepared when it runs the second time, and counts itself
    const auto before = statements();
    // Run once: unprepared, one round trip (Parse, Bind, Execute at once).
    CHECK(rows(*db, "SELECT i FROM big WHERE i <= ? ORDER BY i DESC;  ", {std::int64_t{10}}).size() == 10);
    CHECK(statements() == before);
    for (std::int64_t i = 2; i <= 3; ++i)
        CHECK(rows(*db, "SELECT i FROM big WHERE i <= ? ORDER BY i DESC;  ", {i * 10}).size() == std::size_t(i * 10));
    CHECK(statements() == before + 1);  // one SQL text, prepared once, when it ran again
    // A BLOB where text was: a statement of its own, not the text one.
    for (int twice = 0; twice < 2; ++twice) {
        CHECK(scalar(*db, "SELECT length(?)", {Blob{{1, 2}}}) == Value{std::int64_t{2}});
        CHECK(scalar(*db, "SELECT length(?)", {std::string("abc")}) == Value{std::int64_t{3}});
    }
    CHECK(statements() == before + 3);
    // A trailing comment and the order of a sorted sub-select survive the wrapping.
    auto ordered = rows(*db, "SELECT i FROM big WHERE i <= 5 ORDER BY i DESC -- why");
    REQUIRE(ordered.size() == 5);
    CHECK(ordered.front()[0] == Value{std::int64_t{5}});

    // 20,000 rows: past what one round trip may hold, so paged, in order,
    // each row once, while the handler queries on the same connection.
    std::int64_t expected = 20000, seen = 0, nested = 0;
    bool in_order = true;
    db->query("SELECT i, pad FROM big ORDER BY i DESC", {}, [&](const std::vector<std::string>& columns,
                                                                const std::vector<Value>& row) {
        CHECK(columns == std::vector<std::string>{"i", "pad"});
        in_order = in_order && row[0] == Value{expected--};
        ++seen;
        if (seen % 5000 == 0) nested += std::get<std::int64_t>(scalar(*db, "SELECT count(*) FROM big WHERE i <= ?", {row[0]}));
    });
    CHECK(seen == 20000);
    CHECK(in_order);
    CHECK(nested == 15001 + 10001 + 5001 + 1);
    // Inside a transaction too; the transaction stays open and usable.
    db->begin();
    seen = 0;
    db->query("SELECT i FROM big", {}, [&](const std::vector<std::string>&, const std::vector<Value>&) { ++seen; });
    CHECK(seen == 20000);
    CHECK(db->execute("DELETE FROM big WHERE i > ?", {std::int64_t{4096}}) == 20000 - 4096);
    db->commit();
    // Exactly as many rows as one round trip holds: no cursor needed, all there.
    CHECK(rows(*db, "SELECT i FROM big").size() == 4096);
}

TEST_CASE("query_each: each query's rows to its own handler, in order, in one round trip; a large answer through "
          "the cursor; a failure throws and leaves the connection usable") {
    std::vector<std::string> shown;  // what -v prints: each query, in order
    auto observing = options();
    observing.on_statement = [&](std::string_view sql, std::chrono::microseconds) { shown.emplace_back(sql); };
    auto db = open(observing);
    reset(*db, {"CREATE TABLE q (i int PRIMARY KEY, pad text)",
                "INSERT INTO q SELECT g, repeat('x', 10) FROM generate_series(1, 6000) g"});
    auto counted = [&](Rows& into) {
        return [&into](const std::vector<std::string>&, const std::vector<Value>& row) { into.push_back(row); };
    };
    // Queries sent before one sync run in one implicit transaction: the same
    // transaction id in each answer means one round trip for them all.
    Rows small, none, large, nested, first_id, last_id;
    std::int64_t inner = 0;
    std::vector<Query> queries{
        {"SELECT txid_current()", {}, counted(first_id)},
        {"SELECT i FROM q WHERE i <= ? ORDER BY i DESC", {std::int64_t{3}}, counted(small)},
        {"SELECT i FROM q WHERE i < 0", {}, counted(none)},
        // Past what one answer may hold (4,096 rows): read again through a cursor.
        {"SELECT i, pad FROM q WHERE i > ? ORDER BY i", {std::int64_t{500}}, counted(large)},
        // A handler may run statements of its own: the pipeline has ended.
        {"SELECT i FROM q WHERE i IN (?, ?)", {std::int64_t{10}, std::int64_t{20}},
         [&](const std::vector<std::string>&, const std::vector<Value>& row) {
             nested.push_back(row);
             inner += std::get<std::int64_t>(scalar(*db, "SELECT count(*) FROM q WHERE i <= ?", {row[0]}));
         }},
        {"SELECT txid_current()", {}, counted(last_id)},
    };
    shown.clear();
    db->query_each(queries);
    CHECK(small == Rows{{std::int64_t{3}}, {std::int64_t{2}}, {std::int64_t{1}}});
    CHECK(none.empty());
    REQUIRE(large.size() == 5500);
    CHECK(large.front() == std::vector<Value>{std::int64_t{501}, std::string(10, 'x')});
    CHECK(large.back()[0] == Value{std::int64_t{6000}});
    CHECK(nested.size() == 2);
    CHECK(inner == 30);
    // -v: each query of the pipeline, then the large one's cursor read, then the handler's two.
    REQUIRE(shown.size() == 9);
    for (std::size_t i = 0; i < queries.size(); ++i) CHECK(shown[i] == queries[i].sql);
    CHECK(shown[6] == queries[3].sql);
    REQUIRE(first_id.size() == 1);
    CHECK(first_id == last_id);
    CHECK(rows(*db, "SELECT txid_current()") != rows(*db, "SELECT txid_current()"));  // one by one: two

    SUBCASE("what one pipeline sends is bounded: many large queries take several, answers still in order") {
        std::vector<Query> many;
        std::vector<std::int64_t> answers(40, 0);
        std::set<std::int64_t> transactions;
        for (std::int64_t n = 0; n < 40; ++n)
            many.push_back({"SELECT ? + length(?), txid_current()", {n, std::string(2000, 'y')},
                            [&answers, &transactions, n](const std::vector<std::string>&, const std::vector<Value>& row) {
                                answers[static_cast<std::size_t>(n)] = std::get<std::int64_t>(row[0]);
                                transactions.insert(std::get<std::int64_t>(row[1]));
                            }});
        db->query_each(many);
        for (std::int64_t n = 0; n < 40; ++n) CHECK(answers[static_cast<std::size_t>(n)] == n + 2000);
        CHECK(transactions.size() > 1);
        CHECK(transactions.size() < 10);
    }
    SUBCASE("a failing query throws, no handler runs, and the connection and the caller's transaction go on") {
        Rows before, after;
        std::vector<Query> failing{
            {"SELECT i FROM q WHERE i = 1", {}, counted(before)},
            {"SELECT 1 / (i - i) FROM q WHERE i = 1", {}, counted(after)},
            {"SELECT i FROM q WHERE i = 2", {}, counted(after)},
        };
        shown.clear();
        auto e = error_of([&] { db->query_each(failing); });
        CHECK(e.status() == ExitStatus::database);
        CHECK(before.empty());
        CHECK(after.empty());
        CHECK(shown == std::vector<std::string>{failing[0].sql, failing[1].sql});  // not the one never run
        CHECK(scalar(*db, "SELECT count(*) FROM q") == Value{std::int64_t{6000}});
        db->begin();
        CHECK(error_of([&] { db->query_each(failing); }).status() == ExitStatus::database);
        db->rollback();
        db->begin();
        CHECK(db->execute("DELETE FROM q WHERE i = 1", {}) == 1);
        db->query_each({queries[1], queries[2]});
        db->commit();
        CHECK(scalar(*db, "SELECT count(*) FROM q") == Value{std::int64_t{5999}});
    }
}

TEST_CASE("query: a prepared statement whose table changed shape runs again unprepared") {
    auto db = open();
    reset(*db, {"CREATE TABLE shape (a int)", "INSERT INTO shape VALUES (1)"});
    CHECK(rows(*db, "SELECT * FROM shape")[0].size() == 1);
    db->execute("ALTER TABLE shape ADD COLUMN b text", {});
    CHECK(rows(*db, "SELECT * FROM shape")[0].size() == 2);
}

TEST_CASE("the session: UTC, read-only when asked, application_name, parallel workers") {
    auto db = open(options(true));
    CHECK(scalar(*db, "SELECT current_setting('TimeZone')") == Value{std::string("UTC")});
    CHECK(scalar(*db, "SELECT current_setting('application_name')") == Value{std::string("dsr")});
    CHECK(scalar(*db, "SELECT current_setting('lock_timeout')") == Value{std::string("5s")});
    CHECK(db->server_version() >= 110000);
    CHECK(db->name().find("postgresql:" + database_name + "@") == 0);
    auto e = error_of([&] { db->execute("CREATE TABLE nope (x int)", {}); });
    CHECK(e.status() == ExitStatus::database);
    CHECK(std::string(e.what()).find("SQLSTATE 25006") != std::string::npos);

    // A purge's connection plans every query for its values by never
    // preparing one; the session's plan_cache_mode stays as it was, so the
    // server's own foreign-key checks keep their cached plans.
    CHECK(scalar(*db, "SELECT current_setting('plan_cache_mode')") == Value{std::string("auto")});
    auto purge_options = options(false);
    purge_options.custom_plans = true;
    auto purge = open(purge_options);
    CHECK(scalar(*purge, "SELECT current_setting('plan_cache_mode')") == Value{std::string("auto")});
    for (std::int64_t i = 0; i < 3; ++i) CHECK(scalar(*purge, "SELECT 1 + ?", {i}) == Value{i + 1});
    CHECK(scalar(*purge, "SELECT count(*) FROM pg_prepared_statements") == Value{std::int64_t{0}});
    for (std::int64_t i = 0; i < 3; ++i) scalar(*db, "SELECT 1 + ?", {i});
    CHECK(scalar(*db, "SELECT count(*) FROM pg_prepared_statements") == Value{std::int64_t{1}});

    // A purge's reader keeps its queries to its own backend; others keep the server's setting.
    CHECK(scalar(*db, "SELECT current_setting('max_parallel_workers_per_gather')") != Value{std::string("0")});
    auto reader_options = options(true);
    reader_options.parallel_workers = false;
    auto reader = open(reader_options);
    CHECK(scalar(*reader, "SELECT current_setting('max_parallel_workers_per_gather')") == Value{std::string("0")});
}

TEST_CASE("lock_job: a second holder is refused, naming the first; released when destroyed") {
    auto a = open(options(true));
    auto b = open(options(true));
    auto a_pid = std::get<std::int64_t>(scalar(*a, "SELECT pg_backend_pid()"));
    auto held = a->lock_job("purge");
    auto e = error_of([&] { b->lock_job("purge"); });
    CHECK(e.status() == ExitStatus::database_busy);
    const std::string message = e.what();
    CHECK(message.find("another dsr purge (PostgreSQL backend pid " + std::to_string(a_pid) + ", since 20") == 0);
    CHECK(message.find("is running on postgresql:" + database_name + "@") != std::string::npos);
    CHECK(message.find("nothing was done") != std::string::npos);
    auto other_job = b->lock_job("erase");  // another job's lock is another lock
    CHECK(other_job != nullptr);
    held.reset();
    CHECK(b->lock_job("purge") != nullptr);

    // A lock whose session ends is gone with it, whatever ended the session.
    auto c = open(options(true));
    rows(*c, "SELECT pg_advisory_lock(6583154, hashtext('dsr-consent'))");
    CHECK(error_of([&] { a->lock_job("consent"); }).status() == ExitStatus::database_busy);
    c.reset();
    for (int i = 0; i < 100; ++i) {  // the server notices the closed connection a moment later
        try {
            a->lock_job("consent");
            break;
        } catch (const Error&) {
            std::this_thread::sleep_for(10ms);
        }
    }
    CHECK(a->lock_job("consent") != nullptr);
}

TEST_CASE("timestamps: unix_seconds_sql and earlier_than_sql for each storage") {
    auto db = open();
    // cutoff: 2026-01-01T00:00:00Z
    const std::int64_t cutoff = 1767225600;
    reset(*db, {"CREATE TABLE tt (id int PRIMARY KEY, tz timestamptz, d date, ts timestamp, secs bigint, ms bigint, "
                "f float8, iso text, digits text, v varchar(40))",
                "CREATE INDEX tt_tz ON tt (tz)",
                "INSERT INTO tt (id, tz, d, ts, secs, ms, f, iso, digits) VALUES "
                "(1, '2025-12-31 23:59:59+00', '2025-12-31', '2025-12-31 23:59:59', 1767225599, 1767225599999, "
                "1767225599.5, '2026-01-01T00:30:00+02:00', '1767225599'),"
                "(2, '2026-01-01 01:00:00+01', '2026-01-01', '2026-01-01 00:00:00', 1767225600, 1767225600000, "
                "1767225600, '2026-01-01T00:00:00Z', '1767225600'),"
                "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                "(4, 'infinity', 'infinity', 'infinity', 0, 0, 'NaN', '', ''),"
                "(5, '-infinity', '-infinity', '-infinity', -1, -1, '-Infinity', 'garbage', 'abc'),"
                "(6, NULL, NULL, NULL, NULL, NULL, 'Infinity', '2024-02-30', '99999999999999999999'),"
                "(7, NULL, NULL, NULL, NULL, NULL, NULL, '2023-02-29 10:00', '-5'),"
                "(8, NULL, NULL, NULL, NULL, NULL, NULL, '2024-02-29', NULL),"
                "(9, NULL, NULL, NULL, NULL, NULL, NULL, '2025-12-31', NULL),"
                "(10, NULL, NULL, NULL, NULL, NULL, NULL, '2025-12-31 23:59:59.999', NULL),"
                "(11, NULL, NULL, NULL, NULL, NULL, NULL, '2025-12-31T20:00:00-05:00', NULL),"
                "(12, NULL, NULL, NULL, NULL, NULL, NULL, '2026-01-01 01:00+0100', NULL),"
                "(13, NULL, NULL, NULL, NULL, NULL, NULL, '2025-12-31T23:00:00+25:00', NULL),"
                "(14, NULL, NULL, NULL, NULL, NULL, NULL, '0000-01-01', NULL),"
                "(15, NULL, NULL, NULL, NULL, NULL, NULL, '2025-13-01', NULL)",
                "UPDATE tt SET v = iso"});

    using V = std::vector<std::int64_t>;
    auto earlier = [&](const char* column, TimeStorage storage, TypeClass type, std::int64_t at) {
        auto c = db->earlier_than_sql("a." + db->quote(column), storage, type, at);
        auto yes = ids(*db, c.sql, c.params);
        auto no = ids(*db, "NOT " + c.sql, c.params);
        CHECK_MESSAGE(yes.size() + no.size() == 15, column, ": the condition was NULL for some row");
        return yes;
    };
    auto seconds = [&](const char* column, TimeStorage storage, TypeClass type) {
        std::vector<std::optional<std::int64_t>> out;
        for (const auto& r : rows(*db, "SELECT " + db->unix_seconds_sql("a." + db->quote(column), storage, type) +
                                           " FROM tt AS a ORDER BY id"))
            out.push_back(std::holds_alternative<std::int64_t>(r[0]) ? std::optional(std::get<std::int64_t>(r[0]))
                                                                      : std::nullopt);
        return out;
    };
    using std::nullopt;

    // Native types win over what the policy says; -infinity (row 5) reads
    // as no time at all (NULL seconds below), so it never expires either.
    for (auto storage : {TimeStorage::native, TimeStorage::iso8601, TimeStorage::unix_seconds}) {
        CHECK(earlier("tz", storage, TypeClass::timestamp, cutoff) == V{1});
        CHECK(earlier("ts", storage, TypeClass::timestamp, cutoff) == V{1});
        CHECK(earlier("d", storage, TypeClass::timestamp, cutoff) == V{1});
    }
    // A date is its midnight, UTC: earlier than a second past it.
    CHECK(earlier("d", TimeStorage::native, TypeClass::timestamp, cutoff + 1) == V{1, 2});
    auto tz = seconds("tz", TimeStorage::native, TypeClass::timestamp);
    CHECK(tz[0] == cutoff - 1);
    CHECK(tz[1] == cutoff);
    CHECK(tz[2] == nullopt);
    CHECK(tz[3] == nullopt);
    CHECK(tz[4] == nullopt);
    CHECK(seconds("d", TimeStorage::native, TypeClass::timestamp)[0] == cutoff - 86400);
    CHECK(seconds("ts", TimeStorage::native, TypeClass::timestamp)[1] == cutoff);

    CHECK(earlier("secs", TimeStorage::unix_seconds, TypeClass::integer, cutoff) == V{1, 4, 5});
    CHECK(earlier("secs", TimeStorage::native, TypeClass::integer, cutoff) == V{1, 4, 5});
    CHECK(earlier("ms", TimeStorage::unix_millis, TypeClass::integer, cutoff) == V{1, 4, 5});
    CHECK(earlier("f", TimeStorage::unix_seconds, TypeClass::real, cutoff) == V{1});  // not -Infinity
    CHECK(earlier("secs", TimeStorage::iso8601, TypeClass::integer, cutoff).empty());
    CHECK(seconds("secs", TimeStorage::unix_seconds, TypeClass::integer)[0] == cutoff - 1);
    CHECK(seconds("ms", TimeStorage::unix_millis, TypeClass::integer)[0] == cutoff - 1);
    auto f = seconds("f", TimeStorage::unix_seconds, TypeClass::real);
    CHECK(f[0] == cutoff - 1);
    CHECK(f[3] == nullopt);  // NaN
    CHECK(f[4] == nullopt);  // -Infinity
    CHECK(f[5] == nullopt);  // Infinity
    CHECK(seconds("secs", TimeStorage::iso8601, TypeClass::integer)[0] == nullopt);

    // Digits in text: read one by one.
    CHECK(earlier("digits", TimeStorage::unix_seconds, TypeClass::text, cutoff) == V{1, 7});
    CHECK(earlier("digits", TimeStorage::unix_millis, TypeClass::text, cutoff) == V{1, 2, 7});
    auto digits = seconds("digits", TimeStorage::unix_seconds, TypeClass::text);
    CHECK(digits[0] == cutoff - 1);
    CHECK(digits[3] == nullopt);
    CHECK(digits[4] == nullopt);
    CHECK(digits[5] == nullopt);  // too many digits for a bigint
    CHECK(digits[6] == -5);

    // ISO 8601 text: offsets count, anything unreadable is never earlier.
    for (auto storage : {TimeStorage::iso8601, TimeStorage::native}) {
        CHECK(earlier("iso", storage, TypeClass::text, cutoff) == V{1, 8, 9, 10});
        CHECK(earlier("v", storage, TypeClass::text, cutoff) == V{1, 8, 9, 10});
    }
    CHECK(earlier("iso", TimeStorage::iso8601, TypeClass::text, cutoff + 3601) == V{1, 2, 8, 9, 10, 11, 12});
    auto iso = seconds("iso", TimeStorage::iso8601, TypeClass::text);
    CHECK(iso[0] == cutoff - 5400);
    CHECK(iso[1] == cutoff);
    for (int i : {2, 3, 4, 5, 6, 12, 13, 14}) CHECK_MESSAGE(iso[i] == nullopt, "row ", i + 1);
    CHECK(iso[7] == 1709164800);
    CHECK(iso[8] == cutoff - 86400);
    CHECK(iso[9] == cutoff - 1);
    CHECK(iso[10] == cutoff + 3600);
    CHECK(iso[11] == cutoff);
    CHECK(seconds("iso", TimeStorage::unix_seconds, TypeClass::text)[0] == nullopt);

    // A column the policy's storage cannot read: never earlier, no seconds.
    CHECK(earlier("iso", TimeStorage::native, TypeClass::other, cutoff).empty());
    CHECK(seconds("iso", TimeStorage::native, TypeClass::other)[0] == nullopt);
    // A typed NULL: a parameter beside it still gets a type.
    CHECK(rows(*db, "SELECT id FROM tt AS a WHERE " + db->unix_seconds_sql("a.iso", TimeStorage::native, TypeClass::other) +
                        " IS NULL OR " + db->unix_seconds_sql("a.iso", TimeStorage::native, TypeClass::other) + " >= ?",
               {std::int64_t{5}})
              .size() == 15);
}

TEST_CASE("a password in the connection string is refused") {
    for (const char* url : {"postgresql://shop:s3cret@localhost/shop", "postgres://localhost/shop?password=s3cret",
                            "host=/tmp dbname=shop password=s3cret"}) {
        auto e = error_of([&] { PostgresDatabase db(url, {}); });
        CHECK(e.status() == ExitStatus::usage);
        CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
        CHECK(std::string(e.what()).find("~/.pgpass") != std::string::npos);
    }
    CHECK(error_of([&] { PostgresDatabase db("host=/tmp dbname", {}); }).status() == ExitStatus::usage);
}

TEST_CASE("a connection failure names the database and host") {
    auto e = error_of([&] { PostgresDatabase db(base_conninfo() + " dbname=dsr_no_such_database", {}); });
    CHECK(e.status() == ExitStatus::database);
    CHECK(std::string(e.what()).find("postgresql:dsr_no_such_database@") == 0);
    CHECK(std::string(e.what()).find("does not exist") != std::string::npos);
}

TEST_CASE("error messages carry no values") {
    auto db = open();
    reset(*db, {"CREATE TABLE people (id int PRIMARY KEY, email text UNIQUE, age int CHECK (age >= 0))",
                "INSERT INTO people VALUES (1, 'ana@example.com', 30)"});
    auto unique = error_of([&] {
        db->execute("INSERT INTO people VALUES (?, ?, ?)", {std::int64_t{2}, std::string("ana@example.com"), std::int64_t{1}});
    });
    CHECK(unique.status() == ExitStatus::database);
    std::string message = unique.what();
    CHECK(message.find("ana") == std::string::npos);
    CHECK(message.find("SQLSTATE 23505") != std::string::npos);
    CHECK(message.find("people_email_key") != std::string::npos);
    CHECK(message.find("postgresql:" + database_name + "@") == 0);

    auto bad_integer = error_of([&] { rows(*db, "SELECT id FROM people WHERE age = ?", {std::string("abc-secret")}); });
    CHECK(bad_integer.status() == ExitStatus::database);
    message = bad_integer.what();
    CHECK(message.find("abc-secret") == std::string::npos);
    CHECK(message.find("SQLSTATE 22P02") != std::string::npos);

    auto not_null = error_of([&] { db->execute("UPDATE people SET id = NULL WHERE email = ?", {std::string("ana@example.com")}); });
    message = not_null.what();
    CHECK(message.find("ana") == std::string::npos);
    CHECK(message.find("column \"id\"") != std::string::npos);

    auto check = error_of([&] { db->execute("UPDATE people SET age = ? WHERE id = 1", {std::int64_t{-42}}); });
    CHECK(std::string(check.what()).find("-42") == std::string::npos);
    CHECK(std::string(check.what()).find("people_age_check") != std::string::npos);

    // Other errors keep the server's primary message.
    auto missing = error_of([&] { rows(*db, "SELECT * FROM no_such_table"); });
    CHECK(std::string(missing.what()).find("relation \"no_such_table\" does not exist (SQLSTATE 42P01)") !=
          std::string::npos);
}

TEST_CASE("SQLSTATEs map to exit statuses") {
    CHECK(postgres_error_status("55P03") == ExitStatus::database_busy);
    CHECK(postgres_error_status("57014") == ExitStatus::database_busy);
    CHECK(postgres_error_status("40P01") == ExitStatus::database_busy);
    CHECK(postgres_error_status("40001") == ExitStatus::database_busy);
    CHECK(postgres_error_status("53100") == ExitStatus::io);
    CHECK(postgres_error_status("53200") == ExitStatus::io);
    CHECK(postgres_error_status("42P01") == ExitStatus::database);
    CHECK(describe_postgres_error({"P0001", "customer ana@example.com is on hold", "", "", ""}, {}).find("ana") ==
          std::string::npos);
}

TEST_CASE("is_postgresql_url and open_database") {
    CHECK(is_postgresql_url("postgresql://localhost/shop"));
    CHECK(is_postgresql_url("postgres://localhost/shop"));
    CHECK(is_postgresql_url("host=/run/pg dbname=shop"));
    CHECK(is_postgresql_url("service=shop"));
    CHECK_FALSE(is_postgresql_url("shop.db"));
    CHECK_FALSE(is_postgresql_url("sqlite:shop.db"));
    CHECK_FALSE(is_postgresql_url("/data/a=b.db"));
    CHECK_FALSE(is_postgresql_url("=x"));
    auto db = open_database(conninfo(), {});
    CHECK(db->backend() == "postgresql");
}

}  // TEST_SUITE
