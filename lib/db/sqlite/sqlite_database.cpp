#include "db/sqlite/sqlite_database.h"

#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include <algorithm>
#include <csignal>
#include <cctype>
#include <filesystem>

#include "db/sqlite/sqlite_error.h"
#include "db/sqlite/sqlite_job_lock.h"
#include "db/time_bounds.h"
#include "util/error.h"

namespace dsr::db {

namespace {

/// SQLite's type-affinity rules (datatype3.html, section 3.1), in their order.
TypeClass affinity(std::string declared) {
    std::transform(declared.begin(), declared.end(), declared.begin(), [](unsigned char c) { return std::toupper(c); });
    if (declared.find("INT") != std::string::npos) return TypeClass::integer;
    if (declared.find("CHAR") != std::string::npos || declared.find("CLOB") != std::string::npos ||
        declared.find("TEXT") != std::string::npos)
        return TypeClass::text;
    if (declared.empty() || declared.find("BLOB") != std::string::npos) return TypeClass::blob;
    if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
        declared.find("DOUB") != std::string::npos)
        return TypeClass::real;
    return TypeClass::numeric;
}

SQLite::Database open_file(const std::string& path, const OpenOptions& options) {
    // Checked first so the message names the real problem; SQLite's own is a vague "unable to open".
    // The error_code overload: a name the system cannot look up (too long, a
    // parent that is a file) is a database error, not an exception escaping.
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error(ExitStatus::database, path + ": cannot open database: " + ec.message());
    if (!exists) throw Error(ExitStatus::database, path + ": database file does not exist");
    try {
        int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
        return SQLite::Database(path, flags, static_cast<int>(options.busy_timeout.count()));
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path, "cannot open database");
    }
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, const OpenOptions& options)
    : path_(path), db_(open_file(path, options)), kill_after_statements_(options.kill_after_statements) {
    on_statement_ = options.on_statement;
    try {
        // A merchant's file is not trusted: no writes to the schema through
        // SQL tricks, no functions with side effects called from its views
        // or triggers (sqlite.org/security.html, "defensive" settings).
        sqlite3_db_config(db_.getHandle(), SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
        db_.exec("PRAGMA trusted_schema = OFF");
        // Fails here, not half way through a job, if the file is not a database.
        db_.exec("PRAGMA schema_version");
        db_.exec("PRAGMA foreign_keys = ON");
        // Deleted and overwritten content is zeroed, so erased values do not
        // survive in free pages or free space inside pages.
        if (!options.read_only) db_.exec("PRAGMA secure_delete = ON");
        // A writing job's page cache: 64 MiB, not SQLite's 2 MiB. A purge's
        // batches each change rows scattered over the same index pages, and
        // with the default cache every batch read them again from the file
        // (1,000,000 customers: 67 → 62 s and 82 → 71 s in paired runs; 200,000:
        // 7.3 → 6.5 s, the medians of three). Pages are only held once read.
        if (!options.read_only) db_.exec("PRAGMA cache_size = -65536");
        if (!options.read_only && options.manual_checkpoints) db_.exec("PRAGMA wal_autocheckpoint = 0");
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot read database");
    }
}

Schema SqliteDatabase::read_schema() {
    // One line for -v: the catalog is read in a statement a table, through PRAGMAs.
    TimedStatement timed(on_statement_, "PRAGMA table_info, foreign_key_list, index_list for each table of sqlite_schema");
    Schema schema;
    try {
        SQLite::Statement tables(db_,
                                 "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                 "ORDER BY name");
        while (tables.executeStep()) {
            TableInfo t;
            t.name = tables.getColumn(0).getString();
            schema.tables.push_back(std::move(t));
        }
        for (auto& t : schema.tables) {
            SQLite::Statement cols(db_, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid");
            cols.bind(1, t.name);
            int pk_columns = 0;
            while (cols.executeStep()) {
                ColumnInfo c;
                c.name = cols.getColumn(0).getString();
                c.declared_type = cols.getColumn(1).getString();
                c.type_class = affinity(c.declared_type);
                c.not_null = cols.getColumn(2).getInt() != 0;
                c.primary_key = cols.getColumn(3).getInt() != 0;
                c.leads_primary_key = cols.getColumn(3).getInt() == 1;
                pk_columns += c.primary_key ? 1 : 0;
                t.columns.push_back(std::move(c));
            }
            if (pk_columns == 1)
                for (auto& c : t.columns)
                    if (c.primary_key) c.unique = true;

            SQLite::Statement fks(db_, "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?) "
                                       "ORDER BY id, seq");
            fks.bind(1, t.name);
            while (fks.executeStep()) {
                ForeignKeyInfo fk;
                fk.from_column = fks.getColumn(0).getString();
                fk.to_table = fks.getColumn(1).getString();
                fk.to_column = fks.getColumn(2).isNull() ? "" : fks.getColumn(2).getString();
                fk.on_delete = fks.getColumn(3).getString();
                t.foreign_keys.push_back(std::move(fk));
            }

            SQLite::Statement indexes(db_, "SELECT name, \"unique\" FROM pragma_index_list(?) ORDER BY name");
            indexes.bind(1, t.name);
            while (indexes.executeStep()) {
                IndexInfo index;
                index.name = indexes.getColumn(0).getString();
                index.unique = indexes.getColumn(1).getInt() != 0;
                t.indexes.push_back(std::move(index));
            }
            for (auto& index : t.indexes) {
                SQLite::Statement cols_of(db_, "SELECT name FROM pragma_index_info(?) ORDER BY seqno");
                cols_of.bind(1, index.name);
                while (cols_of.executeStep())
                    index.columns.push_back(cols_of.getColumn(0).isNull() ? "" : cols_of.getColumn(0).getString());
                if (index.unique && index.columns.size() == 1)
                    for (auto& c : t.columns)
                        if (c.name == index.columns.front()) c.unique = true;
            }
        }
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot read schema");
    }
    return schema;
}

void bind_values(SQLite::Statement& statement, const std::vector<Value>& params) {
    // sqlite3_bind_blob() binds NULL for a null pointer, which an empty
    // vector's data() may be: an empty Blob is x'', not NULL.
    static const unsigned char no_bytes = 0;
    for (std::size_t i = 0; i < params.size(); ++i) {
        int index = static_cast<int>(i + 1);
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>) statement.bind(index);
                else if constexpr (std::is_same_v<T, std::int64_t>) statement.bind(index, static_cast<int64_t>(v));
                else if constexpr (std::is_same_v<T, double>) statement.bind(index, v);
                else if constexpr (std::is_same_v<T, std::string>) statement.bind(index, v);
                else statement.bind(index, v.bytes.empty() ? &no_bytes : v.bytes.data(), static_cast<int>(v.bytes.size()));
            },
            params[i]);
    }
}

