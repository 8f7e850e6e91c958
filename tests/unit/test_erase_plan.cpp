// Tests for lib/erase/erasure_plan.h, apply.h and lib/jobs/erase.h on a
// small hand-made shop: each row's fate (deleted, masked, held, kept as the
// parent of a held row), what an unlisted ON DELETE CASCADE table loses,
// NO ACTION refused before any change, a hold on a parent's timestamp,
// verification under either match, a second run that changes nothing, and a
// customer who registers again with an erased email.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "crypto/keys.h"
#include "crypto/pseudonym.h"
#include "db/database.h"
#include "jobs/erase.h"
#include "policy/loader.h"
#include "policy_shop.h"
#include "temp_dir.h"
#include "util/error.h"

namespace {

using namespace std::chrono;

constexpr const char* schema = R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, born TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), email TEXT NOT NULL,
                     placed_at TEXT NOT NULL);
CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id), token TEXT,
                       paid_at TEXT NOT NULL);
CREATE TABLE notes (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id) ON DELETE CASCADE, body TEXT);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_email ON orders(email);
CREATE INDEX payments_order ON payments(order_id);
INSERT INTO customers VALUES (1, 'ana@example.com', 'Ana', '1984-07-19'), (2, 'bo@example.com', 'Bo', NULL);
INSERT INTO orders VALUES (10, 1, 'ana@example.com', '2010-03-01T10:00:00Z'),  -- past its hold, but paid late
                          (11, 1, 'ana@example.com', '2024-05-01T10:00:00Z'),  -- held
                          (12, NULL, 'ana@example.com', '2012-01-01T10:00:00Z'),  -- a guest order, past
                          (13, 2, 'bo@example.com', '2011-01-01T10:00:00Z');
INSERT INTO payments VALUES (100, 10, 'tok_a', '2020-01-01T10:00:00Z'), (101, 11, 'tok_b', '2024-05-01T10:05:00Z'),
                            (102, 12, 'tok_c', '2012-01-01T10:05:00Z'), (103, 13, 'tok_d', '2011-01-01T10:05:00Z');
INSERT INTO notes VALUES (1000, 12, 'for Ana'), (1001, 13, 'for Bo');
)";

constexpr const char* erasure_policy_text = R"(
version: 1
controller: {name: C, contact: c@example.com}
regime: gdpr
databases: {main: {url: "sqlite:shop.db"}}
identities:
  email: {column: customers.email, normalize: email}
  customer_id: {column: customers.id}
purposes:
  sale: {basis: contract, description: d}
  tax: {basis: legal_obligation, description: d}
recipients:
  pay: {name: Payer, role: processor, country: NL, categories: [payment], purposes: [sale]}
  mail: {name: Mailer, role: processor, country: US, categories: [marketing_preferences], purposes: [sale]}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [sale], source: provided}
      name: {category: identity, purposes: [sale], source: provided}
      born: {category: demographic, purposes: [sale], source: provided}
    erasure:
      action: mask
      mask: {email: pseudonymize, name: redact, born: {method: generalize, to: year}}
  orders:
    key: id
    links: [{column: customer_id, references: customers.id}, {column: email, identity: email}]
    columns:
      email: {category: contact, purposes: [sale], source: provided}
      placed_at: {category: purchase_history, purposes: [sale, tax], source: observed}
    erasure:
      action: delete
      mask: {email: pseudonymize}
      hold: {purpose: tax, column: placed_at, format: iso8601, keep: 10y}
  payments:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      token: {category: payment, purposes: [sale], source: observed}
      paid_at: {category: payment, purposes: [tax], source: observed}
    erasure:
      action: delete
      mask: {token: null}
      hold: {purpose: tax, column: paid_at, format: iso8601, keep: 10y}
)";

struct ErasureShop : dsr::test::PolicyShop {
    ErasureShop() : PolicyShop(schema, erasure_policy_text) {}

    std::string scalar(const std::string& sql) const {
        SQLite::Database db(file);
        SQLite::Statement q(db, sql);
        if (!q.executeStep() || q.getColumn(0).isNull()) return "NULL";
        return q.getColumn(0).getString();
    }

    void exec(const std::string& sql) const { SQLite::Database(file, SQLite::OPEN_READWRITE).exec(sql); }
};

