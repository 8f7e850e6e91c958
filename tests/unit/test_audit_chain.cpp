// Tests for lib/audit/audit_log.h: the hash chain and signed heads catch every
// kind of tampering, each at the first entry that no longer verifies.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include "audit/audit_log.h"
#include "crypto/keys.h"
#include "state/state_store.h"
#include "temp_dir.h"

namespace {

using namespace dsr;
using std::chrono::system_clock;

const system_clock::time_point t0 = system_clock::from_time_t(1790000000);

/// A state store with `n` signed entries, and its keys.
struct Fixture {
    test::TempDir dir;
    std::string keys_dir = dir.file("keys");
    std::string state_file = dir.file("state.db");
    crypto::Keys keys = [this] {
        crypto::generate_keys(keys_dir, false);
        return crypto::load_keys(keys_dir, "test");
    }();

    void write_entries(int n) {
        state::StateStore store(state_file, {});
        audit::AuditLog log(store);
        for (int i = 0; i < n; ++i) {
            audit::AuditEntry e;
            e.command = "erase";
            e.phase = i % 2 ? "done" : "intent";
            e.subject = std::string(64, 'a' + static_cast<char>(i % 6));
            e.summary = {{"orders", i}};
            if (i % 2) e.refers_to = i;  // done refers to the intent before it
            log.append(e, t0 + std::chrono::seconds(i));
            log.sign_head(keys, t0 + std::chrono::seconds(i));
        }
    }

    audit::VerifyResult verify(const std::optional<audit::SignedHead>& expected = std::nullopt) {
        state::StateStore store(state_file, {});
        return audit::AuditLog(store).verify(keys.signing_public_key, expected);
    }

    void sql(const std::string& statement) {
        SQLite::Database db(state_file, SQLite::OPEN_READWRITE);
        db.exec(statement);
    }
};

}  // namespace

TEST_CASE("AuditLog::verify") {
    Fixture f;
    f.write_entries(6);

    SUBCASE("an untouched log verifies") {
        auto r = f.verify();
        CHECK(r.ok);
        CHECK(r.entries == 6);
        CHECK(r.heads_checked == 6);
    }
    SUBCASE("a changed field") {
        f.sql("UPDATE audit_entries SET summary = '{\"orders\":99}' WHERE seq = 3");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 3);
        CHECK(r.problem.find("changed") != std::string::npos);
    }
    SUBCASE("a deleted entry") {
        f.sql("DELETE FROM audit_heads WHERE seq = 4; DELETE FROM audit_entries WHERE seq = 4");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 4);
        CHECK(r.problem.find("missing") != std::string::npos);
    }
    SUBCASE("two swapped entries") {
        f.sql("UPDATE audit_entries SET seq = -2 WHERE seq = 2; UPDATE audit_entries SET seq = 2 WHERE seq = 3;"
              "UPDATE audit_entries SET seq = 3 WHERE seq = -2");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 2);
    }
    SUBCASE("an appended entry without the key") {
        state::StateStore store(f.state_file, {});
        audit::AuditEntry forged;
        forged.command = "erase";
        forged.phase = "done";
        audit::AuditLog(store).append(forged, t0 + std::chrono::hours(1));  // a correct hash, but nobody signs it
        auto r = audit::AuditLog(store).verify(f.keys.signing_public_key, std::nullopt);
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 7);
        CHECK(r.problem.find("not covered by a signed head") != std::string::npos);
    }
    SUBCASE("an appended entry signed with another key") {
        test::TempDir other;
        crypto::generate_keys(other.file("keys"), false);
        auto impostor = crypto::load_keys(other.file("keys"), "test");
        state::StateStore store(f.state_file, {});
        audit::AuditLog log(store);
        audit::AuditEntry forged;
        forged.command = "erase";
        forged.phase = "done";
        log.append(forged, t0 + std::chrono::hours(1));
        log.sign_head(impostor, t0 + std::chrono::hours(1));
        auto r = log.verify(f.keys.signing_public_key, std::nullopt);
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 7);
        CHECK(r.problem.find("no valid signature") != std::string::npos);
    }
    SUBCASE("a changed signed head") {
        f.sql("UPDATE audit_heads SET hash = 'x' || substr(hash, 2) WHERE seq = 5");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 5);
    }
    SUBCASE("heads whose entries were removed") {
        f.sql("DELETE FROM audit_entries WHERE seq >= 5");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 5);
        CHECK(r.problem.find("does not match the log") != std::string::npos);
        CHECK(r.heads_checked == 5);
    }
    SUBCASE("of a changed head and a changed entry after it, the head is reported") {
        f.sql("UPDATE audit_heads SET hash = 'x' || substr(hash, 2) WHERE seq = 2;"
              "UPDATE audit_entries SET summary = '{\"orders\":99}' WHERE seq = 5");
        auto r = f.verify();
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 2);
    }
    SUBCASE("a truncated tail, against a head saved earlier") {
        state::StateStore store(f.state_file, {});
        auto saved = audit::AuditLog(store).latest_head();
        REQUIRE(saved);
        CHECK(saved->seq == 6);
        f.sql("DELETE FROM audit_heads WHERE seq >= 5; DELETE FROM audit_entries WHERE seq >= 5");
        CHECK(f.verify().ok);  // without the saved head a clean truncation cannot be seen
        auto r = f.verify(saved);
        CHECK_FALSE(r.ok);
        CHECK(r.first_bad_seq == 5);
        CHECK(r.problem.find("tail was removed") != std::string::npos);
    }
}

