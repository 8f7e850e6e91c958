#include "crypto/secret.h"

#include <sodium.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <new>
#include <stdexcept>
#include <utility>

namespace dsr::crypto {

void ensure_sodium() {
    static const int ready = sodium_init();
    if (ready < 0) throw std::runtime_error("libsodium failed to initialise");
}

void forbid_core_dumps() {
    // Once a secret is in memory, a crash must not write it to a core file
    // (or hand it to a core-dump collector): no core size, and not dumpable,
    // which also keeps other processes of the same user from ptrace-reading it.
    static const bool done = [] {
        const rlimit none{0, 0};
        ::setrlimit(RLIMIT_CORE, &none);
        ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        return true;
    }();
    (void)done;
}

SecretBytes::SecretBytes(std::size_t size) : size_(size) {
    ensure_sodium();
    forbid_core_dumps();
    // sodium_malloc also mlock()s the pages; sodium_free wipes them.
    data_ = static_cast<unsigned char*>(sodium_malloc(size));
    if (!data_) throw std::bad_alloc();
    sodium_memzero(data_, size);
}

SecretBytes::~SecretBytes() {
    if (data_) sodium_free(data_);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        if (data_) sodium_free(data_);
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
    std::string hex(size * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), bytes, size);
    hex.pop_back();
    return hex;
}

bool from_hex(const std::string& hex, unsigned char* out, std::size_t size) {
    std::size_t written = 0;
    const char* end = nullptr;
    if (sodium_hex2bin(out, size, hex.data(), hex.size(), nullptr, &written, &end) != 0) return false;
    return written == size && end == hex.data() + hex.size();
}

std::string to_base64(const unsigned char* bytes, std::size_t size) {
    if (size == 0) return {};
    ensure_sodium();
    constexpr int variant = sodium_base64_VARIANT_ORIGINAL;
    std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, size, variant);
    out.pop_back();  // sodium writes a C string; the length already counted its NUL
    return out;
}

}  // namespace dsr::crypto
