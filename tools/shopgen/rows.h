// One struct per table, field for column, in schema order. std::optional marks
// the nullable columns; the generator fills these and ShopWriter stores them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopgen {

using Id = std::int64_t;

struct CustomerRow {
    Id id;
    std::string email, first_name, last_name;
    std::optional<std::string> phone, birth_date;
    std::string created_at;
    std::optional<std::string> last_login_at;
    int marketing_opt_in;
    std::optional<std::string> preferred_language;
};

struct AddressRow {
    Id id, customer_id;
    std::string kind, recipient_name, line1;
    std::optional<std::string> line2;
    std::string city, postcode, country, created_at;
};

struct BodyMeasurementRow {
    Id id, customer_id;
    std::optional<double> chest_cm, waist_cm, hips_cm, height_cm, inseam_cm, sleeve_cm, neck_cm;
    std::string measured_at;
};

struct ProductRow {
    Id id;
    std::string sku, name, category;
    std::int64_t price_cents;
};

struct OrderRow {
    Id id;
    std::optional<Id> customer_id;
    std::string email, placed_at, status;
    std::int64_t total_cents;
    std::string currency;
};

struct OrderItemRow {
    Id id, order_id, product_id;
    std::int64_t quantity, unit_price_cents;
    int made_to_measure;
};

struct PaymentRow {
    Id id, order_id;
    std::string method;
    std::optional<std::string> card_token, card_last4;
    std::int64_t amount_cents;
    std::string paid_at, status;
};

struct ShipmentRow {
    Id id, order_id;
    std::string carrier, tracking_number, ship_to_name, ship_to_line1, ship_to_city, ship_to_postcode,
        ship_to_country, shipped_at;
};

struct ReturnRow {
    Id id, order_id;
    std::optional<std::string> reason;
    std::string requested_at;
    std::int64_t refunded_cents;
    std::string status;
};

struct SupportTicketRow {
    Id id;
    std::optional<Id> customer_id;
    std::string email, subject, body, created_at, status;
};

struct LoyaltyRow {
    Id id, customer_id;
    std::optional<Id> order_id;
    std::int64_t points;
    std::string reason, created_at;
};

struct NewsletterEventRow {
    Id id;
    std::optional<Id> customer_id;
    std::string email, event;
    std::int64_t occurred_at;  // Unix seconds
};

struct WebSessionRow {
    Id id;
    std::optional<Id> customer_id;
    std::string ip_address, user_agent;
    std::int64_t started_at;  // Unix milliseconds
};

// The table each row type is stored in, for records kept about the rows
// (the ground truth) rather than for SQL, which ShopWriter spells out.
constexpr std::string_view table_of(const CustomerRow&) { return "customers"; }
constexpr std::string_view table_of(const AddressRow&) { return "addresses"; }
constexpr std::string_view table_of(const BodyMeasurementRow&) { return "body_measurements"; }
constexpr std::string_view table_of(const ProductRow&) { return "products"; }
constexpr std::string_view table_of(const OrderRow&) { return "orders"; }
constexpr std::string_view table_of(const OrderItemRow&) { return "order_items"; }
constexpr std::string_view table_of(const PaymentRow&) { return "payments"; }
constexpr std::string_view table_of(const ShipmentRow&) { return "shipments"; }
constexpr std::string_view table_of(const ReturnRow&) { return "returns"; }
constexpr std::string_view table_of(const SupportTicketRow&) { return "support_tickets"; }
constexpr std::string_view table_of(const LoyaltyRow&) { return "loyalty_ledger"; }
constexpr std::string_view table_of(const NewsletterEventRow&) { return "newsletter_events"; }
constexpr std::string_view table_of(const WebSessionRow&) { return "web_sessions"; }

}  // namespace shopgen
