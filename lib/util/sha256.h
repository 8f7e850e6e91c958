#pragma once
// SHA-256 of a stream through OpenSSL's libcrypto: an export hashes every
// byte it writes twice (each part for the manifest, then the whole file),
// and libcrypto's SHA-256 (SHA-NI, AVX2) runs 5-6 times faster than
// libsodium's portable C. A one-shot hash of a small text (the policy file,
// on every command) stays with libsodium: libcrypto's first digest costs
// about 2 ms of provider set-up, against 0.1 ms. libcrypto stays out of
// this header.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/byte_sink.h"

namespace dsr {

/// Lower-case hex SHA-256 of `bytes`, e.g. a policy's fingerprint in reports.
std::string sha256_hex(std::string_view bytes);

/// Passes bytes on to `next` while hashing and counting them, so an export
/// can state the SHA-256 and size of what it wrote without reading it back.
class HashingSink : public ByteSink {
public:
    explicit HashingSink(ByteSink& next);
    ~HashingSink() override;
    HashingSink(const HashingSink&) = delete;
    HashingSink& operator=(const HashingSink&) = delete;

    void write(std::string_view bytes) override;
    /// Lower-case hex SHA-256 of everything written so far; call once, at the end.
    std::string hex_digest();
    std::uint64_t bytes_written() const { return bytes_; }

private:
    struct State;  // libcrypto's digest context
    ByteSink& next_;
    std::unique_ptr<State> state_;
    std::uint64_t bytes_ = 0;
};

}  // namespace dsr