const dsr::erase::TablePlan& table(const dsr::erase::ErasurePlan& plan, const std::string& name) {
    auto it = std::find_if(plan.tables.begin(), plan.tables.end(),
                           [&](const auto& t) { return t.table->name == name; });
    REQUIRE(it != plan.tables.end());
    return *it;
}

dsr::jobs::EraseOutcome run(const ErasureShop& shop, const std::string& kind, const std::string& value) {
    auto db = shop.open(false);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    return dsr::jobs::run_erasure(*db, shop.policy, setup, shop.key, {kind, value}, shop.now, "");
}

}  // namespace

TEST_CASE("make_plan: each row's fate") {
    ErasureShop shop;
    auto db = shop.open(true);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    auto match = dsr::jobs::find_for_erasure(*db, shop.policy, shop.key, {"email", "ana@example.com"});
    auto plan = dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan;

    const auto& payments = table(plan, "payments");
    CHECK(payments.matched == 3);
    CHECK(payments.held == 2);
    REQUIRE(payments.deletes.size() == 1);
    CHECK(payments.deletes[0] == dsr::db::Value(std::int64_t{102}));
    REQUIRE(payments.hold_ends.size() == 2);
    CHECK(dsr::format_date(*payments.hold_ends[0].ends_on) == "2030-01-01");

    const auto& orders = table(plan, "orders");
    CHECK(orders.held == 1);            // 11
    CHECK(orders.kept_as_parent == 1);  // 10: its payment is still held
    CHECK(orders.kept_for == std::vector<std::string>{"payments"});
    REQUIRE(orders.deletes.size() == 1);  // the guest order 12
    CHECK(orders.deletes[0] == dsr::db::Value(std::int64_t{12}));
    REQUIRE(orders.cascades.size() == 1);
    CHECK(orders.cascades[0].via.table == "notes");
    CHECK(orders.cascades[0].rows == 1);

    CHECK(table(plan, "customers").masked == 1);
    CHECK(plan.held() == 4);
    auto categories = plan.erased_categories;
    std::sort(categories.begin(), categories.end());
    CHECK(categories == std::vector<std::string>{"contact", "demographic", "identity", "payment", "purchase_history"});
    // Reading changes nothing, and the same rows give the same digest.
    auto again = dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan;
    CHECK(again.digest == plan.digest);
}

TEST_CASE("run_erasure: carried out, verified, and a second run changes nothing") {
    ErasureShop shop;
    auto first = run(shop, "email", "ana@example.com");
    CHECK(first.applied);
    CHECK(first.residue_removed == true);
    CHECK(first.verification.passed);
    CHECK(shop.scalar("SELECT count(*) FROM orders WHERE id IN (10, 11, 12)") == "2");
    CHECK(shop.scalar("SELECT count(*) FROM notes") == "1");  // Bo's note stays
    CHECK(shop.scalar("SELECT token FROM payments WHERE id = 100") == "NULL");
    CHECK(shop.scalar("SELECT token FROM payments WHERE id = 103") == "tok_d");
    auto pseudonym = shop.scalar("SELECT email FROM customers WHERE id = 1");
    CHECK(pseudonym.ends_with("@erased.invalid"));
    CHECK(shop.scalar("SELECT count(*) FROM orders WHERE email = '" + pseudonym + "'") == "2");
    CHECK(shop.scalar("SELECT name || '|' || born FROM customers WHERE id = 1") == "[erased]|1984-01-01");
    CHECK(shop.scalar("PRAGMA foreign_key_check") == "NULL");

    SUBCASE("by the same email: found through the pseudonym, nothing to change") {
        auto second = run(shop, "email", "ana@example.com");
        CHECK(second.plan.matched() == first.plan.matched() - first.plan.deleted());
        CHECK(second.plan.changes() == 0);
        CHECK(second.statements == 0);
        CHECK(second.verification.passed);
    }
    SUBCASE("by id: the same") {
        auto second = run(shop, "customer_id", "1");
        CHECK(second.plan.changes() == 0);
    }
    SUBCASE("registered again under the erased email: a UNIQUE pseudonym of its own") {
        shop.exec("INSERT INTO customers VALUES (3, 'ana@example.com', 'Ana', NULL);"
                  "INSERT INTO orders VALUES (14, 3, 'ana@example.com', '2026-01-01T10:00:00Z');");
        auto again = run(shop, "email", "ana@example.com");
        CHECK(again.verification.passed);
        CHECK(table(again.plan, "customers").matched == 2);  // the new row and the erased one
        auto renewed = shop.scalar("SELECT email FROM customers WHERE id = 3");
        CHECK(renewed.starts_with("dsr-"));
        CHECK(renewed != pseudonym);
        CHECK(shop.scalar("SELECT count(*) FROM customers WHERE email = 'ana@example.com'") == "0");
    }
}

