#include "crypto/age.h"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>

#include "util/error.h"

namespace dsr::crypto {

namespace {

constexpr std::string_view intro = "age-encryption.org/v1\n";
constexpr std::size_t file_key_bytes = 16;
constexpr std::size_t chunk_bytes = 64 * 1024;
constexpr std::size_t tag_bytes = crypto_aead_chacha20poly1305_ietf_ABYTES;
constexpr std::size_t key_bytes = 32;  // wrap keys, payload key, header MAC key, X25519 keys
constexpr std::size_t max_passphrase_bytes = 4096;
constexpr int max_work_factor = 22;  // age's default ceiling when decrypting

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// ---- HKDF-SHA256 (RFC 5869); libsodium 1.0.18 has HMAC but no HKDF ----

void hmac_sha256(const unsigned char* key, std::size_t key_size, std::initializer_list<std::string_view> message,
                 unsigned char out[crypto_auth_hmacsha256_BYTES]) {
    crypto_auth_hmacsha256_state state;
    // _init (not crypto_auth_hmacsha256) takes a key of any length, which HKDF needs for its salt.
    crypto_auth_hmacsha256_init(&state, key, key_size);
    for (std::string_view part : message) crypto_auth_hmacsha256_update(&state, bytes_of(part), part.size());
    crypto_auth_hmacsha256_final(&state, out);
    sodium_memzero(&state, sizeof state);
}

/// HKDF-SHA256 of `ikm` into all of `out` (at most 255 blocks). An empty salt is the
/// RFC's default: HMAC pads its key with zeros, so "" and 32 zero bytes are the same key.
void hkdf_sha256(const SecretBytes& ikm, std::string_view salt, std::string_view info, SecretBytes& out) {
    SecretBytes prk(crypto_auth_hmacsha256_BYTES);
    hmac_sha256(bytes_of(salt), salt.size(), {std::string_view(reinterpret_cast<const char*>(ikm.data()), ikm.size())},
                prk.data());
    SecretBytes block(crypto_auth_hmacsha256_BYTES);
    std::string_view previous;  // T(0) is empty
    for (std::size_t done = 0, i = 1; done < out.size(); ++i) {
        const char counter = static_cast<char>(i);
        // `previous` views `block`, which is safe: HMAC reads its message before writing `out`.
        hmac_sha256(prk.data(), prk.size(), {previous, info, std::string_view(&counter, 1)}, block.data());
        std::size_t take = std::min(block.size(), out.size() - done);
        std::memcpy(out.data() + done, block.data(), take);
        done += take;
        previous = std::string_view(reinterpret_cast<const char*>(block.data()), block.size());
    }
}

SecretBytes hkdf_key(const SecretBytes& ikm, std::string_view salt, std::string_view info) {
    SecretBytes key(key_bytes);
    hkdf_sha256(ikm, salt, info, key);
    return key;
}

// ---- Encoding ----

std::string base64(const unsigned char* data, std::size_t size) {
    constexpr int variant = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;  // age: standard alphabet, no '='
    std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, variant);
    out.resize(std::strlen(out.c_str()));
    return out;
}

/// A stanza body as age wants it: 64-column lines, the last one always shorter,
/// so a body that fills its last line gets an empty line after it.
std::string wrapped_body(const std::vector<unsigned char>& body) {
    std::string encoded = base64(body.data(), body.size());
    std::string out;
    std::size_t at = 0;
    for (; encoded.size() - at >= 64; at += 64) out.append(encoded, at, 64).push_back('\n');
    out.append(encoded, at).push_back('\n');
    return out;
}

/// The 32-byte key inside an "age1..." recipient: lower-case Bech32 (BIP 173) with HRP
/// "age". Returns nullopt and sets `problem` when it is not one.
std::optional<std::array<unsigned char, key_bytes>> decode_recipient(std::string_view text, std::string& problem) {
    static constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    static constexpr std::string_view hrp = "age";
    // 1 separator + 52 data characters (256 bits in 5-bit groups) + 6 checksum characters.
    constexpr std::size_t data_chars = (key_bytes * 8 + 4) / 5;
    if (!text.starts_with("age1")) {
        problem = "not an X25519 age recipient (those start with \"age1\")";
        return std::nullopt;
    }
    if (text.size() != hrp.size() + 1 + data_chars + 6) {
        problem = "wrong length for an X25519 age recipient";
        return std::nullopt;
    }
    // BIP 173 checksum: polymod over the expanded HRP and every 5-bit value must be 1.
    auto polymod_step = [](std::uint32_t chk, std::uint32_t value) {
        static constexpr std::uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        std::uint32_t top = chk >> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ value;
        for (int i = 0; i < 5; ++i)
            if ((top >> i) & 1) chk ^= gen[i];
        return chk;
    };
    std::uint32_t chk = 1;
    for (char c : hrp) chk = polymod_step(chk, static_cast<unsigned char>(c) >> 5);
    chk = polymod_step(chk, 0);
    for (char c : hrp) chk = polymod_step(chk, static_cast<unsigned char>(c) & 31);
    std::array<unsigned char, key_bytes> key{};
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t filled = 0;
    for (std::size_t i = hrp.size() + 1; i < text.size(); ++i) {
        // Only lower case: age itself rejects upper-case recipients.
        std::size_t value = charset.find(text[i]);
        if (value == std::string_view::npos) {
            problem = "invalid character in an age recipient (Bech32, lower case)";
            return std::nullopt;
        }
        chk = polymod_step(chk, static_cast<std::uint32_t>(value));
        if (i >= text.size() - 6) continue;  // checksum characters carry no key bits
        acc = (acc << 5) | static_cast<std::uint32_t>(value);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            key[filled++] = static_cast<unsigned char>(acc >> bits);
        }
    }
    if (chk != 1) {
        problem = "bad checksum in an age recipient (mistyped?)";
        return std::nullopt;
    }
    // 52 groups carry 260 bits; the 4 left over must be zero, as BIP 173 requires.
    if ((acc & ((1u << bits) - 1)) != 0) {
        problem = "non-zero padding bits in an age recipient";
        return std::nullopt;
    }
    return key;
}

