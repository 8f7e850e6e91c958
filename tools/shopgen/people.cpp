#include "people.h"

#include <array>

#include "text.h"

namespace shopgen {

std::string with_canary(std::string_view canary, std::string_view text) {
    if (canary.empty()) return std::string(text);
    std::string out(canary);
    out.append(" ").append(text);
    return out;
}

// Built from the marked parts, so that a full name is still its parts joined.
std::string Person::full_name() const {
    switch (country->name_order) {
        case NameOrder::family_given: return last_name() + " " + first_name();
        case NameOrder::family_given_joined: return last_name() + first_name();
        case NameOrder::given_family: break;
    }
    return first_name() + " " + last_name();
}

const Country& pick_country(Rng& rng) {
    const auto all = countries();
    unsigned total = 0;
    for (const Country& c : all) total += c.weight;
    auto r = static_cast<unsigned>(rng.below(total));
    for (const Country& c : all) {
        if (r < c.weight) return c;
        r -= c.weight;
    }
    return all.back();
}

Name pick_first_name(Rng& rng, const Country& c) { return rng.pick(c.first_names); }
Name pick_last_name(Rng& rng, const Country& c) { return rng.pick(c.last_names); }

std::string make_email(Rng& rng, const Name& first, const Name& last, std::string_view tag,
                       std::string_view canary) {
    std::string out;
    out.reserve(64);
    if (!canary.empty()) out.append(canary).append(".");
    out.append(first.ascii).append(".").append(last.ascii).append(".").append(tag);
    out.append("@").append(rng.pick(email_domains()));
    return out;
}

Place make_place(Rng& rng, const Country& c, std::string_view canary) {
    Place p;
    p.country = &c;
    // Draws are sequenced statement by statement throughout the generator:
    // the evaluation order of function arguments is unspecified, and two
    // compilers could otherwise consume the stream in different orders.
    const std::string_view street = rng.pick(c.streets);
    p.line1 = fill_number(street, rng.between(1, c.code == "CN" ? 888 : 180));
    if (rng.chance(1, 4)) {
        const std::string_view line2 = rng.pick(c.line2s);
        p.line2 = fill_number(line2, rng.between(1, 24));
    }
    const City& city = rng.pick(c.cities);
    p.city = std::string(city.name);
    p.postcode.reserve(city.postcode_pattern.size());
    for (char ch : city.postcode_pattern) {
        if (ch == '#')
            p.postcode.push_back(static_cast<char>('0' + rng.below(10)));
        else if (ch == '@')
            p.postcode.push_back(rng.pick(c.postcode_letters));
        else
            p.postcode.push_back(ch);
    }
    if (!canary.empty()) {
        p.line1 = with_canary(canary, p.line1);
        if (p.line2) p.line2 = with_canary(canary, *p.line2);
        p.city = with_canary(canary, p.city);
    }
    return p;
}

Card make_card(Rng& rng) {
    Card card;
    card.token = "tok_" + random_hex(rng, 24);
    card.last4 = random_digits(rng, 4);
    return card;
}

std::string phone_number(const Country& c, std::int64_t customer_id, std::uint64_t seed) {
    constexpr std::uint64_t kSpace = 10'000'000;
    constexpr std::uint64_t kMultiplier = 2'718'283;  // odd and not a multiple of 5
    const std::uint64_t offset = seed % kSpace;
    const std::uint64_t n = (static_cast<std::uint64_t>(customer_id) * kMultiplier + offset) % kSpace;
    return std::string(c.phone_prefix) + digits(n, 7);
}

namespace {

// lo + (hi - lo) * share / 100 in half centimetres, plus a little noise so
// the measurements of one person are correlated but not proportional.
int scaled(Rng& rng, int lo_cm, int hi_cm, int share, int noise_halves) {
    return lo_cm * 2 + (hi_cm - lo_cm) * 2 * share / 100 +
           static_cast<int>(rng.between(-noise_halves, noise_halves));
}

std::optional<int> sometimes_missing(Rng& rng, int value, unsigned missing_percent) {
    if (rng.chance(missing_percent, 100)) return std::nullopt;
    return value;
}

}  // namespace

Body make_body(Rng& rng) {
    // Two frames (roughly menswear and womenswear blocks); size is a
    // triangular 0..100 share so most people sit in the middle of the range.
    const bool broad = rng.chance(1, 2);
    const int size = static_cast<int>((rng.below(101) + rng.below(101)) / 2);
    const int tall = static_cast<int>((rng.below(101) + rng.below(101)) / 2);
    Body b;
    const int height = broad ? scaled(rng, 165, 197, tall, 3) : scaled(rng, 152, 181, tall, 3);
    b.height = sometimes_missing(rng, height, 3);
    b.chest =
        sometimes_missing(rng, broad ? scaled(rng, 88, 124, size, 4) : scaled(rng, 78, 112, size, 4), 3);
    b.waist = sometimes_missing(rng, broad ? scaled(rng, 72, 114, size, 6) : scaled(rng, 60, 98, size, 6), 3);
    b.hips = sometimes_missing(rng, broad ? scaled(rng, 90, 118, size, 4) : scaled(rng, 86, 120, size, 4),
                               broad ? 30 : 3);
    b.inseam = sometimes_missing(rng, height * 45 / 100 + static_cast<int>(rng.between(-4, 4)), 5);
    b.sleeve = sometimes_missing(rng, broad ? scaled(rng, 59, 69, tall, 2) : scaled(rng, 53, 62, tall, 2), 5);
    b.neck = sometimes_missing(rng, broad ? scaled(rng, 36, 46, size, 1) : scaled(rng, 31, 38, size, 1),
                               broad ? 3 : 30);
    return b;
}

Body remeasure(Rng& rng, const Body& b) {
    auto drift = [&rng](const std::optional<int>& v, int halves) -> std::optional<int> {
        if (!v) return std::nullopt;
        return *v + static_cast<int>(rng.between(-halves, halves));
    };
    return Body{drift(b.chest, 4),  drift(b.waist, 6),  drift(b.hips, 4), drift(b.height, 1),
                drift(b.inseam, 1), drift(b.sleeve, 1), drift(b.neck, 1)};
}

std::string make_ip(Rng& rng) {
    static constexpr std::array<std::string_view, 3> kV4Nets = {"192.0.2.", "198.51.100.", "203.0.113."};
    if (rng.chance(65, 100)) {
        std::string ip(rng.pick(kV4Nets));
        return ip + std::to_string(rng.between(1, 254));
    }
    // Non-zero groups keep the text canonical (RFC 5952) without "::".
    std::string ip = "2001:db8";
    for (int i = 0; i < 6; ++i) {
        ip.push_back(':');
        ip += hex_group(static_cast<unsigned>(rng.between(1, 0xffff)));
    }
    return ip;
}

}  // namespace shopgen
