// Tests for lib/jobs/purge.h and lib/purge/ on a small hand-made shop: each
// expired row's fate (deleted, held, kept for a child this run keeps,
// masked, deleted after delete_after), a dry run that counts exactly what
// the real run does, a stop between batches continued from the cursor to the
// same end state, and a second run that changes nothing.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <set>
#include <string>

#include "crypto/keys.h"
#include "crypto/pseudonym.h"
#include "db/database.h"
#include "graph/timestamp_sql.h"
#include "jobs/erase.h"
#include "jobs/purge.h"
#include "policy/loader.h"
#include "purge/purge_cursors.h"
#include "purge/retention_rules.h"
#include "state/state_store.h"
#include "policy_shop.h"
#include "temp_dir.h"

namespace {

using namespace std::chrono;

constexpr const char* schema = R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), placed_at TEXT NOT NULL);
CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), paid_at INTEGER);
CREATE TABLE shipments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), name TEXT,
                        shipped_ms INTEGER NOT NULL);
CREATE TABLE reviews (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), body TEXT);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX payments_order ON payments(order_id);
CREATE INDEX shipments_order ON shipments(order_id);
CREATE INDEX reviews_order ON reviews(order_id);
INSERT INTO customers VALUES (1, 'ana@example.com');
INSERT INTO orders VALUES
  (10, 1, '2014-01-01T10:00:00Z'),   -- expired; its payment is still held: kept as parent
  (11, 1, '2014-02-01T10:00:00Z'),   -- expired, every child gone with it
  (12, 1, '2014-03-01T10:00:00Z'),   -- expired, but an unlisted review refers to it
  (13, 1, '2025-06-01T10:00:00Z');   -- not expired
INSERT INTO payments VALUES
  (100, 10, 1700000000),             -- 2023-11-14: held (10y) although retention (3y) ended
  (101, 11, 1391248800),             -- 2014-02-01: expired and its hold ended
  (102, 13, NULL);                   -- no timestamp: never expires
INSERT INTO shipments VALUES
  (200, 11, 'Ana', 1391248800000),   -- 2014: masked at 2y, deleted at 10y
  (201, 13, 'Ana', 1717236000000),   -- 2024-06-01: masked
  (202, 13, 'Ana', 1780000000000);   -- 2026-05-28: kept as is
INSERT INTO reviews VALUES (300, 12, 'nice');
)";

constexpr const char* purge_policy_text = R"(
version: 1
controller: {name: C, contact: c@example.com}
regime: gdpr
databases: {main: {url: "sqlite:shop.db"}}
identities:
  customer_id: {column: customers.id}
purposes:
  sale: {basis: contract, description: d}
  tax: {basis: legal_obligation, description: d}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [sale], source: provided}
  orders:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns:
      placed_at: {category: purchase_history, purposes: [sale, tax], source: observed}
    retention: {column: placed_at, format: iso8601, keep: 10y}
  payments:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      paid_at: {category: payment, purposes: [tax], source: observed}
    erasure:
      action: delete
      hold: {purpose: tax, column: paid_at, format: unix_seconds, keep: 10y}
    retention: {column: paid_at, format: unix_seconds, keep: 3y}
  shipments:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      name: {category: contact, purposes: [sale], source: provided}
      shipped_ms: {category: purchase_history, purposes: [sale], source: observed}
    erasure:
      action: delete
      mask: {name: {method: redact, text: "[erased]"}}
    retention: {column: shipped_ms, format: unix_millis, keep: 2y, action: mask, delete_after: 10y}
non_personal_tables: [reviews]
)";

struct PurgeShop : dsr::test::PolicyShop {
    PurgeShop() : PurgeShop(schema, purge_policy_text) {}
    PurgeShop(const char* schema_sql, const char* policy_text) : PolicyShop(schema_sql, policy_text) {}

    dsr::jobs::PurgeOutcome purge(bool dry_run, std::size_t batch_size = 2,
                                  dsr::purge::PurgeCursors* cursors = nullptr,
                                  std::function<bool()> should_stop = {}) const {
        dsr::jobs::PurgeSettings settings;
        settings.dry_run = dry_run;
        settings.batch_size = batch_size;
        settings.should_stop = std::move(should_stop);
        return purge(settings, cursors);
    }

