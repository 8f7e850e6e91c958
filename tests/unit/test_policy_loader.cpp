// Tests for lib/policy/loader.h: every malformed policy gets an error with the
// right message at the right line:column, and hostile input is refused quickly.

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic_print.h"
#include "policy/loader.h"
#include "policy/reader.h"
#include "policy/yaml_tree.h"
#include "temp_dir.h"

namespace {

using namespace dsr::policy;

// A small valid policy. Each case below changes it in one place, so the
// line:column it expects can be read off this text (line 1 is `version: 1`).
constexpr std::string_view base_policy = R"(version: 1
controller:
  name: Example Shop
  contact: privacy@shop.example
regime: gdpr
databases:
  main:
    url: sqlite:shop.db
identities:
  email:
    column: customers.email
    normalize: email
purposes:
  account:
    basis: contract
    description: Running the customer's account.
  marketing:
    basis: consent
    description: Sending the newsletter.
  tax:
    basis: legal_obligation
    description: Keeping invoices as tax law requires.
recipients:
  mailer:
    name: Mailer Inc
    role: processor
    country: US
    categories: [contact]
    purposes: [marketing]
tables:
  customers:
    key: id
    columns:
      email:
        category: contact
        purposes: [account, marketing]
        source: provided
      name:
        category: identity
        purposes: [account]
        source: provided
    erasure:
      action: mask
      mask:
        email: pseudonymize
        name: null
  orders:
    key: id
    links:
      - {column: customer_id, references: customers.id}
      - {column: email, identity: email}
    non_personal: [status]
    columns:
      email:
        category: contact
        purposes: [tax]
        source: provided
      placed_at:
        category: purchase_history
        purposes: [tax]
        source: observed
    erasure:
      action: delete
      hold:
        purpose: tax
        column: placed_at
        keep: 10y
    retention:
      column: placed_at
      keep: 10y
  order_items:
    key: id
    links:
      - {column: order_id, references: orders.id}
    columns:
      quantity:
        category: purchase_history
        purposes: [tax]
        source: observed
    erasure:
      action: delete
      hold:
        purpose: tax
        column: orders.placed_at
        keep: 10y
non_personal_tables: [products]
consent:
  marketing:
)";

/// The base policy with the single occurrence of `from` replaced by `to`.
std::string with(std::string_view from, std::string_view to) {
    std::string text(base_policy);
    auto at = text.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, "not in the base policy: " << from);
    REQUIRE_MESSAGE(text.find(from, at + 1) == std::string::npos, "more than once in the base policy: " << from);
    text.replace(at, from.size(), to);
    return text;
}

std::vector<Diagnostic> errors_of(std::string_view text) { return load_policy_text(text, "test.yaml").errors; }

/// The first diagnostic (in file order) for `text`, which must have one.
Diagnostic first_error(std::string_view text) {
    auto errors = errors_of(text);
    REQUIRE_MESSAGE(!errors.empty(), "the policy loaded without errors");
    return errors.front();
}

/// The diagnostic whose message contains `needle`, for cases whose change
/// also causes follow-on errors earlier in the file.
Diagnostic error_containing(std::string_view text, std::string_view needle) {
    auto errors = errors_of(text);
    auto it = std::find_if(errors.begin(), errors.end(),
                           [&](const Diagnostic& d) { return d.message.find(needle) != std::string::npos; });
    REQUIRE_MESSAGE(it != errors.end(), "no error mentions: " << needle);
    return *it;
}

/// What a case expects: the exact position and a distinctive part of the message.
struct Expect {
    int line;
    int column;
    std::string text;
};

bool operator==(const Diagnostic& d, const Expect& e) {
    return d.where.line == e.line && d.where.column == e.column && d.message.find(e.text) != std::string::npos;
}

std::ostream& operator<<(std::ostream& os, const Expect& e) {
    return os << e.line << ':' << e.column << ": ..." << e.text << "...";
}

/// Loads hostile text. There is deliberately no wall-clock assertion here
/// (it failed on a loaded 2-core CI machine, and speed belongs in bench/):
/// a hang is caught by ctest's timeout, and the cases check the structural
/// guards themselves (the error cap, alias and depth limits).
LoadResult load_quickly(std::string_view text) { return load_policy_text(text, "test.yaml"); }

}  // namespace

