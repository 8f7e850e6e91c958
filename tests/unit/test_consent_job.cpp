// Tests for lib/jobs/consent.h on a small SQLite shop: mirror values typed
// as the column declares, refusals before anything is written, one ledger
// pseudonym per registered person, and a dry run that writes nothing.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "crypto/pseudonym.h"
#include "db/database.h"
#include "jobs/consent.h"
#include "policy/loader.h"
#include "temp_dir.h"
#include "util/error.h"

using namespace dsr;

namespace {

constexpr const char* consent_policy_text = R"(version: 1
controller: {name: ConsentShop, contact: privacy@shop.example}
regime: gdpr
databases:
  main: {url: "sqlite:shop.db"}
identities:
  email: {column: customers.email, normalize: email}
  customer_id: {column: customers.id}
  phone: {column: customers.phone, normalize: phone}
purposes:
  account: {basis: contract, description: The account.}
  marketing: {basis: consent, description: The newsletter.}
  sms: {basis: consent, description: Text messages.}
  score: {basis: consent, description: A score.}
  broken: {basis: consent, description: A mirror whose value does not fit.}
  missing: {basis: consent, description: A mirror the database lacks.}
  plain: {basis: consent, description: No mirror.}
recipients:
  mailer: {name: Mailer, role: processor, country: US, categories: [contact], purposes: [marketing]}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [account, marketing], source: provided}
      phone: {category: contact, purposes: [account], source: provided}
      opt_in: {category: marketing_preferences, purposes: [marketing], source: provided}
      sms_flag: {category: marketing_preferences, purposes: [sms], source: provided}
      ratio: {category: marketing_preferences, purposes: [score], source: provided}
consent:
  marketing: {mirror: {column: customers.opt_in}}
  sms: {mirror: {column: customers.sms_flag, granted: "1", withdrawn: "0"}}
  score: {mirror: {column: customers.ratio, granted: "1", withdrawn: "0.5"}}
  broken: {mirror: {column: customers.opt_in, granted: "yes", withdrawn: "no"}}
  missing: {mirror: {column: customers.nowhere}}
  plain:
)";

struct ConsentShop {
    test::TempDir dir;
    policy::Policy policy;
    std::unique_ptr<state::StateStore> store;
    std::unique_ptr<db::Database> db;
    crypto::SecretBytes key{crypto::pseudonym_key_bytes};

    ConsentShop() {
        auto loaded = policy::load_policy_text(consent_policy_text, dir.file("policy.yaml"));
        REQUIRE_MESSAGE(loaded.policy, (loaded.errors.empty() ? "" : loaded.errors[0].message));
        policy = std::move(*loaded.policy);
        {
            SQLite::Database raw(dir.file("shop.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            raw.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, phone TEXT, "
                     "opt_in INTEGER NOT NULL DEFAULT 0, sms_flag TEXT, ratio REAL);"
                     "INSERT INTO customers (id, email, phone) VALUES (1, 'ana@example.com', '+353861111111'),"
                     " (2, 'ben@example.com', '+353862222222'), (3, 'cara@example.com', '+353862222222');");
        }
        db::OpenOptions options;
        options.read_only = false;
        db = db::open_database(dir.file("shop.db"), options);
        store = std::make_unique<state::StateStore>(dir.file("state.db"), state::StateOptions{});
    }

    jobs::ConsentSubject subject(const std::string& kind, const std::string& value) const {
        return {kind, value, crypto::pseudonym(key, kind, value)};
    }

    std::optional<jobs::Mirror> mirror(const std::string& purpose) {
        return jobs::prepare_mirror(*db, policy, jobs::consent_purpose(policy, purpose), "main");
    }

    jobs::ChangeResult change(const std::string& purpose, consent::Action action, const jobs::ConsentSubject& who,
                              bool dry_run = false) {
        const auto& p = jobs::consent_purpose(policy, purpose);
        jobs::ConsentChange c{&p, action, "test", "", dry_run};
        return jobs::change_consent(*db, *store, policy, mirror(purpose), who, key, c, std::chrono::system_clock::now());
    }

    std::string sql(const std::string& query) {
        SQLite::Database raw(dir.file("shop.db"), SQLite::OPEN_READONLY);
        return raw.execAndGet(query).getString();
    }

    int ledger_size() { return store->db().execAndGet("SELECT count(*) FROM consent_ledger").getInt(); }
};

}  // namespace

