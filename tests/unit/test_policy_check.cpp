// Tests for lib/jobs/policy_check.h against real SQLite files: each error and
// finding `dsr policy check` can report, produced by one change to a clean
// schema or policy, and nothing else reported alongside it.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic_print.h"
#include "db/database.h"
#include "jobs/policy_check.h"
#include "policy/loader.h"
#include "policy/personal_names.h"
#include "temp_dir.h"

namespace {

using dsr::jobs::PolicyCheckResult;
using dsr::jobs::Problem;

// A shop whose policy accounts for every column, index and foreign key.
constexpr std::string_view clean_schema = R"(
CREATE TABLE customers (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  birth_date TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX customers_created_at ON customers(created_at);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers(id),
  email TEXT,
  placed_at TEXT NOT NULL,
  total_cents INTEGER NOT NULL
);
CREATE INDEX orders_customer_id ON orders(customer_id);
CREATE INDEX orders_email ON orders(email);
CREATE INDEX orders_placed_at ON orders(placed_at);
CREATE TABLE products (id INTEGER PRIMARY KEY, title TEXT NOT NULL, price_cents INTEGER NOT NULL);
)";

constexpr std::string_view clean_policy = R"(version: 1
controller: {name: Shop, contact: privacy@shop.example}
regime: gdpr
databases:
  main: {url: "sqlite:shop.db"}
identities:
  email: {column: customers.email, normalize: email}
purposes:
  account: {basis: contract, description: Running the account.}
  tax: {basis: legal_obligation, description: Keeping invoices.}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [account], source: provided}
      name: {category: identity, purposes: [account], source: provided}
      birth_date: {category: demographic, purposes: [account], source: provided}
      created_at: {category: purchase_history, purposes: [account], source: observed}
    erasure:
      action: mask
      mask: {email: pseudonymize, name: null}
    retention: {column: created_at, keep: 5y}
  orders:
    key: id
    links:
      - {column: customer_id, references: customers.id}
      - {column: email, identity: email}
    non_personal: [total_cents]
    columns:
      email: {category: contact, purposes: [tax], source: provided}
      placed_at: {category: purchase_history, purposes: [tax], source: observed}
    erasure: {action: delete}
    retention: {column: placed_at, keep: 10y}
non_personal_tables: [products]
)";

// Not in the policy; references the subject table and holds an email.
constexpr std::string_view wishlist_table = R"(
CREATE TABLE wishlist (
  id INTEGER PRIMARY KEY,
  customer_id INTEGER REFERENCES customers(id),
  contact_email TEXT,
  product_id INTEGER REFERENCES products(id)
);
CREATE INDEX wishlist_customer_id ON wishlist(customer_id);
)";

/// `text` with its single occurrence of `from` replaced by `to`.
std::string replaced(std::string_view text, std::string_view from, std::string_view to) {
    std::string out(text);
    auto at = out.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "not found: " << from);
    REQUIRE_MESSAGE(out.find(from, at + 1) == std::string::npos, "found more than once: " << from);
    out.replace(at, from.size(), to);
    return out;
}

dsr::policy::Policy load(std::string_view text) {
    auto loaded = dsr::policy::load_policy_text(text, "policy.yaml");
    REQUIRE_MESSAGE(loaded.errors.empty(), loaded.errors.front());
    REQUIRE(loaded.policy);
    return *loaded.policy;
}

/// Creates `shop.db` in `dir` from `schema_sql`, reads its schema back through
/// dsr's own database layer, and runs both checks as `dsr policy check` does.
PolicyCheckResult check(const dsr::test::TempDir& dir, std::string_view schema_sql, std::string_view policy_text) {
    std::string path = dir.file("shop.db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(std::string(schema_sql));
    }
    auto policy = load(policy_text);
    auto schema = dsr::db::open_database("sqlite:" + path, {})->read_schema();
    PolicyCheckResult result;
    dsr::jobs::check_database(policy, "main", schema, result);
    dsr::jobs::check_policy_alone(policy, result);
    return result;
}

/// "KIND TABLE.COLUMN" (or "KIND TABLE") per problem, sorted and joined with
/// "; ", so a whole list compares in one assertion and prints when it fails.
std::string summary(const std::vector<Problem>& problems) {
    std::vector<std::string> lines;
    for (const auto& p : problems) lines.push_back(p.kind + " " + p.table + (p.column.empty() ? "" : "." + p.column));
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& line : lines) out += (out.empty() ? "" : "; ") + line;
    return out;
}

