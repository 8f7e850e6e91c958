#include "util/sha256.h"

#include <array>
#include <stdexcept>

namespace dsr {

namespace {

void init_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string hex_of(const std::array<unsigned char, crypto_hash_sha256_BYTES>& digest) {
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    init_sodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return hex_of(digest);
}

HashingSink::HashingSink(ByteSink& next) : next_(next) {
    init_sodium();
    crypto_hash_sha256_init(&state_);
}

void HashingSink::write(std::string_view bytes) {
    crypto_hash_sha256_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    bytes_ += bytes.size();
    next_.write(bytes);
}

std::string HashingSink::hex_digest() {
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256_final(&state_, digest.data());
    return hex_of(digest);
}

}  // namespace dsr
