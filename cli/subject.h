#pragma once
// `--subject KIND=VALUE`, as every subject command reads it.

#include <string>

#include "crypto/keys.h"
#include "policy/model.h"

namespace dsr::cli {

struct NamedSubject {
    std::string kind;              ///< an identity of the policy
    std::string normalized_value;  ///< as the identity's normalisation says
    std::string pseudonym;         ///< how the subject appears in state, logs and reports
};

/// Parses and normalises `option`; dsr::Error(usage) for a malformed value or
/// a kind the policy does not declare (the message lists the declared ones).
NamedSubject parse_subject(const policy::Policy& policy, const crypto::Keys& keys, const std::string& option);

}  // namespace dsr::cli
