#include "db/postgres/postgres_database.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <limits>
#include <csignal>
#include <map>

#include "db/postgres/postgres_error.h"
#include "db/time_bounds.h"
#include "util/error.h"

namespace dsr::db {

namespace {

using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

Result wrap(PGresult* result) { return Result(result, PQclear); }

// Built-in type OIDs (pg_type.dat); fixed since PostgreSQL 7.
constexpr Oid bool_oid = 16, bytea_oid = 17, name_oid = 19, int8_oid = 20, int2_oid = 21, int4_oid = 23,
              text_oid = 25, oid_oid = 26, float4_oid = 700, float8_oid = 701, bpchar_oid = 1042,
              varchar_oid = 1043, date_oid = 1082, timestamp_oid = 1114, timestamptz_oid = 1184, numeric_oid = 1700;

/// The first key of dsr's advisory locks ("dsr" in ASCII), so they do not
/// collide with another application's locks on the same database.
constexpr const char* advisory_lock_class = "6583154";

/// Rows fetched from a query's cursor at a time.
constexpr int page_rows = 1000;

/// The most rows query() reads in one round trip and holds at once: more
/// than a purge batch (default_purge_batch), few enough that memory stays
/// bounded; a larger result goes through a cursor.
constexpr int direct_rows = 4096;

/// Statements prepared on one connection at most; past it, a new SQL text
/// runs unprepared (each IN-list length is a text of its own).
constexpr std::size_t max_prepared_statements = 1000;

/// Statements sent in one pipeline before their results are read. Each
/// answer is a few dozen bytes, so the server never blocks writing answers
/// the client is not yet reading while the client blocks sending (the
/// deadlock libpq warns of for pipelines in blocking mode).
constexpr std::size_t pipeline_chunk = 256;
/// query_each(): the most a pipeline sends before its answers are read. An
/// answer may be thousands of rows, which the server blocks writing until
/// they are read; what the client sends before reading must therefore fit
/// the socket's buffer (some 200 KiB on Linux), or both would wait.
constexpr std::size_t pipeline_read_bytes = 32 * 1024;
/// The protocol's limit on one statement's parameters.
constexpr std::size_t max_parameters = 65535;
/// update_by_key's rows a statement: past a few hundred, a larger statement
/// saves little and costs more to parse.
constexpr std::size_t update_rows_per_statement = 256;

/// More keys than this in one `IN (…)` make a statement the planner is slow on.
constexpr std::size_t lock_chunk = 500;

/// Parameters as libpq takes them. Every value but a BLOB goes as text of
/// unknown type (OID 0), so the server infers its type from the context
/// exactly as for a literal: `'5'` is 5 against an integer column and '5'
/// against a text one, as SQLite's column affinity does.
class Params {
public:
    explicit Params(const std::vector<Value>& values) {
        texts_.reserve(values.size());  // values_ points into texts_: no reallocation
        for (const auto& value : values) {
            Oid type = 0;
            const char* data = nullptr;
            int length = 0, format = 0;
            if (const auto* i = std::get_if<std::int64_t>(&value)) {
                data = texts_.emplace_back(std::to_string(*i)).c_str();
            } else if (const auto* d = std::get_if<double>(&value)) {
                char text[32];
                auto end = std::to_chars(text, text + sizeof text, *d).ptr;  // shortest round-trip form
                data = texts_.emplace_back(text, end).c_str();
            } else if (const auto* s = std::get_if<std::string>(&value)) {
                // libpq reads text as a C string: a NUL would cut it short.
                if (s->find('\0') != std::string::npos)
                    throw Error(ExitStatus::usage, "a value holds a NUL character, which PostgreSQL text cannot");
                data = s->c_str();
            } else if (const auto* b = std::get_if<Blob>(&value)) {
                static const char empty = 0;  // a null pointer would be NULL, not an empty bytea
                type = bytea_oid;
                data = b->bytes.empty() ? &empty : reinterpret_cast<const char*>(b->bytes.data());
                length = static_cast<int>(b->bytes.size());
                format = 1;
            }
            types_.push_back(type);
            values_.push_back(data);
            lengths_.push_back(length);
            formats_.push_back(format);
        }
    }
    int count() const { return static_cast<int>(values_.size()); }
    const Oid* types() const { return types_.data(); }
    const char* const* values() const { return values_.data(); }
    const int* lengths() const { return lengths_.data(); }
    const int* formats() const { return formats_.data(); }

private:
    std::vector<std::string> texts_;
    std::vector<Oid> types_;
    std::vector<const char*> values_;
    std::vector<int> lengths_, formats_;
};

/// About how many bytes a value takes on the wire, text or binary.
std::size_t value_size(const Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return s->size();
    if (const auto* b = std::get_if<Blob>(&value)) return b->bytes.size();
    return 24;
}

std::int64_t to_int64(std::string_view text) {
    std::int64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
}

/// A timestamptz as ISO 8601 in UTC, `2026-11-01T08:30:00Z`, as dsr's SQLite
/// shops store times, rather than PostgreSQL's `2026-11-01 08:30:00+00`
/// (the session's TimeZone is UTC): reports read the same on both backends,
/// and the text reads back as the same instant. Other forms (BC, a year past
/// 9999) stay as printed.
std::string iso8601_utc(std::string_view text) {
    if (text.size() < 22 || text[10] != ' ' || !text.ends_with("+00")) return std::string(text);
    std::string out(text.substr(0, text.size() - 3));
    out[10] = 'T';
    return out + "Z";
}

/// A result field as a Value, by the column's type; text mode throughout.
Value field_value(const PGresult* result, int row, int column) {
    if (PQgetisnull(result, row, column)) return std::monostate{};
    std::string_view text(PQgetvalue(result, row, column), static_cast<std::size_t>(PQgetlength(result, row, column)));
    switch (PQftype(result, column)) {
        case bool_oid: return std::int64_t{text == "t" ? 1 : 0};
        case int2_oid:
        case int4_oid:
        case int8_oid:
        case oid_oid: return to_int64(text);
        case float4_oid:
        case float8_oid: {
            double value = 0;  // from_chars reads NaN, Infinity and -Infinity too
            std::from_chars(text.data(), text.data() + text.size(), value);
            return value;
        }
        case bytea_oid: {
            Blob blob;  // bytea_output = hex: \x then two digits a byte
            for (std::size_t i = 2; i + 1 < text.size(); i += 2)
                blob.bytes.push_back(static_cast<unsigned char>(hex_digit(text[i]) * 16 + hex_digit(text[i + 1])));
            return blob;
        }
        case timestamptz_oid: return iso8601_utc(text);
        default: return std::string(text);
    }
}

/// Refuses a password on the command line or in the policy: it would show
/// in `ps`, shell history and audit records.
void refuse_password(const std::string& url) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
    if (!options) {
        std::string message = one_line(error ? error : "out of memory");
        PQfreemem(error);
        throw Error(ExitStatus::usage, "not a valid PostgreSQL connection string: " + message);
    }
    bool has_password = false;
    for (auto* o = options; o->keyword; ++o)
        if (std::string_view(o->keyword) == "password" && o->val) has_password = true;
    PQconninfoFree(options);
    if (has_password)
        throw Error(ExitStatus::usage, "the PostgreSQL connection string contains a password: put the password in "
                                       "~/.pgpass or PGPASSFILE, never on the command line or in the policy");
}

std::string database_name(const PGconn* conn) {
    const char* db = PQdb(conn);
    const char* host = PQhost(conn);
    return std::string("postgresql:") + (db ? db : "") + "@" + (host ? host : "");
}

/// Catalog type → TypeClass, after domains are resolved to their base type.
TypeClass type_class(Oid type, std::string_view name) {
    switch (type) {
        case int2_oid:
        case int4_oid:
        case int8_oid: return TypeClass::integer;
        case float4_oid:
        case float8_oid: return TypeClass::real;
        case numeric_oid: return TypeClass::numeric;
        case text_oid:
        case varchar_oid:
        case bpchar_oid:
        case name_oid: return TypeClass::text;
        case bytea_oid: return TypeClass::blob;
        case timestamptz_oid:
        case timestamp_oid:
        case date_oid: return TypeClass::timestamp;
        default: return name == "citext" ? TypeClass::text : TypeClass::other;  // an extension's type: no fixed OID
    }
}

const std::string& text_of(const Value& value) {
    static const std::string empty;
    const auto* s = std::get_if<std::string>(&value);
    return s ? *s : empty;
}

std::int64_t int_of(const Value& value) {
    const auto* i = std::get_if<std::int64_t>(&value);
    return i ? *i : 0;
}

/// The numbers in an int2[] as PostgreSQL writes it: "{1,2}".
std::vector<std::int64_t> attribute_numbers(const std::string& array) {
    std::vector<std::int64_t> numbers;
    std::int64_t n = 0;
    bool in_number = false;
    for (char ch : array) {
        if (ch >= '0' && ch <= '9') {
            n = n * 10 + (ch - '0');
            in_number = true;
        } else if (in_number) {
            numbers.push_back(n);
            n = 0;
            in_number = false;
        }
    }
    return numbers;
}

/// pg_constraint.confdeltype as SQL says it.
std::string on_delete_action(const std::string& code) {
    return code == "c"   ? "CASCADE"
           : code == "n" ? "SET NULL"
           : code == "d" ? "SET DEFAULT"
           : code == "r" ? "RESTRICT"
                         : "NO ACTION";
}

/// The tables read_schema lists: ordinary and partitioned tables outside the
/// system schemas. Partitions are left out: their rows are the parent's.
constexpr const char* user_tables =
    "SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition "
    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'";

/// ISO 8601 text PostgreSQL reads as a timestamptz, and only real calendar
/// dates (leap days included): a value the regex let through but the cast
/// rejected would abort the whole statement. Text without an offset is UTC,
/// the session's time zone, as SQLite reads it.
constexpr const char* iso8601_regex =
    "^(?:(?!0000)[0-9]{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
    "|(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29)"
    "(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:[.][0-9]{1,9})?)?"
    "(?:Z|[+-](?:0[0-9]|1[0-5])(?::?[0-5][0-9])?)?)?$";

/// How a time column is read.
enum class Reading { none, native, seconds, millis, iso8601 };

Reading reading_of(TimeStorage storage, TypeClass type) {
    const bool number = type == TypeClass::integer || type == TypeClass::real || type == TypeClass::numeric;
    const bool text = type == TypeClass::text;
    if (type == TypeClass::timestamp) return Reading::native;  // whatever the policy says
    switch (storage) {
        case TimeStorage::native: return text ? Reading::iso8601 : number ? Reading::seconds : Reading::none;
        case TimeStorage::iso8601: return text ? Reading::iso8601 : Reading::none;
        case TimeStorage::unix_seconds: return text || number ? Reading::seconds : Reading::none;
        case TimeStorage::unix_millis: return text || number ? Reading::millis : Reading::none;
    }
    return Reading::none;
}

/// A number column, or digits in a text column, as a bigint; NULL for what
/// is not one (NaN, infinities, other text) rather than an error that would
/// abort the statement.
std::string whole_number(const std::string& column, TypeClass type, const std::string& divisor) {
    if (type == TypeClass::integer) return "(" + column + divisor + ")";
    if (type == TypeClass::text)
        return "(CASE WHEN " + column + " ~ '^-?[0-9]{1,18}$' THEN CAST(" + column + " AS bigint)" + divisor + " END)";
    return "(CASE WHEN " + column + " BETWEEN -1e15 AND 1e15 THEN CAST(floor(" + column + divisor + ") AS bigint) END)";
}

class PostgresJobLock final : public JobLock {
public:
    PostgresJobLock(PGconn* conn, std::string key) : conn_(conn), key_(std::move(key)) {}
    ~PostgresJobLock() override {
        // Inside a failed transaction no statement runs; the lock then ends
        // with the session, when the connection closes.
        if (PQtransactionStatus(conn_) == PQTRANS_INERROR) return;
        const char* values[] = {key_.c_str()};
        PQclear(PQexecParams(conn_,
                             ("SELECT pg_advisory_unlock(" + std::string(advisory_lock_class) + ", hashtext($1))").c_str(),
                             1, nullptr, values, nullptr, nullptr, 0));
    }

private:
    PGconn* conn_;
    std::string key_;
};

}  // namespace