TEST_CASE("load_policy_text") {
    SUBCASE("the base policy loads with no errors") {
        auto result = load_policy_text(base_policy, "test.yaml");
        CHECK(result.errors.empty());
        REQUIRE(result.policy);
        const auto& p = *result.policy;
        CHECK(p.path == "test.yaml");
        CHECK(p.sha256 == result.sha256);
        CHECK(p.sha256.size() == 64);
        CHECK(p.tables.size() == 3);
        REQUIRE(p.find_table("customers"));
        CHECK(p.find_table("customers")->root);
        CHECK_FALSE(p.find_table("orders")->root);
        CHECK(p.find_table("orders")->database == "main");
        CHECK(p.non_personal_tables == std::vector<std::string>{"products"});
    }

    // Unknown and misspelt keys.
    SUBCASE("unknown top-level key, with a suggestion") {
        CHECK(first_error(with("non_personal_tables: [products]", "non_personal_table: [products]")) ==
              Expect{86, 1, "unknown key in the policy: 'non_personal_table'"});
        CHECK(first_error(with("non_personal_tables: [products]", "non_personal_table: [products]")) ==
              Expect{86, 1, "did you mean 'non_personal_tables'?"});
    }
    SUBCASE("unknown key in a table, with a suggestion") {
        CHECK(first_error(with("    columns:\n      quantity:", "    colums:\n      quantity:")) ==
              Expect{75, 5, "unknown key in table 'order_items': 'colums' (expected one of: database, key, links, "
                            "columns, non_personal, erasure, retention); did you mean 'columns'?"});
    }
    SUBCASE("duplicate top-level key") {
        CHECK(first_error(with("regime: gdpr\n", "version: 1\n")) ==
              Expect{5, 1, "duplicate key 'version' (first defined at line 1)"});
    }

    // Values of the wrong kind.
    SUBCASE("a list where a string is expected") {
        CHECK(first_error(with("  name: Example Shop", "  name: [Example, Shop]")) ==
              Expect{3, 9, "expected a string for controller name, found a list"});
    }
    SUBCASE("a mapping where a list is expected") {
        CHECK(first_error(with("        purposes: [account]\n", "        purposes: {account: true}\n")) ==
              Expect{40, 19, "expected a list for column 'customers.name' purposes, found a mapping"});
    }
    SUBCASE("a mapping where a string is expected") {
        CHECK(first_error(with("regime: gdpr", "regime: {name: gdpr}")) ==
              Expect{5, 9, "expected a string for regime, found a mapping"});
    }
    SUBCASE("a list as a mapping key") {
        CHECK(first_error(with("regime: gdpr", "[regime]: gdpr")) ==
              Expect{5, 1, "a mapping key must be a plain name, not a list"});
    }

    // Required keys. A comment takes the removed line's place so lines stay put.
    SUBCASE("table without key") {
        CHECK(first_error(with("    key: id\n    links:\n      - {column: order_id",
                               "    # no key\n    links:\n      - {column: order_id")) ==
              Expect{73, 5, "missing required key 'key' in table 'order_items'"});
    }
    SUBCASE("purpose without basis") {
        CHECK(first_error(with("    basis: consent\n", "    # no basis\n")) ==
              Expect{19, 5, "missing required key 'basis' in purpose 'marketing'"});
    }
    SUBCASE("hold without a timestamp column") {
        CHECK(first_error(with("        column: placed_at\n        keep: 10y\n    retention",
                               "        # no column\n        keep: 10y\n    retention")) ==
              Expect{65, 9, "missing required key 'column' in table 'orders' erasure hold"});
    }

    // Names that refer to nothing declared.
    SUBCASE("unknown purpose") {
        CHECK(first_error(with("purposes: [account, marketing]", "purposes: [account, marketting]")) ==
              Expect{36, 29, "unknown purpose 'marketting' (expected one of: account, marketing, tax); did you mean "
                             "'marketing'?"});
    }
    SUBCASE("unknown recipient category") {
        CHECK(first_error(with("categories: [contact]", "categories: [contacts]")) ==
              Expect{28, 18, "unknown category 'contacts'; did you mean 'contact'?"});
    }
    SUBCASE("unknown column category") {
        CHECK(first_error(with("category: identity", "category: identiy")) ==
              Expect{39, 19, "unknown category 'identiy'; did you mean 'identity'?"});
    }
    SUBCASE("unknown mask method") {
        CHECK(first_error(with("email: pseudonymize", "email: hash")) ==
              Expect{45, 16, "unknown mask method 'hash' (expected one of: null, redact, pseudonymize, generalize, "
                             "random)"});
    }
    SUBCASE("unknown lawful basis") {
        CHECK(first_error(with("basis: legal_obligation", "basis: legal_obligations")) ==
              Expect{21, 12, "unknown lawful basis 'legal_obligations'"});
        CHECK(first_error(with("basis: legal_obligation", "basis: legal_obligations")) ==
              Expect{21, 12, "did you mean 'legal_obligation'?"});
    }
    SUBCASE("unknown regime") {
        CHECK(first_error(with("regime: gdpr", "regime: eu")) ==
              Expect{5, 9, "unknown regime 'eu' (expected one of: gdpr, ccpa, pipl)"});
    }
    SUBCASE("unknown identity in a link") {
        CHECK(first_error(with("{column: email, identity: email}", "{column: email, identity: mail}")) ==
              Expect{51, 35, "unknown identity 'mail' (expected one of: email); did you mean 'email'?"});
    }

    // Duplicates.
    SUBCASE("duplicate table") {
        CHECK(first_error(with("  order_items:\n", "  orders:\n")) ==
              Expect{71, 3, "duplicate key 'orders' (first defined at line 47)"});
    }
    SUBCASE("duplicate column") {
        CHECK(first_error(with("      name:\n", "      email:\n")) ==
              Expect{38, 7, "duplicate key 'email' (first defined at line 34)"});
    }
    SUBCASE("duplicate key in a column mapping") {
        CHECK(first_error(with("        purposes: [account]\n", "        category: contact\n")) ==
              Expect{40, 9, "duplicate key 'category' (first defined at line 39)"});
    }

    // Links.
    SUBCASE("link to an unknown table") {
        CHECK(first_error(with("references: customers.id", "references: customer.id")) ==
              Expect{50, 43, "unknown table in link references 'customer' (expected one of: customers, orders, "
                             "order_items); did you mean 'customers'?"});
    }
    SUBCASE("link to an unknown column of a known table") {
        CHECK(first_error(with("references: customers.id", "references: customers.uid")) ==
              Expect{50, 43, "references 'customers.uid', a column the policy does not declare for 'customers'"});
    }
    SUBCASE("link with both references and identity") {
        auto errors = errors_of(
            with("{column: email, identity: email}", "{column: email, identity: email, references: customers.email}"));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == Expect{51, 9, "a link of table 'orders' needs exactly one of 'references' or 'identity'"});
    }
    SUBCASE("link with neither references nor identity") {
        auto errors = errors_of(with("{column: email, identity: email}", "{column: email}"));
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == Expect{51, 9, "a link of table 'orders' needs exactly one of 'references' or 'identity'"});
    }
    SUBCASE("link cycle between two tables") {
        // orders now references order_items, which references orders.
        CHECK(first_error(with("references: customers.id", "references: order_items.id")) ==
              Expect{74, 40, "link cycle: orders -> order_items -> orders"});
    }
    SUBCASE("link cycle: a table referencing itself") {
        CHECK(first_error(with("references: customers.id", "references: orders.id")) ==
              Expect{50, 43, "link cycle: orders -> orders"});
    }
    SUBCASE("table that cannot be reached from any identity") {
        auto text = with("    links:\n      - {column: order_id, references: orders.id}\n",
                         "    non_personal: [order_id]\n    # no links\n");
        CHECK(first_error(text) == Expect{71, 3, "table 'order_items' cannot be reached from any identity"});
        // Its parent timestamp is no longer in a table it links to.
        CHECK(error_containing(text, "timestamp column") ==
              Expect{84, 17, "timestamp column 'orders.placed_at' must be in a table it links to with 'references'"});
    }

    // Durations.
    SUBCASE("bad duration: 10 years") {
        CHECK(first_error(with("        keep: 10y\n    retention", "        keep: 10 years\n    retention")) ==
              Expect{67, 15, "table 'orders' erasure hold keep: bad duration '10 years'"});
    }
    SUBCASE("bad duration: -1d") {
        CHECK(first_error(with("        keep: 10y\n    retention", "        keep: -1d\n    retention")) ==
              Expect{67, 15, "bad duration '-1d'"});
    }
    SUBCASE("bad duration: 5x") {
        CHECK(first_error(with("        keep: 10y\n    retention", "        keep: 5x\n    retention")) ==
              Expect{67, 15, "bad duration '5x'"});
    }
    SUBCASE("bad duration: 0d") {
        CHECK(first_error(with("        keep: 10y\n    retention", "        keep: 0d\n    retention")) ==
              Expect{67, 15, "bad duration '0d'"});
    }
    SUBCASE("good durations: 10y, 18m, 90d, 36h") {
        for (std::string_view keep : {"10y", "18m", "90d", "36h"}) {
            CAPTURE(keep);
            auto result = load_policy_text(
                with("        keep: 10y\n    retention", "        keep: " + std::string(keep) + "\n    retention"),
                "test.yaml");
            CHECK(result.errors.empty());
            REQUIRE(result.policy);
            CHECK(result.policy->find_table("orders")->erasure->hold->keep.text == keep);
        }
    }

    // Timestamps.
    SUBCASE("hold timestamp in a table that is not a parent") {
        // customers is order_items' grandparent, not a table it links to.
        CHECK(first_error(with("column: orders.placed_at", "column: customers.name")) ==
              Expect{84, 17, "table 'order_items': timestamp column 'customers.name' must be in a table it links to "
                             "with 'references'"});
    }
    SUBCASE("hold timestamp column the parent does not declare") {
        CHECK(first_error(with("column: orders.placed_at", "column: orders.shipped_at")) ==
              Expect{84, 17, "table 'order_items': 'orders' has no column 'shipped_at' in the policy"});
    }

    // YAML syntax.
    SUBCASE("YAML syntax error: unclosed bracket") {
        // Reported where the parser gives up: the next line's ':' cannot be inside a flow list.
        CHECK(first_error(with("categories: [contact]", "categories: [contact")) ==
              Expect{29, 13, "YAML syntax error: end of sequence flow not found"});
    }
    SUBCASE("YAML syntax error: bad indentation") {
        CHECK(first_error(with("  contact: privacy@shop.example", "   contact: privacy@shop.example")) ==
              Expect{4, 11, "YAML syntax error: illegal map value"});
    }
    SUBCASE("empty file") {
        auto errors = errors_of("");
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == Expect{1, 1, "policy is empty"});
    }
    SUBCASE("a file of only a comment") {
        auto errors = errors_of("# nothing here yet\n");
        REQUIRE(errors.size() == 1);
        CHECK(errors[0] == Expect{1, 1, "policy is empty"});
    }
    SUBCASE("a tag such as !!python/object") {
        CHECK(first_error(with("  name: Example Shop", "  name: !!python/object:os.system Example Shop")) ==
              Expect{3, 9, "tags (tag:yaml.org,2002:python/object:os.system) are not allowed in a policy"});
    }
    SUBCASE("an anchor, even without an alias") {
        CHECK(first_error(with("  name: Example Shop", "  name: &shop Example Shop")) ==
              Expect{3, 9, "anchors (&name) are not allowed in a policy"});
    }
    SUBCASE("two YAML documents") {
        CHECK(first_error(std::string(base_policy) + "---\nversion: 1\n") ==
              Expect{90, 1, "a policy is one YAML document; found a second one"});
    }

    // Semantic rules.
    SUBCASE("an unknown time zone") {
        auto d = first_error(with("  contact: privacy@shop.example\n", "  contact: privacy@shop.example\n  timezone: Europe/Atlantis\n"));
        CHECK(d.message.find("unknown time zone 'Europe/Atlantis'") != std::string::npos);
        CHECK(d.where.line == 5);
    }
    SUBCASE("pipl without a request deadline") {
        CHECK(first_error(with("regime: gdpr", "regime: pipl")) ==
              Expect{1, 1, "regime pipl sets no number of days: give requests: deadline: (e.g. 15 business days)"});
    }
    SUBCASE("a request deadline that is not N days") {
        CHECK(first_error(std::string(base_policy) + "requests:\n  deadline: two weeks\n").message ==
              "requests deadline: write N days or N business days (1 to 999), got 'two weeks'");
    }
    SUBCASE("a holiday that is not a date") {
        auto d = first_error(std::string(base_policy) + "requests:\n  holidays: [2026-02-30]\n");
        CHECK(d.message == "requests holidays: '2026-02-30' is not a date written YYYY-MM-DD");
    }
    SUBCASE("version: 2") {
        CHECK(first_error(with("version: 1\n", "version: 2\n")) ==
              Expect{1, 10, "unsupported policy version 2 (this dsr reads version 1)"});
    }
    SUBCASE("identity column not written TABLE.COLUMN") {
        CHECK(first_error(with("column: customers.email", "column: email")) ==
              Expect{11, 13, "identity 'email': column must be written TABLE.COLUMN (or SCHEMA.TABLE.COLUMN), got 'email'"});
    }
    SUBCASE("identity column the table does not declare") {
        CHECK(first_error(with("column: customers.email", "column: customers.mail")) ==
              Expect{11, 13, "identity 'email': table 'customers' has no column 'mail' in the policy"});
    }
    SUBCASE("mask on a column that is not a declared personal column") {
        CHECK(first_error(with("        name: null\n", "        id: null\n")) ==
              Expect{46, 9, "mask of 'customers.id': 'id' is not a personal column of the table"});
    }
    SUBCASE("erasure action mask without masks") {
        CHECK(first_error(with("      action: delete\n      hold:\n        purpose: tax\n        column: placed_at",
                               "      action: mask\n      hold:\n        purpose: tax\n        column: placed_at")) ==
              Expect{63, 7, "table 'orders' erasure: action mask needs a 'mask' mapping of columns to methods"});
    }
    SUBCASE("retention action mask without erasure masks") {
        // The added line comes after the retention mapping's first key, where the error points.
        CHECK(first_error(with("      column: placed_at\n      keep: 10y\n",
                               "      column: placed_at\n      keep: 10y\n      action: mask\n")) ==
              Expect{69, 7, "table 'orders' retention: action mask uses the table's erasure masks, and it has none"});
    }
    SUBCASE("retention delete_after without action mask") {
        CHECK(first_error(with("      column: placed_at\n      keep: 10y\n",
                               "      column: placed_at\n      keep: 10y\n      delete_after: 12y\n")) ==
              Expect{71, 21, "table 'orders' retention: delete_after needs action mask (action delete already deletes)"});
    }
    SUBCASE("retention delete_after not longer than keep") {
        std::string text = with("      column: placed_at\n      keep: 10y\n",
                                "      column: placed_at\n      keep: 10y\n      action: mask\n      delete_after: 3650d\n");
        const std::string hold = "      action: delete\n      hold:\n";
        text.replace(text.find(hold), hold.size(), "      action: delete\n      mask: {email: null}\n      hold:\n");
        CHECK(first_error(text) ==
              Expect{73, 21, "table 'orders' retention: delete_after (3650d) must be longer than keep (10y)"});
    }
    SUBCASE("consent on a purpose whose basis is not consent") {
        CHECK(first_error(with("consent:\n  marketing:", "consent:\n  tax:")) ==
              Expect{88, 3, "consent 'tax': purpose 'tax' has lawful basis legal_obligation, not consent (an opt-out, "
                            "such as a CCPA sale, is written kind: opt_out)"});
    }
    SUBCASE("a table both in tables and in non_personal_tables") {
        CHECK(first_error(with("[products]", "[products, orders]")) ==
              Expect{86, 33, "table 'orders' is listed under tables and under non_personal_tables"});
    }
    SUBCASE("a column both personal and non_personal") {
        CHECK(first_error(with("non_personal: [status]", "non_personal: [status, email]")) ==
              Expect{52, 28, "table 'orders': column 'email' is listed as personal and as non_personal"});
    }
    SUBCASE("recipient country not an ISO code") {
        CHECK(first_error(with("country: US", "country: us")) ==
              Expect{27, 14, "recipient 'mailer': country must be an ISO 3166-1 alpha-2 code"});
    }
    SUBCASE("database url with an unknown scheme") {
        CHECK(first_error(with("url: sqlite:shop.db", "url: mysql://db/shop")) ==
              Expect{8, 10, "database 'main': url must start with 'sqlite:' or 'postgresql://'"});
    }
}

