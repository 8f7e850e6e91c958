#pragma once

#include <string>
#include <string_view>

namespace dsr {

/// Lower-case hex SHA-256 of `bytes` (libsodium), e.g. a policy's fingerprint in reports.
std::string sha256_hex(std::string_view bytes);

}  // namespace dsr