std::string translate_placeholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        std::size_t end = std::string_view::npos;
        // A doubled quote inside a literal reads as two adjacent literals
        // here, which skips the same text.
        if (c == '\'' || c == '"') end = sql.find(c, i + 1);
        else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') end = sql.find('\n', i);
        else {
            if (c == '?') out += "$" + std::to_string(++n);
            else out += c;
            continue;
        }
        end = std::min(end, sql.size() - 1);
        out.append(sql.substr(i, end - i + 1));
        i = end;
    }
    return out;
}

PostgresDatabase::PostgresDatabase(const std::string& url, const OpenOptions& options)
    // lock_timeout 0 is "wait forever" where SQLite's busy_timeout 0 is "do not wait".
    : lock_timeout_(std::max(options.busy_timeout, std::chrono::milliseconds(1))),
      statement_timeout_(options.statement_timeout),
      kill_after_statements_(options.kill_after_statements),
      custom_plans_(options.custom_plans) {
    on_statement_ = options.on_statement;
    refuse_password(url);
    conn_ = PQconnectdb(url.c_str());
    if (!conn_) throw Error(ExitStatus::database, "cannot connect to PostgreSQL: out of memory");
    name_ = database_name(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) {
        std::string message = one_line(PQerrorMessage(conn_));
        PQfinish(conn_);
        throw Error(ExitStatus::database, name_ + ": cannot connect: " + message);
    }
    // The server's notices (a trigger's RAISE NOTICE may quote row values)
    // would go to stderr.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    server_version_ = PQserverVersion(conn_);
    try {
        // Output dsr can read whatever the role's defaults: UTC and ISO
        // dates (timestamps as text compare across backends), hex bytea,
        // floats that read back exactly, UTF-8.
        std::vector<Value> settings = {
            "TimeZone", "UTC", "DateStyle", "ISO, YMD", "IntervalStyle", "iso_8601", "application_name", options.application_name,
            "extra_float_digits", "3", "bytea_output", "hex", "client_encoding", "UTF8",
            "lock_timeout", std::to_string(lock_timeout_.count()),
            "statement_timeout", std::to_string(statement_timeout_.count()),
        };
        if (options.read_only) settings.insert(settings.end(), {"default_transaction_read_only", "on"});
        // No JIT compilation (PostgreSQL 11 on): dsr's statements are keyed
        // and short, and a purge's reads and deletes of many rows cross the
        // planner's cost limits, then spend more compiling than running (a
        // read of 50,000 order_items at 1,000,000 customers: 480 ms of its
        // 876 compiling).
        if (server_version_ >= 110000) settings.insert(settings.end(), {"jit", "off"});
        if (!options.parallel_workers) settings.insert(settings.end(), {"max_parallel_workers_per_gather", "0"});
        std::string sql = "SELECT ";
        for (std::size_t i = 0; i < settings.size(); i += 2) sql += (i ? ", " : "") + std::string("set_config(?, ?, false)");
        run(sql, settings, "cannot set up the session");
    } catch (...) {
        PQfinish(conn_);
        throw;
    }
}