    /// With `settings` as given but for the date.
    dsr::jobs::PurgeOutcome purge(dsr::jobs::PurgeSettings settings, dsr::purge::PurgeCursors* cursors = nullptr) const {
        auto db = open(settings.dry_run, on_write);
        auto setup = dsr::jobs::prepare_erasure(*db, policy, "main");
        settings.now = now;
        dsr::jobs::PurgeOutcome out;
        dsr::jobs::run_purge(*db, policy, setup, cursors, key, settings, out);
        return out;
    }

    /// The shop in WAL mode, where a second connection reads while the
    /// first writes (Database::reads_beside_writes), and such a connection.
    std::unique_ptr<dsr::db::Database> reader(dsr::db::StatementObserver on_statement = {}) const {
        SQLite::Database(file, SQLite::OPEN_READWRITE).exec("PRAGMA journal_mode = WAL");
        return open(true, std::move(on_statement));
    }

    /// Told of each statement of the purge's own connection.
    dsr::db::StatementObserver on_write;

    std::string keys(const std::string& table) const {
        SQLite::Database db(file);
        SQLite::Statement q(db, "SELECT group_concat(id) FROM (SELECT id FROM " + table + " ORDER BY id)");
        q.executeStep();
        return q.getColumn(0).isNull() ? "" : q.getColumn(0).getString();
    }

    std::string dump() const {
        std::string out;
        for (const char* t : {"customers", "orders", "payments", "shipments", "reviews"}) {
            SQLite::Database db(file);
            SQLite::Statement q(db, std::string("SELECT * FROM ") + t + " ORDER BY id");
            while (q.executeStep()) {
                for (int c = 0; c < q.getColumnCount(); ++c) out += q.getColumn(c).getString() + "|";
                out += "\n";
            }
        }
        return out;
    }
};

const dsr::jobs::TablePurge& table(const dsr::jobs::PurgeOutcome& out, const std::string& name) {
    auto it = std::find_if(out.tables.begin(), out.tables.end(), [&](const auto& t) { return t.table->name == name; });
    REQUIRE(it != out.tables.end());
    return *it;
}

}  // namespace

TEST_CASE("run_purge: each expired row's fate") {
    PurgeShop shop;
    auto out = shop.purge(false);
    CHECK(out.complete);
    // Children first: payments and shipments before orders.
    REQUIRE(out.tables.size() == 3);
    CHECK(out.tables.back().table->name == "orders");

    const auto& payments = table(out, "payments");
    CHECK(payments.examined == 2);
    CHECK(payments.held == 1);
    CHECK(payments.deleted == 1);
    CHECK(shop.keys("payments") == "100,102");

    const auto& shipments = table(out, "shipments");
    CHECK(shipments.examined == 2);
    CHECK(shipments.deleted == 1);  // 200: past delete_after
    CHECK(shipments.masked == 1);   // 201
    CHECK(shop.keys("shipments") == "201,202");

    const auto& orders = table(out, "orders");
    CHECK(orders.examined == 3);
    CHECK(orders.deleted == 1);         // 11
    CHECK(orders.kept_as_parent == 2);  // 10 (held payment), 12 (a review the policy does not purge)
    CHECK(orders.kept_for == std::vector<std::pair<std::string, std::size_t>>{{"payments", 1}, {"reviews", 1}});
    CHECK(shop.keys("orders") == "10,12,13");
    CHECK(out.residue_removed);

    SQLite::Database db(shop.file);
    CHECK(db.execAndGet("SELECT name FROM shipments WHERE id = 201").getString() == "[erased]");
    CHECK(db.execAndGet("SELECT name FROM shipments WHERE id = 202").getString() == "Ana");
    CHECK(db.execAndGet("SELECT count(*) FROM pragma_foreign_key_check").getInt() == 0);
}

TEST_CASE("run_purge: a dry run counts what the real run does and changes nothing") {
    PurgeShop shop;
    auto before = shop.dump();
    auto dry = shop.purge(true);
    CHECK(shop.dump() == before);
    auto real = shop.purge(false);
    REQUIRE(dry.tables.size() == real.tables.size());
    for (std::size_t i = 0; i < dry.tables.size(); ++i) {
        INFO(dry.tables[i].table->name);
        CHECK(dry.tables[i].examined == real.tables[i].examined);
        CHECK(dry.tables[i].deleted == real.tables[i].deleted);
        CHECK(dry.tables[i].masked == real.tables[i].masked);
        CHECK(dry.tables[i].held == real.tables[i].held);
        CHECK(dry.tables[i].kept_as_parent == real.tables[i].kept_as_parent);
    }
}

