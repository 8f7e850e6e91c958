#pragma once
// The PostgreSQL backend, on libpq.
//
// Why libpq and not libpqxx: Debian 12's libpqxx 6.4 materialises every
// result whole in memory, and dsr streams exports of a million rows in
// bounded memory; libpq's plain calls are all this needs (a cursor fetched a
// page at a time, PQescapeIdentifier, SQLSTATE codes) and it does the
// password lookup (PGPASSFILE, PGPASSWORD, the service file).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "db/database.h"

// libpq's PGconn and PGresult; libpq-fe.h stays out of this header.
struct pg_conn;
struct pg_result;

namespace dsr::db {

/// dsr's `?` placeholders as PostgreSQL's `$1, $2, …`, leaving alone a `?`
/// inside a '…' string literal, a "…" identifier or a -- comment (dsr's
/// SQL has no E'…' or $$…$$ strings, whose quoting this does not know).
std::string translate_placeholders(std::string_view sql);

class PostgresDatabase final : public Database {
public:
    /// `url`: a `postgresql://` URI or a libpq keyword string. One that
    /// carries a password is refused (ExitStatus::usage).
    PostgresDatabase(const std::string& url, const OpenOptions& options);
    ~PostgresDatabase() override;
    PostgresDatabase(const PostgresDatabase&) = delete;
    PostgresDatabase& operator=(const PostgresDatabase&) = delete;

    std::string_view backend() const override { return "postgresql"; }
    /// `postgresql:<dbname>@<host>`, how messages name the database (never the URL).
    const std::string& name() const { return name_; }
    /// As PQserverVersion: 150004 for 15.4.
    int server_version() const { return server_version_; }

    Schema read_schema() override;
    void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) override;
    /// In libpq's pipeline mode, a chunk of queries per round trip; a result
    /// too large to hold is read again through query()'s cursor.
    void query_each(const std::vector<Query>& queries) override;
    std::string quote(std::string_view identifier) const override;
    std::string quote_table(std::string_view table) const override;
    std::string row_id() const override { return "ctid"; }
    std::string unix_seconds_sql(const std::string& column, TimeStorage storage, TypeClass column_type) const override;
    SqlCondition earlier_than_sql(const std::string& column, TimeStorage storage, TypeClass column_type,
                                  std::int64_t cutoff) const override;
    std::optional<SqlMask> text_redact_sql(const std::string& column, const std::string& text,
                                           bool not_null) const override;
    std::optional<SqlMask> text_prefix_sql(const std::string& column, int characters, bool not_null) const override;
    std::int64_t execute(const std::string& sql, const std::vector<Value>& params) override;
    /// In libpq's pipeline mode, a chunk of runs per round trip.
    std::vector<std::int64_t> execute_each(const std::string& sql,
                                           const std::vector<std::vector<Value>>& rows) override;
    /// One `UPDATE … FROM (VALUES …)` for many rows, the values cast to
    /// each column's type (read by read_schema()); chunks of equal size go
    /// through execute_each's pipeline.
    UpdateCount update_by_key(std::string_view table, std::string_view key_column,
                               const std::vector<std::string>& columns,
                               const std::vector<std::vector<Value>>& rows) override;
    void begin() override;
    void begin_read() override;
    void commit() override;
    void rollback() noexcept override;
    void lock_rows(std::string_view table, std::string_view key_column, const std::vector<Value>& keys) override;
    /// A session advisory lock. The returned lock unlocks through this
    /// connection, so it must not outlive the PostgresDatabase.
    std::unique_ptr<JobLock> lock_job(std::string_view job) override;
    /// Nothing: PostgreSQL keeps old row versions until VACUUM removes them,
    /// and VACUUM needs the table's owner, which dsr's role need not be. The
    /// operator's documentation says how to schedule it.
    bool remove_residue() override { return false; }
    /// Nothing: the server manages its own write-ahead log.
    void checkpoint() override {}
    /// A read sees a snapshot and takes no lock a writer waits for.
    bool reads_beside_writes() const override { return true; }
    /// Lock waiters queue on the server and are woken at the commit.
    bool wakes_lock_waiters() const override { return true; }

private:
    /// Runs a statement whose result is small (PQexecParams) and checks it.
    std::unique_ptr<::pg_result, void (*)(::pg_result*)> run(const std::string& sql,
                                                   const std::vector<Value>& params, std::string_view doing);
    /// As run(), through a statement prepared on its second use and kept for
    /// the connection's life: the server parses it once, and may plan it
    /// once. Its first use runs unprepared: one round trip rather than two
    /// (prepare, then execute) for a statement that runs only once, as each
    /// of a single subject's do.
    std::unique_ptr<::pg_result, void (*)(::pg_result*)> run_prepared(const std::string& sql,
                                                            const std::vector<Value>& params, std::string_view doing);
    /// The name of `postgres_sql` prepared for these parameter types (0:
    /// the server infers), preparing it if new, or if `at_first_use` is
    /// false only once it is asked for the second time; null when it is not
    /// (yet) prepared, or the connection holds as many prepared statements
    /// as it may: run it unprepared then.
    const std::string* prepared_statement(const std::string& postgres_sql, int count, const unsigned int* types,
                                          std::string_view doing, bool at_first_use);
    /// `sql` read at most direct_rows + 1 rows at once: more means the
    /// result goes through a cursor instead.
    static std::string held_rows_sql(const std::string& sql);
    /// A result's rows to `on_row`, one at a time.
    void hand_rows(const ::pg_result* result, const RowHandler& on_row);
    /// query_each() for queries [first, last): sends them, reads every
    /// answer (so the connection leaves pipeline mode whatever failed), then
    /// hands each its rows.
    void read_pipeline(const std::vector<Query>& queries, std::size_t first, std::size_t last);
    /// query() for a result too large to hold: a cursor, a page at a time.
    void query_through_cursor(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row);
    /// execute_each() for rows [first, last): sends them, then reads every
    /// result, so the connection leaves pipeline mode whatever failed;
    /// appends to `changed`, which holds the counts of the rows before `first`.
    void run_pipeline(const std::string& postgres_sql, const std::vector<std::vector<Value>>& rows,
                      std::size_t first, std::size_t last, std::vector<std::int64_t>& changed);
    /// Throws when a transaction is open or a query() row handler is running.
    void refuse_nested_transaction() const;
    [[noreturn]] void fail(const ::pg_result* result, std::string_view doing) const;
    void count_statement();

    ::pg_conn* conn_ = nullptr;
    std::string name_;
    int server_version_ = 0;
    std::chrono::milliseconds lock_timeout_;
    std::chrono::milliseconds statement_timeout_;
    std::optional<int> kill_after_statements_;
    bool custom_plans_ = false;  ///< OpenOptions::custom_plans: query() never prepares
    int statements_ = 0;
    bool in_transaction_ = false;
    std::uint64_t cursors_ = 0;  ///< names each query's cursor uniquely on this connection
    std::map<std::string, std::string> prepared_;  ///< SQL text and parameter types → prepared statement name
    std::set<std::string> asked_once_;              ///< keys of prepared_ asked for once, not prepared yet
    std::uint64_t statement_names_ = 0;            ///< names each prepared statement uniquely
    /// (table as policies name it, column) → the column's type without its
    /// modifier (`character varying`, not `character varying(80)`): a value
    /// cast to it is then checked against the modifier on assignment, as a
    /// plain UPDATE's would be, not cut short as an explicit cast cuts it.
    std::map<std::pair<std::string, std::string>, std::string> column_types_;
    int handlers_running_ = 0;                     ///< query() row handlers on the stack: no begin() in them
};

}  // namespace dsr::db