TEST_CASE("make_plan: a foreign key that would make the erasure fail is refused before any change") {
    ErasureShop shop;
    shop.exec("CREATE TABLE refunds (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id));"
              "INSERT INTO refunds VALUES (1, 13);");
    CHECK_THROWS_WITH_AS(run(shop, "customer_id", "2"), doctest::Contains("refunds (a table the policy does not list)"),
                         dsr::Error);
    CHECK(shop.scalar("SELECT count(*) FROM orders WHERE id = 13") == "1");
    CHECK(shop.scalar("SELECT email FROM customers WHERE id = 2") == "bo@example.com");
}

TEST_CASE("make_plan: a null mask on a NOT NULL column is refused before any change") {
    ErasureShop shop;
    shop.exec("CREATE TABLE t (x INTEGER)");  // any write, to be sure nothing else moves
    auto text = std::string(erasure_policy_text);
    text.replace(text.find("name: redact"), 12, "name: null");
    auto loaded = dsr::policy::load_policy_text(text, shop.dir.file("policy.yaml"));
    REQUIRE(loaded.policy);
    shop.policy = std::move(*loaded.policy);
    CHECK_THROWS_AS(run(shop, "customer_id", "1"), dsr::Error);
    CHECK(shop.scalar("SELECT name FROM customers WHERE id = 1") == "Ana");
}

TEST_CASE("make_plan: a hold on the parent's timestamp runs as long as the parent's") {
    std::string items_schema = std::string(schema) +
                               "CREATE TABLE items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders(id));"
                               "INSERT INTO items VALUES (500, 10), (501, 11), (502, 12);";
    std::string items_policy = std::string(erasure_policy_text) + R"(
  items:
    key: id
    links: [{column: order_id, references: orders.id}]
    columns:
      order_id: {category: purchase_history, purposes: [tax], source: observed}
    erasure:
      action: delete
      hold: {purpose: tax, column: orders.placed_at, format: iso8601, keep: 10y}
)";
    dsr::test::PolicyShop shop(items_schema.c_str(), items_policy.c_str());
    auto db = shop.open(true);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    auto match = dsr::jobs::find_for_erasure(*db, shop.policy, shop.key, {"email", "ana@example.com"});
    auto plan = dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan;
    const auto& items = table(plan, "items");
    CHECK(items.matched == 3);
    CHECK(items.held == 1);  // 501: order 11 of 2024
    REQUIRE(items.hold_ends.size() == 1);
    CHECK(dsr::format_date(*items.hold_ends[0].ends_on) == "2034-05-01");
    CHECK(items.deletes == std::vector<dsr::db::Value>{std::int64_t{500}, std::int64_t{502}});
}

TEST_CASE("verify_erasure: a row either match finds and the plan did not keep is unexpected, counted once") {
    ErasureShop shop;
    auto first = run(shop, "email", "ana@example.com");
    REQUIRE(first.verification.passed);
    // A guest order under Ana's email, written after her erasure.
    shop.exec("INSERT INTO orders VALUES (15, NULL, 'ana@example.com', '2026-11-01T10:00:00Z')");
    auto by_id = first.match;
    by_id.identity_values.clear();  // finds the customer's rows, not the guest order
    auto db = shop.open(true);
    auto orders_of = [&](const dsr::erase::Verification& v) {
        auto it = std::find_if(v.tables.begin(), v.tables.end(), [](const auto& t) { return t.table == "orders"; });
        REQUIRE(it != v.tables.end());
        return *it;
    };
    for (const auto& [before, again] : {std::pair{by_id, first.match}, std::pair{first.match, by_id},
                                        std::pair{first.match, first.match}}) {
        auto v = dsr::erase::verify_erasure(*db, shop.policy, first.plan, before, again);
        CHECK_FALSE(v.passed);
        auto orders = orders_of(v);
        CHECK(orders.unexpected == 1);
        CHECK(orders.kept == 2);
        CHECK(orders.not_deleted == 0);
    }
    auto only_id = dsr::erase::verify_erasure(*db, shop.policy, first.plan, by_id, by_id);
    CHECK(orders_of(only_id).unexpected == 0);
}

