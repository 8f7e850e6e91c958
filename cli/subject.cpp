#include "cli/subject.h"

#include <fstream>

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

std::vector<SubjectLine> read_subjects_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ExitStatus::io, "cannot open the subjects file " + path);
    std::vector<SubjectLine> subjects;
    std::string text;
    for (std::size_t n = 1; std::getline(in, text); ++n) {
        if (!text.empty() && text.back() == '\r') text.pop_back();
        auto first = text.find_first_not_of(" \t");
        if (first == std::string::npos || text[first] == '#') continue;
        subjects.push_back({n, text});
    }
    if (in.bad()) throw Error(ExitStatus::io, "cannot read the subjects file " + path);
    if (subjects.empty()) throw Error(ExitStatus::usage, "the subjects file " + path + " names no subject");
    return subjects;
}

NamedSubject parse_subject_line(const policy::Policy& policy, const crypto::Keys& keys, const std::string& path,
                                const SubjectLine& line) {
    try {
        return parse_subject(policy, keys, line.option);
    } catch (const Error& e) {
        std::string known;
        for (const auto& id : policy.identities) known += (known.empty() ? "" : ", ") + id.kind;
        throw Error(e.status(), path + ":" + std::to_string(line.line) + ": not KIND=VALUE with KIND one of " + known);
    }
}

}  // namespace dsr::cli