TEST_CASE("load_policy_text: hostile input is refused quickly") {
    SUBCASE("10 MB") {
        std::string text(base_policy);
        text += "# " + std::string(10 * 1024 * 1024, 'x') + "\n";
        auto result = load_quickly(text);
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0] == Expect{1, 1, "bytes; the limit is " + std::to_string(max_policy_bytes)});
    }
    SUBCASE("5000 nested brackets") {
        auto result = load_quickly(std::string(5000, '['));
        REQUIRE_FALSE(result.errors.empty());
        // yaml-cpp reads an unclosed '[' followed by more input as a one-key
        // mapping whose key is a list: two levels per bracket, so the 33rd level
        // opens at the 17th bracket.
        CHECK(result.errors[0] == Expect{1, 17, "nesting deeper than 32 levels"});
    }
    SUBCASE("5000 nested brackets, closed") {
        auto result = load_quickly(std::string(5000, '[') + std::string(5000, ']'));
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors[0] == Expect{1, 33, "nesting deeper than 32 levels"});
    }
    SUBCASE("billion laughs") {
        std::string text = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
        for (char name = 'b'; name <= 'i'; ++name) {
            std::string alias = std::string("*") + static_cast<char>(name - 1);
            text += std::string(1, name) + ": &" + name + " [";
            for (int i = 0; i < 9; ++i) text += (i ? ", " : "") + alias;
            text += "]\n";
        }
        REQUIRE(text.size() < 600);
        auto result = load_quickly(text);
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors[0] == Expect{1, 4, "anchors (&name) are not allowed in a policy"});
        CHECK(error_containing(text, "aliases") == Expect{2, 8, "aliases (*name) are not allowed in a policy"});
    }
    SUBCASE("a lone comma") {
        // yaml-cpp returns endless empty documents for this input (LoadAll never ends).
        auto result = load_quickly(",");
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors[0].where.line == 1);
        CHECK(result.errors[0].where.column == 1);
        CHECK_FALSE(result.policy);
    }
    SUBCASE("invalid UTF-8") {
        auto result = load_quickly(with("  name: Example Shop", "  name: Example \xff Shop"));
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0] == Expect{3, 17, "invalid UTF-8 byte sequence"});
    }
}

