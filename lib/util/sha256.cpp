#include "util/sha256.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>

#include "util/error.h"
#include "util/shared_library.h"

namespace dsr {

namespace {

constexpr std::size_t kSha256Bytes = 32;

[[noreturn]] void digest_failure(const char* doing) {
    throw Error(ExitStatus::failure, std::string("sha256: ") + doing);
}

std::string digest_hex(const std::array<unsigned char, kSha256Bytes>& digest) {
    std::array<char, kSha256Bytes * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), kSha256Bytes * 2);
}

// libcrypto is loaded by the first export, not linked: its initialisation
// cost about 3 ms of every command's start, a third of `dsr --help`. Its
// soname has been .so.3 for all of OpenSSL 3.
static_assert(OPENSSL_VERSION_MAJOR == 3, "OpenSSL 3 is loaded as libcrypto.so.3");
constexpr const char* libcrypto_soname = "libcrypto.so.3";

#define DSR_LIBCRYPTO_FUNCTIONS(X) \
    X(EVP_MD_CTX_new) X(EVP_MD_CTX_free) X(EVP_sha256) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_DigestFinal_ex)

struct Libcrypto {
#define DSR_LIBCRYPTO_POINTER(name) decltype(&::name) name = nullptr;
    DSR_LIBCRYPTO_FUNCTIONS(DSR_LIBCRYPTO_POINTER)
#undef DSR_LIBCRYPTO_POINTER
};

const Libcrypto& libcrypto() {
    static const Libcrypto functions = [] {
        void* library = load_shared_library(libcrypto_soname, "sha256");
        Libcrypto loaded;
#define DSR_LIBCRYPTO_LOOKUP(name) \
    loaded.name = reinterpret_cast<decltype(&::name)>(shared_library_symbol(library, libcrypto_soname, #name));
        DSR_LIBCRYPTO_FUNCTIONS(DSR_LIBCRYPTO_LOOKUP)
#undef DSR_LIBCRYPTO_LOOKUP
        return loaded;
    }();
    return functions;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
    static_assert(crypto_hash_sha256_BYTES == kSha256Bytes);
    if (sodium_init() < 0) digest_failure("libsodium failed to initialise");
    std::array<unsigned char, kSha256Bytes> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return digest_hex(digest);
}

struct HashingSink::State {
    struct Free {
        void operator()(EVP_MD_CTX* context) const { libcrypto().EVP_MD_CTX_free(context); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> context{libcrypto().EVP_MD_CTX_new()};
};

HashingSink::HashingSink(ByteSink& next) : next_(next), state_(std::make_unique<State>()) {
    if (!state_->context || libcrypto().EVP_DigestInit_ex(state_->context.get(), libcrypto().EVP_sha256(), nullptr) != 1)
        digest_failure("cannot start a digest");
}

HashingSink::~HashingSink() = default;

void HashingSink::write(std::string_view bytes) {
    if (libcrypto().EVP_DigestUpdate(state_->context.get(), bytes.data(), bytes.size()) != 1) digest_failure("cannot hash");
    bytes_ += bytes.size();
    next_.write(bytes);
}

std::string HashingSink::hex_digest() {
    std::array<unsigned char, kSha256Bytes> digest{};
    unsigned int size = 0;
    if (libcrypto().EVP_DigestFinal_ex(state_->context.get(), digest.data(), &size) != 1 || size != kSha256Bytes)
        digest_failure("cannot finish a digest");
    return digest_hex(digest);
}

}  // namespace dsr
