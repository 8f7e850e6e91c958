#include "postgresql_writer.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "embedded_sql.h"
#include "output_file.h"

namespace shopgen {
namespace {

// Tables in schema order, with the columns in the order the insert
// functions below write them. Indexed by the enum.
enum Table : std::size_t {
    kCustomers,
    kAddresses,
    kBodyMeasurements,
    kProducts,
    kOrders,
    kOrderItems,
    kPayments,
    kShipments,
    kReturns,
    kSupportTickets,
    kLoyaltyLedger,
    kNewsletterEvents,
    kWebSessions,
};

struct TableSpec {
    const char* name;
    const char* columns;
};

constexpr std::array<TableSpec, PostgresqlWriter::kTableCount> kTables = {{
    {"customers",
     "id, email, first_name, last_name, phone, birth_date, created_at, last_login_at, marketing_opt_in, "
     "preferred_language"},
    {"addresses", "id, customer_id, kind, recipient_name, line1, line2, city, postcode, country, created_at"},
    {"body_measurements",
     "id, customer_id, chest_cm, waist_cm, hips_cm, height_cm, inseam_cm, sleeve_cm, neck_cm, measured_at"},
    {"products", "id, sku, name, category, price_cents"},
    {"orders", "id, customer_id, email, placed_at, status, total_cents, currency"},
    {"order_items", "id, order_id, product_id, quantity, unit_price_cents, made_to_measure"},
    {"payments", "id, order_id, method, card_token, card_last4, amount_cents, paid_at, status"},
    {"shipments",
     "id, order_id, carrier, tracking_number, ship_to_name, ship_to_line1, ship_to_city, ship_to_postcode, "
     "ship_to_country, shipped_at"},
    {"returns", "id, order_id, reason, requested_at, refunded_cents, status"},
    {"support_tickets", "id, customer_id, email, subject, body, created_at, status"},
    {"loyalty_ledger", "id, customer_id, order_id, points, reason, created_at"},
    {"newsletter_events", "id, customer_id, email, event, occurred_at"},
    {"web_sessions", "id, customer_id, ip_address, user_agent, started_at"},
}};

// A table's pending rows are sent once they pass this size: large enough
// that the round trip of a COPY is negligible, small enough that all
// tables together hold a few megabytes whatever the number of customers.
constexpr std::size_t kChunkBytes = 1 << 20;

// The 0/1 flags of the row structs, written as PostgreSQL booleans.
struct Flag {
    int value;
};

// Fields in COPY's text format: backslash, tab, newline and carriage
// return are escaped, NULL is \N.
void field(std::string& out, std::string_view v) {
    std::size_t done = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const char c = v[i];
        const char* escaped = c == '\\'   ? "\\\\"
                              : c == '\t' ? "\\t"
                              : c == '\n' ? "\\n"
                              : c == '\r' ? "\\r"
                                          : nullptr;
        if (!escaped) continue;
        out.append(v, done, i - done);
        out += escaped;
        done = i + 1;
    }
    out.append(v, done);
}

template <typename Number>
void number(std::string& out, Number v) {
    char buf[32];
    const auto [end, error] = std::to_chars(buf, buf + sizeof buf, v);
    if (error != std::errc{}) throw std::logic_error("cannot format a number for COPY");
    out.append(buf, end);
}

void field(std::string& out, std::int64_t v) { number(out, v); }
// Half centimetres: the shortest exact text, e.g. 97 or 97.5.
void field(std::string& out, double v) { number(out, v); }
void field(std::string& out, Flag v) { out += v.value ? 't' : 'f'; }

template <typename T>
void field(std::string& out, const std::optional<T>& v) {
    if (v)
        field(out, *v);
    else
        out += "\\N";
}

// "customers, addresses, ...": for DROP, ANALYZE and the existence check.
std::string table_list() {
    std::string out;
    for (const TableSpec& t : kTables) out += std::string(out.empty() ? "" : ", ") + t.name;
    return out;
}

// The server's primary message (without "ERROR:" and the detail lines),
// or libpq's own when there is no server message.
[[noreturn]] void fail(PGconn* conn, const PGresult* result) {
    std::string message;
    if (const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr)
        message = primary;
    else
        message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw std::runtime_error("PostgreSQL: " + message);
}

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

Result expect(PGconn* conn, PGresult* raw, ExecStatusType status) {
    Result result(raw, &PQclear);
    if (PQresultStatus(raw) != status) fail(conn, raw);
    return result;
}

PGconn* connect(const std::string& conninfo) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (conn == nullptr) throw std::runtime_error("PostgreSQL: out of memory");
    return conn;
}

}  // namespace

bool is_postgresql_target(std::string_view out) {
    if (out.starts_with("postgresql://") || out.starts_with("postgres://")) return true;
    // libpq's keywords are lower-case letters and underscores ("host", "sslmode").
    const std::size_t keyword_end = std::min(out.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), out.size());
    const std::size_t equals = out.find_first_not_of(' ', keyword_end);
    return keyword_end > 0 && equals != std::string_view::npos && out[equals] == '=';
}

