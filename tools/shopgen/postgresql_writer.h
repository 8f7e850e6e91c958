// Loads generated rows into an existing PostgreSQL database with libpq, in
// one transaction: an interrupted or failed run leaves the database as it was.
#pragma once

#include <libpq-fe.h>

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "shop_writer.h"

namespace shopgen {

// True if --out names a PostgreSQL database rather than a file: a
// postgresql:// or postgres:// URI, or a libpq keyword string, which starts
// with "keyword=" ("host=/run/postgresql dbname=shop").
bool is_postgresql_target(std::string_view out);

class PostgresqlWriter final : public ShopWriter {
public:
    // Connects, begins the load transaction and creates the tables. If any of
    // the shop's tables exists already, that is a UsageError, unless replace:
    // then they are dropped (CASCADE) in the same transaction.
    PostgresqlWriter(const std::string& conninfo, bool replace);

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

    // Copies the remaining rows, builds indexes, adds the foreign keys,
    // analyzes and commits.
    void finish(const PhaseFn& phase) override;

    static constexpr std::size_t kTableCount = 13;

private:
    template <typename... Values>
    void row(std::size_t table, const Values&... values);
    void flush(std::size_t table);
    void exec(const std::string& sql);

    // Closing the connection without COMMIT rolls the transaction back.
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
    // Per table, rows in COPY text format not yet sent. The generator
    // interleaves tables and a connection runs one COPY at a time, so each
    // table collects a chunk and sends it in a COPY of its own.
    std::array<std::string, kTableCount> pending_;
};

}  // namespace shopgen