/// The message of the one problem of `kind` on `table`.`column`.
std::string message_of(const std::vector<Problem>& problems, std::string_view kind, std::string_view table,
                       std::string_view column) {
    for (const auto& p : problems)
        if (p.kind == kind && p.table == table && p.column == column) return p.message;
    FAIL("no problem " << kind << " on " << table << "." << column);
    return "";
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

}  // namespace

TEST_CASE("check_database") {
    dsr::test::TempDir dir;

    SUBCASE("a clean schema and policy give no errors and no findings") {
        auto result = check(dir, clean_schema, clean_policy);
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) == "");
        CHECK(result.policy_tables == 2);
        CHECK(result.database_tables == 3);
    }

    // Errors: the policy and the database disagree.
    SUBCASE("unknown_table, with a suggestion") {
        auto policy = replaced(clean_policy, "non_personal_tables:", R"(  wishlists:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns:
      contact_email: {category: contact, purposes: [account], source: provided}
    retention: {column: created_at, keep: 1y}
non_personal_tables:)");
        auto result = check(dir, std::string(clean_schema) + std::string(wishlist_table), policy);
        CHECK(summary(result.errors) == "unknown_table wishlists");
        CHECK(message_of(result.errors, "unknown_table", "wishlists", "") ==
              "table 'wishlists' is in the policy but not in the database; did you mean 'wishlist'?");
        // The misspelling leaves the real table unlisted.
        CHECK(summary(result.findings) ==
              "linked_table_unlisted wishlist.customer_id; personal_name_unlisted wishlist.contact_email");
    }
    SUBCASE("unknown_column, with a suggestion") {
        auto result = check(dir, clean_schema, replaced(clean_policy, "      birth_date:", "      birthdate:"));
        CHECK(summary(result.errors) == "unknown_column customers.birthdate");
        CHECK(message_of(result.errors, "unknown_column", "customers", "birthdate") ==
              "personal column 'birthdate' is not a column of table 'customers'; did you mean 'birth_date'?");
        // And the real column is now unclassified.
        CHECK(summary(result.findings) == "unclassified_column customers.birth_date");
    }
    SUBCASE("unknown_column: a policy column missing from the database") {
        auto result = check(dir, clean_schema,
                            replaced(clean_policy, "      created_at: {category: purchase_history",
                                     "      phone: {category: contact, purposes: [account], source: provided}\n"
                                     "      created_at: {category: purchase_history"));
        CHECK(summary(result.errors) == "unknown_column customers.phone");
        CHECK(message_of(result.errors, "unknown_column", "customers", "phone") ==
              "personal column 'phone' is not a column of table 'customers'");
        CHECK(summary(result.findings) == "");
    }
    SUBCASE("unknown_column: a consent mirror column missing from the database") {
        auto policy = replaced(clean_policy, "  tax: {basis",
                               "  marketing: {basis: consent, description: Newsletter.}\n  tax: {basis");
        policy += "consent:\n  marketing:\n    mirror: {column: customers.marketing_opt_in}\n";
        auto result = check(dir, clean_schema, policy);
        CHECK(summary(result.errors) == "unknown_column customers.marketing_opt_in");
        CHECK(contains(message_of(result.errors, "unknown_column", "customers", "marketing_opt_in"),
                       "consent mirror column 'marketing_opt_in' is not a column of table 'customers'"));
    }
    SUBCASE("link_type_mismatch: a TEXT foreign key to an INTEGER key") {
        auto schema = replaced(clean_schema, "customer_id INTEGER REFERENCES", "customer_id TEXT REFERENCES");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.errors) == "link_type_mismatch orders.customer_id");
        CHECK(message_of(result.errors, "link_type_mismatch", "orders", "customer_id") ==
              "link orders.customer_id (text) cannot match customers.id (integer)");
        CHECK(summary(result.findings) == "");
    }
    SUBCASE("link_type_mismatch: an INTEGER identity column for a TEXT identity") {
        auto schema = replaced(clean_schema, "  email TEXT,\n  placed_at", "  email INTEGER,\n  placed_at");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.errors) == "link_type_mismatch orders.email");
        CHECK(message_of(result.errors, "link_type_mismatch", "orders", "email") ==
              "link orders.email (integer) cannot match customers.email (text)");
    }
    SUBCASE("mask_not_null: a null mask on a NOT NULL column") {
        auto result = check(dir, replaced(clean_schema, "  name TEXT,", "  name TEXT NOT NULL,"), clean_policy);
        CHECK(summary(result.errors) == "mask_not_null customers.name");
        CHECK(message_of(result.errors, "mask_not_null", "customers", "name") ==
              "mask null on customers.name, which is NOT NULL: erasure would fail");
        CHECK(summary(result.findings) == "");
    }

    // Findings: gaps to review.
    SUBCASE("unclassified_column, with the category its name suggests") {
        auto schema = replaced(clean_schema, "  created_at TEXT NOT NULL\n);\nCREATE INDEX customers_created_at",
                               "  created_at TEXT NOT NULL,\n  last_seen_ip TEXT,\n  notes TEXT\n);\n"
                               "CREATE INDEX customers_created_at");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) ==
              "unclassified_column customers.last_seen_ip; unclassified_column customers.notes");
        CHECK(message_of(result.findings, "unclassified_column", "customers", "last_seen_ip") ==
              "column customers.last_seen_ip is not classified by the policy (its name suggests online_identifier)");
        CHECK(message_of(result.findings, "unclassified_column", "customers", "notes") ==
              "column customers.notes is not classified by the policy");
    }
    SUBCASE("personal_name_unlisted and linked_table_unlisted: a table the policy does not list") {
        auto result = check(dir, std::string(clean_schema) + std::string(wishlist_table), clean_policy);
        CHECK(summary(result.errors) == "");
        // product_id references products, which is not a subject table: no finding for it.
        CHECK(summary(result.findings) ==
              "linked_table_unlisted wishlist.customer_id; personal_name_unlisted wishlist.contact_email");
        CHECK(contains(message_of(result.findings, "linked_table_unlisted", "wishlist", "customer_id"),
                       "table 'wishlist' is not in the policy but references subject table 'customers' through "
                       "customer_id"));
        CHECK(contains(message_of(result.findings, "personal_name_unlisted", "wishlist", "contact_email"),
                       "column wishlist.contact_email looks like contact data"));
        CHECK(result.database_tables == 4);
    }
    SUBCASE("a table reviewed as non-personal gives no findings") {
        auto result = check(dir, std::string(clean_schema) + std::string(wishlist_table),
                            replaced(clean_policy, "[products]", "[products, wishlist]"));
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) == "");
    }
    SUBCASE("unused_foreign_key: a foreign key the policy does not link through") {
        auto policy = replaced(clean_policy,
                               "      - {column: customer_id, references: customers.id}\n"
                               "      - {column: email, identity: email}\n"
                               "    non_personal: [total_cents]",
                               "      - {column: email, identity: email}\n"
                               "    non_personal: [total_cents, customer_id]");
        auto result = check(dir, clean_schema, policy);
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) == "unused_foreign_key orders.customer_id");
        CHECK(message_of(result.findings, "unused_foreign_key", "orders", "customer_id") ==
              "foreign key orders.customer_id -> customers is declared in the database but not used as a link");
    }
    SUBCASE("missing_index: a foreign-key link column") {
        auto schema = replaced(clean_schema, "CREATE INDEX orders_customer_id ON orders(customer_id);", "");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) == "missing_index orders.customer_id");
        CHECK(contains(message_of(result.findings, "missing_index", "orders", "customer_id"),
                       "link column orders.customer_id has no index"));
    }
    SUBCASE("missing_index: an identity link column") {
        auto schema = replaced(clean_schema, "CREATE INDEX orders_email ON orders(email);", "");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.findings) == "missing_index orders.email");
        CHECK(contains(message_of(result.findings, "missing_index", "orders", "email"),
                       "identity column orders.email has no index: lookups by email would scan the table"));
    }
    SUBCASE("missing_index: a retention column") {
        auto result =
            check(dir, replaced(clean_schema, "CREATE INDEX orders_placed_at ON orders(placed_at);", ""), clean_policy);
        CHECK(summary(result.findings) == "missing_index orders.placed_at");
        CHECK(contains(message_of(result.findings, "missing_index", "orders", "placed_at"),
                       "retention column orders.placed_at has no index"));
    }
    SUBCASE("missing_index: a declared foreign key the policy does not link through") {
        // wishlist is not in the policy, but purging or erasing customers
        // checks wishlist.customer_id for every customer row.
        auto schema = replaced(std::string(clean_schema) + std::string(wishlist_table),
                               "CREATE INDEX wishlist_customer_id ON wishlist(customer_id);", "");
        auto result = check(dir, schema, replaced(clean_policy, "[products]", "[products, wishlist]"));
        CHECK(summary(result.findings) == "missing_index wishlist.customer_id");
        CHECK(contains(message_of(result.findings, "missing_index", "wishlist", "customer_id"),
                       "foreign key wishlist.customer_id -> customers has no index: purging or erasing rows of "
                       "customers would scan the table for each row"));
    }
    SUBCASE("mask_unrecognisable: a retention that masks with nothing a later purge can recognise") {
        auto policy = replaced(clean_policy, "      mask: {email: pseudonymize, name: null}\n    retention: {column: created_at, keep: 5y}",
                               "      mask: {name: random}\n    retention: {column: created_at, keep: 5y, action: mask}");
        auto result = check(dir, clean_schema, policy);
        CHECK(summary(result.errors) == "mask_unrecognisable customers.name");
        // One recognisable mask is enough: a masked row is then told by it.
        policy = replaced(policy, "mask: {name: random}", "mask: {name: random, email: pseudonymize}");
        dsr::test::TempDir other;
        CHECK(summary(check(other, clean_schema, policy).errors) == "");
    }
    SUBCASE("an index whose second column is the link column does not count") {
        auto schema = replaced(clean_schema, "CREATE INDEX orders_customer_id ON orders(customer_id);",
                               "CREATE INDEX orders_placed_customer ON orders(placed_at, customer_id);");
        auto result = check(dir, schema, clean_policy);
        CHECK(summary(result.findings) == "missing_index orders.customer_id");
    }
    SUBCASE("no_purpose and no_retention come from the policy alone") {
        auto policy = replaced(clean_policy, "name: {category: identity, purposes: [account]",
                               "name: {category: identity, purposes: []");
        policy = replaced(policy, "    retention: {column: placed_at, keep: 10y}\n", "");
        auto result = check(dir, clean_schema, policy);
        CHECK(summary(result.errors) == "");
        CHECK(summary(result.findings) == "no_purpose customers.name; no_retention orders");
    }

    SUBCASE("everything at once: each problem where it belongs, and nothing else") {
        // customers.name NOT NULL under a null mask; orders.customer_id TEXT
        // against an INTEGER key and unindexed; an unlisted wishlist; a policy
        // column `phone` the database lacks.
        auto schema = replaced(clean_schema, "  name TEXT,", "  name TEXT NOT NULL,");
        schema = replaced(schema, "customer_id INTEGER REFERENCES", "customer_id TEXT REFERENCES");
        schema = replaced(schema, "CREATE INDEX orders_customer_id ON orders(customer_id);", "");
        schema += wishlist_table;
        auto policy = replaced(clean_policy, "      created_at: {category: purchase_history",
                               "      phone: {category: contact, purposes: [account], source: provided}\n"
                               "      created_at: {category: purchase_history");
        auto result = check(dir, schema, policy);
        CHECK(summary(result.errors) ==
              "link_type_mismatch orders.customer_id; mask_not_null customers.name; unknown_column customers.phone");
        CHECK(summary(result.findings) ==
              "linked_table_unlisted wishlist.customer_id; missing_index orders.customer_id; "
              "personal_name_unlisted wishlist.contact_email");
    }

    SUBCASE("tables of another database are left alone") {
        PolicyCheckResult result;
        auto policy = load(clean_policy);
        dsr::db::Schema empty;
        dsr::jobs::check_database(policy, "elsewhere", empty, result);
        CHECK(result.errors.empty());
        CHECK(result.findings.empty());
        CHECK(result.policy_tables == 0);
    }
}

