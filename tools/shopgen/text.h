// Small string builders shared by the generator. They avoid printf-style
// formatting so the output never depends on the C locale.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "random.h"

namespace shopgen {

// Replaces every "{key}" in tpl with value(key). Unknown keys are a bug in
// the word lists, and value() is expected to throw for them.
template <typename Lookup>
std::string fill(std::string_view tpl, Lookup&& value) {
    std::string out;
    out.reserve(tpl.size() + 32);
    std::size_t pos = 0;
    while (pos < tpl.size()) {
        const std::size_t open = tpl.find('{', pos);
        if (open == std::string_view::npos) break;
        const std::size_t close = tpl.find('}', open);
        if (close == std::string_view::npos) break;
        out.append(tpl.substr(pos, open - pos));
        out.append(value(tpl.substr(open + 1, close - open - 1)));
        pos = close + 1;
    }
    out.append(tpl.substr(pos));
    return out;
}

inline std::string fill_number(std::string_view tpl, std::int64_t n) {
    return fill(tpl, [n](std::string_view) { return std::to_string(n); });
}

// Exactly `width` decimal digits of value (leading zeros kept).
inline std::string digits(std::uint64_t value, int width) {
    std::string out(static_cast<std::size_t>(width), '0');
    for (int i = width - 1; i >= 0; --i) {
        out[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out;
}

inline std::string random_digits(Rng& rng, int width) {
    std::string out(static_cast<std::size_t>(width), '0');
    for (auto& c : out) c = static_cast<char>('0' + rng.below(10));
    return out;
}

inline std::string random_hex(Rng& rng, int width) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(static_cast<std::size_t>(width), '0');
    for (auto& c : out) c = kHex[rng.below(16)];
    return out;
}

// Lowercase hex without leading zeros, as in canonical IPv6 text.
inline std::string hex_group(unsigned value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        const unsigned nibble = (value >> shift) & 0xf;
        if (nibble != 0 || started || shift == 0) {
            out.push_back(kHex[nibble]);
            started = true;
        }
    }
    return out;
}

// A length in half centimetres as people write it: "102" or "102.5".
inline std::string half_cm_text(int halves) {
    std::string out = std::to_string(halves / 2);
    if (halves % 2 != 0) out += ".5";
    return out;
}

}  // namespace shopgen
