// Tests for lib/crypto/pseudonym.h: stable per key, unrelated across keys,
// and identities normalised first so one person has one pseudonym.

#include <doctest/doctest.h>

#include <cstring>

#include "crypto/pseudonym.h"

namespace {

using namespace dsr::crypto;
using dsr::policy::IdentityNormalization;

SecretBytes key_of(unsigned char fill) {
    SecretBytes key(pseudonym_key_bytes);
    std::memset(key.data(), fill, key.size());
    return key;
}

}  // namespace

TEST_CASE("pseudonym") {
    auto a = key_of(1);
    auto b = key_of(2);
    CHECK(pseudonym(a, "email", "ana@example.com") == pseudonym(a, "email", "ana@example.com"));
    CHECK(pseudonym(a, "email", "ana@example.com") != pseudonym(b, "email", "ana@example.com"));
    CHECK(pseudonym(a, "email", "ana@example.com").size() == 64);
    SUBCASE("kind and value are length-prefixed, not concatenated") {
        CHECK(pseudonym(a, "ab", "c") != pseudonym(a, "a", "bc"));
        CHECK(pseudonym(a, "email", "x") != pseudonym(a, "phone", "x"));
    }
    SUBCASE("a key of the wrong size is refused") {
        SecretBytes short_key(16);
        CHECK_THROWS(pseudonym(short_key, "email", "x"));
    }
}

TEST_CASE("normalize_identity") {
    CHECK(normalize_identity("  Ana@Example.COM ", IdentityNormalization::email) == "ana@example.com");
    CHECK(normalize_identity("+353 87 123 4567", IdentityNormalization::phone) == "+353871234567");
    CHECK(normalize_identity("00353871234567", IdentityNormalization::phone) == "+353871234567");
    CHECK(normalize_identity("+353-87-(123).4567", IdentityNormalization::phone) == "+353871234567");
    CHECK(normalize_identity(" 42 ", IdentityNormalization::none) == "42");
}
