// Tests for lib/consent/consent_ledger.h: entries are appended with what
// GDPR Art. 7(1) needs, read back across a subject's pseudonyms in order,
// the latest per pseudonym is found in one pass, and the ledger refuses any
// change to what it holds.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "consent/consent_ledger.h"
#include "temp_dir.h"

using namespace dsr;
using consent::Action;

namespace {

std::chrono::system_clock::time_point at(int day) {
    using namespace std::chrono;
    return sys_days{year{2026} / November / day} + hours{10};
}

consent::Entry entry(const std::string& subject, const std::string& purpose, Action action,
                     const std::string& source = "") {
    consent::Entry e;
    e.subject = subject;
    e.purpose = purpose;
    e.action = action;
    e.source = source;
    e.policy_sha256 = std::string(64, 'a');
    return e;
}

}  // namespace

TEST_CASE("ConsentLedger") {
    test::TempDir dir;
    state::StateStore store(dir.file("state.db"), {});
    consent::ConsentLedger ledger(store);
    const std::string ana_email(64, '1'), ana_id(64, '2'), ben(64, '3');

    SUBCASE("append fills seq and the UTC time, and keeps source, policy and request") {
        auto e = entry(ana_email, "marketing", Action::granted, "web form");
        e.request_id = "R-2026-000001";
        auto written = ledger.append(e, at(20));
        CHECK(written.seq == 1);
        CHECK(written.at == "2026-11-20T10:00:00Z");
        auto read = ledger.history({ana_email}, "marketing");
        REQUIRE(read.size() == 1);
        CHECK(read[0].seq == 1);
        CHECK(read[0].action == Action::granted);
        CHECK(read[0].source == "web form");
        CHECK(read[0].policy_sha256 == std::string(64, 'a'));
        CHECK(read[0].request_id == "R-2026-000001");
        CHECK(store.db().execAndGet("SELECT source IS NULL FROM consent_ledger").getInt() == 0);
    }
    SUBCASE("an empty source or request is stored as NULL") {
        ledger.append(entry(ana_email, "marketing", Action::granted), at(20));
        CHECK(store.db().execAndGet("SELECT source IS NULL AND request_id IS NULL FROM consent_ledger").getInt() == 1);
        CHECK(ledger.history({ana_email}, "marketing")[0].source.empty());
    }
    SUBCASE("history reads every pseudonym of a subject, one purpose, oldest first") {
        ledger.append(entry(ana_email, "marketing", Action::granted, "web form"), at(1));
        ledger.append(entry(ben, "marketing", Action::granted), at(2));
        ledger.append(entry(ana_email, "sale", Action::withdrawn), at(3));
        ledger.append(entry(ana_id, "marketing", Action::withdrawn, "phone"), at(4));
        ledger.append(entry(ana_email, "marketing", Action::granted, "email"), at(5));

        auto history = ledger.history({ana_id, ana_email}, "marketing");
        REQUIRE(history.size() == 3);
        CHECK(history[0].source == "web form");
        CHECK(history[1].source == "phone");
        CHECK(history[2].source == "email");
        CHECK(history[0].seq < history[1].seq);
        CHECK(history[1].seq < history[2].seq);

        auto latest = ledger.latest({ana_email, ana_id}, "marketing");
        REQUIRE(latest);
        CHECK(latest->seq == 5);
        // Under one pseudonym only, the latest is another entry.
        CHECK(ledger.latest({ana_id}, "marketing")->seq == 4);
        CHECK_FALSE(ledger.latest({ana_id}, "sale"));
        CHECK(ledger.history({}, "marketing").empty());
        CHECK_FALSE(ledger.latest({}, "marketing"));
    }
    SUBCASE("latest_by_subject: the newest entry of each pseudonym, by pseudonym, one purpose") {
        ledger.append(entry(ben, "marketing", Action::granted), at(1));
        ledger.append(entry(ana_email, "marketing", Action::granted), at(2));
        ledger.append(entry(ben, "marketing", Action::withdrawn), at(3));
        ledger.append(entry(ana_email, "sale", Action::withdrawn), at(4));
        auto latest = ledger.latest_by_subject("marketing");
        REQUIRE(latest.size() == 2);
        CHECK(latest[0].subject == ana_email);
        CHECK(latest[0].action == Action::granted);
        CHECK(latest[1].subject == ben);
        CHECK(latest[1].action == Action::withdrawn);
        CHECK(latest[1].seq == 3);
        CHECK(ledger.latest_by_subject("sale").size() == 1);
        CHECK(ledger.latest_by_subject("made_to_measure").empty());
    }
    SUBCASE("a repeated grant is a second entry: each is evidence") {
        ledger.append(entry(ana_email, "marketing", Action::granted, "web form"), at(1));
        ledger.append(entry(ana_email, "marketing", Action::granted, "email"), at(2));
        CHECK(ledger.history({ana_email}, "marketing").size() == 2);
    }
    SUBCASE("the ledger refuses updates and deletions") {
        ledger.append(entry(ana_email, "marketing", Action::granted), at(1));
        CHECK_THROWS_WITH(store.db().exec("UPDATE consent_ledger SET action = 'withdrawn'"), doctest::Contains("append-only"));
        CHECK_THROWS_WITH(store.db().exec("DELETE FROM consent_ledger"), doctest::Contains("append-only"));
        CHECK(ledger.latest({ana_email}, "marketing")->action == Action::granted);
    }
}

TEST_CASE("consent::State") {
    consent::State s;
    SUBCASE("opt_in: no consent until granted") {
        s.kind = policy::ConsentKind::opt_in;
        CHECK_FALSE(s.consents());
        CHECK(s.by_default());
    }
    SUBCASE("opt_out: consenting until withdrawn") {
        s.kind = policy::ConsentKind::opt_out;
        CHECK(s.consents());
        s.last = entry("p", "sale", Action::withdrawn);
        CHECK_FALSE(s.consents());
        CHECK_FALSE(s.by_default());
        s.last->action = Action::granted;
        CHECK(s.consents());
    }
    SUBCASE("the latest entry decides, whatever the kind") {
        s.kind = policy::ConsentKind::opt_in;
        s.last = entry("p", "marketing", Action::granted);
        CHECK(s.consents());
        s.last->action = Action::withdrawn;
        CHECK_FALSE(s.consents());
    }
}