TEST_CASE("verify_erasure: a subject with more rows than one round of reads binds, each read back") {
    ErasureShop shop;
    // 5,000 payments of Ana's guest order 12, past their hold: deleted, and
    // read back in ten IN lists, more than one round of query_each.
    shop.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
              "INSERT INTO payments SELECT 1000 + i, 12, 'tok', '2012-01-01T10:05:00Z' FROM n");
    auto first = run(shop, "email", "ana@example.com");
    REQUIRE(first.verification.passed);
    CHECK(table(first.plan, "payments").deletes.size() == 5001);
    // Two deleted rows back, one among the first keys read and one among the
    // last: both found, and only they.
    shop.exec("INSERT INTO payments VALUES (1001, 12, 'tok', '2012-01-01T10:05:00Z'), "
              "(5990, 12, 'tok', '2012-01-01T10:05:00Z')");
    auto db = shop.open(true);
    auto v = dsr::erase::verify_erasure(*db, shop.policy, first.plan, first.match, first.match);
    CHECK_FALSE(v.passed);
    auto payments = std::find_if(v.tables.begin(), v.tables.end(), [](const auto& t) { return t.table == "payments"; });
    REQUIRE(payments != v.tables.end());
    CHECK(payments->not_deleted == 2);
    CHECK(payments->kept == table(first.plan, "payments").kept.size());
}

namespace {

std::string error_text_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const dsr::Error& e) {
        CHECK(e.status() == dsr::ExitStatus::invalid_policy);
        return e.what();
    }
    return "no exception";
}

/// Unlisted tables chain_1 … chain_n, each ON DELETE CASCADE from the one before (chain_1 from orders), each
/// with a row that hangs from Ana's guest order 12.
std::string cascade_chain(int n) {
    std::string sql;
    for (int i = 1; i <= n; ++i) {
        std::string parent = i == 1 ? "orders" : "chain_" + std::to_string(i - 1);
        sql += "CREATE TABLE chain_" + std::to_string(i) + " (id INTEGER PRIMARY KEY, up INTEGER REFERENCES " + parent +
               "(id) ON DELETE CASCADE);";
        sql += "INSERT INTO chain_" + std::to_string(i) + " VALUES (" + std::to_string(i) + ", " +
               (i == 1 ? "12" : std::to_string(i - 1)) + ");";
    }
    return sql;
}

}  // namespace

TEST_CASE("make_plan: ON DELETE CASCADE into rows of a listed table that are someone else's is refused") {
    // A gift card Ana bought with order 12 for Bo: the policy finds gift cards by their recipient, so it is
    // Bo's, and deleting Ana's order would take it with it.
    std::string gifts_schema = std::string(schema) +
                               "CREATE TABLE gift_cards (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id) "
                               "ON DELETE CASCADE, recipient TEXT NOT NULL);"
                               "INSERT INTO gift_cards VALUES (1, 12, 'bo@example.com');";
    std::string gifts_policy = std::string(erasure_policy_text) + R"(
  gift_cards:
    key: id
    links: [{column: recipient, identity: email}]
    columns:
      recipient: {category: contact, purposes: [sale], source: provided}
    erasure: {action: delete}
)";
    dsr::test::PolicyShop shop(gifts_schema.c_str(), gifts_policy.c_str());
    auto db = shop.open(false);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    auto message = error_text_of([&] {
        dsr::jobs::run_erasure(*db, shop.policy, setup, shop.key, {"email", "ana@example.com"}, shop.now, "");
    });
    CHECK(message.starts_with("1 rows of gift_cards refer through order_id to orders rows this erasure deletes, "
                              "and are not part of it: ON DELETE CASCADE would remove them though they belong to "
                              "someone else; nothing was changed"));
    SQLite::Database check(shop.file);
    CHECK(check.execAndGet("SELECT count(*) FROM gift_cards").getInt() == 1);
    CHECK(check.execAndGet("SELECT count(*) FROM orders WHERE id = 12").getInt() == 1);
    CHECK(check.execAndGet("SELECT email FROM customers WHERE id = 1").getString() == "ana@example.com");
}

