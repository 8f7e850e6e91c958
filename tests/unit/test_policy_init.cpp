// Tests for lib/policy_init: the value classifiers, the Luhn check, column
// guesses, and that a draft loads with the policy loader and passes
// `dsr policy check` against the database it was drafted from (findings
// only), without a sampled value in its text.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <string>
#include <string_view>
#include <vector>

#include "diagnostic_print.h"
#include "db/database.h"
#include "jobs/policy_check.h"
#include "policy/loader.h"
#include "policy_init/column_guess.h"
#include "policy_init/draft.h"
#include "policy_init/sampler.h"
#include "policy_init/value_shapes.h"
#include "temp_dir.h"
#include "util/error.h"

namespace policy_init_test {

using namespace dsr::policy_init;

constexpr int year = 2026;

dsr::db::ColumnInfo text_column(std::string name) {
    dsr::db::ColumnInfo c;
    c.name = std::move(name);
    c.declared_type = "TEXT";
    c.type_class = dsr::db::TypeClass::text;
    return c;
}

std::vector<dsr::db::Value> texts(std::initializer_list<const char*> values) {
    std::vector<dsr::db::Value> out;
    for (const char* v : values) out.emplace_back(std::string(v));
    return out;
}

struct Drafted {
    Draft draft;
    dsr::jobs::PolicyCheckResult check;
};

/// Creates a database from `schema_sql`, drafts a policy for it as
/// `dsr policy init` does, loads the draft and checks it against the database.
Drafted draft_and_check(const dsr::test::TempDir& dir, std::string_view schema_sql) {
    std::string path = dir.file("shop.db");
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(std::string(schema_sql));
    }
    auto db = dsr::db::open_database("sqlite:" + path, {});
    auto evidence = sample_values(*db, db->schema(), year, 200);
    Drafted out{draft_policy(db->schema(), evidence, {.database_url = "sqlite:" + path, .database_url_review = {}}), {}};
    auto loaded = dsr::policy::load_policy_text(out.draft.yaml, dir.file("draft.yaml"));
    INFO(out.draft.yaml);
    REQUIRE_MESSAGE(loaded.errors.empty(), loaded.errors.front());
    dsr::jobs::check_database(*loaded.policy, "main", db->schema(), out.check);
    dsr::jobs::check_policy_alone(*loaded.policy, out.check);
    return out;
}

TEST_CASE("is_email") {
    CHECK(is_email("ana@example.com"));
    CHECK(is_email("o'brien+shop@mail.example.ie"));
    CHECK_FALSE(is_email("ana@example"));
    CHECK_FALSE(is_email("ana example.com"));
    CHECK_FALSE(is_email("a@b@example.com"));
    CHECK_FALSE(is_email(""));
}

TEST_CASE("is_phone") {
    CHECK(is_phone("+353 87 123 4567"));
    CHECK(is_phone("+15551234567"));
    CHECK(is_phone("0871234567"));
    CHECK(is_phone("(555) 123-4567"));
    SUBCASE("not a phone") {
        CHECK_FALSE(is_phone("2026-11-01"));     // a date
        CHECK_FALSE(is_phone("1234567"));        // a bare number
        CHECK_FALSE(is_phone("12.50"));          // a price
        CHECK_FALSE(is_phone("+1 555"));         // too short
        CHECK_FALSE(is_phone("+1234567890123456"));  // longer than E.164
        CHECK_FALSE(is_phone("call 0871234567"));
    }
}

TEST_CASE("is_ipv4 and is_ipv6") {
    CHECK(is_ipv4("203.0.113.7"));
    CHECK_FALSE(is_ipv4("256.0.0.1"));
    CHECK_FALSE(is_ipv4("1.2.3"));
    CHECK(is_ipv6("2001:db8::42"));
    CHECK(is_ipv6("::1"));
    CHECK_FALSE(is_ipv6("08:30:00"));
    CHECK_FALSE(is_ipv6("203.0.113.7"));
}

TEST_CASE("is_birth_date") {
    CHECK(is_birth_date("1984-07-19", year));
    CHECK(is_birth_date("19/07/1984", year));
    CHECK(is_birth_date("07/19/1984", year));  // US order
    SUBCASE("not a birth date") {
        CHECK_FALSE(is_birth_date("2025-03-01", year));            // too recent
        CHECK_FALSE(is_birth_date("1984-07-19T10:00:00Z", year));  // a time of day: an event
        CHECK_FALSE(is_birth_date("1984-02-30", year));            // no such day
        CHECK_FALSE(is_birth_date("1890-01-01", year));            // too old
    }
}

