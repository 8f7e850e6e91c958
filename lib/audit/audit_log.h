#pragma once
// The tamper-evident audit log in the state store: append-only entries, each
// hash-chained to the one before, with the head signed (Ed25519) after every
// job. Entries hold counts and pseudonyms, never data values.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/keys.h"
#include "state/state_store.h"

namespace dsr::audit {

struct AuditEntry {
    std::int64_t seq = 0;        ///< set by append: 1, 2, 3 … without gaps
    std::string at;              ///< set by append: UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string command;         ///< e.g. "erase", "request open"
    std::string phase;           ///< "intent" before touching merchant data, then "done" or "failed"
    std::string request_id;      ///< empty: not part of a request
    std::string subject;         ///< keyed pseudonym (hex); empty: no subject
    std::string policy_sha256;   ///< empty: no policy involved
    bool dry_run = false;
    nlohmann::ordered_json summary = nlohmann::ordered_json::object();  ///< counts per table, never values
    std::optional<std::int64_t> refers_to;  ///< the intent a done/failed closes, or an interrupted attempt
    std::string prev_hash;       ///< set by append
    std::string hash;            ///< set by append
};

struct SignedHead {
    std::int64_t seq = 0;
    std::string hash;
    std::string signed_at;
    std::string public_key;  ///< hex
    std::string signature;   ///< hex
};

struct VerifyResult {
    bool ok = true;
    std::int64_t entries = 0;
    std::int64_t heads_checked = 0;
    std::optional<std::int64_t> first_bad_seq;  ///< the first sequence number that does not verify
    std::string problem;                        ///< what is wrong there, for a person
};

struct AuditFilter {
    std::string request_id;       ///< empty: any
    std::string since;            ///< empty: any; else entries at or after this UTC date/time (ISO-8601)
};

class AuditLog {
public:
    explicit AuditLog(state::StateStore& store);

    /// Appends one entry in its own IMMEDIATE transaction and returns it with
    /// seq, at, prev_hash and hash filled in.
    AuditEntry append(AuditEntry entry, std::chrono::system_clock::time_point when);

    /// Signs the newest entry's (seq, hash) and stores the signed head;
    /// nullopt on an empty log.
    std::optional<SignedHead> sign_head(const crypto::Keys& keys, std::chrono::system_clock::time_point when);

    /// The newest signed head, if any.
    std::optional<SignedHead> latest_head();

    /// Appends a job's closing entry and signs the new head, in one commit: how every job ends.
    AuditEntry append_and_sign(AuditEntry entry, const crypto::Keys& keys, std::chrono::system_clock::time_point when);

    /// Intents with no done/failed entry referring to them: jobs that were
    /// interrupted; only those of `command` and `subject` when given.
    std::vector<AuditEntry> interrupted(const std::string& command = "", const std::string& subject = "");

    std::vector<AuditEntry> entries(const AuditFilter& filter);

    /// Recomputes the whole chain, checks every stored head's signature with
    /// `public_key` and that its (seq, hash) equals the recomputed chain there,
    /// and, if given, that `expected_head` is still part of the chain (catches
    /// truncation of the tail).
    VerifyResult verify(const std::array<unsigned char, 32>& public_key,
                        const std::optional<SignedHead>& expected_head);

private:
    state::StateStore& store_;
    /// Entries selected by `from_where` (FROM … WHERE … ORDER BY), with ?1, ?2 … bound to `params`.
    std::vector<AuditEntry> select_entries(const std::string& from_where, const std::vector<std::string>& params);
};

}  // namespace dsr::audit
