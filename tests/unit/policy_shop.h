#pragma once
// A small hand-made shop for job tests: a SQLite file made from schema SQL,
// the policy that describes it (loaded beside it, so `sqlite:shop.db`
// resolves to the file), a fixed pseudonym key and a fixed today.

#include <doctest/doctest.h>

#include <SQLiteCpp/Database.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include "crypto/pseudonym.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "policy/loader.h"
#include "temp_dir.h"

namespace dsr::test {

struct PolicyShop {
    TempDir dir;
    std::string file = dir.file("shop.db");
    policy::Policy policy;
    crypto::SecretBytes key{crypto::pseudonym_key_bytes};
    std::chrono::system_clock::time_point now =
        std::chrono::sys_days{std::chrono::year{2026} / std::chrono::November / 20};

    PolicyShop(const char* schema_sql, const char* policy_text) {
        SQLite::Database(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec(schema_sql);
        auto loaded = policy::load_policy_text(policy_text, dir.file("policy.yaml"));
        REQUIRE(loaded.policy);
        policy = std::move(*loaded.policy);
        std::memset(key.data(), 3, key.size());
    }

    std::unique_ptr<db::Database> open(bool read_only, db::StatementObserver on_statement = {}) const {
        db::OpenOptions options;
        options.read_only = read_only;
        options.on_statement = std::move(on_statement);
        return db::open_database(file, options);
    }
};

}  // namespace dsr::test