// Regression: yaml-cpp answers "," with empty documents that consume nothing;
// it was reported as "found a second one" instead of a syntax error.
TEST_CASE("load_policy_text: a lone comma is reported as a syntax error") {
    auto d = first_error(",");
    CHECK(d.where.line == 1);
    CHECK(d.where.column == 1);
    CHECK_MESSAGE(d.message.find("second") == std::string::npos, d.message);
}

// Regression: yaml-cpp marks an empty value at the *next* token, so a key
// with no value was reported on the line after it (or past the end of the file).
TEST_CASE("load_policy_text: a key with no value is reported on its own line") {
    SUBCASE("controller:") {
        // `controller:` is line 2; `regime: gdpr` moves up to line 3.
        auto d = first_error(
            with("controller:\n  name: Example Shop\n  contact: privacy@shop.example\n", "controller:\n"));
        CHECK(d.message.find("expected a mapping for controller, found nothing") != std::string::npos);
        CHECK_MESSAGE(d.where.line == 2, d);
    }
    SUBCASE("a column with no mapping") {
        // `name:` is line 38; line 39 is now `erasure:`.
        auto d = first_error(with("      name:\n        category: identity\n        purposes: [account]\n"
                                  "        source: provided\n",
                                  "      name:\n"));
        CHECK(d.message.find("expected a mapping for column 'customers.name', found nothing") != std::string::npos);
        CHECK_MESSAGE(d.where.line == 38, d);
    }
    SUBCASE("the last line") {
        auto d = first_error(std::string(base_policy) + "state:\n");
        CHECK(d.message.find("expected a string for state, found nothing") != std::string::npos);
        CHECK_MESSAGE(d.where.line == 89, d);  // reported as 90:1, a line the file does not have
    }
}

