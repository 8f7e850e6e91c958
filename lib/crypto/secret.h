#pragma once
// Secret bytes (keys) in libsodium-guarded memory: locked so they never reach
// swap, surrounded by guard pages, and wiped when freed; once one exists, the
// process writes no core dump.

#include <cstddef>
#include <string>

namespace dsr::crypto {

class SecretBytes {
public:
    explicit SecretBytes(std::size_t size);  ///< zero-filled; throws on allocation failure
    ~SecretBytes();
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    unsigned char* data() { return data_; }
    const unsigned char* data() const { return data_; }
    std::size_t size() const { return size_; }

private:
    unsigned char* data_ = nullptr;
    std::size_t size_ = 0;
};

/// For the rest of the process: no core dumps, and not dumpable (nor
/// ptrace-attachable by the same user). The first SecretBytes calls it.
void forbid_core_dumps();

/// Calls sodium_init once; every crypto entry point calls it first.
void ensure_sodium();

/// Lower-case hex of bytes (for public values only: hashes, public keys, signatures).
std::string to_hex(const unsigned char* bytes, std::size_t size);
/// Standard base64 with padding (RFC 4648), e.g. a BLOB value in a report or an export.
std::string to_base64(const unsigned char* bytes, std::size_t size);
/// Parses lower- or upper-case hex; false if malformed or the wrong length.
bool from_hex(const std::string& hex, unsigned char* out, std::size_t size);

}  // namespace dsr::crypto