Value column_value(const SQLite::Column& column) {
    switch (column.getType()) {
        case SQLITE_INTEGER: return static_cast<std::int64_t>(column.getInt64());
        case SQLITE_FLOAT: return column.getDouble();
        case SQLITE_TEXT: return column.getString();
        case SQLITE_BLOB: {
            const auto* data = static_cast<const unsigned char*>(column.getBlob());
            return Blob{std::vector<unsigned char>(data, data + column.getBytes())};
        }
        default: return std::monostate{};
    }
}

/// A prepared statement for one run: the cached one when it is free, else
/// one of its own. Returned reset, so it holds no lock once the run ends.
class SqliteDatabase::Prepared {
public:
    Prepared(SqliteDatabase& db, const std::string& sql) {
        // Statements built with a varying number of placeholders (IN lists
        // of a batch) would fill the cache with texts seen once: past this
        // many, new texts are prepared for one run only.
        constexpr std::size_t cache_limit = 64;
        auto found = db.statements_cache_.find(sql);
        if (found == db.statements_cache_.end() && db.statements_cache_.size() < cache_limit)
            found = db.statements_cache_.emplace(sql, CachedStatement{}).first;
        if (found != db.statements_cache_.end() && !found->second.in_use) {
            if (!found->second.statement) found->second.statement = std::make_unique<SQLite::Statement>(db.db_, sql);
            cached_ = &found->second;
            cached_->in_use = true;
            statement_ = cached_->statement.get();
        } else {
            own_ = std::make_unique<SQLite::Statement>(db.db_, sql);
            statement_ = own_.get();
        }
    }
    ~Prepared() {
        if (!cached_) return;
        statement_->tryReset();
        cached_->in_use = false;
    }
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;

