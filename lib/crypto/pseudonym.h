#pragma once
// Keyed pseudonyms: how a subject appears in the state store, audit entries
// and reports. Same identity and key give the same pseudonym; without the
// key, a pseudonym cannot be linked back to a person.

#include <string>
#include <string_view>

#include "crypto/secret.h"
#include "policy/model.h"

namespace dsr::crypto {

inline constexpr std::size_t pseudonym_key_bytes = 32;

/// The canonical form of an identity value: emails trimmed and lower-cased;
/// phones reduced to `+` and digits (a leading `00` becomes `+`, spaces,
/// dashes, dots and brackets dropped); other kinds trimmed only.
std::string normalize_identity(std::string_view value, policy::IdentityNormalization how);

/// Hex BLAKE2b-256, keyed, over a domain tag and the length-prefixed
/// `kind` and already-normalised `value`.
std::string pseudonym(const SecretBytes& key, std::string_view kind, std::string_view normalized_value);

}  // namespace dsr::crypto
