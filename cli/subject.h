#pragma once
// `--subject KIND=VALUE`, as every subject command reads it.

#include <string>
#include <vector>

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

/// One subject of a `--subjects-file`, with its line for error messages.
struct SubjectLine {
    std::size_t line = 0;
    std::string option;  ///< KIND=VALUE, as --subject takes it
};

/// The KIND=VALUE lines of a subjects file, in order: blank lines and lines
/// whose first non-blank character is `#` are skipped, and a line's trailing
/// CR (a file written on Windows) is dropped. dsr::Error(io) when the file
/// cannot be read, (usage) when it names no subject.
std::vector<SubjectLine> read_subjects_file(const std::string& path);

/// parse_subject for a line of a subjects file. A malformed line is
/// dsr::Error(usage) naming the file and line but not its text, which may
/// be someone's email address.
NamedSubject parse_subject_line(const policy::Policy& policy, const crypto::Keys& keys, const std::string& path,
                                const SubjectLine& line);

}  // namespace dsr::cli