TEST_CASE("run_purge: a second run changes nothing") {
    PurgeShop shop;
    shop.purge(false);
    auto after = shop.dump();
    auto again = shop.purge(false);
    CHECK(again.changed() == 0);
    CHECK(table(again, "shipments").already_masked == 1);
    CHECK(shop.dump() == after);
}

TEST_CASE("run_purge: stopped between batches, continued from the cursor, ends where one run ends") {
    PurgeShop whole;
    whole.purge(false, 1);

    PurgeShop stopped;
    dsr::state::StateStore store(stopped.dir.file("state.db"), {});
    dsr::purge::PurgeCursors cursors(store, "sqlite:" + stopped.file);
    int batches = 0;
    auto first = stopped.purge(false, 1, &cursors, [&] { return ++batches > 0; });
    CHECK_FALSE(first.complete);
    REQUIRE(cursors.get("payments"));
    auto second = stopped.purge(false, 1, &cursors);
    CHECK(second.complete);
    CHECK(table(second, "payments").resumed);
    CHECK_FALSE(cursors.get("payments"));
    CHECK(stopped.dump() == whole.dump());
}

TEST_CASE("PurgeCursors: a save that does not wait for the disk is kept, and later commits wait again") {
    dsr::test::TempDir dir;
    const std::string path = dir.file("state.db");
    {
        dsr::state::StateStore store(path, {});
        dsr::purge::PurgeCursors cursors(store, "sqlite:/shop.db");
        cursors.save("orders", std::int64_t{42}, "policy", system_clock::now(),
                     dsr::purge::PurgeCursors::Sync::deferred);
        // 2 is FULL: what the store's audit entries and ledgers commit with.
        CHECK(store.db().execAndGet("PRAGMA synchronous").getInt() == 2);
        // Committed, not merely held by this connection.
        SQLite::Database other(path, SQLite::OPEN_READONLY);
        CHECK(other.execAndGet("SELECT last_key FROM purge_cursors WHERE table_name = 'orders'").getInt64() == 42);
    }
    dsr::state::StateStore reopened(path, {});
    auto key = dsr::purge::PurgeCursors(reopened, "sqlite:/shop.db").get("orders");
    REQUIRE(key);
    CHECK(std::get<std::int64_t>(*key) == 42);
}

/// Every count a table's purge reports, to compare two runs.
std::string counts(const dsr::jobs::PurgeOutcome& out) {
    std::string text;
    for (const auto& t : out.tables) {
        text += t.table->name + ": " + std::to_string(t.examined) + " examined, " + std::to_string(t.deleted) +
                " deleted, " + std::to_string(t.masked) + " masked, " + std::to_string(t.already_masked) +
                " already, " + std::to_string(t.held) + " held, " + std::to_string(t.kept_as_parent) + " kept";
        for (const auto& [referring, rows] : t.kept_for) text += ", " + std::to_string(rows) + " for " + referring;
        text += "\n";
    }
    return text;
}

TEST_CASE("run_purge: rows read on a second connection while the first writes: the same run as with one") {
    PurgeShop alone;
    alone.reader();  // the same journal mode
    dsr::jobs::PurgeSettings settings;
    settings.batch_size = 1;
    settings.read_rows = 1;  // every read but the first runs beside a write
    auto one = alone.purge(settings);

    PurgeShop beside;
    auto reader = beside.reader();
    settings.reader = reader.get();
    SUBCASE("reads far ahead of the writes") {}
    SUBCASE("the reader waits for the writes after each row") { settings.read_ahead_rows = 1; }
    auto two = beside.purge(settings);
    CHECK(two.complete);
    CHECK(counts(two) == counts(one));
    CHECK(table(two, "orders").kept_for == table(one, "orders").kept_for);
    CHECK(beside.dump() == alone.dump());
    CHECK(two.changed() == 4);  // not two empty runs
}

