#include "crypto/pseudonym.h"

#include <sodium.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace dsr::crypto {

namespace {

std::string_view trim(std::string_view s) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

/// Length prefixes make the encoding injective: ("ab","c") and ("a","bc") differ.
void absorb(crypto_generichash_state& state, std::string_view part) {
    std::array<unsigned char, 8> length{};
    std::uint64_t n = part.size();
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
    crypto_generichash_update(&state, length.data(), length.size());
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(part.data()), part.size());
}

}  // namespace

std::string normalize_identity(std::string_view value, policy::IdentityNormalization how) {
    value = trim(value);
    std::string out;
    switch (how) {
        case policy::IdentityNormalization::email:
            for (char c : value) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return out;
        case policy::IdentityNormalization::phone: {
            // The international prefix is recognised among the digits, not
            // the characters typed: "(0044) 20…" and "0044 20…" are one
            // number, and normalising "+44…" again must leave it as it is.
            for (char c : value)
                if (std::isdigit(static_cast<unsigned char>(c))) out += c;
            if (value.starts_with("+")) return "+" + out;
            if (out.starts_with("00")) out.replace(0, 2, "+");
            return out;
        }
        case policy::IdentityNormalization::none: break;  // returned below: a return after the switch would be dead code
    }
    return std::string(value);
}

std::string pseudonym(const SecretBytes& key, std::string_view kind, std::string_view normalized_value) {
    ensure_sodium();
    if (key.size() != pseudonym_key_bytes) throw std::invalid_argument("pseudonym key must be 32 bytes");
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.data(), key.size(), 32);
    absorb(state, "dsr-pseudonym-v1");
    absorb(state, kind);
    absorb(state, normalized_value);
    std::array<unsigned char, 32> out{};
    crypto_generichash_final(&state, out.data(), out.size());
    return to_hex(out.data(), out.size());
}

}  // namespace dsr::crypto
