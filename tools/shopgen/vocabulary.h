// Word lists the generator draws from: people, places, products and the free
// text customers write. Everything personal is invented (example.* domains,
// tailoring-themed street names), so the demo database can be shared freely.
#pragma once

#include <span>
#include <string_view>

namespace shopgen {

struct Name {
    std::string_view display;  // as the person writes it (may be non-ASCII)
    std::string_view ascii;    // lowercase ASCII, used to build e-mail addresses
};

struct City {
    std::string_view name;
    // '#' becomes a digit, '@' a letter from the country's postcode alphabet,
    // anything else is copied.
    std::string_view postcode_pattern;
};

// How a full name is written on a parcel: "Aoife Murphy", "Nguyễn Thị Minh
// Khai" (family name first, words apart), "王秀英" (family name first, joined).
enum class NameOrder { given_family, family_given, family_given_joined };

struct Country {
    std::string_view code;          // ISO 3166-1 alpha-2
    unsigned weight;                // share of customers
    std::string_view currency;      // ISO 4217
    unsigned eur_rate;              // units of currency per 100 EUR
    std::string_view language;      // preferred_language for most customers
    std::string_view phone_prefix;  // E.164 prefix; 7 more digits follow
    NameOrder name_order;
    std::string_view postcode_letters;
    std::span<const Name> first_names;
    std::span<const Name> last_names;
    std::span<const City> cities;
    std::span<const std::string_view> streets;  // "{n}" is the house number
    std::span<const std::string_view> line2s;   // "{n}" is a small number
    std::span<const std::string_view> carriers;
};

struct Carrier {
    std::string_view name;
    // 'U': UPU S10 (two letters, nine digits, country), 'Z': UPS 1Z, 'D': digits
    char tracking_style;
    unsigned digits;
};

struct Category {
    std::string_view name;
    std::string_view sku_prefix;
    unsigned count;
    unsigned base_price_eur;
    bool tailorable;  // can be ordered made to measure
    std::span<const std::string_view> cuts;
};

struct Fabric {
    std::string_view name;
    unsigned premium_eur;
};

std::span<const Country> countries();
const Carrier& carrier(std::string_view name);
std::span<const Category> categories();
std::span<const Fabric> fabrics();
std::span<const std::string_view> colours();
std::span<const std::string_view> email_domains();
std::span<const std::string_view> user_agents();

// Free text. Placeholders in braces are filled in by the generator.
std::span<const std::string_view> return_reasons();

struct TicketTemplate {
    enum class Needs { nothing, order, measurements, phone };
    Needs needs;
    std::string_view subject;
    std::string_view body;
};
std::span<const TicketTemplate> ticket_templates();

}  // namespace shopgen