TEST_CASE("run_purge: stopped while the next rows are being read beside the writes, continued, ends where one run ends") {
    PurgeShop whole;
    whole.purge(false, 1);

    PurgeShop stopped;
    auto reader = stopped.reader();
    dsr::state::StateStore store(stopped.dir.file("state.db"), {});
    dsr::purge::PurgeCursors cursors(store, "sqlite:" + stopped.file);
    dsr::jobs::PurgeSettings settings;
    settings.batch_size = 1;
    settings.read_rows = 1;
    settings.reader = reader.get();
    settings.should_stop = [] { return true; };  // after the first batch, with the second row's read under way
    auto first = stopped.purge(settings, &cursors);
    CHECK_FALSE(first.complete);
    CHECK(first.examined() == 1);  // the row read ahead is not counted
    settings.should_stop = {};
    auto second = stopped.purge(settings, &cursors);
    CHECK(second.complete);
    CHECK(stopped.dump() == whole.dump());
}

TEST_CASE("run_purge: a table's first read runs on the reader while the tables before it are written") {
    // Every read here finds its table's last rows (read_rows is far above
    // each table's), so each table's first read may start as soon as the
    // read before it ends: orders' is made while payments' first batch is
    // written, before that batch's rows are gone.
    PurgeShop alone;
    alone.reader();
    dsr::jobs::PurgeSettings settings;
    settings.batch_size = 1;
    auto one = alone.purge(settings);

    PurgeShop beside;
    std::mutex mutex;
    std::condition_variable told;
    bool orders_read = false;
    auto reader = beside.reader([&](std::string_view sql, microseconds) {
        if (sql.find("FROM \"orders\" AS") == std::string_view::npos) return;
        std::lock_guard lock(mutex);
        orders_read = true;
        told.notify_all();
    });
    bool waited = false, read_early = false;
    beside.on_write = [&](std::string_view sql, microseconds) {
        if (waited || !sql.starts_with("DELETE FROM \"payments\"")) return;
        waited = true;  // inside the first batch's transaction: its delete is not committed yet
        std::unique_lock lock(mutex);
        read_early = told.wait_for(lock, seconds(5), [&] { return orders_read; });
    };
    settings.reader = reader.get();
    auto two = beside.purge(settings);
    CHECK(waited);
    CHECK(read_early);
    CHECK(two.complete);
    CHECK(counts(two) == counts(one));
    CHECK(table(two, "orders").kept_for == table(one, "orders").kept_for);
    CHECK(beside.dump() == alone.dump());
}

TEST_CASE("next_purge_batch: batches are sized to hold the lock about purge_lock_target") {
    using dsr::jobs::next_purge_batch;
    using dsr::jobs::purge_lock_target;
    const microseconds target = purge_lock_target;
    CHECK(next_purge_batch(1000, target, 10000) == 1000);
    CHECK(next_purge_batch(1000, target / 2, 10000) == 2000);
    // Scaled by target / hold, but never more than doubled nor less than halved.
    CHECK(next_purge_batch(1000, target / 100, 10000) == 2000);
    CHECK(next_purge_batch(1000, target * 10, 10000) == 500);
    CHECK(next_purge_batch(1000, target * 5 / 4, 10000) == 800);
    CHECK(next_purge_batch(1000, microseconds{0}, 10000) == 2000);
    // Within the floor and the ceiling (--batch-size), which wins when lower.
    CHECK(next_purge_batch(8000, target / 4, 10000) == 10000);
    CHECK(next_purge_batch(60, target * 4, 10000) == dsr::jobs::min_purge_batch);
    CHECK(next_purge_batch(2, target * 4, 2) == 2);
    CHECK(next_purge_batch(1, target / 4, 1) == 1);
}

TEST_CASE("PurgeBatchSizer: one fast write does not double the next batch after a slow one") {
    using dsr::jobs::PurgeBatchSizer;
    const microseconds target = dsr::jobs::purge_lock_target;
    PurgeBatchSizer sizer(10000);
    CHECK(sizer.rows() == dsr::jobs::first_purge_batch);
    sizer.wrote(1000, 1000, target);  // the pace the target allows: the size stays
    CHECK(sizer.rows() == 1000);
    sizer.wrote(1000, 1000, target / 2);  // fast once: the write before sets the pace
    CHECK(sizer.rows() == 1000);
    sizer.wrote(1000, 1000, target / 2);  // fast twice: now it grows
    CHECK(sizer.rows() == 2000);
    sizer.wrote(2000, 2000, target * 2);  // slow once: it shrinks at once
    CHECK(sizer.rows() == 1000);
    PurgeBatchSizer short_last(10000);
    short_last.wrote(1000, 250, target / 4);  // a read's short last batch, at the target's pace: no doubling
    CHECK(short_last.rows() == 1000);
    PurgeBatchSizer small(2);  // --batch-size below the first batch
    CHECK(small.rows() == 2);
    // Beside a reader the batches aim at 40 ms: 1,000 rows in 80 ms make
    // the next 500 rows, where the 50 ms target makes them 625.
    PurgeBatchSizer beside(10000, dsr::jobs::purge_lock_target_beside_reads);
    PurgeBatchSizer alone(10000);
    beside.wrote(1000, 1000, milliseconds(80));
    alone.wrote(1000, 1000, milliseconds(80));
    CHECK(beside.rows() == 500);
    CHECK(alone.rows() == 625);
}

