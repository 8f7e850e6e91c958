#pragma once

#include <sodium.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "util/byte_sink.h"

namespace dsr {

/// Lower-case hex SHA-256 of `bytes` (libsodium), e.g. a policy's fingerprint in reports.
std::string sha256_hex(std::string_view bytes);

/// Passes bytes on to `next` while hashing and counting them, so an export
/// can state the SHA-256 and size of what it wrote without reading it back.
class HashingSink : public ByteSink {
public:
    explicit HashingSink(ByteSink& next);
    void write(std::string_view bytes) override;
    /// Lower-case hex SHA-256 of everything written so far; call once, at the end.
    std::string hex_digest();
    std::uint64_t bytes_written() const { return bytes_; }

private:
    ByteSink& next_;
    crypto_hash_sha256_state state_{};
    std::uint64_t bytes_ = 0;
};

}  // namespace dsr
