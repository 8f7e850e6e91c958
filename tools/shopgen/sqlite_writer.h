// Stores generated rows in the SQLite file. Each table has one prepared
// INSERT that is bound, executed and reset per row: re-parsing SQL for
// millions of rows would cost more than generating them.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "shop_writer.h"

namespace shopgen {

class SqliteWriter final : public ShopWriter {
public:
    // Creates the tables in an empty database (the temporary file that
    // OutputFile renames into place) and opens the load transaction.
    explicit SqliteWriter(SQLite::Database& db);

    void insert(const CustomerRow& r) override;
    void insert(const AddressRow& r) override;
    void insert(const BodyMeasurementRow& r) override;
    void insert(const ProductRow& r) override;
    void insert(const OrderRow& r) override;
    void insert(const OrderItemRow& r) override;
    void insert(const PaymentRow& r) override;
    void insert(const ShipmentRow& r) override;
    void insert(const ReturnRow& r) override;
    void insert(const SupportTicketRow& r) override;
    void insert(const LoyaltyRow& r) override;
    void insert(const NewsletterEventRow& r) override;
    void insert(const WebSessionRow& r) override;

    // Commits the rows, then builds indexes and statistics.
    void finish(const PhaseFn& phase) override;

private:
    SQLite::Database& db_;
    SQLite::Statement customers_, addresses_, body_measurements_, products_, orders_, order_items_, payments_,
        shipments_, returns_, support_tickets_, loyalty_ledger_, newsletter_events_, web_sessions_;
};

}  // namespace shopgen