TEST_CASE("consent job: the purpose named") {
    ConsentShop shop;
    CHECK(jobs::consent_purpose(shop.policy, "marketing").name == "marketing");
    CHECK_THROWS_WITH_AS(jobs::consent_purpose(shop.policy, "account"),
                         doctest::Contains("'account' is not under consent in the policy (its lawful basis is contract)"),
                         Error);
    CHECK_THROWS_WITH_AS(jobs::consent_purpose(shop.policy, "newsletter"),
                         doctest::Contains("'newsletter' is not a purpose of the policy; purposes under consent: marketing"),
                         Error);
    // A name that may be personal data is not repeated.
    try {
        jobs::consent_purpose(shop.policy, "ana@example.com");
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.status() == ExitStatus::usage);
        CHECK(std::string(e.what()).find("ana@") == std::string::npos);
    }
}

TEST_CASE("consent job: mirror values are typed as the column declares") {
    ConsentShop shop;
    auto integer = shop.mirror("marketing");
    REQUIRE(integer);
    CHECK(integer->granted == db::Value(std::int64_t{1}));
    CHECK(integer->withdrawn == db::Value(std::int64_t{0}));
    auto text = shop.mirror("sms");
    REQUIRE(text);
    CHECK(text->granted == db::Value(std::string("1")));
    auto real = shop.mirror("score");
    REQUIRE(real);
    CHECK(real->granted == db::Value(1.0));
    CHECK(real->withdrawn == db::Value(0.5));
    CHECK_FALSE(shop.mirror("plain"));
    CHECK_THROWS_WITH_AS(shop.mirror("broken"),
                         doctest::Contains("the granted value 'yes' does not fit customers.opt_in, a INTEGER column"), Error);
    CHECK_THROWS_WITH_AS(shop.mirror("missing"), doctest::Contains("customers.nowhere is not in the database"), Error);

    shop.change("marketing", consent::Action::granted, shop.subject("email", "ana@example.com"));
    shop.change("sms", consent::Action::granted, shop.subject("email", "ana@example.com"));
    CHECK(shop.sql("SELECT typeof(opt_in) || ':' || opt_in FROM customers WHERE id = 1") == "integer:1");
    CHECK(shop.sql("SELECT typeof(sms_flag) || ':' || sms_flag FROM customers WHERE id = 1") == "text:1");
}

