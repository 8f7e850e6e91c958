// Tests for lib/state/state_store.h: created private, migrated once, WAL,
// and a file from a newer dsr refused rather than damaged.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>
#include <sys/stat.h>

#include "state/migrations.h"
#include "state/state_store.h"
#include "temp_dir.h"
#include "util/error.h"

using namespace dsr;

TEST_CASE("StateStore") {
    test::TempDir dir;
    std::string file = dir.file("state.db");

    SUBCASE("a new store is 0600, in WAL mode, at the current schema version") {
        state::StateStore store(file, {});
        CHECK(store.schema_version() == state::current_schema_version);
        CHECK(store.db().execAndGet("PRAGMA journal_mode").getString() == "wal");
        struct stat st {};
        REQUIRE(::stat(file.c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    SUBCASE("reopening does not migrate again") {
        { state::StateStore first(file, {}); first.db().exec("INSERT INTO consent_ledger (at, subject, purpose, action, policy_sha256) VALUES ('t', 's', 'p', 'granted', 'h')"); }
        state::StateStore again(file, {});
        CHECK(again.db().execAndGet("SELECT count(*) FROM consent_ledger").getInt() == 1);
    }
    SUBCASE("the consent ledger is append-only") {
        state::StateStore store(file, {});
        store.db().exec("INSERT INTO consent_ledger (at, subject, purpose, action, policy_sha256) VALUES ('t', 's', 'p', 'granted', 'h')");
        CHECK_THROWS_WITH(store.db().exec("UPDATE consent_ledger SET action = 'withdrawn'"), doctest::Contains("append-only"));
        CHECK_THROWS_WITH(store.db().exec("DELETE FROM consent_ledger"), doctest::Contains("append-only"));
        CHECK_THROWS(store.db().exec("INSERT INTO consent_ledger (at, subject, purpose, action, policy_sha256) VALUES ('t', 's', 'p', 'maybe', 'h')"));
    }
    SUBCASE("a version 1 store is migrated to the current version, its audit log kept") {
        {
            SQLite::Database db(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec(std::string(state::migrations[0]));
            db.exec("PRAGMA user_version = 1");
            db.exec("INSERT INTO audit_entries (at, command, phase, prev_hash, hash) VALUES ('t', 'c', 'intent', 'p', 'h')");
        }
        state::StateStore store(file, {});
        CHECK(store.schema_version() == state::current_schema_version);
        CHECK(store.db().execAndGet("SELECT count(*) FROM audit_entries").getInt() == 1);
        CHECK(store.db().execAndGet("SELECT count(*) FROM purge_cursors").getInt() == 0);
    }
    SUBCASE("a missing store is an error when not creating") {
        CHECK_THROWS_AS(state::StateStore(file, {std::chrono::milliseconds(100), false}), Error);
        CHECK_FALSE(std::filesystem::exists(file));
    }
    SUBCASE("a store from a newer dsr is refused") {
        { SQLite::Database db(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); db.exec("PRAGMA user_version = 99"); }
        CHECK_THROWS_WITH_AS(state::StateStore(file, {}), doctest::Contains("newer than this dsr"), Error);
    }
}

TEST_CASE("resolve_state_path") {
    CHECK(state::resolve_state_path("/x/s.db", "policies/shop.yaml", "ignored.db") == "/x/s.db");
    CHECK(state::resolve_state_path("", "policies/shop.yaml", "state/dsr.db") == "policies/state/dsr.db");
    CHECK(state::resolve_state_path("", "policies/shop.yaml", "/var/lib/dsr.db") == "/var/lib/dsr.db");
    CHECK(state::resolve_state_path("", "policies/shop.yaml", "") == "policies/dsr-state.db");
}
