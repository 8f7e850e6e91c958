#pragma once
// The one interface jobs use to reach a merchant database. Backends live in
// sqlite/ and postgres/; nothing above lib/db/ sees driver types (driver
// exceptions become dsr::Error here) or writes SQL only one of them reads:
// what differs between their dialects is a method of Database.

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

/// A condition to splice into a WHERE clause, with its parameters in order.
struct SqlCondition {
    std::string sql;
    std::vector<Value> params;
};

/// A value an UPDATE writes, computed by the database from the row, and
/// whether the row's value differs from it.
struct SqlMask {
    SqlCondition value;
    SqlCondition differs;
};

/// How a column stores points in time, as the policy declares it. A column
/// of a native date/time type (TypeClass::timestamp) is compared as one
/// whatever the policy says.
enum class TimeStorage { iso8601, unix_seconds, unix_millis, native };

/// Held while it lives: see Database::lock_job.
class JobLock {
public:
    virtual ~JobLock() = default;
};

/// Called once per result row, with the column names and the row's values.
using RowHandler = std::function<void(const std::vector<std::string>& columns, const std::vector<Value>& row)>;

/// One read for query_each(): a statement, its parameters, where its rows go.
struct Query {
    std::string sql;
    std::vector<Value> params;
    RowHandler on_row;
};

/// Told of each statement after it ran (or failed): its SQL text, with
/// placeholders and never values, and how long it took. What -v prints.
using StatementObserver = std::function<void(std::string_view sql, std::chrono::microseconds took)>;

struct OpenOptions {
    bool read_only = true;
    /// How long to wait for a lock someone else holds (SQLite: busy_timeout;
    /// PostgreSQL: lock_timeout). Running out is ExitStatus::database_busy.
    std::chrono::milliseconds busy_timeout{5000};
    /// PostgreSQL's statement_timeout: no statement runs longer (0: no
    /// limit). Running out is ExitStatus::database_busy too. SQLite ignores it.
    std::chrono::milliseconds statement_timeout{0};
    /// A testing aid (DSR_FAULT, dsr(1)): the process kills itself with
    /// SIGKILL right after this many data-changing statements (commit counts
    /// as one), to prove a crash at any point leaves the database whole.
    std::optional<int> kill_after_statements;
    /// No automatic checkpoint at commit (SQLite: wal_autocheckpoint = 0):
    /// a job of many short transactions calls checkpoint() between them,
    /// so no commit, and no measured lock time, pays for copying the log.
    bool manual_checkpoints = false;
    /// PostgreSQL: plan every query for its own values, by never preparing
    /// one. A purge's batch queries bound a key range and a cutoff; prepared,
    /// from the sixth run PostgreSQL chose a generic plan, which cannot see
    /// that the range is narrow, and ANDed a bitmap of the whole time index
    /// into every batch (0.1 ms became 408 ms at 1,000,000 customers). Not
    /// the session's plan_cache_mode = force_custom_plan, which did the same
    /// but also planned again each foreign-key check the server makes for a
    /// deleted row (80 µs a check instead of 22). SQLite ignores it.
    bool custom_plans = false;
    /// PostgreSQL: false keeps each query to its own backend
    /// (max_parallel_workers_per_gather = 0). For a purge's reader, which
    /// reads beside the writes: with parallel workers, its large reads took
    /// the machine's cores from the writing backend and doubled the lock
    /// time of the batch they ran beside (2 cores, 1,000,000 customers:
    /// 45 ms batches held 108 ms). SQLite ignores it.
    bool parallel_workers = true;
    /// Empty: statements are not timed.
    StatementObserver on_statement;
    /// PostgreSQL: the session's application_name, as pg_stat_activity shows it.
    std::string application_name = "dsr";
};

/// What Database::update_by_key did.
struct UpdateCount {
    std::int64_t rows = 0;  ///< rows changed: as many as were given when each key names one row once
    std::size_t statements = 0;
};