TEST_CASE("run_purge: a retention on the parent's timestamp; action mask without delete_after masks, never deletes") {
    std::string lines_schema = std::string(schema) +
                               "CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id), "
                               "note TEXT);"
                               "INSERT INTO order_lines VALUES (400, 11, 'gift'), (401, 13, 'gift'), (402, NULL, 'gift');";
    std::string lines_policy = purge_policy_text;
    lines_policy.insert(lines_policy.find("non_personal_tables:"), R"(  order_lines:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      note: {category: purchase_history, purposes: [sale], source: provided}
    erasure:
      action: delete
      mask: {note: {method: redact, text: "[erased]"}}
    retention: {column: orders.placed_at, format: iso8601, keep: 10y, action: mask}
)");
    PurgeShop shop(lines_schema.c_str(), lines_policy.c_str());
    auto out = shop.purge(false);
    const auto& lines = table(out, "order_lines");
    CHECK(lines.examined == 1);  // 400: its order of 2014 has expired; 401's has not; 402 has none
    CHECK(lines.masked == 1);
    CHECK(lines.deleted == 0);
    SQLite::Database db(shop.file);
    CHECK(db.execAndGet("SELECT group_concat(note, '|') FROM (SELECT note FROM order_lines ORDER BY id)").getString() ==
          "[erased]|gift|gift");
    // The masked line is kept, so its order is too.
    CHECK(shop.keys("orders") == "10,11,12,13");
}

namespace {

/// Tables t0 … t<n-1>, each referring to the one before, each purged: deciding whether a row of t0 may go asks
/// whether rows of t1 go, which asks of t2, …
std::pair<std::string, std::string> nested_shop(int n) {
    std::string sql, policy = R"(
version: 1
controller: {name: C, contact: c@example.com}
regime: gdpr
databases: {main: {url: "sqlite:shop.db"}}
identities:
  customer_id: {column: t0.id}
purposes:
  sale: {basis: contract, description: d}
tables:
)";
    for (int i = 0; i < n; ++i) {
        std::string t = "t" + std::to_string(i), up = "t" + std::to_string(i - 1);
        sql += "CREATE TABLE " + t + " (id INTEGER PRIMARY KEY, at TEXT NOT NULL" +
               (i ? ", up INTEGER REFERENCES " + up + "(id)" : std::string()) + ");";
        sql += "INSERT INTO " + t + " VALUES (1, '2001-01-01'" + (i ? ", 1" : "") + ");";
        policy += "  " + t + ":\n    key: id\n";
        if (i) policy += "    links: [{column: up, references: " + up + ".id}]\n";
        policy += "    columns:\n      at: {category: purchase_history, purposes: [sale], source: observed}\n"
                  "    retention: {column: at, format: iso8601, keep: 1y}\n";
    }
    return {sql, policy};
}

}  // namespace

