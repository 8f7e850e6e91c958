// Stores generated rows in the SQLite file. Each table has one prepared
// INSERT that is bound, executed and reset per row: re-parsing SQL for
// millions of rows would cost more than generating them.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <string>

#include "rows.h"

namespace shopgen {

class ShopWriter {
public:
    // Creates the tables in an empty database and opens the load transaction.
    explicit ShopWriter(SQLite::Database& db);

    void insert(const CustomerRow& r);
    void insert(const AddressRow& r);
    void insert(const BodyMeasurementRow& r);
    void insert(const ProductRow& r);
    void insert(const OrderRow& r);
    void insert(const OrderItemRow& r);
    void insert(const PaymentRow& r);
    void insert(const ShipmentRow& r);
    void insert(const ReturnRow& r);
    void insert(const SupportTicketRow& r);
    void insert(const LoyaltyRow& r);
    void insert(const NewsletterEventRow& r);
    void insert(const WebSessionRow& r);

    // Commits the rows, then builds indexes and statistics.
    void commit_load();
    void create_indexes();
    void finalize();

private:
    SQLite::Database& db_;
    SQLite::Statement customers_, addresses_, body_measurements_, products_, orders_, order_items_, payments_,
        shipments_, returns_, support_tickets_, loyalty_ledger_, newsletter_events_, web_sessions_;
};

}  // namespace shopgen
