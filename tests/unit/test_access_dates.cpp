// Tests for the dates of an access report: retention and hold ends (month
// arithmetic clamped to the month's end), the CCPA look-back, every declared
// timestamp format read in SQL (a parent's too), withheld columns never read,
// and values rendered without losing digits.

#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <string>
#include <vector>

#include "graph/subject_rows.h"
#include "jobs/access.h"
#include "policy/loader.h"
#include "policy/periods.h"
#include "report/access_report.h"
#include "temp_dir.h"

namespace {

using namespace std::chrono;
using dsr::CivilDate;
using dsr::format_date;
using dsr::policy::Duration;

std::int64_t unix_of(const char* iso) {
    std::tm parts{};
    REQUIRE(strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &parts));
    return static_cast<std::int64_t>(timegm(&parts));
}

Duration keep(const char* text) {
    auto d = dsr::policy::parse_duration(text);
    REQUIRE(d);
    return *d;
}

std::string after(const char* iso, const char* duration) {
    auto d = dsr::policy::date_after(unix_of(iso), keep(duration));
    return d ? format_date(*d) : "none";
}

CivilDate date(int y, unsigned m, unsigned d) { return CivilDate{year{y}, month{m}, day{d}}; }

}  // namespace

TEST_CASE("date_after") {
    CHECK(after("2026-11-22T21:47:06Z", "10y") == "2036-11-22");
    CHECK(after("2026-01-31T10:00:00Z", "1m") == "2026-02-28");
    CHECK(after("2024-01-31T10:00:00Z", "1m") == "2024-02-29");
    CHECK(after("2026-03-31T00:00:00Z", "18m") == "2027-09-30");
    CHECK(after("2024-02-29T12:00:00Z", "1y") == "2025-02-28");
    CHECK(after("2024-02-29T12:00:00Z", "4y") == "2028-02-29");
    CHECK(after("2026-12-15T00:00:00Z", "1m") == "2027-01-15");
    CHECK(after("2026-11-22T23:00:00Z", "2h") == "2026-11-23");
    CHECK(after("2026-11-22T23:00:00Z", "90d") == "2027-02-20");
    CHECK(after("1969-12-31T23:59:59Z", "1d") == "1970-01-01");
    CHECK(after("9999-06-01T00:00:00Z", "1y") == "none");
    CHECK(after("2026-01-01T00:00:00Z", "999999y") == "none");
    CHECK(after("2026-01-01T00:00:00Z", "999999m") == "none");
    CHECK_FALSE(dsr::policy::date_after(INT64_MAX, keep("1d")));
    CHECK_FALSE(dsr::policy::date_after(INT64_MIN, keep("1d")));
}

TEST_CASE("months_before") {
    CHECK(format_date(dsr::policy::months_before(date(2026, 11, 1), 12)) == "2025-11-01");
    CHECK(format_date(dsr::policy::months_before(date(2028, 2, 29), 12)) == "2027-02-28");
    CHECK(format_date(dsr::policy::months_before(date(2026, 3, 31), 1)) == "2026-02-28");
    CHECK(format_date(dsr::policy::months_before(date(2026, 1, 15), 12)) == "2025-01-15");
}

TEST_CASE("values in words and in JSON") {
    using dsr::report::shortest_real;
    CHECK(shortest_real(0.1) == "0.1");
    CHECK(shortest_real(1e300) == "1e+300");
    CHECK(shortest_real(123456789.123) == "123456789.123");
    CHECK(shortest_real(5e-324) == "5e-324");
    CHECK(shortest_real(-2.5) == "-2.5");
    for (double d : {0.1, 1.0 / 3, 1e300, 2.2250738585072014e-308, 123456789.123}) {
        CAPTURE(d);
        CHECK(std::stod(shortest_real(d)) == d);
    }
    dsr::db::Blob blob{{0x00, 0xff, 0x7f}};
    CHECK(dsr::report::value_text(blob) == "(3 bytes, base64 AP9/)");
    CHECK(dsr::report::value_json(blob).dump() == R"({"base64":"AP9/"})");
    CHECK(dsr::report::value_text(dsr::db::Blob{std::vector<unsigned char>(100, 1)}) == "(100 bytes)");
    CHECK(dsr::report::value_text(std::monostate{}) == "(none)");
    CHECK(dsr::report::value_text(std::int64_t{-9007199254740993}) == "-9007199254740993");
    CHECK(dsr::report::value_text(std::string("王秀英")) == "王秀英");
}

