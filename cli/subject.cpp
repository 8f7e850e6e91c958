#include "cli/subject.h"

#include "crypto/pseudonym.h"
#include "util/error.h"

namespace dsr::cli {

NamedSubject parse_subject(const policy::Policy& policy, const crypto::Keys& keys, const std::string& option) {
    auto eq = option.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == option.size())
        throw Error(ExitStatus::usage, "--subject must be KIND=VALUE, e.g. email=ana@example.com");
    NamedSubject subject;
    subject.kind = option.substr(0, eq);
    const auto* identity = policy.find_identity(subject.kind);
    if (!identity) {
        std::string known;
        for (const auto& id : policy.identities) known += (known.empty() ? "" : ", ") + id.kind;
        throw Error(ExitStatus::usage, "--subject: '" + subject.kind + "' is not an identity of the policy (" + known + ")");
    }
    subject.normalized_value = crypto::normalize_identity(option.substr(eq + 1), identity->normalize);
    subject.pseudonym = crypto::pseudonym(keys.pseudonym_key, subject.kind, subject.normalized_value);
    return subject;
}

}  // namespace dsr::cli
