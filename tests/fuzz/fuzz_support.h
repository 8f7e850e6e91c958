#pragma once
// Shared by the fuzz harnesses. A harness is built twice: as a libFuzzer
// binary (-DDSR_FUZZ=ON, clang) and, in every ordinary build, linked with
// replay_main.cpp so ctest runs it over its committed corpus. Nothing here
// may depend on libFuzzer, which g++ does not ship.

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>

// A broken invariant is a finding: abort, so libFuzzer saves the input and
// the replay test fails. Plain assert() would vanish under NDEBUG, which the
// RelWithDebInfo build defines.
#define FUZZ_CHECK(condition, message)                                                                   \
    do {                                                                                                 \
        if (!(condition)) ::dsr::fuzz::fail(__FILE__, __LINE__, #condition, message);                   \
    } while (false)

namespace dsr::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* condition, std::string_view message) {
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n  %.*s\n", file, line, condition,
                 static_cast<int>(message.size()), message.data());
    std::abort();
}

/// Reads typed pieces off the front of a fuzz input. Running out is not an
/// error: every read then returns zero or empty, so any input is usable.
class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

    bool empty() const { return rest_.empty(); }
    std::size_t size() const { return rest_.size(); }

    std::uint8_t byte() {
        if (rest_.empty()) return 0;
        auto b = static_cast<std::uint8_t>(rest_.front());
        rest_.remove_prefix(1);
        return b;
    }

    /// A whole number in [0, bound] (bound < 2^32), from as few bytes as it needs.
    std::uint32_t below_or(std::uint32_t bound) {
        std::uint64_t value = 0;
        for (std::uint64_t span = bound; span > 0; span >>= 8) value = (value << 8) | byte();
        return static_cast<std::uint32_t>(value % (std::uint64_t{bound} + 1));
    }

    std::uint64_t u64() {
        std::uint64_t value = 0;
        for (int i = 0; i < 8; ++i) value = (value << 8) | byte();
        return value;
    }

    /// Up to `max` bytes, the length given by the input first.
    std::string_view text(std::size_t max) {
        std::size_t n = below_or(static_cast<std::uint32_t>(max));
        n = std::min(n, rest_.size());
        auto out = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return out;
    }

    /// Everything left.
    std::string_view rest() {
        auto out = rest_;
        rest_ = {};
        return out;
    }

private:
    std::string_view rest_;
};

/// A directory for the whole run of the process, removed at exit. Fuzzing
/// runs millions of inputs: files made per input would cost disk syncs, so
/// harnesses make their fixtures here once and reuse them.
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string name = std::string(tmp && *tmp ? tmp : "/tmp") + "/dsr-fuzz-XXXXXX";
        if (!mkdtemp(name.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        static std::filesystem::path made = name;
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all(made, ignored);
        });
        return made;
    }();
    return dir;
}

}  // namespace dsr::fuzz