// ---- Stanzas ----

/// Seals the file key under a wrap key, as every age stanza does (the zero nonce is
/// safe: each wrap key is fresh, derived from a random share or salt).
std::vector<unsigned char> wrap_file_key(const SecretBytes& wrap_key, const SecretBytes& file_key) {
    std::vector<unsigned char> body(file_key.size() + tag_bytes);
    std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> zero_nonce{};
    unsigned long long size = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(body.data(), &size, file_key.data(), file_key.size(), nullptr, 0, nullptr,
                                              zero_nonce.data(), wrap_key.data());
    return body;
}

SecretBytes random_secret(std::size_t size) {
    SecretBytes secret(size);
    randombytes_buf(secret.data(), secret.size());
    return secret;
}

std::string_view view(const unsigned char* data, std::size_t size) {
    return std::string_view(reinterpret_cast<const char*>(data), size);
}

struct Stanza {
    std::string arguments;  ///< the line after "-> "
    std::vector<unsigned char> body;
};

Stanza x25519_stanza(const std::string& recipient, const SecretBytes& file_key) {
    std::string problem;
    auto public_key = decode_recipient(recipient, problem);
    if (!public_key) throw Error(ExitStatus::usage, "age recipient \"" + recipient + "\": " + problem);
    SecretBytes ephemeral = random_secret(crypto_scalarmult_SCALARBYTES);
    std::array<unsigned char, crypto_scalarmult_BYTES> share{};
    crypto_scalarmult_base(share.data(), ephemeral.data());
    SecretBytes shared(crypto_scalarmult_BYTES);
    // libsodium fails on an all-zero result, which is what the spec says to reject (a low-order key).
    if (crypto_scalarmult(shared.data(), ephemeral.data(), public_key->data()) != 0)
        throw Error(ExitStatus::usage, "age recipient \"" + recipient + "\": not a usable X25519 public key");
    std::string salt =
        std::string(view(share.data(), share.size())) + std::string(view(public_key->data(), public_key->size()));
    SecretBytes wrap_key = hkdf_key(shared, salt, "age-encryption.org/v1/X25519");
    return {"X25519 " + base64(share.data(), share.size()), wrap_file_key(wrap_key, file_key)};
}

