#include "cli/subject.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "crypto/pseudonym.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

/// Identities are short (an email address is at most 254 bytes).
constexpr std::size_t max_subject_line_bytes = 4096;
/// Every line is held, parsed, before anyone's data is read: this bounds
/// the memory that takes (some 25 MB).
constexpr std::size_t max_subjects = 100000;

/// A KIND worth repeating in a message: a short plain name.
bool echoable(const std::string& kind) {
    return !kind.empty() && kind.size() <= 64 && std::all_of(kind.begin(), kind.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

}  // namespace

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
        // Echoed only when it reads as a name: a mistyped line may put
        // someone's email before the '=', and a hostile one 100 KB of text.
        throw Error(ExitStatus::usage, "--subject: " + (echoable(subject.kind) ? "'" + subject.kind + "'" : "the KIND") +
                                           " is not an identity of the policy (" + known + ")");
    }
    subject.normalized_value = crypto::normalize_identity(option.substr(eq + 1), identity->normalize);
    subject.pseudonym = crypto::pseudonym(keys.pseudonym_key, subject.kind, subject.normalized_value);
    return subject;
}

std::vector<SubjectLine> read_subjects_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw Error(ExitStatus::io, "cannot read the subjects file " + path + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ExitStatus::io, "cannot open the subjects file " + path);
    std::vector<SubjectLine> subjects;
    // Lines are read into a fixed buffer: std::getline on /dev/zero, or on a
    // file of one endless line, would grow a string until memory runs out.
    std::string buffer(max_subject_line_bytes + 2, '\0');
    for (std::size_t n = 1;; ++n) {
        in.getline(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        auto got = static_cast<std::size_t>(in.gcount());
        if (in.fail() && !in.eof() && got + 1 >= buffer.size())
            throw Error(ExitStatus::usage, path + ":" + std::to_string(n) + ": longer than " +
                                               std::to_string(max_subject_line_bytes) + " bytes; not a KIND=VALUE line");
        if (got == 0 && (in.eof() || in.fail())) break;
        // gcount counts the newline getline consumed but did not store.
        std::string text(buffer.data(), got - (in.eof() ? 0 : 1));
        if (!text.empty() && text.back() == '\r') text.pop_back();
        auto first = text.find_first_not_of(" \t");
        if (first != std::string::npos && text[first] != '#') {
            if (subjects.size() == max_subjects)
                throw Error(ExitStatus::usage, "the subjects file " + path + " names more than " +
                                                   std::to_string(max_subjects) + " subjects; split it into batches");
            subjects.push_back({n, text});
        }
        if (in.eof() || in.fail()) break;
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
