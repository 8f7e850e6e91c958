#include "db/postgres/postgres_error.h"

#include <libpq-fe.h>

#include "util/error.h"

namespace dsr::db {

namespace {

std::string field(const PGresult* result, int code) {
    const char* value = result ? PQresultErrorField(result, code) : nullptr;
    return value ? value : "";
}

/// Class 22's primary messages quote the rejected value (`invalid input
/// syntax for type integer: "abc"`), so dsr says what kind of problem it was.
std::string data_exception(std::string_view sqlstate) {
    if (sqlstate == "22001") return "a value is too long for its column";
    if (sqlstate == "22003") return "a number is out of range for its type";
    if (sqlstate == "22007") return "a value is not a valid date or time";
    if (sqlstate == "22008") return "a date or time is out of range";
    if (sqlstate == "22012") return "division by zero";
    if (sqlstate == "22021") return "a value is not valid in the database's character encoding";
    if (sqlstate == "22P02") return "a value is not valid input for its type";
    return "a value was rejected";
}

/// Class 23's primary messages are safe today, but their DETAIL is not and
/// a fixed text keeps it so whatever a server version prints.
std::string integrity_violation(std::string_view sqlstate) {
    if (sqlstate == "23502") return "a NULL value violates a NOT NULL constraint";
    if (sqlstate == "23503") return "a change violates a foreign key constraint";
    if (sqlstate == "23505") return "a duplicate key violates a unique constraint";
    if (sqlstate == "23514") return "a value violates a check constraint";
    if (sqlstate == "23P01") return "a value violates an exclusion constraint";
    return "an integrity constraint is violated";
}

}  // namespace

std::string one_line(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool space = c == '\n' || c == '\t' || c == ' ';
        if (!space) out += c;
        else if (!out.empty() && out.back() != ' ') out += ' ';
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

ExitStatus postgres_error_status(std::string_view sqlstate) {
    if (sqlstate == "55P03" || sqlstate == "57014" || sqlstate == "40P01" || sqlstate == "40001")
        return ExitStatus::database_busy;
    if (sqlstate == "53100" || sqlstate == "53200") return ExitStatus::io;
    return ExitStatus::database;
}

std::string describe_postgres_error(const PostgresErrorFields& e, const PostgresTimeouts& timeouts) {
    const std::string_view state = e.sqlstate;
    if (state == "55P03") return "database busy (lock_timeout " + std::to_string(timeouts.lock.count()) + " ms ran out)";
    if (state == "57014")
        return timeouts.statement.count() > 0
                   ? "database busy (statement_timeout " + std::to_string(timeouts.statement.count()) + " ms ran out)"
                   : "database busy (the statement was canceled)";
    if (state == "40P01") return "database busy (deadlock with another transaction)";
    if (state == "40001") return "database busy (a concurrent transaction changed the same rows)";

    std::string text;
    if (state.starts_with("22")) text = data_exception(state);
    else if (state.starts_with("23")) text = integrity_violation(state);
    else if (state.starts_with("P0")) text = "an error raised by a database function or trigger";
    else return (e.primary.empty() ? "unknown error" : e.primary) + (state.empty() ? "" : " (SQLSTATE " + e.sqlstate + ")");
    text += " (SQLSTATE " + e.sqlstate;
    if (!e.constraint.empty()) text += ", constraint \"" + e.constraint + "\"";
    if (!e.table.empty()) text += ", table \"" + e.table + "\"";
    if (!e.column.empty()) text += ", column \"" + e.column + "\"";
    return text + ")";
}

void throw_postgres_error(const PGresult* result, const PGconn* conn, const std::string& database,
                          std::string_view doing, const PostgresTimeouts& timeouts) {
    PostgresErrorFields e{field(result, PG_DIAG_SQLSTATE), field(result, PG_DIAG_MESSAGE_PRIMARY),
                          field(result, PG_DIAG_CONSTRAINT_NAME), field(result, PG_DIAG_TABLE_NAME),
                          field(result, PG_DIAG_COLUMN_NAME)};
    // No SQLSTATE: libpq's own error (a lost connection, out of memory),
    // whose text is about the connection, not the data.
    if (e.sqlstate.empty() && e.primary.empty())
        e.primary = one_line(result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result) : PQerrorMessage(conn));
    throw Error(postgres_error_status(e.sqlstate), database + ": " + std::string(doing) + ": " +
                                                       describe_postgres_error(e, timeouts));
}

}  // namespace dsr::db
