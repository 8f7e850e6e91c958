#include "crypto/keys.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "util/atomic_file.h"
#include "util/error.h"

namespace dsr::crypto {

namespace fs = std::filesystem;

namespace {

void make_private_dir(const std::string& dir) {
    std::error_code ec;
    bool exists = fs::exists(dir, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error(ExitStatus::io, dir + ": cannot use as key directory: " + ec.message());
    if (!exists) {
        fs::create_directories(dir, ec);
        if (ec) throw Error(ExitStatus::io, dir + ": cannot create key directory: " + ec.message());
    }
    if (::chmod(dir.c_str(), 0700) != 0)
        throw Error(ExitStatus::io, dir + ": cannot make the key directory private: " + std::strerror(errno));
}

/// As ssh does for a private key: one that others may read is refused, since
/// whoever reads it can sign audit heads or undo pseudonyms.
void refuse_open_permissions(const fs::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0 || (st.st_mode & 077) == 0) return;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw Error(ExitStatus::missing_key, "permissions " + std::string(mode) + " for '" + file.string() +
                                             "' are too open: a secret key must not be accessible by others "
                                             "(chmod 600 '" + file.string() + "')");
}

/// Reads a key file into guarded memory; any size but `size` is an error.
SecretBytes read_secret(const fs::path& file, std::size_t size, const std::string& looked_in) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(ExitStatus::missing_key, "no key at " + file.string() + " (key directory " + looked_in +
                                                 "; create keys with 'dsr keygen')");
    refuse_open_permissions(file);
    SecretBytes secret(size);
    in.read(reinterpret_cast<char*>(secret.data()), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size || in.peek() != std::char_traits<char>::eof())
        throw Error(ExitStatus::missing_key, file.string() + ": not a " + std::to_string(size) + "-byte key");
    return secret;
}

}  // namespace

std::string generate_keys(const std::string& dir, bool force) {
    ensure_sodium();
    make_private_dir(dir);
    fs::path base(dir);
    if (!force) {
        for (const char* name : {pseudonym_key_file, signing_key_file, public_key_file})
            if (std::error_code ec; fs::exists(base / name, ec))
                throw Error(ExitStatus::usage, (base / name).string() +
                                                   " exists; keys are never replaced without --force (replacing "
                                                   "them breaks every pseudonym and signature made with the old ones)");
    }
    Keys keys;
    randombytes_buf(keys.pseudonym_key.data(), keys.pseudonym_key.size());
    crypto_sign_keypair(keys.signing_public_key.data(), keys.signing_secret_key.data());
    auto bytes = [](const SecretBytes& s) {
        return std::string_view(reinterpret_cast<const char*>(s.data()), s.size());
    };
    std::string public_hex = to_hex(keys.signing_public_key.data(), keys.signing_public_key.size());
    write_file_atomically((base / pseudonym_key_file).string(), bytes(keys.pseudonym_key), 0600, true);
    write_file_atomically((base / signing_key_file).string(), bytes(keys.signing_secret_key), 0600, true);
    write_file_atomically((base / public_key_file).string(), public_hex + "\n", 0600, true);
    return public_hex;
}

std::array<unsigned char, 32> load_public_key(const std::string& dir, const std::string& looked_in) {
    fs::path file = fs::path(dir) / public_key_file;
    std::ifstream in(file);
    std::string hex;
    if (!in || !(in >> hex))
        throw Error(ExitStatus::missing_key, "no public key at " + file.string() + " (key directory " + looked_in + ")");
    std::array<unsigned char, 32> key{};
    if (!from_hex(hex, key.data(), key.size()))
        throw Error(ExitStatus::missing_key, file.string() + ": not a hex Ed25519 public key");
    return key;
}

Keys load_keys(const std::string& dir, const std::string& looked_in) {
    ensure_sodium();
    fs::path base(dir);
    Keys keys;
    keys.pseudonym_key = read_secret(base / pseudonym_key_file, 32, looked_in);
    keys.signing_secret_key = read_secret(base / signing_key_file, 64, looked_in);
    keys.signing_public_key = load_public_key(dir, looked_in);
    // The public key must belong to the secret key, or every signed head would fail to verify.
    std::array<unsigned char, 32> derived{};
    crypto_sign_ed25519_sk_to_pk(derived.data(), keys.signing_secret_key.data());
    if (sodium_memcmp(derived.data(), keys.signing_public_key.data(), derived.size()) != 0)
        throw Error(ExitStatus::missing_key, (base / public_key_file).string() + " does not match " +
                                                 (base / signing_key_file).string());
    return keys;
}

std::string resolve_keys_dir(const std::string& keys_option, const char* env_keys, const std::string& state_path,
                             std::string& how) {
    if (!keys_option.empty()) {
        how = keys_option + ", from --keys";
        return keys_option;
    }
    if (env_keys && *env_keys) {
        how = std::string(env_keys) + ", from DSR_KEYS";
        return env_keys;
    }
    std::string dir = (fs::path(state_path).parent_path() / "dsr-keys").lexically_normal().string();
    if (dir.empty()) dir = "dsr-keys";
    how = dir + ", beside the state store (no --keys or DSR_KEYS)";
    return dir;
}

}  // namespace dsr::crypto
