#include "sqlite_writer.h"

#include <cstdint>
#include <optional>
#include <string>

#include "embedded_sql.h"

namespace shopgen {
namespace {

void bind(SQLite::Statement& s, int i, const std::string& v) { s.bindNoCopy(i, v); }
void bind(SQLite::Statement& s, int i, std::int64_t v) { s.bind(i, v); }
void bind(SQLite::Statement& s, int i, int v) { s.bind(i, v); }
void bind(SQLite::Statement& s, int i, double v) { s.bind(i, v); }

template <typename T>
void bind(SQLite::Statement& s, int i, const std::optional<T>& v) {
    if (v)
        bind(s, i, *v);
    else
        s.bind(i);
}

// Binds the values to ?1, ?2, ... in order, runs the INSERT and readies the
// statement for the next row. bindNoCopy is safe because the row outlives
// the exec() call.
template <typename... Values>
void run(SQLite::Statement& s, const Values&... values) {
    int i = 0;
    (bind(s, ++i, values), ...);
    s.exec();
    s.reset();
}

// Runs before the statements are prepared, because preparing needs the tables.
SQLite::Database& prepare_for_load(SQLite::Database& db) {
    // The file is a temporary that is thrown away if anything fails, so
    // crash safety during the load buys nothing and costs a lot of time.
    db.exec("PRAGMA journal_mode=OFF");
    db.exec("PRAGMA synchronous=OFF");
    db.exec("PRAGMA locking_mode=EXCLUSIVE");
    // Large enough to keep the customers.email UNIQUE index, which is filled
    // in random order, in memory at a million customers.
    db.exec("PRAGMA cache_size=-262144");
    db.exec("PRAGMA temp_store=MEMORY");
    db.exec(kSchemaSql);
    db.exec("BEGIN");
    return db;
}

}  // namespace

SqliteWriter::SqliteWriter(SQLite::Database& db)
    : db_(prepare_for_load(db)),
      customers_(db,
                 "INSERT INTO customers(id, email, first_name, last_name, phone, birth_date, "
                 "created_at, last_login_at, marketing_opt_in, preferred_language) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?)"),
      addresses_(db,
                 "INSERT INTO addresses(id, customer_id, kind, recipient_name, line1, line2, "
                 "city, postcode, country, created_at) VALUES (?,?,?,?,?,?,?,?,?,?)"),
      body_measurements_(db,
                         "INSERT INTO body_measurements(id, customer_id, chest_cm, waist_cm, "
                         "hips_cm, height_cm, inseam_cm, sleeve_cm, neck_cm, measured_at) "
                         "VALUES (?,?,?,?,?,?,?,?,?,?)"),
      products_(db,
                "INSERT INTO products(id, sku, name, category, price_cents) "
                "VALUES (?,?,?,?,?)"),
      orders_(db,
              "INSERT INTO orders(id, customer_id, email, placed_at, status, total_cents, "
              "currency) VALUES (?,?,?,?,?,?,?)"),
      order_items_(db,
                   "INSERT INTO order_items(id, order_id, product_id, quantity, "
                   "unit_price_cents, made_to_measure) VALUES (?,?,?,?,?,?)"),
      payments_(db,
                "INSERT INTO payments(id, order_id, method, card_token, card_last4, "
                "amount_cents, paid_at, status) VALUES (?,?,?,?,?,?,?,?)"),
      shipments_(db,
                 "INSERT INTO shipments(id, order_id, carrier, tracking_number, ship_to_name, "
                 "ship_to_line1, ship_to_city, ship_to_postcode, ship_to_country, shipped_at) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?)"),
      returns_(db,
               "INSERT INTO returns(id, order_id, reason, requested_at, refunded_cents, "
               "status) VALUES (?,?,?,?,?,?)"),
      support_tickets_(db,
                       "INSERT INTO support_tickets(id, customer_id, email, subject, body, "
                       "created_at, status) VALUES (?,?,?,?,?,?,?)"),
      loyalty_ledger_(db,
                      "INSERT INTO loyalty_ledger(id, customer_id, order_id, points, reason, "
                      "created_at) VALUES (?,?,?,?,?,?)"),
      newsletter_events_(db,
                         "INSERT INTO newsletter_events(id, customer_id, email, event, "
                         "occurred_at) VALUES (?,?,?,?,?)"),
      web_sessions_(db,
                    "INSERT INTO web_sessions(id, customer_id, ip_address, user_agent, "
                    "started_at) VALUES (?,?,?,?,?)") {}

void SqliteWriter::insert(const CustomerRow& r) {
    run(customers_, r.id, r.email, r.first_name, r.last_name, r.phone, r.birth_date, r.created_at,
        r.last_login_at, r.marketing_opt_in, r.preferred_language);
}
void SqliteWriter::insert(const AddressRow& r) {
    run(addresses_, r.id, r.customer_id, r.kind, r.recipient_name, r.line1, r.line2, r.city, r.postcode,
        r.country, r.created_at);
}
void SqliteWriter::insert(const BodyMeasurementRow& r) {
    run(body_measurements_, r.id, r.customer_id, r.chest_cm, r.waist_cm, r.hips_cm, r.height_cm, r.inseam_cm,
        r.sleeve_cm, r.neck_cm, r.measured_at);
}
void SqliteWriter::insert(const ProductRow& r) {
    run(products_, r.id, r.sku, r.name, r.category, r.price_cents);
}
void SqliteWriter::insert(const OrderRow& r) {
    run(orders_, r.id, r.customer_id, r.email, r.placed_at, r.status, r.total_cents, r.currency);
}
void SqliteWriter::insert(const OrderItemRow& r) {
    run(order_items_, r.id, r.order_id, r.product_id, r.quantity, r.unit_price_cents, r.made_to_measure);
}
void SqliteWriter::insert(const PaymentRow& r) {
    run(payments_, r.id, r.order_id, r.method, r.card_token, r.card_last4, r.amount_cents, r.paid_at,
        r.status);
}
void SqliteWriter::insert(const ShipmentRow& r) {
    run(shipments_, r.id, r.order_id, r.carrier, r.tracking_number, r.ship_to_name, r.ship_to_line1,
        r.ship_to_city, r.ship_to_postcode, r.ship_to_country, r.shipped_at);
}
void SqliteWriter::insert(const ReturnRow& r) {
    run(returns_, r.id, r.order_id, r.reason, r.requested_at, r.refunded_cents, r.status);
}
void SqliteWriter::insert(const SupportTicketRow& r) {
    run(support_tickets_, r.id, r.customer_id, r.email, r.subject, r.body, r.created_at, r.status);
}
void SqliteWriter::insert(const LoyaltyRow& r) {
    run(loyalty_ledger_, r.id, r.customer_id, r.order_id, r.points, r.reason, r.created_at);
}
void SqliteWriter::insert(const NewsletterEventRow& r) {
    run(newsletter_events_, r.id, r.customer_id, r.email, r.event, r.occurred_at);
}
void SqliteWriter::insert(const WebSessionRow& r) {
    run(web_sessions_, r.id, r.customer_id, r.ip_address, r.user_agent, r.started_at);
}

void SqliteWriter::finish(const PhaseFn& phase) {
    phase("committing rows");
    db_.exec("COMMIT");

    phase("building indexes");
    db_.exec("BEGIN");
    db_.exec(kIndexesSql);
    db_.exec("COMMIT");

    phase("analyzing");
    // The file is handed to other tools, which expect an ordinary
    // rollback-journal database, not the journal-less mode used to load it.
    db_.exec("PRAGMA journal_mode=DELETE");
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("ANALYZE");
}

}  // namespace shopgen
