// Invented people and the things that identify them: names, e-mail
// addresses, phone numbers, postal addresses, cards, bodies and devices.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "random.h"
#include "vocabulary.h"

namespace shopgen {

struct Place {
    const Country* country = nullptr;
    std::string line1;
    std::optional<std::string> line2;
    std::string city;
    std::string postcode;
};

struct Card {
    std::string token;  // processor token; the shop never sees card numbers
    std::string last4;
};

// --canary: a marker put in front of every name, street line, city and
// e-mail local part, so that tests can search everything dsr writes for
// it. Applied after the random draws, so the shop is otherwise the same;
// empty (the default), the text is as without the option.
std::string with_canary(std::string_view canary, std::string_view text);

struct Person {
    const Country* country = nullptr;
    std::string_view canary;  // see with_canary
    Name first, last;
    std::string email;
    Place home;
    std::vector<Card> cards;

    std::string first_name() const { return with_canary(canary, first.display); }
    std::string last_name() const { return with_canary(canary, last.display); }
    std::string full_name() const;
};

// Body measurements in half centimetres; a tailor rounds to 0.5 cm.
struct Body {
    std::optional<int> chest, waist, hips, height, inseam, sleeve, neck;
};

const Country& pick_country(Rng& rng);
Name pick_first_name(Rng& rng, const Country& c);
Name pick_last_name(Rng& rng, const Country& c);

// "first.last.<tag>@<domain>": the tag keeps every address unique and tells
// customers (a number), guests ("g..."), newsletter-only readers ("n...")
// and alternative addresses ("w...") apart. A canary starts the local part
// ("<canary>.first.last.<tag>@"), so the address keeps its shape and the same
// person's addresses still match one another.
std::string make_email(Rng& rng, const Name& first, const Name& last, std::string_view tag,
                       std::string_view canary);

// The canary marks the street lines and the city; postcodes and country
// codes are left as they are (codes, not free text).
Place make_place(Rng& rng, const Country& c, std::string_view canary);
Card make_card(Rng& rng);

// E.164 number that is unique for every customer id below kMaxCustomers:
// an affine map modulo 10^7 with a multiplier coprime to 10 is a bijection.
std::string phone_number(const Country& c, std::int64_t customer_id, std::uint64_t seed);

Body make_body(Rng& rng);
Body remeasure(Rng& rng, const Body& b);

// Addresses from the documentation ranges (RFC 5737, RFC 3849) only.
std::string make_ip(Rng& rng);

}  // namespace shopgen