namespace {

// One subject (customer 1) with rows stamped in every declared format; the
// look-back is counted from 2026-11-01, so it starts on 2025-11-01.
constexpr const char* schema_sql = R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, ssn TEXT);
CREATE TABLE iso (id INTEGER PRIMARY KEY, customer_id INTEGER, at TEXT);
CREATE TABLE secs (id INTEGER PRIMARY KEY, customer_id INTEGER, at INTEGER);
CREATE TABLE millis (id INTEGER PRIMARY KEY, customer_id INTEGER, at INTEGER);
CREATE TABLE native (id INTEGER PRIMARY KEY, customer_id INTEGER, at);
CREATE TABLE items (id INTEGER PRIMARY KEY, iso_id INTEGER, n INTEGER);
INSERT INTO customers VALUES (1, 'ana@example.com', '123-45-6789'), (2, 'bo@example.com', NULL);
INSERT INTO iso VALUES
  (1, 1, '2025-11-01T00:00:00Z'), (2, 1, '2025-10-31T23:59:59Z'), (3, 1, '2026-06-01'),
  (4, 1, '2025-11-01T01:00:00+02:00'), (5, 1, 'soon'), (6, 1, NULL), (7, 2, '2026-06-01');
INSERT INTO secs VALUES (1, 1, 1761955200), (2, 1, 1761955199), (3, 1, 'x');
INSERT INTO millis VALUES (1, 1, 1761955200000), (2, 1, 1761955199999);
INSERT INTO native VALUES (1, 1, '2026-01-31 12:00:00'), (2, 1, 1761955199), (3, 1, 2461000.5), (4, 1, 2460900.5);
INSERT INTO items VALUES (1, 1, 10), (2, 2, 20), (3, 3, 30), (4, 7, 40);
)";

constexpr const char* policy_yaml = R"(version: 1
controller: {name: DatesShop, contact: privacy@shop.example}
regime: ccpa
databases: {main: {url: sqlite:shop.db}}
identities: {customer_id: {column: customers.id}}
purposes: {account: {basis: contract, description: Running the account.}}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [account], source: provided}
      ssn: {category: government_id, purposes: [account], source: provided}
  iso:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns: {at: {category: purchase_history, purposes: [account], source: observed}}
    retention: {column: at, format: iso8601, keep: 1m}
  secs:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns: {at: {category: purchase_history, purposes: [account], source: observed}}
    retention: {column: at, format: unix_seconds, keep: 1d}
  millis:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns: {at: {category: purchase_history, purposes: [account], source: observed}}
    retention: {column: at, format: unix_millis, keep: 1y}
  native:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns: {at: {category: purchase_history, purposes: [account], source: observed}}
    retention: {column: at, format: native, keep: 1m}
  items:
    key: id
    links: [{column: iso_id, references: iso.id}]
    columns: {n: {category: purchase_history, purposes: [account], source: observed}}
    erasure:
      action: delete
      hold: {purpose: account, column: iso.at, format: iso8601, keep: 2y}
    retention: {column: iso.at, format: iso8601, keep: 10y}
)";

struct DatesShop {
    dsr::test::TempDir dir;
    dsr::policy::Policy policy;
    std::unique_ptr<dsr::db::Database> db;
    dsr::graph::SubjectMatch match;

    DatesShop() {
        auto path = dir.file("shop.db");
        SQLite::Database(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec(schema_sql);
        auto loaded = dsr::policy::load_policy_text(policy_yaml, dir.file("policy.yaml"));
        REQUIRE_MESSAGE(loaded.policy, (loaded.errors.empty() ? "" : loaded.errors.front().message));
        policy = std::move(*loaded.policy);
        db = dsr::db::open_database("sqlite:" + path, {});
        match = dsr::graph::match_subject(*db, policy, "customer_id", "1");
    }

    dsr::jobs::AccessResult read(bool all_time) {
        dsr::jobs::AccessSettings settings;
        settings.now = sys_days(date(2026, 11, 1)) + hours(15);
        settings.all_time = all_time;
        return dsr::jobs::read_subject_data(*db, "main", policy, match, settings);
    }
};

const dsr::jobs::AccessTable& table_of(const dsr::jobs::AccessResult& r, const std::string& name) {
    for (const auto& t : r.tables)
        if (t.table->name == name) return t;
    FAIL("no table " << name);
    throw;
}

std::vector<std::int64_t> keys(const dsr::jobs::AccessTable& t) {
    std::vector<std::int64_t> out;
    for (const auto& row : t.rows) out.push_back(std::get<std::int64_t>(row[0]));
    return out;
}

std::vector<std::string> ends(const std::vector<std::optional<CivilDate>>& dates) {
    std::vector<std::string> out;
    for (const auto& d : dates) out.push_back(d ? format_date(*d) : "none");
    return out;
}

using Keys = std::vector<std::int64_t>;
using Dates = std::vector<std::string>;

}  // namespace

