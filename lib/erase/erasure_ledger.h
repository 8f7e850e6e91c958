#pragma once
// The erasure ledger in the state store: one entry per completed erasure —
// the subject's pseudonym, when, which request, the policy's SHA-256 and the
// counts — never a value or a raw identity. It tells a later run that a
// subject it no longer finds was erased before, and is what re-applying
// erasures after a backup restore starts from.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/state_store.h"

namespace dsr::erase {

struct LedgerEntry {
    std::int64_t seq = 0;
    std::string at;             ///< UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string subject;        ///< keyed pseudonym
    std::string request_id;     ///< empty: none
    std::string policy_sha256;
    /// Counts per table, the identity kind the subject was named by (to find
    /// them again by re-computing pseudonyms), the audit entry; never values.
    nlohmann::ordered_json summary = nlohmann::ordered_json::object();
};

class ErasureLedger {
public:
    explicit ErasureLedger(state::StateStore& store);

    /// Appends an entry; returns it with seq and at filled in.
    LedgerEntry record(LedgerEntry entry, std::chrono::system_clock::time_point when);

    /// The subject's most recent erasure, if any.
    std::optional<LedgerEntry> latest(const std::string& subject);

    /// Every erasure recorded on or after `date` (YYYY-MM-DD, UTC), oldest first.
    std::vector<LedgerEntry> since(const std::string& date);

private:
    state::StateStore& store_;
};

}  // namespace dsr::erase
