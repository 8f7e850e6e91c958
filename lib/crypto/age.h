#pragma once
// Encryption to the age v1 file format (https://age-encryption.org/v1), so an
// export can be opened with the stock `age` tool and nothing of ours.
// Streaming: ciphertext goes to the sink as plaintext arrives, and memory holds
// at most one 64 KiB chunk. Decryption is left to `age` itself.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/secret.h"
#include "util/byte_sink.h"

namespace dsr::crypto {

/// Encrypts a stream to the age v1 format, writing ciphertext to `out` as it goes.
/// The header (and payload nonce) is written when the encryptor is created.
/// An encryptor destroyed without finish() leaves a truncated file that age refuses.
class AgeEncryptor : public ByteSink {
public:
    /// X25519 recipients, each "age1..." (lower-case Bech32, as age-keygen prints them).
    /// Throws dsr::Error(usage) for none, or for a malformed one, naming it (it is a public key).
    static std::unique_ptr<AgeEncryptor> to_recipients(const std::vector<std::string>& recipients, ByteSink& out);
    /// One scrypt recipient; `work_factor` is log2(N), age's default 18. Throws dsr::Error(usage)
    /// for an empty passphrase or a work factor outside 1..22 (age refuses to decrypt above 22).
    static std::unique_ptr<AgeEncryptor> with_passphrase(const SecretBytes& passphrase, ByteSink& out,
                                                         int work_factor = 18);

    ~AgeEncryptor() override;
    AgeEncryptor(const AgeEncryptor&) = delete;
    AgeEncryptor& operator=(const AgeEncryptor&) = delete;

    /// Buffers at most one 64 KiB chunk. Throws dsr::Error(failure) after finish().
    void write(std::string_view plaintext) override;
    /// Writes the last chunk; must be called exactly once (a second call throws dsr::Error(failure)).
    void finish();

private:
    /// Writes `header` and the payload nonce, and derives the payload key from both.
    AgeEncryptor(const SecretBytes& file_key, std::string_view header, ByteSink& out);
    void seal_chunk(bool last);

    ByteSink& out_;
    SecretBytes payload_key_;
    std::vector<unsigned char> chunk_;      ///< plaintext waiting to be sealed; always chunk-sized
    std::size_t chunk_fill_ = 0;            ///< bytes of chunk_ in use
    std::vector<unsigned char> sealed_;     ///< scratch for one sealed chunk
    unsigned long long chunk_counter_ = 0;  ///< index of the next chunk to seal
    bool finished_ = false;
};

/// Reads a passphrase file: the first line, without its trailing newline (\n or \r\n).
/// Empty, or longer than 4096 bytes → Error(usage); unreadable → Error(io, path + ": ...").
SecretBytes read_passphrase_file(const std::string& path);

}  // namespace dsr::crypto