class Database {
public:
    virtual ~Database() = default;
    /// "sqlite" or "postgresql", for reports.
    virtual std::string_view backend() const = 0;
    /// Reads the catalog: tables, columns, foreign keys, indexes.
    virtual Schema read_schema() = 0;
    /// read_schema(), read once and kept for the connection's life.
    const Schema& schema() {
        if (!schema_) schema_ = read_schema();
        return *schema_;
    }
    /// Runs one statement with `params` bound in order (never spliced into
    /// the SQL) and streams its rows to `on_row`.
    virtual void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) = 0;
    /// Runs each of `queries` as query() would, in order, each handler
    /// given its query's rows; stops at the first failure, which it throws
    /// (the handlers of the queries before it may not have run).
    /// For reads that do not depend on one another (a subject's rows in
    /// each table): PostgreSQL sends them in one pipeline, one round trip
    /// instead of one each, and hands the rows over once all have ended, so
    /// no query sees what a handler did before it.
    virtual void query_each(const std::vector<Query>& queries) {
        for (const auto& q : queries) query(q.sql, q.params, q.on_row);
    }
    /// An identifier quoted for this database's SQL, e.g. "order" -> "\"order\"".
    virtual std::string quote(std::string_view identifier) const = 0;
    /// A policy's table name quoted. On PostgreSQL `sales.orders` is table
    /// `orders` in schema `sales`, and a bare name is looked up on the
    /// search_path; on SQLite a table name is one identifier, dots and all.
    virtual std::string quote_table(std::string_view table) const = 0;
    /// What names a row of a table that declares no key (SQLite: rowid,
    /// PostgreSQL: ctid); stable only inside one transaction.
    virtual std::string row_id() const = 0;

    /// `column` (already qualified and quoted) as Unix seconds, NULL when
    /// empty or unreadable.
    virtual std::string unix_seconds_sql(const std::string& column, TimeStorage storage,
                                         TypeClass column_type) const = 0;
    /// True when `column` (qualified and quoted) holds a time earlier than
    /// `cutoff` (Unix seconds); false, never NULL, when it is empty or cannot
    /// be read, so the condition can be negated safely. Written so an index
    /// on the column can serve it, and evaluated by the database server,
    /// never by fetching rows.
    virtual SqlCondition earlier_than_sql(const std::string& column, TimeStorage storage, TypeClass column_type,
                                          std::int64_t cutoff) const = 0;

    /// What a mask on `column` (qualified and quoted, of a text type)
    /// writes, as the masker writes it (erase/masks.h), computed by the
    /// database: NULL stays NULL; `redact` writes `text`; `prefix` keeps
    /// the first `characters` characters between white space trimmed
    /// before and after. SQLite's text column may also hold bytes: the
    /// redaction's bytes then, and for a prefix nothing (x'' where
    /// `not_null`). nullopt where the database cannot count as the masker
    /// does (a PostgreSQL database in SQL_ASCII counts bytes): the masker's
    /// own value is written instead.
    virtual std::optional<SqlMask> text_redact_sql(const std::string& column, const std::string& text,
                                                   bool not_null) const = 0;
    virtual std::optional<SqlMask> text_prefix_sql(const std::string& column, int characters, bool not_null) const = 0;

    /// Runs one statement that changes data, `params` bound in order;
    /// returns how many rows it changed.
    virtual std::int64_t execute(const std::string& sql, const std::vector<Value>& params) = 0;
    /// Runs `sql` once for each of `rows` (its parameters, bound in order),
    /// in order, and returns how many rows each run changed. Stops at the
    /// first failure, which it throws as execute() would. PostgreSQL sends
    /// the runs in a pipeline, one round trip for many, which is what makes
    /// masking a batch of rows, one UPDATE per row, cost little more than a
    /// single statement.
    virtual std::vector<std::int64_t> execute_each(const std::string& sql, const std::vector<std::vector<Value>>& rows) {
        std::vector<std::int64_t> changed;
        changed.reserve(rows.size());
        for (const auto& params : rows) changed.push_back(execute(sql, params));
        return changed;
    }
    /// Sets, for each of `rows`, the `columns` of the row of `table` whose
    /// `key_column` holds the row's last value to the values before it (a
    /// row holds columns.size() + 1 values). The default runs one UPDATE a
    /// row through execute_each(); PostgreSQL updates many rows a
    /// statement, which is what masking a purge batch costs there.
    virtual UpdateCount update_by_key(std::string_view table, std::string_view key_column,
                                       const std::vector<std::string>& columns,
                                       const std::vector<std::vector<Value>>& rows);
    /// Starts the job's write transaction. It takes the write lock at once
    /// (SQLite: BEGIN IMMEDIATE), so a busy database fails before any change.
    virtual void begin() = 0;
    /// Starts a read-only transaction, ended by commit() or rollback(): every
    /// query in it sees the same committed state, and the database's read
    /// lock or snapshot is taken once rather than for every statement
    /// (SQLite: BEGIN DEFERRED; PostgreSQL: REPEATABLE READ, READ ONLY).
    virtual void begin_read() = 0;
    virtual void commit() = 0;
    /// Undoes an open transaction; does nothing when none is open.
    virtual void rollback() noexcept = 0;
    /// Inside the transaction: locks the rows of `table` whose `key_column`
    /// is one of `keys` until it ends, so no other writer changes them or
    /// inserts a row that refers to them (PostgreSQL: SELECT … FOR UPDATE; a
    /// foreign-key insert waits, then fails, and cannot leave an orphan).
    /// Nothing on SQLite, whose begin() already locks the whole database.
    virtual void lock_rows(std::string_view table, std::string_view key_column, const std::vector<Value>& keys) = 0;
    /// Keeps a second run of `job` (e.g. "purge") off this database while the
    /// returned lock lives, however the holder ends (SQLite: an flock on
    /// `<file>.dsr-<job>.lock`; PostgreSQL: a session advisory lock). Throws
    /// Error(database_busy) naming the holder when another process has it.
    virtual std::unique_ptr<JobLock> lock_job(std::string_view job) = 0;
    /// After an erasure: leaves no copy of erased values outside the live
    /// rows (SQLite: deleted content is zeroed by secure_delete, and the WAL
    /// is checkpointed into the file and truncated). False where the backend
    /// has no such step: PostgreSQL keeps deleted row versions in the
    /// table's pages until VACUUM reclaims their space, and its write-ahead
    /// log until the server recycles it, neither of which a client can force
    /// within one erasure.
    virtual bool remove_residue() = 0;
    /// Whether another connection's reads leave this one's writes alone: a
    /// read does not hold up a commit, nor a commit a read (PostgreSQL).
    /// Not SQLite in its default rollback-journal mode, where a reader's
    /// shared lock makes the commit wait.
    virtual bool reads_beside_writes() const { return false; }
    /// Whether a transaction waiting for a lock this connection holds gets
    /// it as soon as it is released (PostgreSQL queues and wakes waiters).
    /// Not SQLite: a waiting writer's busy handler sleeps and tries again,
    /// so it gets the lock only if the lock stays free for a moment.
    virtual bool wakes_lock_waiters() const { return false; }
    /// Whether a delete takes the row's entries out of every index of its
    /// table inside the transaction, so that the commit rewrites each index
    /// page the deleted rows lie on (SQLite). PostgreSQL marks the row
    /// version dead and leaves its index entries to VACUUM.
    virtual bool deletes_write_indexes() const { return false; }
    /// Copies what is committed from the write-ahead log into the file,
    /// waiting for no one (SQLite: wal_checkpoint(PASSIVE)); nothing without
    /// a log. Keeps the log small during a long job of short transactions,
    /// so a writer of the shop, whose own commit checkpoints once the log
    /// holds 1,000 pages (SQLite's default), finds little to copy.
    virtual void checkpoint() = 0;