TEST_CASE("retention rules: references nested six tables deep are followed and run, seven are refused") {
    SUBCASE("six: made, each level asking of the next, and SQLite runs them") {
        auto made = nested_shop(6);
        PurgeShop shop(made.first.c_str(), made.second.c_str());
        {
            auto db = shop.open(true);
            auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
            std::set<std::string> purged;
            for (const auto& t : shop.policy.tables) purged.insert(t.name);
            dsr::purge::RetentionRules rules(*db, shop.policy, setup.order, dsr::CivilDate{floor<days>(shop.now)},
                                             purged);
            auto t0 = rules.rules_for(*shop.policy.find_table("t0"));
            REQUIRE(t0.blockers.size() == 1);
            CHECK(t0.blockers[0].table == "t1");
            // t5's rows are the deepest asked about: five levels of children below dsr_row.
            std::string deepest = "dsr_row";
            for (int i = 0; i < 5; ++i) deepest += "_1";
            const std::string sql = t0.deletable().sql;
            CHECK(sql.find(deepest + ".") != std::string::npos);
            CHECK(sql.find(deepest + "_1.") == std::string::npos);
        }
        // Every row expired: the whole chain goes, deepest first, in one run.
        auto outcome = shop.purge(false);
        for (int i = 0; i < 6; ++i) CHECK(shop.keys("t" + std::to_string(i)) == "");
        CHECK(outcome.tables.size() == 6);
    }
    SUBCASE("seven: the rules of t0 are refused, those of t1 (six deep) are not") {
        auto made = nested_shop(7);
        PurgeShop shop(made.first.c_str(), made.second.c_str());
        auto db = shop.open(true);
        auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
        std::set<std::string> purged;
        for (const auto& t : shop.policy.tables) purged.insert(t.name);
        dsr::purge::RetentionRules rules(*db, shop.policy, setup.order, dsr::CivilDate{floor<days>(shop.now)}, purged);
        try {
            rules.rules_for(*shop.policy.find_table("t0"));
            FAIL("no exception");
        } catch (const dsr::Error& e) {
            CHECK(e.status() == dsr::ExitStatus::invalid_policy);
            CHECK(std::string(e.what()) == "references to table 't6' nest more than 6 tables deep");
        }
        CHECK(rules.rules_for(*shop.policy.find_table("t1")).blockers.size() == 1);
    }
}

TEST_CASE("run_purge: a table that refers to one parent through two columns keeps it through either") {
    std::string transfers_schema =
        std::string(schema) +
        "CREATE TABLE transfers (id INTEGER PRIMARY KEY, from_order INTEGER REFERENCES orders(id), "
        "to_order INTEGER REFERENCES orders(id));"
        "INSERT INTO transfers VALUES (1, NULL, 11);";
    std::string transfers_policy = purge_policy_text;
    transfers_policy.replace(transfers_policy.find("[reviews]"), 9, "[reviews, transfers]");
    PurgeShop shop(transfers_schema.c_str(), transfers_policy.c_str());
    auto out = shop.purge(false);
    const auto& orders = table(out, "orders");
    CHECK(orders.deleted == 0);  // 11, the one order that went before, is kept by the transfer
    CHECK(orders.kept_as_parent == 3);
    auto kept_for = orders.kept_for;
    std::sort(kept_for.begin(), kept_for.end());
    CHECK(kept_for == std::vector<std::pair<std::string, std::size_t>>{{"payments", 1}, {"reviews", 1}, {"transfers", 1}});
    CHECK(shop.keys("orders") == "10,11,12,13");
}

TEST_CASE("timestamp SQL: a parent's timestamp through a table that does not link to it is refused") {
    // The loader refuses such a policy; a table built by hand reaches the guard.
    PurgeShop shop;
    auto db = shop.open(true);
    dsr::policy::Table reviews;
    reviews.name = "reviews";
    reviews.key = "id";
    dsr::policy::Timestamp placed;
    placed.table = "orders";
    placed.column = "placed_at";
    const std::string refusal = "table 'reviews' does not link to 'orders'";
    CHECK_THROWS_WITH_AS(dsr::graph::timestamp_sql(*db, reviews, placed, "r"), refusal.c_str(), dsr::Error);
    CHECK_THROWS_WITH_AS(dsr::graph::timestamp_earlier_than(*db, reviews, placed, "r", 0), refusal.c_str(), dsr::Error);
}