TEST_CASE("is_postcode") {
    CHECK(is_postcode("D02 X285"));   // Eircode
    CHECK(is_postcode("SW1A 1AA"));   // UK
    CHECK(is_postcode("94107"));      // US
    CHECK(is_postcode("94107-1234"));
    CHECK(is_postcode("1017 AB"));    // NL
    CHECK(is_postcode("00-950"));     // PL
    CHECK(is_postcode("200001"));     // CN
    CHECK(is_postcode("k1a 0b1"));    // CA, any case
    CHECK_FALSE(is_postcode("4242"));  // a card's last four
    CHECK_FALSE(is_postcode("hello"));
}

TEST_CASE("luhn_valid") {
    CHECK(luhn_valid("4111111111111111"));
    CHECK(luhn_valid("79927398713"));  // the textbook example
    CHECK_FALSE(luhn_valid("4111111111111112"));
    CHECK_FALSE(luhn_valid(""));
    CHECK_FALSE(luhn_valid("4111-1111"));
}

TEST_CASE("is_card_number") {
    CHECK(is_card_number("4111 1111 1111 1111"));
    CHECK(is_card_number("5555-5555-5555-4444"));
    CHECK(is_card_number("378282246310005"));  // Amex, 15 digits
    SUBCASE("not a card number") {
        CHECK_FALSE(is_card_number("4111111111111112"));  // Luhn fails
        CHECK_FALSE(is_card_number("0000000000000000"));  // a placeholder
        CHECK_FALSE(is_card_number("9111111111111110"));  // no network starts with 9 here
        CHECK_FALSE(is_card_number("4111"));
    }
}

TEST_CASE("shape_of") {
    CHECK(shape_of("ana@example.com", year) == ValueShape::email);
    CHECK(shape_of("203.0.113.7", year) == ValueShape::ipv4);
    CHECK(shape_of("4111111111111111", year) == ValueShape::card_number);
    CHECK(shape_of("1984-07-19", year) == ValueShape::birth_date);
    CHECK(shape_of("+353871234567", year) == ValueShape::phone);
    CHECK(shape_of("D02 X285", year) == ValueShape::postcode);
    CHECK_FALSE(shape_of("Please call me about my order", year));
    CHECK_FALSE(shape_of(std::string(1000, 'a') + "@example.com", year));
}

TEST_CASE("weigh_values") {
    SUBCASE("four in five decide") {
        auto e = weigh_values(texts({"a@example.com", "b@example.com", "c@example.com", "d@example.com", "n/a"}), year);
        CHECK(e.sampled == 5);
        CHECK(e.shape == ValueShape::email);
        CHECK(e.shape_matches == 4);
    }
    SUBCASE("fewer do not") {
        auto e = weigh_values(texts({"a@example.com", "b@example.com", "n/a", "none"}), year);
        CHECK_FALSE(e.shape);
    }
    SUBCASE("nulls are not sampled") {
        std::vector<dsr::db::Value> values = {std::monostate{}, std::string("203.0.113.7")};
        auto e = weigh_values(values, year);
        CHECK(e.sampled == 1);
        CHECK(e.shape == ValueShape::ipv4);
    }
    SUBCASE("IPv4 and IPv6 together make one column of IP addresses") {
        auto e = weigh_values(texts({"203.0.113.7", "2001:db8::42", "198.51.100.23"}), year);
        CHECK(e.shape == ValueShape::ipv4);
        CHECK(e.shape_matches == 3);
    }
    SUBCASE("time formats") {
        CHECK(weigh_values(texts({"2026-11-01T08:30:00Z", "2026-11-02"}), year).time_format == TimeFormat::iso8601);
        std::vector<dsr::db::Value> seconds = {std::int64_t{1700000000}, std::int64_t{1710000000}};
        CHECK(weigh_values(seconds, year).time_format == TimeFormat::unix_seconds);
        std::vector<dsr::db::Value> millis = {std::int64_t{1700000000000}};
        CHECK(weigh_values(millis, year).time_format == TimeFormat::unix_millis);
        std::vector<dsr::db::Value> counts = {std::int64_t{3}, std::int64_t{12}};
        CHECK_FALSE(weigh_values(counts, year).time_format);
        // Dates of birth are data, not a retention clock.
        CHECK_FALSE(weigh_values(texts({"1984-07-19", "1990-01-02"}), year).time_format);
    }
    SUBCASE("card numbers kept as integers") {
        std::vector<dsr::db::Value> cards = {std::int64_t{4111111111111111}, std::int64_t{5555555555554444}};
        CHECK(weigh_values(cards, year).shape == ValueShape::card_number);
    }
}

