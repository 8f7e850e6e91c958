#pragma once
// The installation's keys: the pseudonymisation key and the Ed25519 key pair
// that signs audit heads. Files in one directory (0700), each 0600:
//   pseudonym.key       32 random bytes
//   audit-signing.key   Ed25519 secret key (64 bytes)
//   audit-signing.pub   Ed25519 public key, hex, one line

#include <array>
#include <string>

#include "crypto/secret.h"

namespace dsr::crypto {

inline constexpr const char* pseudonym_key_file = "pseudonym.key";
inline constexpr const char* signing_key_file = "audit-signing.key";
inline constexpr const char* public_key_file = "audit-signing.pub";

struct Keys {
    SecretBytes pseudonym_key{32};
    SecretBytes signing_secret_key{64};
    std::array<unsigned char, 32> signing_public_key{};
};

/// Creates the keys in `dir` (created 0700 if missing). Refuses, with
/// dsr::Error(usage), to overwrite existing key files unless `force`. Each
/// file is written to a temporary name, fsynced, then renamed.
/// Returns the public key as hex.
std::string generate_keys(const std::string& dir, bool force);

/// Reads the keys from `dir`; a missing or malformed file is
/// dsr::Error(missing_key) naming the file and `looked_in` (how the
/// directory was chosen).
Keys load_keys(const std::string& dir, const std::string& looked_in);

/// Reads only the public key (for `audit verify` without the secret).
std::array<unsigned char, 32> load_public_key(const std::string& dir, const std::string& looked_in);

/// Where the keys are: `--keys DIR`, else `env_keys` (DSR_KEYS), else
/// `dsr-keys` beside the state store. `how` receives a phrase for errors,
/// e.g. "from DSR_KEYS".
std::string resolve_keys_dir(const std::string& keys_option, const char* env_keys, const std::string& state_path,
                             std::string& how);

}  // namespace dsr::crypto