PostgresDatabase::~PostgresDatabase() { PQfinish(conn_); }

void PostgresDatabase::fail(const PGresult* result, std::string_view doing) const {
    throw_postgres_error(result, conn_, name_, doing, {lock_timeout_, statement_timeout_});
}

std::unique_ptr<PGresult, void (*)(PGresult*)> PostgresDatabase::run(const std::string& sql,
                                                                      const std::vector<Value>& params,
                                                                      std::string_view doing) {
    Params p(params);
    auto result = wrap(PQexecParams(conn_, translate_placeholders(sql).c_str(), p.count(), p.types(), p.values(),
                                    p.lengths(), p.formats(), 0));
    auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result.get(), doing);
    return result;
}

std::unique_ptr<PGresult, void (*)(PGresult*)> PostgresDatabase::run_prepared(const std::string& sql,
                                                                               const std::vector<Value>& params,
                                                                               std::string_view doing) {
    if (custom_plans_) return run(sql, params, doing);
    Params p(params);
    const std::string text = translate_placeholders(sql);
    const std::string* name = prepared_statement(text, p.count(), p.types(), doing, false);
    if (!name) return run(sql, params, doing);
    auto result = wrap(PQexecPrepared(conn_, name->c_str(), p.count(), p.values(), p.lengths(), p.formats(), 0));
    auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    // "cached plan must not change result type": a table the statement
    // reads changed its columns since it was prepared. Outside a
    // transaction nothing was aborted, and the statement runs unprepared.
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::string_view(state) == "0A000" && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
        std::erase_if(prepared_, [&](const auto& entry) { return &entry.second == name; });
        return run(sql, params, doing);
    }
    fail(result.get(), doing);
}

const std::string* PostgresDatabase::prepared_statement(const std::string& postgres_sql, int count,
                                                        const unsigned int* types, std::string_view doing,
                                                        bool at_first_use) {
    // A value's parameter type is part of the key: a statement prepared
    // with a text parameter would read a BLOB's bytes as text.
    std::string key = postgres_sql;
    key += '\0';
    for (int i = 0; i < count; ++i) key += std::to_string(types[i]) + ",";
    auto it = prepared_.find(key);
    if (it == prepared_.end()) {
        if (prepared_.size() >= max_prepared_statements) return nullptr;
        if (!at_first_use && asked_once_.size() < max_prepared_statements && asked_once_.insert(key).second)
            return nullptr;
        asked_once_.erase(key);
        std::string name = "dsr_statement_" + std::to_string(++statement_names_);
        auto prepared = wrap(PQprepare(conn_, name.c_str(), postgres_sql.c_str(), count, types));
        if (!prepared || PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) fail(prepared.get(), doing);
        it = prepared_.emplace(std::move(key), std::move(name)).first;
    }
    return &it->second;
}