TEST_CASE("identifier_words") {
    CHECK(identifier_words("customer_id") == std::vector<std::string>{"customer", "id"});
    CHECK(identifier_words("customerId") == std::vector<std::string>{"customer", "id"});
    CHECK(identifier_words("customerID") == std::vector<std::string>{"customer", "id"});
    CHECK(identifier_words("IPAddress") == std::vector<std::string>{"ip", "address"});
    CHECK(identifier_words("Payment Cards") == std::vector<std::string>{"payment", "cards"});
    CHECK(identifier_words("line1") == std::vector<std::string>{"line1"});
}

TEST_CASE("guess_column") {
    dsr::policy_init::ValueEvidence none;
    SUBCASE("by name") {
        auto g = guess_column("customers", text_column("ship_to_postcode"), none);
        CHECK(g.category == "address");
        CHECK(g.from_name);
        CHECK_FALSE(g.from_values);
        CHECK(g.reason.find("postcode") != std::string::npos);
    }
    SUBCASE("values outrank a misleading name") {
        auto e = weigh_values(texts({"a@example.com", "b@example.com"}), year);
        auto g = guess_column("customers", text_column("recoveryAddress"), e);
        CHECK(g.category == "contact");
        CHECK(g.from_values);
        CHECK(g.reason.find("2 of 2 sampled") != std::string::npos);
        CHECK(g.reason.find("suggests address") != std::string::npos);
        // The reason holds counts, never a value.
        CHECK(g.reason.find("example.com") == std::string::npos);
    }
    SUBCASE("the table's name when the column says nothing") {
        CHECK(guess_column("orders", text_column("currency"), none).category == "purchase_history");
        CHECK(guess_column("web_sessions", text_column("started_at"), none).category == "online_identifier");
    }
    SUBCASE("nothing to go on") {
        CHECK(guess_column("things", text_column("flavour"), none).category == unreviewed_category);
    }
    SUBCASE("source") {
        CHECK(guess_column("orders", text_column("placed_at"), none).source == "observed");
        CHECK(guess_column("customers", text_column("birth_date"), none).source == "provided");
        CHECK(guess_column("customers", text_column("first_name"), none).source == "provided");
    }
}

TEST_CASE("identity_kind") {
    CHECK(identity_kind(text_column("email"), {}) == "email");  // an empty column: its name
    auto flags = weigh_values(texts({"1", "0"}), year);
    CHECK_FALSE(identity_kind(text_column("email_verified"), flags));  // its values say otherwise
    CHECK(identity_kind(text_column("contact"), weigh_values(texts({"+353871234567"}), year)) == "phone");
}

TEST_CASE("yaml_scalar") {
    CHECK(yaml_scalar("customers") == "customers");
    CHECK(yaml_scalar("Payment Cards") == "\"Payment Cards\"");
    CHECK(yaml_scalar("yes") == "\"yes\"");
    CHECK(yaml_scalar("a\"b") == "\"a\\\"b\"");
    CHECK(yaml_scalar("1st") == "\"1st\"");
}