Stanza scrypt_stanza(const SecretBytes& passphrase, int work_factor, const SecretBytes& file_key) {
    std::array<unsigned char, 16> salt{};
    randombytes_buf(salt.data(), salt.size());
    std::string labelled_salt = "age-encryption.org/v1/scrypt" + std::string(view(salt.data(), salt.size()));
    SecretBytes wrap_key(key_bytes);
    if (crypto_pwhash_scryptsalsa208sha256_ll(passphrase.data(), passphrase.size(), bytes_of(labelled_salt),
                                              labelled_salt.size(), std::uint64_t{1} << work_factor, 8, 1,
                                              wrap_key.data(), wrap_key.size()) != 0)
        throw Error(ExitStatus::failure, "scrypt failed (work factor " + std::to_string(work_factor) + " needs " +
                                             std::to_string(std::uint64_t{1} << work_factor) + " KiB of memory)");
    return {"scrypt " + base64(salt.data(), salt.size()) + " " + std::to_string(work_factor),
            wrap_file_key(wrap_key, file_key)};
}

/// The whole header: intro, stanzas, and the MAC line that binds them to the file key.
std::string build_header(const SecretBytes& file_key, const std::vector<Stanza>& stanzas) {
    std::string text(intro);
    for (const auto& stanza : stanzas) text += "-> " + stanza.arguments + "\n" + wrapped_body(stanza.body);
    text += "---";  // the MAC covers the header up to here, without the space
    SecretBytes mac_key = hkdf_key(file_key, "", "header");
    std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
    hmac_sha256(mac_key.data(), mac_key.size(), {text}, mac.data());
    return text + " " + base64(mac.data(), mac.size()) + "\n";
}

}  // namespace

AgeEncryptor::AgeEncryptor(const SecretBytes& file_key, std::string_view header, ByteSink& out)
    : out_(out), payload_key_(key_bytes), chunk_(chunk_bytes), sealed_(chunk_bytes + tag_bytes) {
    std::array<unsigned char, 16> nonce{};
    randombytes_buf(nonce.data(), nonce.size());
    hkdf_sha256(file_key, view(nonce.data(), nonce.size()), "payload", payload_key_);
    out_.write(header);
    out_.write(view(nonce.data(), nonce.size()));
}

AgeEncryptor::~AgeEncryptor() { sodium_memzero(chunk_.data(), chunk_.size()); }

std::unique_ptr<AgeEncryptor> AgeEncryptor::to_recipients(const std::vector<std::string>& recipients, ByteSink& out) {
    ensure_sodium();
    if (recipients.empty()) throw Error(ExitStatus::usage, "no age recipients to encrypt to");
    SecretBytes file_key = random_secret(file_key_bytes);
    std::vector<Stanza> stanzas;
    for (const auto& recipient : recipients) stanzas.push_back(x25519_stanza(recipient, file_key));
    return std::unique_ptr<AgeEncryptor>(new AgeEncryptor(file_key, build_header(file_key, stanzas), out));
}