TEST_CASE("read_subject_data: timestamps, look-back, withheld columns") {
    DatesShop shop;

    SUBCASE("every format gives each row its retention end; a parent's timestamp serves its children") {
        auto r = shop.read(true);
        CHECK_FALSE(r.look_back);
        CHECK(keys(table_of(r, "iso")) == Keys{1, 2, 3, 4, 5, 6});
        CHECK(ends(table_of(r, "iso").retention_ends) ==
              Dates{"2025-12-01", "2025-11-30", "2026-07-01", "2025-11-30", "none", "none"});
        CHECK(ends(table_of(r, "secs").retention_ends) == Dates{"2025-11-02", "2025-11-01", "none"});
        CHECK(ends(table_of(r, "millis").retention_ends) == Dates{"2026-11-01", "2026-10-31"});
        // Text, Unix seconds, and two Julian day numbers (2025-11-21, 2025-08-13).
        CHECK(ends(table_of(r, "native").retention_ends) == Dates{"2026-02-28", "2025-11-30", "2025-12-21", "2025-09-13"});
        const auto& items = table_of(r, "items");
        CHECK(keys(items) == Keys{1, 2, 3});
        CHECK(ends(items.retention_ends) == Dates{"2035-11-01", "2035-10-31", "2036-06-01"});
        CHECK(ends(items.hold_ends) == Dates{"2027-11-01", "2027-10-31", "2028-06-01"});
        CHECK(table_of(r, "iso").hold_ends.empty());
        CHECK(r.total_rows == 1 + 6 + 3 + 2 + 4 + 3);
    }
    SUBCASE("the CCPA look-back keeps the last 12 months and rows it cannot date") {
        auto r = shop.read(false);
        REQUIRE(r.look_back);
        CHECK(format_date(r.look_back->since) == "2025-11-01");
        CHECK(r.look_back->tables_without_timestamp == std::vector<std::string>{"customers"});
        CHECK(keys(table_of(r, "customers")) == Keys{1});
        // 2: a second too early; 4: 2025-10-31T23:00Z in UTC; 5 and 6 cannot be dated.
        CHECK(keys(table_of(r, "iso")) == Keys{1, 3, 5, 6});
        CHECK(keys(table_of(r, "secs")) == Keys{1, 3});
        CHECK(keys(table_of(r, "millis")) == Keys{1});
        CHECK(keys(table_of(r, "native")) == Keys{1, 3});
        CHECK(keys(table_of(r, "items")) == Keys{1, 3});
    }
    SUBCASE("a withheld column is read only as held or not") {
        auto r = shop.read(true);
        const auto& customers = table_of(r, "customers");
        CHECK(customers.columns == std::vector<std::string>{"id", "email", "ssn"});
        CHECK(customers.withheld == std::vector<bool>{false, false, true});
        REQUIRE(customers.rows.size() == 1);
        CHECK(std::get<std::string>(customers.rows[0][1]) == "ana@example.com");
        CHECK(std::get<std::int64_t>(customers.rows[0][2]) == 1);
        auto json = dsr::report::AccessJsonWriter(shop.policy).report({}, {}, r);
        CHECK(json.find("123-45-6789") == std::string::npos);
        CHECK(json.find(R"("ssn":{"withheld":true})") != std::string::npos);
        auto text = dsr::report::access_text(shop.policy, r);
        CHECK(text.find("123-45-6789") == std::string::npos);
        CHECK(text.find("ssn: held, not shown for your security") != std::string::npos);

        auto bo = dsr::graph::match_subject(*shop.db, shop.policy, "customer_id", "2");
        auto none = dsr::jobs::read_subject_data(*shop.db, "main", shop.policy, bo, {});
        CHECK(std::holds_alternative<std::monostate>(table_of(none, "customers").rows.at(0)[2]));
    }
}