TEST_CASE("draft_policy") {
    dsr::test::TempDir dir;
    SUBCASE("declared foreign keys, guest rows by email") {
        auto d = draft_and_check(dir, R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, full_name TEXT, phone TEXT,
                        birth_date TEXT, created_at TEXT NOT NULL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), email TEXT NOT NULL,
                     placed_at TEXT NOT NULL, total_cents INTEGER NOT NULL, product_id INTEGER REFERENCES products(id));
CREATE TABLE products (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, price_cents INTEGER NOT NULL);
INSERT INTO customers VALUES (1, 'ana@example.com', 'Ana Silva', '+351912345678', '1985-04-12', '2026-01-02T03:04:05Z');
INSERT INTO orders VALUES (1, 1, 'ana@example.com', '2026-02-03T04:05:06Z', 1200, 1),
                          (2, NULL, 'guest@example.com', '2026-03-03T04:05:06Z', 800, 1);
INSERT INTO products VALUES (1, 'SKU-1', 1200);
)");
        CHECK(d.check.errors.empty());
        const auto& yaml = d.draft.yaml;
        CHECK(d.draft.summary.subject_table == "customers");
        CHECK(d.draft.summary.drafted_tables == 2);
        CHECK(d.draft.summary.non_personal_tables == 1);
        CHECK(d.draft.summary.identities == 3);
        CHECK(d.draft.summary.personal_columns == 8);
        CHECK(yaml.find("- {column: customer_id, references: customers.id}") != std::string::npos);
        CHECK(yaml.find("- {column: email, identity: email}") != std::string::npos);
        CHECK(yaml.find("- product_id  # REVIEW: refers to products") != std::string::npos);
        CHECK(yaml.find("birth_date: {category: demographic, source: provided}") != std::string::npos);
        CHECK(yaml.find("# retention:") != std::string::npos);
        CHECK(yaml.find("\nretention:") == std::string::npos);
        // Every column line carries its review comment.
        for (std::size_t at = yaml.find("{category:"); at != std::string::npos; at = yaml.find("{category:", at + 1))
            CHECK(yaml.substr(at, yaml.find('\n', at) - at).find("# REVIEW:") != std::string::npos);
        for (const char* value : {"ana@example.com", "guest@example.com", "+351912345678", "1985-04-12", "Ana Silva"})
            CHECK_MESSAGE(yaml.find(value) == std::string::npos, "the draft holds a sampled value: " << value);
    }
    SUBCASE("links guessed from camelCase names, quoted identifiers") {
        auto d = draft_and_check(dir, R"(
CREATE TABLE [Users] ([userId] INTEGER PRIMARY KEY, [mailAddr] TEXT, [signupAt] TEXT);
CREATE TABLE "Sign Ins" ("signInId" INTEGER PRIMARY KEY, "userID" INTEGER, "remoteAddr" TEXT);
INSERT INTO [Users] VALUES (1, 'ana@example.com', '2026-01-01T00:00:00Z');
INSERT INTO "Sign Ins" VALUES (1, 1, '2001:db8::1');
)");
        CHECK(d.check.errors.empty());
        CHECK(d.draft.summary.guessed_links == 1);
        CHECK(d.draft.yaml.find("\"Sign Ins\":") != std::string::npos);
        CHECK(d.draft.yaml.find("- {column: userID, references: Users.userId}") != std::string::npos);
        CHECK(d.draft.yaml.find("remoteAddr: {category: online_identifier") != std::string::npos);
        CHECK(d.draft.yaml.find("user_id:") != std::string::npos);
    }
    SUBCASE("a table with no way to a subject is left commented out") {
        auto d = draft_and_check(dir, R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE audit_log (id INTEGER PRIMARY KEY, actor_ref INTEGER, ip_address TEXT);
)");
        CHECK(d.check.errors.empty());
        CHECK(d.draft.summary.unlinked_tables == 1);
        CHECK(d.draft.yaml.find("  # audit_log:") != std::string::npos);
    }
    SUBCASE("a cycle of foreign keys keeps the links acyclic") {
        auto d = draft_and_check(dir, R"(
CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT, default_address_id INTEGER REFERENCES addresses(id));
CREATE TABLE addresses (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), city TEXT);
CREATE TABLE people (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES people(id));
)");
        CHECK(d.check.errors.empty());
        CHECK(d.draft.yaml.find("- default_address_id  # REVIEW:") != std::string::npos);
    }
    SUBCASE("no table with a key") {
        std::string path = dir.file("keyless.db");
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec("CREATE TABLE notes (body TEXT)");
        }
        auto db = dsr::db::open_database("sqlite:" + path, {});
        CHECK_THROWS_AS(draft_policy(db->schema(), {}, {.database_url = "sqlite:x", .database_url_review = {}}),
                        dsr::Error);
    }
}

}  // namespace policy_init_test
