#pragma once
// PostgreSQL errors as dsr::Error, with no personal data in the message.

#include <chrono>
#include <string>
#include <string_view>

#include "util/exit_status.h"

struct pg_conn;
struct pg_result;

namespace dsr::db {

/// The fields of a server error that dsr may show. DETAIL, HINT and CONTEXT
/// are never read: they quote key values ("Key (email)=(x@y) already exists").
struct PostgresErrorFields {
    std::string sqlstate;
    std::string primary;  ///< PG_DIAG_MESSAGE_PRIMARY
    std::string constraint;
    std::string table;
    std::string column;
};

/// The session's timeouts, for the message when one ran out.
struct PostgresTimeouts {
    std::chrono::milliseconds lock{0};
    std::chrono::milliseconds statement{0};
};

/// libpq's multi-line messages ("…failed: …\n\tIs the server running…") on one line.
std::string one_line(std::string_view text);

/// The exit status for a SQLSTATE: lock, statement timeout, deadlock and
/// serialization failures are database_busy (a retry may succeed), a full
/// disk or exhausted memory io, anything else database.
ExitStatus postgres_error_status(std::string_view sqlstate);

/// What went wrong, without values: classes 22 (data exceptions), 23
/// (constraint violations) and P0 (raised by PL/pgSQL, whose text the
/// function's author wrote) have a fixed description plus the SQLSTATE and
/// the constraint, table and column names instead of the server's text.
std::string describe_postgres_error(const PostgresErrorFields& error, const PostgresTimeouts& timeouts);

/// Throws the Error for a failed `result` (null when libpq could not even
/// make one: then the connection's message, which is about the connection).
/// `database` names it (postgresql:<db>@<host>), `doing` what was attempted.
[[noreturn]] void throw_postgres_error(const ::pg_result* result, const ::pg_conn* conn, const std::string& database,
                                       std::string_view doing, const PostgresTimeouts& timeouts);

}  // namespace dsr::db