    SQLite::Statement& operator*() { return *statement_; }

private:
    CachedStatement* cached_ = nullptr;
    std::unique_ptr<SQLite::Statement> own_;
    SQLite::Statement* statement_ = nullptr;
};

void SqliteDatabase::query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) {
    TimedStatement timed(on_statement_, sql);
    try {
        Prepared prepared(*this, sql);
        auto& statement = *prepared;
        bind_values(statement, params);
        std::vector<std::string> columns;
        for (int c = 0; c < statement.getColumnCount(); ++c) columns.emplace_back(statement.getColumnName(c));
        std::vector<Value> row(columns.size());
        while (statement.executeStep()) {
            for (int c = 0; c < statement.getColumnCount(); ++c) row[c] = column_value(statement.getColumn(c));
            on_row(columns, row);
        }
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "query failed");
    }
}

std::string SqliteDatabase::quote(std::string_view identifier) const {
    std::string out = "\"";
    for (char c : identifier) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

// A column of TEXT affinity holds NULL, text or bytes (numbers become
// text), so each expression asks typeof(). `IS NOT` is SQLite's
// NULL-safe inequality, comparing bytes with bytes and text with text.
std::optional<SqlMask> SqliteDatabase::text_redact_sql(const std::string& column, const std::string& text,
                                                       bool) const {
    const Value bytes = Blob{std::vector<unsigned char>(text.begin(), text.end())};
    const std::string value = "CASE typeof(" + column + ") WHEN 'null' THEN NULL WHEN 'blob' THEN ? ELSE ? END";
    return SqlMask{{value, {bytes, text}}, {column + " IS NOT (" + value + ")", {bytes, text}}};
}

std::optional<SqlMask> SqliteDatabase::text_prefix_sql(const std::string& column, int characters, bool not_null) const {
    if (characters < 0) return std::nullopt;
    // What C's isspace() calls white space, as the masker trims it; substr()
    // counts the characters of text. Bytes are no text to cut: emptied.
    const std::string space = "char(32, 9, 10, 11, 12, 13)";
    const std::string value = "CASE typeof(" + column + ") WHEN 'null' THEN NULL WHEN 'text' THEN trim(substr(trim(" +
                              column + ", " + space + "), 1, " + std::to_string(characters) + "), " + space +
                              ") ELSE " + (not_null ? "x''" : "NULL") + " END";
    return SqlMask{{value, {}}, {column + " IS NOT (" + value + ")", {}}};
}

std::int64_t SqliteDatabase::execute(const std::string& sql, const std::vector<Value>& params) {
    TimedStatement timed(on_statement_, sql);
    std::int64_t changed = 0;
    try {
        Prepared prepared(*this, sql);
        auto& statement = *prepared;
        bind_values(statement, params);
        changed = statement.exec();
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "statement failed");
    }
    count_statement();
    return changed;
}

void SqliteDatabase::begin() {
    TimedStatement timed(on_statement_, "BEGIN IMMEDIATE");
    try {
        db_.exec("BEGIN IMMEDIATE");
        in_transaction_ = true;
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot start a write transaction");
    }
}

void SqliteDatabase::begin_read() {
    TimedStatement timed(on_statement_, "BEGIN");
    try {
        // DEFERRED: the read lock at the first read, kept to the end, so every
        // statement sees the same committed state.
        db_.exec("BEGIN");
        in_transaction_ = true;
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot start a read transaction");
    }
}