namespace {

/// Counts a query()'s row handlers on the stack for as long as it lives,
/// however the handlers end.
class HandlersRunning {
public:
    explicit HandlersRunning(int& count) : count_(count) { ++count_; }
    ~HandlersRunning() { --count_; }
    HandlersRunning(const HandlersRunning&) = delete;
    HandlersRunning& operator=(const HandlersRunning&) = delete;

private:
    int& count_;
};

/// What a pipeline of `sent` statements answered, read to its sync point.
struct PipelineAnswers {
    std::vector<Result> results;  ///< of the statements that succeeded, in order
    Result failure = wrap(nullptr);
    std::size_t failed_at = std::numeric_limits<std::size_t>::max();  ///< the failing statement's place
    std::vector<std::chrono::steady_clock::time_point> ended_at;       ///< when each statement's answer ended
};

/// Reads every answer of a pipeline, then leaves pipeline mode, whatever
/// failed. A null ends each statement's results, a failure makes the later
/// ones PGRES_PIPELINE_ABORTED, and the sync point's result ends it all; a
/// lost connection answers nulls only, so more than one per statement sent
/// means nothing else is coming.
PipelineAnswers finish_pipeline(PGconn* conn, std::size_t sent, bool synced) {
    PipelineAnswers answers;
    while (synced && answers.ended_at.size() <= sent) {
        auto result = wrap(PQgetResult(conn));
        if (!result) {
            answers.ended_at.push_back(std::chrono::steady_clock::now());
            continue;
        }
        auto status = PQresultStatus(result.get());
        if (status == PGRES_PIPELINE_SYNC) break;
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            answers.results.push_back(std::move(result));
        } else if (!answers.failure && status != PGRES_PIPELINE_ABORTED) {
            answers.failure = std::move(result);
            answers.failed_at = answers.ended_at.size();
        }
    }
    PQexitPipelineMode(conn);  // fails only on a lost connection, which the callers' checks report
    return answers;
}

}  // namespace

void PostgresDatabase::query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) {
    TimedStatement timed(on_statement_, sql);
    // Most queries read one subject's rows: a few, sometimes a few thousand.
    // Those run as one prepared statement, one round trip, with a LIMIT one
    // past what may be held in memory at once; only a result that reaches
    // it is read again through a cursor (query_through_cursor), a page at a
    // time. Nothing was handed to `on_row` from the first run, so it is as if
    // only the second had run. The rows are handed over once the statement
    // has ended, so a handler may run statements of its own on this
    // connection, as with the cursor (libpq allows one statement in flight;
    // SQLite allows nested statements, and dsr's jobs use them).
    auto result = run_prepared(held_rows_sql(sql), params, "query failed");
    if (PQntuples(result.get()) > direct_rows) {
        result.reset();
        query_through_cursor(sql, params, on_row);
        return;
    }
    hand_rows(result.get(), on_row);
}

std::string PostgresDatabase::held_rows_sql(const std::string& sql) {
    std::string_view inner = sql;
    while (!inner.empty() && (inner.back() == ';' || std::isspace(static_cast<unsigned char>(inner.back()))))
        inner.remove_suffix(1);
    // The newline ends a trailing -- comment; a sub-select in FROM keeps its
    // ORDER BY (PostgreSQL does not pull a sorted sub-select up).
    return "SELECT * FROM (" + std::string(inner) + "\n) AS dsr_rows LIMIT " + std::to_string(direct_rows + 1);
}

void PostgresDatabase::hand_rows(const PGresult* result, const RowHandler& on_row) {
    std::vector<std::string> columns;
    const int fields = PQnfields(result);
    for (int c = 0; c < fields; ++c) columns.emplace_back(PQfname(result, c));
    std::vector<Value> row(columns.size());
    HandlersRunning running(handlers_running_);
    const int rows = PQntuples(result);
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < fields; ++c) row[c] = field_value(result, r, c);
        on_row(columns, row);
    }
}

void PostgresDatabase::query_each(const std::vector<Query>& queries) {
    if (queries.size() < 2) {
        Database::query_each(queries);
        return;
    }
    auto size_of = [](const Query& q) {
        std::size_t bytes = q.sql.size();
        for (const auto& v : q.params) bytes += value_size(v);
        return bytes;
    };
    for (std::size_t first = 0; first < queries.size();) {
        std::size_t last = first + 1, bytes = size_of(queries[first]);
        while (last < queries.size() && last - first < pipeline_chunk &&
               bytes + size_of(queries[last]) <= pipeline_read_bytes)
            bytes += size_of(queries[last++]);
        read_pipeline(queries, first, last);
        first = last;
    }
}

void PostgresDatabase::read_pipeline(const std::vector<Query>& queries, std::size_t first, std::size_t last) {
    const std::string doing = "query failed";
    // -v shows each query with the time from the answer before its own to
    // its own: the server runs a pipeline's queries one after another.
    auto mark = std::chrono::steady_clock::now();
    // Prepared as query() prepares (outside the pipeline, when a text runs
    // the second time): a subject's reads run once per subject, and planning
    // each again was most of the server's time for them.
    std::vector<std::string> texts;
    std::vector<const std::string*> names;
    for (std::size_t i = first; i < last; ++i) {
        Params p(queries[i].params);
        texts.push_back(translate_placeholders(held_rows_sql(queries[i].sql)));
        names.push_back(custom_plans_ ? nullptr : prepared_statement(texts.back(), p.count(), p.types(), doing, false));
    }
    if (PQenterPipelineMode(conn_) != 1) fail(nullptr, doing);
    std::size_t sent = 0;
    for (std::size_t i = first; i < last; ++i, ++sent) {
        Params p(queries[i].params);
        const std::string* name = names[i - first];
        if (name ? !PQsendQueryPrepared(conn_, name->c_str(), p.count(), p.values(), p.lengths(), p.formats(), 0)
                 : !PQsendQueryParams(conn_, texts[i - first].c_str(), p.count(), p.types(), p.values(), p.lengths(),
                                      p.formats(), 0))
            break;
    }
    auto answers = finish_pipeline(conn_, sent, PQpipelineSync(conn_) == 1);
    if (on_statement_)
        for (std::size_t k = 0; k < answers.ended_at.size() && k < sent && k <= answers.failed_at; ++k) {
            on_statement_(queries[first + k].sql,
                          std::chrono::duration_cast<std::chrono::microseconds>(answers.ended_at[k] - mark));
            mark = answers.ended_at[k];
        }
    if (answers.failure) fail(answers.failure.get(), doing);
    auto& results = answers.results;
    if (results.size() != last - first) fail(nullptr, doing);  // a query not sent or never answered
    // Handed over once the pipeline has ended, as query() does: a handler
    // may run statements of its own on this connection.
    for (std::size_t i = first; i < last; ++i) {
        auto& result = results[i - first];
        if (PQntuples(result.get()) > direct_rows) {
            result.reset();
            TimedStatement timed(on_statement_, queries[i].sql);
            query_through_cursor(queries[i].sql, queries[i].params, queries[i].on_row);
        } else {
            hand_rows(result.get(), queries[i].on_row);
        }
    }
}