TEST_CASE("make_plan: ON DELETE CASCADE is followed through unlisted tables, seven deep but not eight") {
    SUBCASE("seven: each level counted, at its depth") {
        std::string chain_schema = std::string(schema) + cascade_chain(7);
        dsr::test::PolicyShop shop(chain_schema.c_str(), erasure_policy_text);
        auto db = shop.open(true);
        auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
        auto match = dsr::jobs::find_for_erasure(*db, shop.policy, shop.key, {"email", "ana@example.com"});
        auto plan = dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan;
        const auto& orders = table(plan, "orders");
        REQUIRE(orders.cascades.size() == 8);  // notes, and the chain
        for (int depth = 1; depth <= 7; ++depth) {
            std::string name = "chain_" + std::to_string(depth);
            auto it = std::find_if(orders.cascades.begin(), orders.cascades.end(),
                                   [&](const dsr::erase::Cascade& c) { return c.via.table == name; });
            REQUIRE(it != orders.cascades.end());
            CHECK(it->depth == depth);
            CHECK(it->rows == 1);
        }
        CHECK(plan.cascaded() == 8);
    }
    SUBCASE("eight: refused, naming the table where it stopped, before any change") {
        std::string chain_schema = std::string(schema) + cascade_chain(8);
        dsr::test::PolicyShop shop(chain_schema.c_str(), erasure_policy_text);
        auto db = shop.open(false);
        auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
        CHECK(error_text_of([&] {
                  dsr::jobs::run_erasure(*db, shop.policy, setup, shop.key, {"email", "ana@example.com"}, shop.now, "");
              }) == "ON DELETE CASCADE chains deeper than 8 tables from chain_8; list these tables in the policy");
        SQLite::Database check(shop.file);
        CHECK(check.execAndGet("SELECT count(*) FROM chain_8").getInt() == 1);
        CHECK(check.execAndGet("SELECT count(*) FROM orders WHERE id = 12").getInt() == 1);
    }
}

TEST_CASE("make_plan: what a cascade takes is one count per table, whatever the number of IN lists") {
    // 600 more guest orders of Ana's, each with a note: 601 deleted orders go in two IN lists of at most
    // max_in_list keys, and the notes each list takes are added up.
    ErasureShop shop;
    shop.exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 599) "
              "INSERT INTO orders SELECT 2000 + i, NULL, 'ana@example.com', '2012-01-01T10:00:00Z' FROM n;"
              "INSERT INTO notes SELECT 5000 + id, id, 'gift' FROM orders WHERE id >= 2000;");
    static_assert(dsr::db::max_in_list < 601);
    auto db = shop.open(true);
    auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
    auto match = dsr::jobs::find_for_erasure(*db, shop.policy, shop.key, {"email", "ana@example.com"});
    auto plan = dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan;
    const auto& orders = table(plan, "orders");
    CHECK(orders.deletes.size() == 601);
    REQUIRE(orders.cascades.size() == 1);
    CHECK(orders.cascades[0].via.table == "notes");
    CHECK(orders.cascades[0].depth == 1);
    CHECK(orders.cascades[0].rows == 601);
}

TEST_CASE("make_plan: the digest covers real numbers exactly") {
    // A plan reviewed before a REAL value changed is stale, down to its last bit.
    ErasureShop shop;
    shop.exec("ALTER TABLE orders ADD COLUMN total REAL; UPDATE orders SET total = 12.5 WHERE id = 12;");
    auto digest = [&] {
        auto db = shop.open(true);
        auto setup = dsr::jobs::prepare_erasure(*db, shop.policy, "main");
        auto match = dsr::jobs::find_for_erasure(*db, shop.policy, shop.key, {"email", "ana@example.com"});
        return dsr::jobs::plan_erasure(*db, shop.policy, setup, shop.key, match, shop.now).plan.digest;
    };
    auto before = digest();
    shop.exec("UPDATE orders SET total = 12.500000000000002 WHERE id = 12");
    CHECK(digest() != before);
    shop.exec("UPDATE orders SET total = 12.5 WHERE id = 12");
    CHECK(digest() == before);
}