// Regression: yaml-cpp 0.7 accepts a quoted scalar with no closing quote and
// runs it to the end of the input; in the middle of a policy this swallowed
// the rest of the file, and on the last line the policy loaded.
TEST_CASE("load_policy_text: an unterminated quoted string is a syntax error") {
    SUBCASE("on the last line") {
        auto result = load_policy_text(std::string(base_policy) + "state: \"dsr.state\n", "test.yaml");
        CHECK_FALSE(result.policy);
        CHECK_FALSE(result.errors.empty());
        if (!result.errors.empty()) CHECK(result.errors[0].where.line == 89);
    }
    SUBCASE("in the middle") {
        auto d = first_error(with("description: Sending the newsletter.", "description: \"Sending the newsletter."));
        CHECK_MESSAGE(d.where.line == 19, d);
        CHECK_MESSAGE(d.message.find("quot") != std::string::npos, d);
    }
}

// Regression: every unknown name got its own error and a suggestion search
// over every declared name, so n purposes and n unknown references cost n²
// (9 s for a 600 KB policy). Errors now stop at Reader::max_errors.
TEST_CASE("load_policy_text: a policy full of mistakes stops at max_errors") {
    std::string declared, unknown;
    for (int i = 0; i < 12000; ++i) {
        declared += "  p" + std::to_string(i) + ": {basis: contract, description: d}\n";
        unknown += (i ? ", x" : "x") + std::to_string(i);
    }
    std::string text = with("purposes:\n  account:", "purposes:\n" + declared + "  account:");
    auto at = text.find("purposes: [account]\n");
    REQUIRE(at != std::string::npos);
    text.replace(at, std::string_view("purposes: [account]").size(), "purposes: [" + unknown + "]");

    auto result = load_quickly(text);
    CHECK(result.errors.size() == dsr::policy::Reader::max_errors + 1);
    bool noted = std::any_of(result.errors.begin(), result.errors.end(), [](const Diagnostic& d) {
        return d.message.find("too many errors; stopped after 100") != std::string::npos;
    });
    CHECK(noted);
}