PostgresqlWriter::PostgresqlWriter(const std::string& conninfo, bool replace)
    : conn_(connect(conninfo), &PQfinish) {
    PGconn* conn = conn_.get();
    if (PQstatus(conn) != CONNECTION_OK) fail(conn, nullptr);
    // The generated text is UTF-8 whatever the environment's locale says.
    if (PQsetClientEncoding(conn, "UTF8") != 0) fail(conn, nullptr);
    // DROP ... CASCADE and friends would print notices on stderr.
    exec("SET client_min_messages = warning");
    exec("BEGIN");

    // Looked up the way CREATE TABLE will resolve the names (search_path);
    // any relation of that name is in the way, not only a table.
    const std::string query = "SELECT string_agg(name, ', ' ORDER BY n) FROM unnest(string_to_array('" +
                              table_list() +
                              "', ', ')) WITH ORDINALITY AS t(name, n) WHERE to_regclass(name) IS NOT NULL";
    const Result existing = expect(conn, PQexec(conn, query.c_str()), PGRES_TUPLES_OK);
    if (!PQgetisnull(existing.get(), 0, 0)) {
        const std::string found = PQgetvalue(existing.get(), 0, 0);
        if (!replace)
            throw UsageError("the database already has tables of the shop (" + found +
                             "); use --force to drop and replace them");
        exec("DROP TABLE " + found + " CASCADE");
    }
    exec(kPostgresqlSchemaSql);
}

void PostgresqlWriter::exec(const std::string& sql) {
    PGconn* conn = conn_.get();
    Result result(PQexec(conn, sql.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(conn, result.get());
}

template <typename... Values>
void PostgresqlWriter::row(std::size_t table, const Values&... values) {
    std::string& out = pending_[table];
    ((field(out, values), out += '\t'), ...);
    out.back() = '\n';
    if (out.size() >= kChunkBytes) flush(table);
}

void PostgresqlWriter::flush(std::size_t table) {
    std::string& data = pending_[table];
    if (data.empty()) return;
    PGconn* conn = conn_.get();
    // FREEZE: the table was created in this transaction, so its rows can be
    // written already frozen and no later vacuum has to rewrite every page.
    const std::string sql = std::string("COPY ") + kTables[table].name + " (" + kTables[table].columns +
                            ") FROM STDIN (FREEZE)";
    expect(conn, PQexec(conn, sql.c_str()), PGRES_COPY_IN);
    if (PQputCopyData(conn, data.data(), static_cast<int>(data.size())) != 1 ||
        PQputCopyEnd(conn, nullptr) != 1)
        fail(conn, nullptr);
    expect(conn, PQgetResult(conn), PGRES_COMMAND_OK);
    while (PGresult* rest = PQgetResult(conn)) PQclear(rest);
    data.clear();
}

void PostgresqlWriter::insert(const CustomerRow& r) {
    row(kCustomers, r.id, r.email, r.first_name, r.last_name, r.phone, r.birth_date, r.created_at,
        r.last_login_at, Flag{r.marketing_opt_in}, r.preferred_language);
}
void PostgresqlWriter::insert(const AddressRow& r) {
    row(kAddresses, r.id, r.customer_id, r.kind, r.recipient_name, r.line1, r.line2, r.city, r.postcode,
        r.country, r.created_at);
}
void PostgresqlWriter::insert(const BodyMeasurementRow& r) {
    row(kBodyMeasurements, r.id, r.customer_id, r.chest_cm, r.waist_cm, r.hips_cm, r.height_cm, r.inseam_cm,
        r.sleeve_cm, r.neck_cm, r.measured_at);
}
void PostgresqlWriter::insert(const ProductRow& r) {
    row(kProducts, r.id, r.sku, r.name, r.category, r.price_cents);
}
void PostgresqlWriter::insert(const OrderRow& r) {
    row(kOrders, r.id, r.customer_id, r.email, r.placed_at, r.status, r.total_cents, r.currency);
}
void PostgresqlWriter::insert(const OrderItemRow& r) {
    row(kOrderItems, r.id, r.order_id, r.product_id, r.quantity, r.unit_price_cents, Flag{r.made_to_measure});
}
void PostgresqlWriter::insert(const PaymentRow& r) {
    row(kPayments, r.id, r.order_id, r.method, r.card_token, r.card_last4, r.amount_cents, r.paid_at, r.status);
}
void PostgresqlWriter::insert(const ShipmentRow& r) {
    row(kShipments, r.id, r.order_id, r.carrier, r.tracking_number, r.ship_to_name, r.ship_to_line1,
        r.ship_to_city, r.ship_to_postcode, r.ship_to_country, r.shipped_at);
}
void PostgresqlWriter::insert(const ReturnRow& r) {
    row(kReturns, r.id, r.order_id, r.reason, r.requested_at, r.refunded_cents, r.status);
}
void PostgresqlWriter::insert(const SupportTicketRow& r) {
    row(kSupportTickets, r.id, r.customer_id, r.email, r.subject, r.body, r.created_at, r.status);
}
void PostgresqlWriter::insert(const LoyaltyRow& r) {
    row(kLoyaltyLedger, r.id, r.customer_id, r.order_id, r.points, r.reason, r.created_at);
}
void PostgresqlWriter::insert(const NewsletterEventRow& r) {
    row(kNewsletterEvents, r.id, r.customer_id, r.email, r.event, r.occurred_at);
}
void PostgresqlWriter::insert(const WebSessionRow& r) {
    row(kWebSessions, r.id, r.customer_id, r.ip_address, r.user_agent, r.started_at);
}

void PostgresqlWriter::finish(const PhaseFn& phase) {
    phase("copying rows");
    for (std::size_t t = 0; t < kTableCount; ++t) flush(t);
    phase("building indexes");
    exec(kIndexesSql);
    phase("checking foreign keys");
    exec(kPostgresqlForeignKeysSql);
    // Inside the transaction (ANALYZE, unlike VACUUM, may run there), so the
    // shop never appears without statistics, even if the run is cut short.
    phase("analyzing");
    exec("ANALYZE " + table_list());
    phase("committing");
    exec("COMMIT");
}

}  // namespace shopgen
