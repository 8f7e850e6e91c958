// Tests for lib/erase/erasure_order.h: the demo shop's tables in an order
// where every table comes before the tables it refers to (by policy link or
// by a foreign key only the schema declares), the foreign keys of tables the
// policy does not list reported as dependents, and a cycle refused.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "db/database.h"
#include "erase/erasure_order.h"
#include "policy/loader.h"
#include "temp_dir.h"
#include "util/error.h"

namespace {

using dsr::erase::ErasureOrder;

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

dsr::db::Schema schema_of(const dsr::test::TempDir& dir, const std::string& sql) {
    std::string file = dir.file("shop.db");
    {
        SQLite::Database db(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(sql);
    }
    dsr::db::OpenOptions options;
    return dsr::db::open_database(file, options)->read_schema();
}

dsr::policy::Policy shop_policy() {
    auto loaded = dsr::policy::load_policy_file(std::string(DSR_SOURCE_DIR) + "/policies/shop.yaml");
    REQUIRE(loaded.policy);
    return std::move(*loaded.policy);
}

std::vector<std::string> names(const ErasureOrder& order) {
    std::vector<std::string> out;
    for (const auto& s : order.steps) out.push_back(s.table->name);
    return out;
}

std::ptrdiff_t position(const std::vector<std::string>& order, const std::string& table) {
    auto it = std::find(order.begin(), order.end(), table);
    REQUIRE(it != order.end());
    return it - order.begin();
}

}  // namespace

TEST_CASE("erasure_order: the demo shop") {
    dsr::test::TempDir dir;
    auto schema = schema_of(dir, read_text(std::string(DSR_SOURCE_DIR) + "/tools/shopgen/schema.sql"));
    auto policy = shop_policy();
    auto order = dsr::erase::erasure_order(policy, "shop", schema);
    auto got = names(order);
    REQUIRE(got.size() == policy.tables.size());

    SUBCASE("every table before each table it refers to") {
        for (const auto& step : order.steps)
            for (const auto& parent : step.parents)
                CHECK_MESSAGE(position(got, step.table->name) < position(got, parent.parent_table),
                              step.table->name << " must come before " << parent.parent_table);
        CHECK(got.back() == "customers");
    }
    SUBCASE("a foreign key only the schema declares orders the tables too") {
        // loyalty_ledger links to customers in the policy, but its order_id
        // references orders in the schema: deleting an order first would fail.
        CHECK(position(got, "loyalty_ledger") < position(got, "orders"));
        const auto& loyalty = *std::find_if(order.steps.begin(), order.steps.end(),
                                            [](const auto& s) { return s.table->name == "loyalty_ledger"; });
        CHECK(std::any_of(loyalty.parents.begin(), loyalty.parents.end(),
                          [](const auto& r) { return r.parent_table == "orders" && r.declared; }));
    }
    SUBCASE("stable: ties keep the policy's order") {
        CHECK(got == std::vector<std::string>{"addresses", "body_measurements", "order_items", "payments", "shipments",
                                              "returns", "support_tickets", "loyalty_ledger", "orders",
                                              "newsletter_events", "web_sessions", "customers"});
    }
    SUBCASE("dependents carry ON DELETE as declared") {
        const auto& orders = order.steps[static_cast<std::size_t>(position(got, "orders"))];
        auto returns = std::find_if(orders.dependents.begin(), orders.dependents.end(),
                                    [](const auto& r) { return r.table == "returns"; });
        REQUIRE(returns != orders.dependents.end());
        CHECK(returns->on_delete == "CASCADE");
        CHECK(returns->parent_column == "id");
    }
}

TEST_CASE("erasure_order: tables the policy does not list") {
    dsr::test::TempDir dir;
    auto schema = schema_of(dir, read_text(std::string(DSR_SOURCE_DIR) + "/tools/shopgen/schema.sql") +
                                     "CREATE TABLE wishlists (id INTEGER PRIMARY KEY, customer_id INTEGER "
                                     "REFERENCES customers ON DELETE CASCADE, note TEXT);"
                                     "CREATE TABLE referrals (id INTEGER PRIMARY KEY, customer_id INTEGER "
                                     "REFERENCES customers(id));");
    auto policy = shop_policy();
    auto order = dsr::erase::erasure_order(policy, "shop", schema);
    const auto& customers = order.steps.back();
    REQUIRE(customers.table->name == "customers");
    auto find = [&](const std::string& table) {
        return std::find_if(customers.dependents.begin(), customers.dependents.end(),
                            [&](const auto& r) { return r.table == table; });
    };
    REQUIRE(find("wishlists") != customers.dependents.end());
    CHECK(find("wishlists")->on_delete == "CASCADE");
    CHECK(find("wishlists")->parent_column == "id");  // implicit: the parent's primary key
    REQUIRE(find("referrals") != customers.dependents.end());
    CHECK(find("referrals")->on_delete == "NO ACTION");
    CHECK(names(order).size() == policy.tables.size());  // unlisted tables are not steps
}

TEST_CASE("erasure_order: a cycle is refused, a self-reference is not") {
    dsr::test::TempDir dir;
    auto schema = schema_of(dir,
                            "CREATE TABLE a (id INTEGER PRIMARY KEY, email TEXT, b_id INTEGER REFERENCES b(id), "
                            "a_id INTEGER REFERENCES a(id));"
                            "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a(id));");
    auto loaded = dsr::policy::load_policy_text(R"(
version: 1
controller: {name: C, contact: c@example.com}
regime: gdpr
databases: {main: {url: "sqlite:x.db"}}
identities: {email: {column: a.email}}
purposes: {p: {basis: contract, description: d}}
tables:
  a:
    key: id
    columns: {email: {category: contact, purposes: [p], source: provided}}
    erasure: {action: delete}
  b:
    key: id
    links: [{column: a_id, references: a.id}]
    columns: {}
    erasure: {action: delete}
)",
                                                "cycle.yaml");
    REQUIRE(loaded.policy);
    CHECK_THROWS_WITH_AS(dsr::erase::erasure_order(*loaded.policy, "main", schema),
                         doctest::Contains("a, b refer to each other in a cycle"), dsr::Error);

    auto acyclic = schema_of(dir, "DROP TABLE a; CREATE TABLE a (id INTEGER PRIMARY KEY, email TEXT, "
                                  "a_id INTEGER REFERENCES a(id));");
    auto order = dsr::erase::erasure_order(*loaded.policy, "main", acyclic);
    CHECK(names(order) == std::vector<std::string>{"b", "a"});
}
