// Fuzzes how a person is named on the command line: `--subject KIND=VALUE`
// (cli/subject.cpp, compiled into this harness: it needs nothing of the CLI
// library) against the demo shop's policy, a `--subjects-file` read line by
// line, and the identity normalisations under them.
//
// The first byte chooses: even, the rest is one --subject option; odd, the
// rest is a subjects file. Checked beyond "no crash":
//  - a malformed option is dsr::Error(usage), nothing else;
//  - a parsed subject names a declared identity, its value is the
//    identity's normalisation of what followed '=', normalising again
//    changes nothing, and its pseudonym is 64 hex digits, the same each time;
//  - a malformed line of a subjects file is reported by file and line,
//    never with its text, which may be someone's email address.

#include <sys/mman.h>
#include <unistd.h>

#include <memory>
#include <optional>
#include <string>

#include "cli/subject.h"
#include "crypto/keys.h"
#include "crypto/pseudonym.h"
#include "fuzz_support.h"
#include "policy/loader.h"
#include "shop_fixture.h"
#include "util/error.h"

namespace {

using namespace dsr;

struct Fixture {
    policy::Policy policy;
    crypto::Keys keys;

    Fixture() {
        auto loaded = policy::load_policy_text(fuzz::read_source_file("policies/shop.yaml"), "shop.yaml");
        FUZZ_CHECK(loaded.policy, "policies/shop.yaml does not load");
        policy = std::move(*loaded.policy);
        for (std::size_t i = 0; i < keys.pseudonym_key.size(); ++i) keys.pseudonym_key.data()[i] = static_cast<unsigned char>(i);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

bool is_hex64(const std::string& s) {
    if (s.size() != 64) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

void check_subject(const std::string& option, const cli::NamedSubject& subject) {
    const auto& f = fixture();
    const auto* identity = f.policy.find_identity(subject.kind);
    FUZZ_CHECK(identity, "parsed a kind the policy does not declare");
    auto eq = option.find('=');
    FUZZ_CHECK(option.substr(0, eq) == subject.kind, "the kind is not what came before '='");
    auto value = option.substr(eq + 1);
    FUZZ_CHECK(subject.normalized_value == crypto::normalize_identity(value, identity->normalize),
               "the value is not the identity's normalisation");
    FUZZ_CHECK(crypto::normalize_identity(subject.normalized_value, identity->normalize) == subject.normalized_value,
               "normalising a normalised value changed it: '" + subject.normalized_value + "'");
    FUZZ_CHECK(is_hex64(subject.pseudonym), "a pseudonym that is not 64 hex digits");
    FUZZ_CHECK(crypto::pseudonym(f.keys.pseudonym_key, subject.kind, subject.normalized_value) == subject.pseudonym,
               "the pseudonym is not stable");
}

std::optional<cli::NamedSubject> parse_option(const std::string& option) {
    try {
        auto subject = cli::parse_subject(fixture().policy, fixture().keys, option);
        check_subject(option, subject);
        return subject;
    } catch (const Error& e) {
        FUZZ_CHECK(e.status() == ExitStatus::usage, std::string("a malformed --subject that is not a usage error: ") + e.what());
        return std::nullopt;
    }
}

/// The bytes as a file without touching the disk: a memfd, read by its /proc path.
std::string as_file(std::string_view bytes) {
    int fd = memfd_create("subjects", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0, "memfd_create failed");
    for (std::size_t done = 0; done < bytes.size();) {
        ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
        FUZZ_CHECK(n > 0, "writing the memfd failed");
        done += static_cast<std::size_t>(n);
    }
    return std::to_string(fd);
}

/// What a malformed line's error says after FILE:LINE:, from a line known to be malformed.
std::string malformed_line_message(const std::string& path) {
    try {
        cli::parse_subject_line(fixture().policy, fixture().keys, path, {1, "x"});
    } catch (const Error& e) {
        std::string message = e.what();
        return message.substr((path + ":1:").size());
    }
    fuzz::fail(__FILE__, __LINE__, "parse_subject_line(\"x\")", "a malformed line was accepted");
}

void subjects_file(std::string_view bytes) {
    std::string fd = as_file(bytes);
    std::string path = "/proc/self/fd/" + fd;
    std::vector<cli::SubjectLine> lines;
    try {
        lines = cli::read_subjects_file(path);
    } catch (const Error& e) {
        FUZZ_CHECK(e.status() == ExitStatus::usage, std::string("reading a subjects file: ") + e.what());
    }
    close(std::stoi(fd));
    std::size_t previous = 0;
    for (const auto& line : lines) {
        FUZZ_CHECK(line.line > previous, "subjects out of line order");
        previous = line.line;
        FUZZ_CHECK(line.option.find('\n') == std::string::npos, "a subject line holding a newline");
        try {
            auto subject = cli::parse_subject_line(fixture().policy, fixture().keys, path, line);
            check_subject(line.option, subject);
        } catch (const Error& e) {
            FUZZ_CHECK(e.status() == ExitStatus::usage, e.what());
            std::string message = e.what();
            std::string where = path + ":" + std::to_string(line.line) + ":";
            FUZZ_CHECK(message.starts_with(where), "a malformed line not reported by file and line: " + message);
            // What follows is the same for every line: nothing of its text.
            FUZZ_CHECK(message.substr(where.size()) == malformed_line_message(path),
                       "a subjects file line quoted in an error: " + message);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    fixture();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    std::uint8_t mode = in.byte();
    std::string_view rest = in.rest();
    if (mode % 2 == 0)
        parse_option(std::string(rest));
    else
        subjects_file(rest);
    for (auto how : {policy::IdentityNormalization::none, policy::IdentityNormalization::email,
                     policy::IdentityNormalization::phone}) {
        auto once = crypto::normalize_identity(rest, how);
        FUZZ_CHECK(crypto::normalize_identity(once, how) == once, "a normalisation that is not idempotent: '" + once + "'");
    }
    return 0;
}