TEST_CASE("parse_duration") {
    SUBCASE("accepted") {
        auto years = parse_duration("10y");
        REQUIRE(years);
        CHECK(years->count == 10);
        CHECK(years->unit == Duration::Unit::years);
        CHECK(years->text == "10y");

        auto months = parse_duration("18m");
        REQUIRE(months);
        CHECK(months->count == 18);
        CHECK(months->unit == Duration::Unit::months);

        auto days = parse_duration("90d");
        REQUIRE(days);
        CHECK(days->count == 90);
        CHECK(days->unit == Duration::Unit::days);

        auto hours = parse_duration("36h");
        REQUIRE(hours);
        CHECK(hours->count == 36);
        CHECK(hours->unit == Duration::Unit::hours);

        auto longest = parse_duration("999999d");
        REQUIRE(longest);
        CHECK(longest->count == 999999);
    }
    SUBCASE("rejected") {
        for (std::string_view text : {"10 years", "-1d", "5x", "0d", "", "d", "10", "10Y", " 10y", "10y ", "010d",
                                      "1.5y", "+1d", "1000000d", "10yd"}) {
            CAPTURE(text);
            CHECK_FALSE(parse_duration(text));
        }
    }
}

TEST_CASE("load_policy_file") {
    dsr::test::TempDir dir;

    SUBCASE("policies/shop.yaml loads and has the expected shape") {
        auto result = load_policy_file(DSR_SOURCE_DIR "/policies/shop.yaml");
        CHECK(result.errors.empty());
        REQUIRE(result.policy);
        const auto& p = *result.policy;
        CHECK(p.regime == Regime::gdpr);
        CHECK(p.controller.timezone == "Europe/Dublin");
        CHECK(p.identities.size() == 3);

        // The demo shop's database has 13 tables: 12 with personal data, and
        // products, reviewed as non-personal.
        CHECK(p.tables.size() == 12);
        CHECK(p.non_personal_tables == std::vector<std::string>{"products"});
        CHECK(p.tables.size() + p.non_personal_tables.size() == 13);
        CHECK_FALSE(p.find_table("products"));

        const auto* customers = p.find_table("customers");
        REQUIRE(customers);
        CHECK(customers->root);
        for (const auto& t : p.tables) CHECK_MESSAGE(t.root == (t.name == "customers"), t.name);

        const auto* orders = p.find_table("orders");
        REQUIRE(orders);
        REQUIRE(orders->links.size() == 2);
        CHECK(orders->links[0].is_foreign_key());
        CHECK(orders->links[0].column == "customer_id");
        CHECK(orders->links[0].parent_table == "customers");
        CHECK(orders->links[0].parent_column == "id");
        CHECK_FALSE(orders->links[1].is_foreign_key());
        CHECK(orders->links[1].column == "email");
        CHECK(orders->links[1].identity == "email");

        const auto* items = p.find_table("order_items");
        REQUIRE(items);
        REQUIRE(items->erasure);
        REQUIRE(items->erasure->hold);
        CHECK(items->erasure->hold->timestamp.table == "orders");
        CHECK(items->erasure->hold->timestamp.column == "placed_at");
        CHECK(items->erasure->hold->keep.text == "10y");
        CHECK(items->erasure->hold->purpose == "tax_records");

        REQUIRE(p.consent.size() == 2);
        REQUIRE(p.consent[0].mirror);
        CHECK(p.consent[0].mirror->table == "customers");
        CHECK(p.consent[0].mirror->column == "marketing_opt_in");
    }
    SUBCASE("the minimal fixture loads, and its hash is of the file's bytes") {
        std::string path = DSR_SOURCE_DIR "/tests/fixtures/policies/minimal.yaml";
        auto result = load_policy_file(path);
        CHECK(result.errors.empty());
        REQUIRE(result.policy);
        CHECK(result.policy->path == path);
        CHECK(result.policy->tables.size() == 1);

        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        CHECK(result.sha256 == load_policy_text(bytes, "other.yaml").sha256);
        CHECK(result.sha256 != load_policy_text(bytes + "\n", "other.yaml").sha256);
    }
    SUBCASE("the billion laughs fixture is refused at its first anchor") {
        auto result = load_policy_file(DSR_SOURCE_DIR "/tests/fixtures/policies/billion_laughs.yaml");
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors[0] == Expect{4, 4, "anchors (&name) are not allowed in a policy"});
    }
    SUBCASE("a missing file") {
        auto result = load_policy_file(dir.file("missing.yaml"));
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0] == Expect{1, 1, "cannot open policy file"});
        CHECK(result.sha256.empty());
    }
    SUBCASE("a directory") {
        auto result = load_policy_file(dir.path().string());
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0] == Expect{1, 1, "cannot read policy file"});
    }
    SUBCASE("a 10 MB file is refused without reading it all") {
        auto path = dir.write("huge.yaml", std::string(base_policy) + std::string(10 * 1024 * 1024, '#'));
        auto result = load_policy_file(path);
        REQUIRE(result.errors.size() == 1);
        CHECK(result.errors[0] ==
              Expect{1, 1, "policy file is larger than the limit of " + std::to_string(max_policy_bytes) + " bytes"});
    }
    SUBCASE("a file of exactly the limit is read") {
        std::string text(base_policy);
        text += "#" + std::string(max_policy_bytes - text.size() - 2, 'x') + "\n";
        REQUIRE(text.size() == max_policy_bytes);
        auto result = load_policy_file(dir.write("limit.yaml", text));
        CHECK(result.errors.empty());
    }
}