void SqliteDatabase::commit() {
    TimedStatement timed(on_statement_, "COMMIT");
    try {
        db_.exec("COMMIT");
        in_transaction_ = false;
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot commit");
    }
    count_statement();
}

void SqliteDatabase::rollback() noexcept {
    if (!in_transaction_) return;
    in_transaction_ = false;
    try {
        db_.exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
        // SQLite has already rolled back (e.g. after SQLITE_FULL): nothing is left to undo.
    }
}

bool SqliteDatabase::remove_residue() {
    try {
        // TRUNCATE waits (busy handler) for readers, copies every frame into
        // the file and cuts the WAL to zero bytes; in rollback-journal mode
        // it does nothing, and the journal is gone once the commit ends.
        SQLite::Statement checkpoint(db_, "PRAGMA wal_checkpoint(TRUNCATE)");
        if (checkpoint.executeStep() && checkpoint.getColumn(0).getInt() != 0)
            throw Error(ExitStatus::database_busy,
                        path_ + ": the changes are committed, but a reader kept the write-ahead log from being "
                                "emptied; run the command again when the database is idle to remove the residue");
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot checkpoint the write-ahead log");
    }
    return true;
}

void SqliteDatabase::checkpoint() {
    try {
        db_.exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot checkpoint the write-ahead log");
    }
}

std::string SqliteDatabase::unix_seconds_sql(const std::string& column, TimeStorage storage, TypeClass) const {
    const std::string parsed = "CAST(strftime('%s', " + column + ") AS INTEGER)";
    const std::string number = "typeof(" + column + ") IN ('integer', 'real')";
    switch (storage) {
        case TimeStorage::iso8601:
            // strftime would read a number as a Julian day: only text is ISO 8601.
            return "(CASE WHEN typeof(" + column + ") = 'text' THEN " + parsed + " END)";
        case TimeStorage::unix_seconds:
            return "(CASE WHEN " + number + " THEN CAST(" + column + " AS INTEGER) END)";
        case TimeStorage::unix_millis:
            return "(CASE WHEN " + number + " THEN CAST(" + column + " AS INTEGER) / 1000 END)";
        case TimeStorage::native:
            // SQLite has no date type: its date functions read ISO 8601 text and
            // Julian day numbers (REAL); an INTEGER is taken as Unix seconds.
            return "(CASE typeof(" + column + ") WHEN 'integer' THEN " + column + " WHEN 'text' THEN " + parsed +
                   " WHEN 'real' THEN " + parsed + " END)";
    }
    return "NULL";
}

SqlCondition SqliteDatabase::earlier_than_sql(const std::string& column, TimeStorage storage, TypeClass column_type,
                                              std::int64_t cutoff) const {
    // In SQLite every number sorts before every text, so `column < number`
    // is false for text, and NULL is ruled out first: two-valued throughout.
    switch (storage) {
        case TimeStorage::unix_seconds:
            return {"(" + column + " IS NOT NULL AND " + column + " < ?)", {cutoff}};
        case TimeStorage::unix_millis:
            return {"(" + column + " IS NOT NULL AND " + column + " < ?)", {cutoff * 1000}};
        case TimeStorage::iso8601:
            return {"(typeof(" + column + ") = 'text' AND " + column + " < ? AND IFNULL(CAST(strftime('%s', " +
                        column + ") AS INTEGER) < ?, 0))",
                    {iso8601_text_bound(cutoff), cutoff}};
        case TimeStorage::native:
            return {"IFNULL(" + unix_seconds_sql(column, storage, column_type) + " < ?, 0)", {cutoff}};
    }
    return {"0", {}};
}

std::unique_ptr<JobLock> SqliteDatabase::lock_job(std::string_view job) {
    return std::make_unique<SqliteJobLock>(path_, job);
}

void SqliteDatabase::count_statement() {
    ++statements_;
    if (kill_after_statements_ && statements_ >= *kill_after_statements_) ::raise(SIGKILL);
}

}  // namespace dsr::db