protected:
    /// Reports one statement to the observer when it goes out of scope,
    /// whether the statement finished or threw.
    class TimedStatement {
    public:
        TimedStatement(const StatementObserver& observer, std::string_view sql)
            : observer_(observer), sql_(sql), start_(std::chrono::steady_clock::now()) {}
        ~TimedStatement() {
            if (observer_)
                observer_(sql_, std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - start_));
        }
        TimedStatement(const TimedStatement&) = delete;
        TimedStatement& operator=(const TimedStatement&) = delete;

    private:
        const StatementObserver& observer_;
        std::string_view sql_;
        std::chrono::steady_clock::time_point start_;
    };
    StatementObserver on_statement_;

private:
    std::optional<Schema> schema_;
};

/// A read-only transaction (Database::begin_read) for the length of a scope:
/// one snapshot, one read lock. It ends with a rollback, however the scope
/// is left: it changed nothing, and a commit would count as a
/// data-changing statement for DSR_FAULT.
class ReadTransaction {
public:
    explicit ReadTransaction(Database& db) : db_(db) { db_.begin_read(); }
    ~ReadTransaction() { db_.rollback(); }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

private:
    Database& db_;
};

/// "?, ?, ?": the parameters of an IN list of `n` values.
std::string placeholders(std::size_t n);
/// Values bound in one IN list: well under SQLite's limit on bound parameters.
inline constexpr std::size_t max_in_list = 500;

/// True for a PostgreSQL location: a `postgresql://` or `postgres://` URI,
/// or a libpq keyword string such as `host=/run/pg dbname=shop`.
bool is_postgresql_url(std::string_view url);

/// Opens a PostgreSQL location (is_postgresql_url), or `sqlite:PATH` or a
/// plain file path. A missing SQLite file is an error, never created.
std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options);

}  // namespace dsr::db