TEST_CASE("load_policy_text: request settings") {
    auto result = load_policy_text(
        with("regime: gdpr", "regime: pipl") + "requests:\n  deadline: 15 business days\n  holidays: [2028-02-29]\n",
        "test.yaml");
    REQUIRE(result.policy);
    REQUIRE(result.policy->requests.deadline);
    CHECK(result.policy->requests.deadline->count == 15);
    CHECK(result.policy->requests.deadline->business_days);
    CHECK(result.policy->requests.holidays == std::vector<std::string>{"2028-02-29"});
}

TEST_CASE("load_policy_text: consent kinds, separate consent and mirrors") {
    // The base policy ends with `consent:` (line 87) and `  marketing:` (line 88).
    auto consent = [](std::string_view entries) { return with("consent:\n  marketing:\n", "consent:\n" + std::string(entries)); };

    SUBCASE("an entry with no options is opt_in, not separate, without a mirror") {
        auto result = load_policy_text(base_policy, "test.yaml");
        REQUIRE(result.policy);
        REQUIRE(result.policy->consent.size() == 1);
        const auto& c = result.policy->consent[0];
        CHECK(c.kind == ConsentKind::opt_in);
        CHECK_FALSE(c.separate);
        CHECK_FALSE(c.mirror);
        CHECK(to_string(c.kind) == "opt_in");
    }
    SUBCASE("opt_out on a purpose of any lawful basis: a CCPA sale") {
        auto result = load_policy_text(consent("  marketing:\n  tax:\n    kind: opt_out\n"), "test.yaml");
        REQUIRE_MESSAGE(result.policy, (result.errors.empty() ? "" : result.errors[0].message));
        REQUIRE(result.policy->consent.size() == 2);
        CHECK(result.policy->consent[1].kind == ConsentKind::opt_out);
        CHECK(to_string(result.policy->consent[1].kind) == "opt_out");
    }
    SUBCASE("opt_in, said or not, still needs the basis consent") {
        CHECK(first_error(consent("  tax: {kind: opt_in}\n")) ==
              Expect{88, 3, "consent 'tax': purpose 'tax' has lawful basis legal_obligation, not consent (an opt-out, "
                            "such as a CCPA sale, is written kind: opt_out)"});
    }
    SUBCASE("an unknown kind, with a suggestion") {
        CHECK(first_error(consent("  marketing:\n    kind: optout\n")) ==
              Expect{89, 11, "unknown consent kind 'optout' (expected one of: opt_in, opt_out); did you mean 'opt_out'?"});
    }
    SUBCASE("separate consent on an opt_in purpose (PIPL Art. 29, 39)") {
        auto result = load_policy_text(consent("  marketing:\n    separate: true\n"), "test.yaml");
        REQUIRE(result.policy);
        CHECK(result.policy->consent[0].separate);
        CHECK(result.policy->consent[0].kind == ConsentKind::opt_in);
    }
    SUBCASE("separate consent on an opt_out purpose") {
        CHECK(first_error(consent("  tax:\n    kind: opt_out\n    separate: true\n")) ==
              Expect{90, 15, "consent 'tax': separate consent (PIPL Art. 29, 39) is asked for before processing starts, "
                             "so only kind opt_in can be separate"});
    }
    SUBCASE("separate that is not a boolean") {
        CHECK(first_error(consent("  marketing:\n    separate: maybe\n")) ==
              Expect{89, 15, "expected true or false for consent 'marketing' separate"});
    }
    SUBCASE("an unknown key in a consent entry") {
        CHECK(first_error(consent("  marketing:\n    knd: opt_out\n")) ==
              Expect{89, 5, "unknown key in consent 'marketing': 'knd' (expected one of: kind, separate, mirror); "
                            "did you mean 'kind'?"});
    }
    SUBCASE("a mirror with its values") {
        auto result = load_policy_text(
            consent("  marketing:\n    mirror: {column: customers.email, granted: \"yes\", withdrawn: \"no\"}\n"),
            "test.yaml");
        REQUIRE(result.policy);
        REQUIRE(result.policy->consent[0].mirror);
        CHECK(result.policy->consent[0].mirror->table == "customers");
        CHECK(result.policy->consent[0].mirror->column == "email");
        CHECK(result.policy->consent[0].mirror->granted_value == "yes");
        CHECK(result.policy->consent[0].mirror->withdrawn_value == "no");
    }
    SUBCASE("a mirror whose granted and withdrawn values are the same") {
        CHECK(first_error(consent("  marketing:\n    mirror: {column: customers.email, granted: 1, withdrawn: 1}\n")) ==
              Expect{89, 13, "consent 'marketing' mirror: granted and withdrawn must be different values, or the column "
                             "cannot tell them apart"});
    }
    SUBCASE("a mirror in a table the policy does not list") {
        CHECK(first_error(consent("  marketing:\n    mirror: {column: people.opt_in}\n")) ==
              Expect{89, 22, "unknown table 'people' (expected one of: customers, orders, order_items)"});
    }
    SUBCASE("the CCPA fixture: sale is opt_out and mirrored, cross-border transfer is separate") {
        auto result = load_policy_file(DSR_SOURCE_DIR "/tests/fixtures/policies/ccpa_sale.yaml");
        REQUIRE_MESSAGE(result.errors.empty(), (result.errors.empty() ? "" : result.errors[0].message));
        REQUIRE(result.policy);
        const auto& p = *result.policy;
        CHECK(p.regime == Regime::ccpa);
        REQUIRE(p.consent.size() == 3);
        CHECK(p.consent[1].name == "sale");
        CHECK(p.consent[1].kind == ConsentKind::opt_out);
        REQUIRE(p.consent[1].mirror);
        CHECK(p.consent[1].mirror->granted_value == "0");
        CHECK(p.consent[1].mirror->withdrawn_value == "1");
        CHECK(p.consent[2].separate);
        auto sale = recipients_for_purpose(p, "sale");
        REQUIRE(sale.size() == 1);
        CHECK(sale[0].recipient->id == "adnetwork");
        CHECK(sale[0].categories == std::vector<std::string>{"contact", "online_identifier"});
    }
}
