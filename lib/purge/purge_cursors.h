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
    /// Whether a save waits until the cursor is on the disk. A cursor lost
    /// to a power cut only makes the next run walk some batches again, so
    /// the wait is needed only where it serves as a pause (jobs/purge.cpp).
    enum class Sync { durable, deferred };
    void save(const std::string& table, const db::Value& last_key, const std::string& policy_sha256,
              std::chrono::system_clock::time_point when, Sync sync = Sync::durable);
    /// Whether an earlier run of the current cycle walked `table` to its end
    /// (a cycle ends when a run finishes every table it purges). A run
    /// stopped early thus continues with the tables still to do, instead of
    /// walking the finished ones again first.
    bool finished(const std::string& table);
    void mark_finished(const std::string& table, const std::string& policy_sha256,
                       std::chrono::system_clock::time_point when);
    /// The cycle is over for `table`: the next run walks it from the start.
    void clear(const std::string& table);

private:
    state::StateStore& store_;
    std::string database_;
};

}  // namespace dsr::purge
