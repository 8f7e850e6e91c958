#include "cli/fault.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "util/error.h"

namespace dsr::cli {

namespace {

/// A positive count of at most `max`, digits only; nullopt otherwise.
std::optional<std::int64_t> positive(std::string_view digits, std::int64_t max) {
    if (digits.empty() || digits.size() > 18) return std::nullopt;
    std::int64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + (c - '0');
    }
    if (n < 1 || n > max) return std::nullopt;
    return n;
}

FaultSpec parse_fault(std::string_view text) {
    FaultSpec spec;
    auto malformed = [&] {
        return Error(ExitStatus::usage,
                     "DSR_FAULT must be K or kill:K (kill the process after K data-changing statements), or "
                     "write:N, full:N, sync:N or malloc:N, each optionally followed by + (fail SQLite's N-th "
                     "call, or every call from the N-th), not '" + std::string(text) + "'");
    };
    auto colon = text.find(':');
    std::string_view kind = colon == std::string_view::npos ? "kill" : text.substr(0, colon);
    std::string_view count = colon == std::string_view::npos ? text : text.substr(colon + 1);
    if (kind == "kill") {
        auto k = positive(count, 1000000000);
        if (!k) throw malformed();
        spec.kill_after_statements = static_cast<int>(*k);
        return spec;
    }
    db::SqliteFault fault;
    if (kind == "write") fault.kind = db::SqliteFault::Kind::write;
    else if (kind == "full") fault.kind = db::SqliteFault::Kind::full;
    else if (kind == "sync") fault.kind = db::SqliteFault::Kind::sync;
    else if (kind == "malloc") fault.kind = db::SqliteFault::Kind::malloc;
    else throw malformed();
    fault.persistent = count.ends_with('+');
    if (fault.persistent) count.remove_suffix(1);
    auto n = positive(count, 1000000000000);
    if (!n) throw malformed();
    fault.at = *n;
    spec.sqlite = fault;
    return spec;
}

void print_fault_counts() {
    auto c = db::sqlite_fault_counts();
    std::fprintf(stderr, "dsr: fault: counted %lld writes, %lld syncs, %lld allocations; injected %lld failures\n",
                 static_cast<long long>(c.writes), static_cast<long long>(c.syncs),
                 static_cast<long long>(c.allocations), static_cast<long long>(c.injected));
}

/// The first injected failure, on stderr. Called inside SQLite's allocator:
/// write(2), no stream that might allocate.
void print_fault_notice(const char* line, std::size_t length) {
    if (::write(STDERR_FILENO, line, length) < 0) {
        // Nothing to do: the notice is a courtesy to the test reading stderr.
    }
}

}  // namespace

FaultSpec fault_spec() {
    const char* text = std::getenv("DSR_FAULT");
    if (!text || !*text) return {};
    return parse_fault(text);
}

void install_faults() {
    auto spec = fault_spec();
    if (!spec.sqlite) return;
    db::install_sqlite_fault(*spec.sqlite, print_fault_notice);
    std::atexit(print_fault_counts);
}

}  // namespace dsr::cli