TEST_CASE("run_purge: expired rows spread thin over the keys are deleted by their keys, rechecked") {
    // 5,000 more orders placed in 2025, but one in fifty in 2014; a review
    // keeps one of those. A batch of 40 then spans some 2,000 keys.
    std::string sparse_schema =
        std::string(schema) +
        "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i + 1 FROM n WHERE i < 5999) "
        "INSERT INTO orders SELECT i, 1, CASE WHEN i % 50 = 0 THEN '2014-05-01T10:00:00Z' "
        "ELSE '2025-05-01T10:00:00Z' END FROM n;"
        "INSERT INTO reviews VALUES (301, 1500, 'kept');";
    PurgeShop shop(sparse_schema.c_str(), purge_policy_text);
    auto dry = shop.purge(true, 40);

    std::vector<std::string> deletes;
    dsr::db::OpenOptions options;
    options.read_only = false;
    options.on_statement = [&](std::string_view sql, std::chrono::microseconds) {
        if (sql.starts_with("DELETE FROM \"orders\"")) deletes.emplace_back(sql);
    };
    auto db = dsr::db::open_database(shop.file, options);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    dsr::jobs::PurgeSettings settings;
    settings.now = shop.now;
    settings.batch_size = 40;
    dsr::jobs::PurgeOutcome out;
    dsr::jobs::run_purge(*db, shop.policy, setup, nullptr, shop.key, settings, out);

    const auto& orders = table(out, "orders");
    CHECK(orders.deleted == 100);        // 11, and the hundred of 1000–5950 but 1500
    CHECK(orders.kept_as_parent == 3);  // 10, 12 as before, and 1500 for its review
    CHECK(table(dry, "orders").deleted == orders.deleted);
    SQLite::Database check(shop.file);
    CHECK(check.execAndGet("SELECT count(*) FROM orders WHERE placed_at < '2015'").getInt() == 3);
    CHECK(check.execAndGet("SELECT count(*) FROM orders").getInt() == 4 + 5000 - 100);
    // Every delete named its rows and asked again whether each may go.
    REQUIRE(deletes.size() >= 3);
    for (const auto& sql : deletes) {
        INFO(sql);
        CHECK(sql.find("\"id\" IN (") != std::string::npos);
        CHECK(sql.find("EXISTS") != std::string::npos);
    }
}

namespace {

// Sessions whose start times follow no order of their keys, with an index on
// them, and visits with the same rows but no such index. Three rows a
// customer, every 16⅔ hours over some six years from 2020-09-13: about
// three in four started before the two years kept.
constexpr const char* scattered_schema = R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
CREATE TABLE sessions (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                       started_at INTEGER NOT NULL);
CREATE TABLE visits (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                     started_at INTEGER NOT NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
  INSERT INTO customers SELECT i, 'c' || i || '@example.com' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
  INSERT INTO sessions SELECT i, (i - 1) / 3 + 1, 1600000000000 + (i * 7919 % 3000) * 60000000 FROM n;
INSERT INTO visits SELECT * FROM sessions;
CREATE INDEX sessions_customer ON sessions(customer_id);
CREATE INDEX sessions_started ON sessions(started_at);
CREATE INDEX visits_customer ON visits(customer_id);
)";

constexpr const char* scattered_policy = R"(
version: 1
controller: {name: C, contact: c@example.com}
regime: gdpr
databases: {main: {url: "sqlite:shop.db"}}
identities:
  customer_id: {column: customers.id}
purposes:
  analytics: {basis: legitimate_interest, description: d}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [analytics], source: provided}
  sessions:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns:
      started_at: {category: online_identifier, purposes: [analytics], source: observed}
    retention: {column: started_at, format: unix_millis, keep: 2y}
  visits:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns:
      started_at: {category: online_identifier, purposes: [analytics], source: observed}
    retention: {column: started_at, format: unix_millis, keep: 2y}
)";

/// Windows of 1,000 rows, batches of 100: each window one span of ten batches.
dsr::jobs::PurgeSettings scattered_settings() {
    dsr::jobs::PurgeSettings settings;
    settings.read_rows = 1000;
    settings.batch_size = 100;
    return settings;
}

std::int64_t count(const std::string& file, const std::string& sql) {
    SQLite::Database db(file);
    return db.execAndGet(sql).getInt64();
}

}  // namespace

