// Where the generator's rows go. The generator hands over each row as it
// makes it, tables interleaved, and knows nothing of the database: SQLite
// and PostgreSQL targets get the same rows in the same order.
#pragma once

#include <functional>
#include <string>

#include "rows.h"

namespace shopgen {

class ShopWriter {
public:
    // Called with a short description of each step finish() takes.
    using PhaseFn = std::function<void(const std::string& what)>;

    virtual ~ShopWriter() = default;

    virtual void insert(const CustomerRow& r) = 0;
    virtual void insert(const AddressRow& r) = 0;
    virtual void insert(const BodyMeasurementRow& r) = 0;
    virtual void insert(const ProductRow& r) = 0;
    virtual void insert(const OrderRow& r) = 0;
    virtual void insert(const OrderItemRow& r) = 0;
    virtual void insert(const PaymentRow& r) = 0;
    virtual void insert(const ShipmentRow& r) = 0;
    virtual void insert(const ReturnRow& r) = 0;
    virtual void insert(const SupportTicketRow& r) = 0;
    virtual void insert(const LoyaltyRow& r) = 0;
    virtual void insert(const NewsletterEventRow& r) = 0;
    virtual void insert(const WebSessionRow& r) = 0;

    // After the last row: stores what is still pending, builds indexes and
    // statistics, and commits. Until it returns, the target is as it was.
    virtual void finish(const PhaseFn& phase) = 0;
};

}  // namespace shopgen