void PostgresDatabase::query_through_cursor(const std::string& sql, const std::vector<Value>& params,
                                            const RowHandler& on_row) {
    // A page of rows at a time: memory stays bounded however many rows
    // come, and between pages the connection is free for the handler's
    // statements. A cursor lives in a transaction: outside the caller's,
    // this opens one of its own for the cursor's life.
    const bool own_transaction = PQtransactionStatus(conn_) == PQTRANS_IDLE;
    if (own_transaction) run("BEGIN", {}, "query failed");
    const std::string cursor = "dsr_rows_" + std::to_string(++cursors_);
    HandlersRunning running(handlers_running_);
    try {
        run("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + sql, params, "query failed");
        const std::string fetch = "FETCH " + std::to_string(page_rows) + " FROM " + cursor;
        std::vector<std::string> columns;
        std::vector<Value> row;
        for (;;) {
            auto page = run(fetch, {}, "query failed");
            if (columns.empty())
                for (int c = 0; c < PQnfields(page.get()); ++c) columns.emplace_back(PQfname(page.get(), c));
            row.resize(columns.size());
            const int rows = PQntuples(page.get());
            for (int r = 0; r < rows; ++r) {
                for (int c = 0; c < PQnfields(page.get()); ++c) row[c] = field_value(page.get(), r, c);
                on_row(columns, row);
            }
            if (rows < page_rows) break;
        }
        // COMMIT closes the cursor with the transaction: one round trip fewer.
        run(own_transaction ? "COMMIT" : "CLOSE " + cursor, {}, "query failed");
    } catch (...) {
        // The caller's transaction stays for the caller to roll back or go
        // on with; only the cursor, or the transaction opened for it, ends.
        if (own_transaction) PQclear(PQexec(conn_, "ROLLBACK"));
        else if (PQtransactionStatus(conn_) == PQTRANS_INTRANS) PQclear(PQexec(conn_, ("CLOSE " + cursor).c_str()));
        throw;
    }
}

std::string PostgresDatabase::quote(std::string_view identifier) const {
    char* quoted = PQescapeIdentifier(conn_, identifier.data(), identifier.size());
    if (!quoted) throw Error(ExitStatus::database, name_ + ": cannot quote an identifier: " + PQerrorMessage(conn_));
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

std::string PostgresDatabase::quote_table(std::string_view table) const {
    auto dot = table.find('.');
    if (dot == std::string_view::npos) return quote(table);
    return quote(table.substr(0, dot)) + "." + quote(table.substr(dot + 1));
}

std::int64_t PostgresDatabase::execute(const std::string& sql, const std::vector<Value>& params) {
    TimedStatement timed(on_statement_, sql);
    auto result = run(sql, params, "statement failed");
    std::int64_t changed = to_int64(PQcmdTuples(result.get()));  // "" for a statement that counts no rows: 0
    count_statement();
    return changed;
}

std::vector<std::int64_t> PostgresDatabase::execute_each(const std::string& sql,
                                                         const std::vector<std::vector<Value>>& rows) {
    if (rows.size() < 2) return Database::execute_each(sql, rows);
    TimedStatement timed(on_statement_, sql);  // the whole pipeline, as one
    const std::string text = translate_placeholders(sql);
    std::vector<std::int64_t> changed;
    changed.reserve(rows.size());
    for (std::size_t first = 0; first < rows.size(); first += pipeline_chunk)
        run_pipeline(text, rows, first, std::min(rows.size(), first + pipeline_chunk), changed);
    return changed;
}

UpdateCount PostgresDatabase::update_by_key(std::string_view table, std::string_view key_column,
                                             const std::vector<std::string>& columns,
                                             const std::vector<std::vector<Value>>& rows) {
    if (rows.size() < 2) return Database::update_by_key(table, key_column, columns, rows);
    schema();  // read_schema() fills column_types_
    auto type_of = [&](std::string_view column) -> const std::string& {
        auto it = column_types_.find({std::string(table), std::string(column)});
        if (it == column_types_.end())
            throw Error(ExitStatus::database, name_ + ": table " + std::string(table) + " has no column " +
                                                  std::string(column));
        return it->second;
    };
    // Every value is cast: VALUES would otherwise type a column as text, or
    // by its first row, and refuse a later row's bytea.
    std::string row = "(";
    std::string names = "(";
    for (std::size_t i = 0; i <= columns.size(); ++i) {
        const std::string_view column = i < columns.size() ? std::string_view(columns[i]) : key_column;
        row += (i ? ", CAST(? AS " : "CAST(? AS ") + type_of(column) + ")";
        names += (i ? ", v" : "v") + std::to_string(i);
    }
    row += ")";
    names += ")";
    std::string set;
    for (std::size_t i = 0; i < columns.size(); ++i)
        set += (i ? ", " : "") + quote(columns[i]) + " = dsr_new.v" + std::to_string(i);
    auto update_of = [&](std::size_t count) {
        std::string values = row;
        for (std::size_t r = 1; r < count; ++r) values += ", " + row;
        return "UPDATE " + quote_table(table) + " AS dsr_old SET " + set + " FROM (VALUES " + values + ") AS dsr_new" +
               names + " WHERE dsr_old." + quote(key_column) + " = dsr_new.v" + std::to_string(columns.size());
    };
    auto params_of = [&](std::size_t first, std::size_t last) {
        std::vector<Value> params;
        params.reserve((last - first) * (columns.size() + 1));
        for (std::size_t r = first; r < last; ++r) params.insert(params.end(), rows[r].begin(), rows[r].end());
        return params;
    };
    // Statements of one size, so the pipeline runs one prepared statement.
    const std::size_t per_statement =
        std::clamp<std::size_t>(max_parameters / (columns.size() + 1), 1, update_rows_per_statement);
    const std::size_t whole = rows.size() / per_statement * per_statement;
    UpdateCount count;
    if (whole > 0) {
        std::vector<std::vector<Value>> statements;
        for (std::size_t first = 0; first < whole; first += per_statement)
            statements.push_back(params_of(first, first + per_statement));
        for (auto n : execute_each(update_of(per_statement), statements)) count.rows += n;
        count.statements += statements.size();
    }
    if (whole < rows.size()) {
        count.rows += execute(update_of(rows.size() - whole), params_of(whole, rows.size()));
        ++count.statements;
    }
    return count;
}

void PostgresDatabase::run_pipeline(const std::string& postgres_sql, const std::vector<std::vector<Value>>& rows,
                                    std::size_t first, std::size_t last, std::vector<std::int64_t>& changed) {
    const std::string doing = "statement failed";
    // Prepared first, outside the pipeline (once for the connection's life,
    // per set of parameter types): each row is then executed without being
    // parsed and planned again, a third of the server's time a row.
    std::vector<const std::string*> names;
    names.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
        Params p(rows[i]);
        names.push_back(prepared_statement(postgres_sql, p.count(), p.types(), doing, true));
    }
    if (PQenterPipelineMode(conn_) != 1) fail(nullptr, doing);
    std::size_t sent = 0;
    for (std::size_t i = first; i < last; ++i, ++sent) {
        Params p(rows[i]);
        const std::string* name = names[i - first];
        if (name ? !PQsendQueryPrepared(conn_, name->c_str(), p.count(), p.values(), p.lengths(), p.formats(), 0)
                 : !PQsendQueryParams(conn_, postgres_sql.c_str(), p.count(), p.types(), p.values(), p.lengths(),
                                      p.formats(), 0))
            break;
    }
    auto answers = finish_pipeline(conn_, sent, PQpipelineSync(conn_) == 1);
    for (const auto& result : answers.results) {
        changed.push_back(to_int64(PQcmdTuples(result.get())));
        count_statement();
    }
    if (answers.failure) fail(answers.failure.get(), doing);
    if (changed.size() != last) fail(nullptr, doing);  // a statement not sent or never answered
}

void PostgresDatabase::refuse_nested_transaction() const {
    if (PQtransactionStatus(conn_) != PQTRANS_IDLE || handlers_running_ > 0)  // e.g. a row handler of query()
        throw Error(ExitStatus::failure, name_ + ": a transaction was begun inside another");
}

void PostgresDatabase::begin() {
    refuse_nested_transaction();
    // READ COMMITTED, the default: each statement sees what is committed
    // when it starts, and lock_rows holds what the job is about to change.
    TimedStatement timed(on_statement_, "BEGIN");
    run("BEGIN", {}, "cannot start a transaction");
    in_transaction_ = true;
}

void PostgresDatabase::begin_read() {
    refuse_nested_transaction();
    TimedStatement timed(on_statement_, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", {}, "cannot start a read transaction");
    in_transaction_ = true;
}

void PostgresDatabase::commit() {
    in_transaction_ = false;  // COMMIT ends the transaction, also when it fails
    TimedStatement timed(on_statement_, "COMMIT");
    auto result = run("COMMIT", {}, "cannot commit");
    // After a failed statement PostgreSQL answers COMMIT with ROLLBACK, not an error.
    if (std::string_view(PQcmdStatus(result.get())) == "ROLLBACK")
        throw Error(ExitStatus::database, name_ + ": cannot commit: a statement had failed, so the transaction was "
                                                  "rolled back");
    count_statement();
}

void PostgresDatabase::rollback() noexcept {
    if (!in_transaction_) return;
    in_transaction_ = false;
    // Works in a transaction a failed statement aborted; a lost connection
    // has rolled back already.
    PQclear(PQexec(conn_, "ROLLBACK"));
}

void PostgresDatabase::lock_rows(std::string_view table, std::string_view key_column, const std::vector<Value>& keys) {
    for (std::size_t start = 0; start < keys.size(); start += lock_chunk) {
        std::size_t n = std::min(lock_chunk, keys.size() - start);
        std::string sql = "SELECT 1 FROM " + quote_table(table) + " WHERE " + quote(key_column) + " IN (?";
        for (std::size_t i = 1; i < n; ++i) sql += ", ?";
        sql += ") FOR UPDATE";
        std::vector<Value> chunk(keys.begin() + static_cast<std::ptrdiff_t>(start),
                                 keys.begin() + static_cast<std::ptrdiff_t>(start + n));
        run(sql, chunk, "cannot lock rows of " + std::string(table));
    }
}

std::unique_ptr<JobLock> PostgresDatabase::lock_job(std::string_view job) {
    // Advisory locks belong to one database already; the key names the job.
    const std::string key = "dsr-" + std::string(job);
    const std::string doing = "cannot take the " + std::string(job) + " lock";
    auto result = run("SELECT pg_try_advisory_lock(" + std::string(advisory_lock_class) + ", hashtext(?))", {key}, doing);
    if (std::string_view(PQgetvalue(result.get(), 0, 0)) == "t") return std::make_unique<PostgresJobLock>(conn_, key);

    // Who holds it. pg_stat_activity hides the start of another role's
    // sessions; the lock may also have gone since.
    std::string holder = "another session";
    query("SELECT l.pid, to_char(a.backend_start, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM pg_locks l "
          "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
          "WHERE l.locktype = 'advisory' AND l.granted "
          "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
          "AND l.classid = " + std::string(advisory_lock_class) + " AND l.objid = CAST(hashtext(?) AS oid) "
          "AND l.objsubid = 2",
          {key}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
              holder = "PostgreSQL backend pid " + std::to_string(int_of(row[0]));
              if (!text_of(row[1]).empty()) holder += ", since " + text_of(row[1]);
          });
    throw Error(ExitStatus::database_busy,
                "another dsr " + std::string(job) + " (" + holder + ") is running on " + name_ + "; nothing was done");
}

Schema PostgresDatabase::read_schema() {
    // Five catalog queries for the whole database, never one per table.
    const std::string doing = "cannot read schema";
    Schema schema;
    std::map<std::int64_t, std::size_t> table_at;  // pg_class oid → index in schema.tables

    // Tables of the first schema on the search_path go by their bare names;
    // with no usable schema there (the role lacks USAGE, or it does not
    // exist), every table would seem missing from the policy's view.
    bool has_schema = false;
    query("SELECT current_schema() IS NOT NULL", {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
        has_schema = int_of(row[0]) == 1;
    });
    if (!has_schema)
        throw Error(ExitStatus::database, name_ + ": no schema of the search_path is usable: the role needs USAGE on "
                                                  "it (GRANT USAGE ON SCHEMA public TO …)");

    // Domains, to class a column by the type underneath.
    std::map<std::int64_t, std::pair<std::int64_t, std::string>> domain_base;
    query("SELECT d.oid, b.oid, b.typname FROM pg_type d JOIN pg_type b ON b.oid = d.typbasetype "
          "WHERE d.typtype = 'd'",
          {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
              domain_base[int_of(row[0])] = {int_of(row[1]), text_of(row[2])};
          });

    // (table oid, attnum) → column name, for the foreign keys below.
    std::map<std::pair<std::int64_t, std::int64_t>, std::string> column_named;
    query("SELECT c.oid, n.nspname, c.relname, n.nspname = current_schema(), a.attname, "
          "format_type(a.atttypid, a.atttypmod), a.attnotnull, a.atttypid, t.typname, a.attnum, "
          "format_type(a.atttypid, NULL) "
          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
          "LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
          "LEFT JOIN pg_type t ON t.oid = a.atttypid "
          "WHERE c.oid IN (" + std::string(user_tables) + ") "
          "ORDER BY n.nspname = current_schema() DESC, n.nspname, c.relname, a.attnum",
          {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
              auto [it, added] = table_at.try_emplace(int_of(row[0]), schema.tables.size());
              if (added) {
                  TableInfo t;
                  t.qualified_name = text_of(row[1]) + "." + text_of(row[2]);
                  t.name = int_of(row[3]) ? text_of(row[2]) : t.qualified_name;
                  schema.tables.push_back(std::move(t));
              }
              if (std::holds_alternative<std::monostate>(row[4])) return;  // a table without columns
              ColumnInfo c;
              c.name = text_of(row[4]);
              c.declared_type = text_of(row[5]);
              c.not_null = int_of(row[6]) != 0;
              std::pair<std::int64_t, std::string> type{int_of(row[7]), text_of(row[8])};
              for (int depth = 0; depth < 32 && domain_base.count(type.first); ++depth) type = domain_base[type.first];
              c.type_class = type_class(static_cast<Oid>(type.first), type.second);
              column_named[{int_of(row[0]), int_of(row[9])}] = c.name;
              column_types_[{schema.tables[it->second].name, c.name}] = text_of(row[10]);
              schema.tables[it->second].columns.push_back(std::move(c));
          });

    // Indexes, the primary key's among them; "" for an expression.
    struct Marks {
        bool whole_unique;  ///< unique and not partial: at most one row per value in the whole table
        bool primary;
    };
    std::map<std::pair<std::size_t, std::string>, Marks> marks;
    query("SELECT i.indrelid, ic.relname, i.indisunique, i.indisunique AND i.indpred IS NULL, i.indisprimary, "
          "COALESCE(a.attname, '') "
          "FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
          "CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, ord) "
          "LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0 "
          "WHERE i.indisvalid AND k.ord <= i.indnkeyatts AND i.indrelid IN (" + std::string(user_tables) + ") "
          "ORDER BY i.indrelid, ic.relname, k.ord",
          {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
              std::size_t at = table_at.at(int_of(row[0]));
              auto& indexes = schema.tables[at].indexes;
              if (indexes.empty() || indexes.back().name != text_of(row[1])) {
                  indexes.push_back({text_of(row[1]), {}, int_of(row[2]) != 0});
                  marks[{at, text_of(row[1])}] = {int_of(row[3]) != 0, int_of(row[4]) != 0};
              }
              indexes.back().columns.push_back(text_of(row[5]));
          });
    for (std::size_t at = 0; at < schema.tables.size(); ++at) {
        auto& t = schema.tables[at];
        for (const auto& index : t.indexes) {
            const Marks& m = marks[{at, index.name}];
            for (auto& c : t.columns) {
                auto position = std::find(index.columns.begin(), index.columns.end(), c.name);
                if (position == index.columns.end()) continue;
                if (m.primary) {
                    c.primary_key = true;
                    c.leads_primary_key = position == index.columns.begin();
                }
                if (m.whole_unique && index.columns.size() == 1) c.unique = true;
            }
        }
    }

    // Foreign keys, a row for each key with its columns' numbers in order,
    // named from the columns read above. One table, not the same joined to
    // pg_attribute twice, pg_class and pg_namespace: the planner's search of
    // that join took 8.8 ms of the query's 10, on every run. A key that
    // refers to a partitioned table has a copy for each partition
    // (conparentid set).
    struct Pending {
        std::size_t table;  ///< index in schema.tables
        std::size_t key;    ///< index in its foreign_keys
        std::int64_t to_oid;
        std::int64_t to_attnum;
    };
    std::vector<Pending> unnamed;  // keys to a table outside those read: a partition, say
    // (the columns were read by another statement: DDL in between can leave a key naming one not seen)
    auto named_column = [&](std::int64_t table, std::int64_t attnum) -> const std::string& {
        auto found = column_named.find({table, attnum});
        if (found == column_named.end())
            throw Error(ExitStatus::database, name_ + ": the schema changed while it was read; run again");
        return found->second;
    };
    query("SELECT con.conrelid, con.confrelid, CAST(con.conkey AS text), CAST(con.confkey AS text), con.confdeltype "
          "FROM pg_constraint con WHERE con.contype = 'f' AND con.conparentid = 0 "
          "ORDER BY con.conrelid, con.conname",
          {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
              const std::int64_t from_oid = int_of(row[0]), to_oid = int_of(row[1]);
              const auto from = table_at.find(from_oid);
              if (from == table_at.end()) return;  // a key of a system or partition table
              const auto to = table_at.find(to_oid);
              const std::vector<std::int64_t> from_columns = attribute_numbers(text_of(row[2]));
              const std::vector<std::int64_t> to_columns = attribute_numbers(text_of(row[3]));
              const std::string on_delete = on_delete_action(text_of(row[4]));
              auto& keys = schema.tables[from->second].foreign_keys;
              for (std::size_t i = 0; i < from_columns.size() && i < to_columns.size(); ++i) {
                  ForeignKeyInfo fk;
                  fk.from_column = named_column(from_oid, from_columns[i]);
                  if (to != table_at.end()) {
                      fk.to_table = schema.tables[to->second].name;
                      fk.to_column = named_column(to_oid, to_columns[i]);
                  } else {
                      unnamed.push_back({from->second, keys.size(), to_oid, to_columns[i]});
                  }
                  fk.on_delete = on_delete;
                  keys.push_back(std::move(fk));
              }
          });
    if (!unnamed.empty()) {
        std::string oids;
        for (const auto& u : unnamed) oids += (oids.empty() ? "" : ",") + std::to_string(u.to_oid);
        std::map<std::pair<std::int64_t, std::int64_t>, std::pair<std::string, std::string>> named;  // table, column
        query("SELECT c.oid, n.nspname, c.relname, n.nspname = current_schema(), a.attnum, a.attname "
              "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 WHERE c.oid IN (" + oids + ")",
              {}, [&](const std::vector<std::string>&, const std::vector<Value>& row) {
                  named[{int_of(row[0]), int_of(row[4])}] = {
                      int_of(row[3]) ? text_of(row[2]) : text_of(row[1]) + "." + text_of(row[2]), text_of(row[5])};
              });
        for (const auto& u : unnamed) {
            auto found = named.find({u.to_oid, u.to_attnum});
            if (found == named.end())
                throw Error(ExitStatus::database, name_ + ": the schema changed while it was read; run again");
            const auto& [table, column] = found->second;
            auto& fk = schema.tables[u.table].foreign_keys[u.key];
            fk.to_table = table;
            fk.to_column = column;
        }
    }
    return schema;
}

std::string PostgresDatabase::unix_seconds_sql(const std::string& column, TimeStorage storage,
                                               TypeClass column_type) const {
    switch (reading_of(storage, column_type)) {
        case Reading::native:
            // infinity and -infinity have no number of seconds.
            return "(CASE WHEN isfinite(" + column + ") THEN CAST(floor(EXTRACT(EPOCH FROM " + column +
                   ")) AS bigint) END)";
        case Reading::seconds: return whole_number(column, column_type, "");
        case Reading::millis: return whole_number(column, column_type, " / 1000");
        case Reading::iso8601:
            return "(CASE WHEN " + column + " ~ '" + iso8601_regex + "' THEN CAST(floor(EXTRACT(EPOCH FROM CAST(CAST(" +
                   column + " AS text) AS timestamptz))) AS bigint) END)";
        case Reading::none: break;
    }
    return "CAST(NULL AS bigint)";  // typed, so `… >= ?` beside it still infers the parameter's type
}

// A text column's values compare as text: char(n) without its padding,
// citext case-sensitively, as the masker compares what it reads.
std::optional<SqlMask> PostgresDatabase::text_redact_sql(const std::string& column, const std::string& text,
                                                         bool) const {
    const std::string as_text = "CAST(" + column + " AS text)";
    return SqlMask{{"CASE WHEN " + column + " IS NULL THEN NULL ELSE CAST(? AS text) END", {text}},
                   {"(" + column + " IS NOT NULL AND " + as_text + " <> ?)", {text}}};
}

std::optional<SqlMask> PostgresDatabase::text_prefix_sql(const std::string& column, int characters, bool) const {
    // substr() counts characters in the server's encoding, except in
    // SQL_ASCII, which has none; the masker counts UTF-8 code points.
    const char* encoding = PQparameterStatus(conn_, "server_encoding");
    if (!encoding || std::string_view(encoding) == "SQL_ASCII" || characters < 0) return std::nullopt;
    // What C's isspace() calls white space, as the masker trims it.
    const std::string space = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)";
    const std::string as_text = "CAST(" + column + " AS text)";
    const std::string prefix = "btrim(substr(btrim(" + as_text + ", " + space + "), 1, " + std::to_string(characters) +
                               "), " + space + ")";
    return SqlMask{{prefix, {}}, {"(" + column + " IS NOT NULL AND " + as_text + " <> " + prefix + ")", {}}};
}

