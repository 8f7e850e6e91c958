#pragma once
// The one interface jobs use to reach a merchant database. Backends live in
// sqlite/ (and later postgres/); nothing above lib/db/ sees driver types:
// driver exceptions become dsr::Error here.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "db/schema.h"

namespace dsr::db {

/// Bytes of a BLOB column.
struct Blob {
    std::vector<unsigned char> bytes;
    bool operator==(const Blob&) const = default;
};

/// One value as the database holds it; monostate is SQL NULL.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

/// Called once per result row, with the column names and the row's values.
using RowHandler = std::function<void(const std::vector<std::string>& columns, const std::vector<Value>& row)>;

struct OpenOptions {
    bool read_only = true;
    std::chrono::milliseconds busy_timeout{5000};
    /// A testing aid (DSR_FAULT, dsr(1)): the process kills itself with
    /// SIGKILL right after this many data-changing statements (commit counts
    /// as one), to prove a crash at any point leaves the database whole.
    std::optional<int> kill_after_statements;
    /// No automatic checkpoint at commit (SQLite: wal_autocheckpoint = 0):
    /// a job of many short transactions calls checkpoint() between them,
    /// so no commit, and no measured lock time, pays for copying the log.
    bool manual_checkpoints = false;
};

class Database {
public:
    virtual ~Database() = default;
    /// "sqlite" or "postgresql", for reports.
    virtual std::string_view backend() const = 0;
    /// Reads the catalog: tables, columns, foreign keys, indexes.
    virtual Schema read_schema() = 0;
    /// Runs one statement with `params` bound in order (never spliced into
    /// the SQL) and streams its rows to `on_row`.
    virtual void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) = 0;
    /// An identifier quoted for this database's SQL, e.g. "order" -> "\"order\"".
    virtual std::string quote(std::string_view identifier) const = 0;

    /// Runs one statement that changes data, `params` bound in order;
    /// returns how many rows it changed.
    virtual std::int64_t execute(const std::string& sql, const std::vector<Value>& params) = 0;
    /// Starts the job's write transaction. It takes the write lock at once
    /// (SQLite: BEGIN IMMEDIATE), so a busy database fails before any change.
    virtual void begin() = 0;
    virtual void commit() = 0;
    /// Undoes an open transaction; does nothing when none is open.
    virtual void rollback() noexcept = 0;
    /// After an erasure: leaves no copy of erased values outside the live
    /// rows (SQLite: deleted content is zeroed by secure_delete, and the WAL
    /// is checkpointed into the file and truncated).
    virtual void remove_residue() = 0;
    /// Copies what is committed from the write-ahead log into the file,
    /// waiting for no one (SQLite: wal_checkpoint(PASSIVE)); nothing without
    /// a log. Keeps the log small during a long job of short transactions.
    virtual void checkpoint() = 0;
};

/// Opens `sqlite:PATH` or a plain file path. A missing file is an error, never created.
std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options);

}  // namespace dsr::db
