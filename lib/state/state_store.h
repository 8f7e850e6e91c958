#pragma once
// dsr's own state, apart from the merchant's data: the audit log, the request
// ledger, the consent ledger and the erasure ledger. One SQLite file in WAL
// mode with versioned migrations. It never holds a raw identifier: subjects
// appear only as keyed pseudonyms.

#include <chrono>
#include <memory>
#include <string>

namespace SQLite {
class Database;
}

namespace dsr::state {

struct StateOptions {
    std::chrono::milliseconds busy_timeout{5000};
    bool create = true;  ///< create the file (mode 0600) when missing; false: a missing file is an error
};

/// The schema version this dsr writes; older files are migrated on open.
inline constexpr int current_schema_version = 3;

class StateStore {
public:
    /// Opens (and creates or migrates) the state file. Throws dsr::Error:
    /// database_busy when another process holds the lock past the timeout,
    /// database for anything else; a file from a newer dsr is refused.
    StateStore(const std::string& path, const StateOptions& options);
    ~StateStore();
    StateStore(const StateStore&) = delete;
    StateStore& operator=(const StateStore&) = delete;

    const std::string& path() const { return path_; }
    int schema_version() const;

    /// The connection, for the ledgers in lib/ (audit, requests, consent, erasure).
    /// Nothing outside lib/ may use it.
    SQLite::Database& db() { return *db_; }

    /// True inside a StateTransaction: the ledgers then write into it rather
    /// than commit on their own.
    bool in_transaction();

private:
    std::string path_;
    std::unique_ptr<SQLite::Database> db_;
};

/// One write transaction on the state store, taken at once (BEGIN
/// IMMEDIATE). The ledgers' writes inside it (audit entries, the signed
/// head) become durable together in one commit, where each would otherwise
/// pay a disk sync of its own; a batch closes a group of subjects this way.
/// Rolled back if destroyed before commit().
///
/// Made while another is open (a ledger writing inside a caller's
/// transaction), it joins that one: its commit() does nothing, and the
/// outer transaction commits or rolls back everything.
class StateTransaction {
public:
    explicit StateTransaction(StateStore& store);
    ~StateTransaction();
    StateTransaction(const StateTransaction&) = delete;
    StateTransaction& operator=(const StateTransaction&) = delete;
    void commit();

private:
    StateStore& store_;
    bool open_ = false;  ///< this one began the transaction and has not ended it
};

/// The next id of a ledger whose ids are `prefix` and a count of six or
/// more digits (R-2026-000001, B-2026-000001): one more than the highest
/// with that prefix in `table`. Call inside the transaction that inserts it.
std::string next_numbered_id(StateStore& store, const std::string& table, const std::string& prefix);

/// Where the state lives: `--state`, else the policy's `state:` key (relative
/// to the policy file), else `dsr-state.db` beside the policy.
std::string resolve_state_path(const std::string& state_option, const std::string& policy_path,
                               const std::string& policy_state_key);

}  // namespace dsr::state