SqlCondition PostgresDatabase::earlier_than_sql(const std::string& column, TimeStorage storage, TypeClass column_type,
                                                std::int64_t cutoff) const {
    // IS NOT NULL first, or the condition: `NULL AND x` is NULL, `false AND x` false.
    switch (reading_of(storage, column_type)) {
        case Reading::native:
            // date, timestamp and timestamptz all compare with a timestamptz
            // (session time zone UTC) in one btree operator family, so an
            // index on the column serves this whichever type it is.
            // '-infinity' is no time a row was written at: it never expires,
            // as unix_seconds_sql reads it (NULL) and as access reports it.
            return {"(" + column + " IS NOT NULL AND " + column + " > '-infinity' AND " + column + " < to_timestamp(?))",
                    {cutoff}};
        case Reading::seconds:
        case Reading::millis: {
            const std::int64_t bound = reading_of(storage, column_type) == Reading::millis ? cutoff * 1000 : cutoff;
            if (column_type == TypeClass::text)  // digits in text: read one by one, no index
                return {"COALESCE(" + whole_number(column, column_type, "") + " < ?, false)", {bound}};
            if (column_type == TypeClass::integer)
                return {"(" + column + " IS NOT NULL AND " + column + " < ?)", {bound}};
            // A float or numeric may hold -Infinity: unreadable, never expires.
            return {"(" + column + " IS NOT NULL AND " + column + " > '-Infinity' AND " + column + " < ?)", {bound}};
        }
        case Reading::iso8601:
            // The text bound lets an index skip what is plainly too recent;
            // the parsed value decides (see iso8601_text_bound).
            return {"(" + column + " < ? AND COALESCE(" + unix_seconds_sql(column, storage, column_type) + " < ?, false))",
                    {iso8601_text_bound(cutoff), cutoff}};
        case Reading::none: break;
    }
    return {"false", {}};
}

void PostgresDatabase::count_statement() {
    ++statements_;
    if (kill_after_statements_ && statements_ >= *kill_after_statements_) ::raise(SIGKILL);
}

}  // namespace dsr::db
