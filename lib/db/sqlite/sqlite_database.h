#pragma once

#include <memory>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/database.h"

namespace dsr::db {

/// Binds `params` to ?1, ?2, … in order. For dsr's own stores as well.
void bind_values(SQLite::Statement& statement, const std::vector<Value>& params);
/// A result column as a Value, its storage class kept.
Value column_value(const SQLite::Column& column);

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(const std::string& path, const OpenOptions& options);
    std::string_view backend() const override { return "sqlite"; }
    Schema read_schema() override;
    void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) override;
    std::string quote(std::string_view identifier) const override;
    std::string quote_table(std::string_view table) const override { return quote(table); }
    std::string row_id() const override { return "rowid"; }
    std::string unix_seconds_sql(const std::string& column, TimeStorage storage, TypeClass column_type) const override;
    SqlCondition earlier_than_sql(const std::string& column, TimeStorage storage, TypeClass column_type,
                                  std::int64_t cutoff) const override;
    std::optional<SqlMask> text_redact_sql(const std::string& column, const std::string& text,
                                           bool not_null) const override;
    std::optional<SqlMask> text_prefix_sql(const std::string& column, int characters, bool not_null) const override;
    std::int64_t execute(const std::string& sql, const std::vector<Value>& params) override;
    void begin() override;
    void begin_read() override;
    void commit() override;
    void rollback() noexcept override;
    void lock_rows(std::string_view, std::string_view, const std::vector<Value>&) override {}
    std::unique_ptr<JobLock> lock_job(std::string_view job) override;
    bool remove_residue() override;
    bool deletes_write_indexes() const override { return true; }
    void checkpoint() override;

private:
    class Prepared;
    /// Counts a data-changing statement for the DSR_FAULT testing aid.
    void count_statement();

    std::string path_;
    SQLite::Database db_;
    std::optional<int> kill_after_statements_;
    int statements_ = 0;
    bool in_transaction_ = false;

    /// Prepared statements kept by their SQL text and reused: a batch runs
    /// the same few statements for every subject, and preparing them anew
    /// each time was a quarter of an access batch's CPU. Declared after
    /// db_, so they are finalized before the connection closes.
    struct CachedStatement {
        std::unique_ptr<SQLite::Statement> statement;
        bool in_use = false;  ///< a row handler running the same SQL gets a statement of its own
    };
    std::unordered_map<std::string, CachedStatement> statements_cache_;
};

}  // namespace dsr::db
