#pragma once
// Where each table's purge stopped, kept in the state store after every
// committed batch, so a purge that was killed or ran out of --max-duration
// continues there instead of walking the table from the start again. A
// cursor can lag behind the database (killed between the commit and the
// save) but never runs ahead of it, and walking a batch twice is harmless:
// the conditions are checked again inside each batch's transaction.

#include <chrono>
#include <optional>
#include <string>

#include "db/database.h"
#include "state/state_store.h"

namespace dsr::purge {

class PurgeCursors {
public:
    /// `database` names the merchant database (sqlite: its absolute path).
    PurgeCursors(state::StateStore& store, std::string database) : store_(store), database_(std::move(database)) {}

    /// The last key of `table` a batch finished, if an earlier run stopped there.
    std::optional<db::Value> get(const std::string& table);
    void save(const std::string& table, const db::Value& last_key, const std::string& policy_sha256,
              std::chrono::system_clock::time_point when);
    /// The table was walked to its end: the next run starts from the beginning.
    void clear(const std::string& table);

private:
    state::StateStore& store_;
    std::string database_;
};

}  // namespace dsr::purge