// Regression: every column of a composite primary key counted as indexed.
// With PRIMARY KEY (id, customer_id) only `id` leads the index; lookups by
// customer_id scan the table, so a missing_index finding is due.
TEST_CASE("check_database: the second column of a composite primary key is not indexed") {
    dsr::test::TempDir dir;
    auto schema = std::string(clean_schema) + R"(
CREATE TABLE addresses (
  id INTEGER NOT NULL,
  customer_id INTEGER NOT NULL REFERENCES customers(id),
  line1 TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (id, customer_id)
);
CREATE INDEX addresses_created_at ON addresses(created_at);
)";
    auto policy = replaced(clean_policy, "non_personal_tables:", R"(  addresses:
    key: id
    links: [{column: customer_id, references: customers.id}]
    columns:
      line1: {category: address, purposes: [account], source: provided}
      created_at: {category: address, purposes: [account], source: observed}
    retention: {column: created_at, keep: 5y}
non_personal_tables:)");
    auto result = check(dir, schema, policy);
    CHECK(summary(result.errors) == "");
    CHECK(summary(result.findings) == "missing_index addresses.customer_id");
}

TEST_CASE("check_policy_alone") {
    SUBCASE("a policy with purposes and retention everywhere") {
        PolicyCheckResult result;
        dsr::jobs::check_policy_alone(load(clean_policy), result);
        CHECK(result.errors.empty());
        CHECK(result.findings.empty());
    }
    SUBCASE("no_purpose: a personal column with an empty purpose list") {
        PolicyCheckResult result;
        dsr::jobs::check_policy_alone(
            load(replaced(clean_policy, "birth_date: {category: demographic, purposes: [account], source: provided}",
                          "birth_date: {category: demographic, purposes: [], source: provided}")),
            result);
        CHECK(summary(result.findings) == "no_purpose customers.birth_date");
        CHECK(contains(result.findings.at(0).message,
                       "personal column customers.birth_date serves no declared purpose"));
    }
    SUBCASE("no_purpose: a personal column with no purposes key") {
        PolicyCheckResult result;
        dsr::jobs::check_policy_alone(
            load(replaced(clean_policy, "birth_date: {category: demographic, purposes: [account], source: provided}",
                          "birth_date: {category: demographic, source: provided}")),
            result);
        CHECK(summary(result.findings) == "no_purpose customers.birth_date");
    }
    SUBCASE("no_retention: a table with personal columns and no retention") {
        PolicyCheckResult result;
        auto policy = replaced(clean_policy, "    retention: {column: created_at, keep: 5y}\n", "");
        dsr::jobs::check_policy_alone(load(policy), result);
        CHECK(summary(result.findings) == "no_retention customers");
        CHECK(result.findings.at(0).message == "table 'customers' holds personal data but has no retention rule");
    }
    SUBCASE("a table with no personal columns needs no retention") {
        PolicyCheckResult result;
        auto policy = replaced(clean_policy, "non_personal_tables:", R"(  order_tags:
    key: id
    links: [{column: order_id, references: orders.id}]
    non_personal: [tag]
non_personal_tables:)");
        dsr::jobs::check_policy_alone(load(policy), result);
        CHECK(result.findings.empty());
    }
}