TEST_CASE("consent job: grant and withdraw") {
    ConsentShop shop;
    auto ana_email = shop.subject("email", "ana@example.com");
    auto ana_id = shop.subject("customer_id", "1");

    auto granted = shop.change("marketing", consent::Action::granted, ana_email);
    CHECK(granted.entry.seq == 1);
    CHECK(granted.root_matches == 1);
    CHECK(granted.mirror.rows == 1);
    CHECK(granted.mirror.differing == 1);
    CHECK(granted.notify.empty());
    CHECK_FALSE(granted.before.consents());
    CHECK(granted.after.consents());
    // A registered person's entries share one pseudonym: their customer id's.
    CHECK(granted.entry.subject == ana_id.pseudonym);

    auto withdrawn = shop.change("marketing", consent::Action::withdrawn, ana_id);
    CHECK(withdrawn.before.consents());
    CHECK_FALSE(withdrawn.after.consents());
    CHECK(withdrawn.mirror.differing == 1);
    REQUIRE(withdrawn.notify.size() == 1);
    CHECK(withdrawn.notify[0].recipient->id == "mailer");
    CHECK(shop.sql("SELECT opt_in FROM customers WHERE id = 1") == "0");

    SUBCASE("a repeat appends again and changes no row") {
        auto again = shop.change("marketing", consent::Action::withdrawn, ana_email);
        CHECK(again.entry.seq == 3);
        CHECK(again.mirror.differing == 0);
        CHECK(shop.ledger_size() == 3);
    }
    SUBCASE("a dry run writes nothing and counts what the run would") {
        auto dry = shop.change("marketing", consent::Action::granted, ana_email, /*dry_run=*/true);
        CHECK(dry.entry.seq == 0);
        CHECK(dry.mirror.differing == 1);
        CHECK(dry.after.consents());
        CHECK(shop.ledger_size() == 2);
        CHECK(shop.sql("SELECT opt_in FROM customers WHERE id = 1") == "0");
    }
    SUBCASE("someone not registered is recorded; there is no row to mirror") {
        auto reader = shop.subject("email", "reader@example.org");
        auto r = shop.change("marketing", consent::Action::granted, reader);
        CHECK(r.entry.seq == 3);
        CHECK(r.root_matches == 0);
        CHECK(r.mirror.rows == 0);
        CHECK(r.entry.subject == reader.pseudonym);
    }
    SUBCASE("an identity naming two registered subjects writes nothing") {
        auto shared = shop.subject("phone", "+353862222222");
        CHECK_THROWS_WITH_AS(shop.change("marketing", consent::Action::granted, shared),
                             doctest::Contains("matches 2 registered subjects; nothing was written"), Error);
        CHECK(shop.ledger_size() == 2);
        CHECK(shop.sql("SELECT sum(opt_in) FROM customers") == "0");
    }
}

TEST_CASE("consent job: show and list") {
    ConsentShop shop;
    shop.change("marketing", consent::Action::granted, shop.subject("email", "ana@example.com"));
    shop.change("marketing", consent::Action::granted, shop.subject("email", "ben@example.com"));
    shop.change("marketing", consent::Action::withdrawn, shop.subject("customer_id", "2"));
    shop.change("marketing", consent::Action::granted, shop.subject("email", "reader@example.org"));

    std::vector<const policy::ConsentPurpose*> purposes{&jobs::consent_purpose(shop.policy, "marketing")};
    auto shown = jobs::show_consent(*shop.db, *shop.store, shop.policy, purposes, {shop.mirror("marketing")},
                                    shop.subject("email", "ben@example.com"), shop.key);
    REQUIRE(shown.purposes.size() == 1);
    CHECK(shown.purposes[0].history.size() == 2);
    CHECK_FALSE(shown.purposes[0].state.consents());
    CHECK(shown.purposes[0].mirror_rows.differing == 0);
    CHECK_FALSE(shown.unknown());
    auto nobody = jobs::show_consent(*shop.db, *shop.store, shop.policy, purposes, {shop.mirror("marketing")},
                                     shop.subject("email", "nobody@example.org"), shop.key);
    CHECK(nobody.unknown());

    const auto& marketing = *purposes[0];
    auto pseudonyms = jobs::list_pseudonyms(*shop.store, marketing, consent::Action::granted);
    CHECK(pseudonyms.names.size() == 2);  // ana (by customer id) and the reader
    CHECK(pseudonyms.complete);
    auto emails = jobs::list_identities(*shop.db, *shop.store, shop.policy, shop.key, marketing,
                                        consent::Action::granted, "email");
    // The reader has no row to read an email from: counted, not listed.
    CHECK(emails.names == std::vector<std::string>{"ana@example.com"});
    CHECK(emails.unresolved == 1);
    auto withdrawn = jobs::list_identities(*shop.db, *shop.store, shop.policy, shop.key, marketing,
                                           consent::Action::withdrawn, "email");
    CHECK(withdrawn.names == std::vector<std::string>{"ben@example.com"});
}