std::unique_ptr<AgeEncryptor> AgeEncryptor::with_passphrase(const SecretBytes& passphrase, ByteSink& out,
                                                            int work_factor) {
    ensure_sodium();
    if (passphrase.size() == 0) throw Error(ExitStatus::usage, "the age passphrase is empty");
    if (work_factor < 1 || work_factor > max_work_factor)
        throw Error(ExitStatus::usage, "age scrypt work factor " + std::to_string(work_factor) + " is outside 1.." +
                                           std::to_string(max_work_factor));
    SecretBytes file_key = random_secret(file_key_bytes);
    // The spec allows no other stanza beside scrypt's, so this is the only one.
    std::vector<Stanza> stanzas{scrypt_stanza(passphrase, work_factor, file_key)};
    return std::unique_ptr<AgeEncryptor>(new AgeEncryptor(file_key, build_header(file_key, stanzas), out));
}

void AgeEncryptor::write(std::string_view plaintext) {
    if (finished_) throw Error(ExitStatus::failure, "age: write after finish");
    while (!plaintext.empty()) {
        // A full chunk is sealed only once more bytes arrive: the last chunk may be full,
        // and it must carry the last-chunk flag.
        if (chunk_fill_ == chunk_.size()) seal_chunk(false);
        std::size_t take = std::min(chunk_.size() - chunk_fill_, plaintext.size());
        std::memcpy(chunk_.data() + chunk_fill_, plaintext.data(), take);
        chunk_fill_ += take;
        plaintext.remove_prefix(take);
    }
}

void AgeEncryptor::finish() {
    if (finished_) throw Error(ExitStatus::failure, "age: finish called twice");
    finished_ = true;
    // Empty only when the whole plaintext is: write() never leaves an empty chunk behind a sealed one.
    seal_chunk(true);
}

void AgeEncryptor::seal_chunk(bool last) {
    // Nonce: 11-byte big-endian chunk counter, then the last-chunk flag.
    std::array<unsigned char, crypto_aead_chacha20poly1305_ietf_NPUBBYTES> nonce{};
    for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<unsigned char>(chunk_counter_ >> (8 * i));
    nonce[11] = last ? 1 : 0;
    unsigned long long size = 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(sealed_.data(), &size, chunk_.data(), chunk_fill_, nullptr, 0, nullptr,
                                              nonce.data(), payload_key_.data());
    ++chunk_counter_;
    sodium_memzero(chunk_.data(), chunk_fill_);
    chunk_fill_ = 0;
    out_.write(view(sealed_.data(), static_cast<std::size_t>(size)));
}

namespace {

/// Reads up to `buffer.size()` bytes of the file at `path` straight into guarded memory
/// (no stream buffer holding a copy of the passphrase); returns how many were read.
std::size_t read_prefix(const std::string& path, SecretBytes& buffer) {
    auto fail = [&path] {
        return Error(ExitStatus::io, path + ": cannot read the passphrase file: " + std::strerror(errno));
    };
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw fail();
    std::size_t got = 0;
    while (got < buffer.size()) {
        ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
        if (n == 0) break;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            Error error = fail();
            ::close(fd);
            throw error;
        }
        got += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return got;
}

}  // namespace

SecretBytes read_passphrase_file(const std::string& path) {
    // One byte beyond the limit (plus a newline's room) tells a too-long line from one that fits.
    SecretBytes buffer(max_passphrase_bytes + 2);
    std::size_t got = read_prefix(path, buffer);
    const unsigned char* begin = buffer.data();
    const unsigned char* newline = std::find(begin, begin + got, '\n');
    std::size_t size = static_cast<std::size_t>(newline - begin);
    if (newline != begin + got && size > 0 && begin[size - 1] == '\r') --size;  // \r\n, not a lone \r
    if (size > max_passphrase_bytes)
        throw Error(ExitStatus::usage,
                    path + ": the passphrase is longer than " + std::to_string(max_passphrase_bytes) + " bytes");
    if (size == 0) throw Error(ExitStatus::usage, path + ": the passphrase is empty (first line of the file)");
    SecretBytes passphrase(size);
    std::memcpy(passphrase.data(), begin, size);
    return passphrase;
}

}  // namespace dsr::crypto