TEST_CASE("suggested_category") {
    using dsr::policy::suggested_category;

    SUBCASE("names made of a personal word, however they are joined") {
        CHECK(suggested_category("customerEmail") == "contact");
        CHECK(suggested_category("customer_email") == "contact");
        CHECK(suggested_category("customer-email") == "contact");
        CHECK(suggested_category("EMAIL") == "contact");
        CHECK(suggested_category("ip_address") == "online_identifier");  // the first word that matches decides
        CHECK(suggested_category("dob") == "demographic");
        CHECK(suggested_category("lat") == "location");
        CHECK(suggested_category("firstName") == "identity");
        CHECK(suggested_category("shipping_postcode") == "address");
        CHECK(suggested_category("passport_no") == "government_id");
        CHECK(suggested_category("card_last4") == "payment");
    }
    SUBCASE("a personal word inside a longer word does not count") {
        CHECK_FALSE(suggested_category("emailed_count"));  // `emailed` is not `email`
        CHECK_FALSE(suggested_category("template"));
        CHECK_FALSE(suggested_category("hotel_id"));
    }
    SUBCASE("names with no personal word") {
        CHECK_FALSE(suggested_category("product_id"));
        CHECK_FALSE(suggested_category("status"));
        CHECK_FALSE(suggested_category("total_cents"));
        CHECK_FALSE(suggested_category(""));
    }
    SUBCASE("camelCase splits only where a capital follows a small letter") {
        CHECK(suggested_category("userIP") == "online_identifier");
        CHECK(suggested_category("ipAddress") == "online_identifier");
        CHECK_FALSE(suggested_category("IPAddress"));  // one word, `ipaddress`
    }
}