TEST_CASE("AuditLog::interrupted") {
    Fixture f;
    state::StateStore store(f.state_file, {});
    audit::AuditLog log(store);
    audit::AuditEntry intent;
    intent.command = "erase";
    intent.phase = "intent";
    auto written = log.append(intent, t0);
    REQUIRE(log.interrupted().size() == 1);
    CHECK(log.interrupted().front().seq == written.seq);

    audit::AuditEntry done;
    done.command = "erase";
    done.phase = "done";
    done.refers_to = written.seq;
    log.append(done, t0 + std::chrono::seconds(1));
    CHECK(log.interrupted().empty());
}

TEST_CASE("AuditLog verifies 100,000 entries") {
    Fixture f;
    {
        state::StateStore store(f.state_file, {});
        audit::AuditLog log(store);
        // No fsync per append: the fixture is big, and durability is not what is tested here.
        store.db().exec("PRAGMA synchronous = OFF");
        audit::AuditEntry e;
        e.command = "purge";
        e.phase = "done";
        for (int i = 0; i < 100000; ++i) {
            log.append(e, t0);
            if (i % 1000 == 999) log.sign_head(f.keys, t0);
        }
    }
    auto r = f.verify();
    CHECK(r.ok);
    CHECK(r.entries == 100000);
    CHECK(r.heads_checked == 100);

    // verify hashes and checks signatures in chunks on a second thread while
    // it reads on: the first problem is still the one reported, across chunks.
    SUBCASE("changed entries in two chunks") {
        f.sql("UPDATE audit_entries SET command = 'erase' WHERE seq IN (9000, 70000)");
        auto bad = f.verify();
        CHECK_FALSE(bad.ok);
        CHECK(bad.first_bad_seq == 9000);
    }
    SUBCASE("a bad signature, then a changed entry in the chunk after it") {
        f.sql("UPDATE audit_heads SET signature = replace(signature, substr(signature, 1, 1), "
              "CASE substr(signature, 1, 1) WHEN '0' THEN '1' ELSE '0' END) WHERE seq = 8000;"
              "UPDATE audit_entries SET command = 'erase' WHERE seq = 8500");
        auto bad = f.verify();
        CHECK_FALSE(bad.ok);
        CHECK(bad.first_bad_seq == 8000);
        CHECK(bad.problem.find("no valid signature") != std::string::npos);
    }
    SUBCASE("a changed entry, then a head that does not match in the same chunk") {
        f.sql("UPDATE audit_entries SET command = 'erase' WHERE seq = 12345;"
              "UPDATE audit_heads SET hash = 'x' || substr(hash, 2) WHERE seq = 13000");
        auto bad = f.verify();
        CHECK_FALSE(bad.ok);
        CHECK(bad.first_bad_seq == 12345);
        CHECK(bad.problem.find("changed") != std::string::npos);
    }
}