TEST_CASE("run_purge: rows scattered over an index are deleted in its order, a span of keys at a time") {
    PurgeShop shop(scattered_schema, scattered_policy);
    std::vector<std::string> deletes;
    shop.on_write = [&](std::string_view sql, microseconds) {
        if (sql.starts_with("DELETE")) deletes.emplace_back(sql);
    };
    const auto total = count(shop.file, "SELECT count(*) FROM sessions");
    auto out = shop.purge(scattered_settings());

    const auto& sessions = table(out, "sessions");
    const auto cutoff = std::to_string(sessions.expired_before * 1000);
    const auto expired = count(shop.file, "SELECT count(*) FROM visits WHERE started_at < " + cutoff);
    CHECK(expired == 0);
    CHECK(count(shop.file, "SELECT count(*) FROM sessions WHERE started_at < " + cutoff) == 0);
    CHECK(sessions.deleted > 2000);
    CHECK(count(shop.file, "SELECT count(*) FROM sessions") == total - static_cast<std::int64_t>(sessions.deleted));
    CHECK(table(out, "visits").deleted == sessions.deleted);
    // Sessions by their keys, a slice of the start-time index each; visits,
    // whose only index follows the key, by stretches of keys.
    std::size_t by_keys = 0, by_stretch = 0;
    for (const auto& sql : deletes) {
        const bool keys = sql.find("\"id\" IN (") != std::string::npos;
        if (sql.starts_with("DELETE FROM \"sessions\"")) by_keys += keys ? 1 : 0;
        else if (keys) FAIL("visits deleted by keys: " << sql);
        else ++by_stretch;
    }
    CHECK(by_keys >= 20);  // the two full windows, ten batches each (more if they shrank)
    CHECK(by_stretch == table(out, "visits").batches);
}

TEST_CASE("run_purge: the first batch of a span in index order takes the span's earliest rows") {
    PurgeShop shop(scattered_schema, scattered_policy);
    auto settings = scattered_settings();
    settings.only_table = "sessions";
    settings.should_stop = [] { return true; };  // after the run's first batch
    auto out = shop.purge(settings);
    const auto cutoff = std::to_string(table(out, "sessions").expired_before * 1000);
    REQUIRE(table(out, "sessions").deleted == 100);
    // The span is the first 1,000 expired rows by key; of them, the 100 that
    // started first are gone, and no other row.
    const std::string span =
        "SELECT id, started_at FROM visits WHERE started_at < " + cutoff + " ORDER BY id LIMIT 1000";
    CHECK(count(shop.file, "SELECT count(*) FROM (SELECT id FROM (" + span +
                               ") ORDER BY started_at, id LIMIT 100) WHERE id IN (SELECT id FROM sessions)") == 0);
    CHECK(count(shop.file, "SELECT count(*) FROM visits WHERE id NOT IN (SELECT id FROM sessions)") == 100);
    CHECK(count(shop.file, "SELECT max(id) - min(id) FROM visits WHERE id NOT IN (SELECT id FROM sessions)") > 500);
}

TEST_CASE("run_purge: stopped inside a span written in index order, continued from the span's start, ends where one run ends") {
    PurgeShop whole(scattered_schema, scattered_policy);
    const auto whole_deleted = table(whole.purge(scattered_settings()), "sessions").deleted;

    PurgeShop stopped(scattered_schema, scattered_policy);
    dsr::state::StateStore store(stopped.dir.file("state.db"), {});
    dsr::purge::PurgeCursors cursors(store, "sqlite:" + stopped.file);
    auto settings = scattered_settings();
    settings.only_table = "sessions";
    // Some batches into the second span, however the batches were sized.
    std::size_t changed = 0;
    settings.on_progress = [&](const dsr::jobs::PurgeProgress& p) { changed = p.changed; };
    settings.should_stop = [&] { return changed >= 1250; };
    auto first = stopped.purge(settings, &cursors);
    CHECK_FALSE(first.complete);
    CHECK(table(first, "sessions").deleted >= 1250);
    CHECK(table(first, "sessions").deleted < 1500);
    // The cursor stays at the end of the first span until the second is written.
    const auto cutoff = std::to_string(table(first, "sessions").expired_before * 1000);
    const auto span_end =
        count(stopped.file, "SELECT max(id) FROM (SELECT id FROM visits WHERE started_at < " + cutoff +
                                " ORDER BY id LIMIT 1000)");
    auto cursor = cursors.get("sessions");
    REQUIRE(cursor);
    CHECK(std::get<std::int64_t>(*cursor) == span_end);

    settings.should_stop = {};
    settings.only_table.clear();
    auto second = stopped.purge(settings, &cursors);
    CHECK(second.complete);
    CHECK(table(second, "sessions").resumed);
    CHECK(table(first, "sessions").deleted + table(second, "sessions").deleted == whole_deleted);
    CHECK(stopped.keys("sessions") == whole.keys("sessions"));
    CHECK(stopped.keys("visits") == whole.keys("visits"));
}
