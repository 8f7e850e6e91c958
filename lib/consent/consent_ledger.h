#pragma once
// The consent ledger in the state store: every grant and withdrawal, one
// entry each, never changed or removed (triggers refuse UPDATE and DELETE).
// An entry holds what GDPR Art. 7(1) asks a controller to be able to show —
// who (a keyed pseudonym, never the identity), which purpose, granted or
// withdrawn, when (UTC), how (the source: web form, email, phone …), and
// under which policy, whose SHA-256 pins the wording the person agreed to.
//
// A person named by several identities (email, customer id) has one
// pseudonym per identity. A registered subject's entries are written under
// one of them (jobs/consent.h, ledger_pseudonym), but entries made before
// they registered are under the identity they gave then; so the ledger
// reads a set of pseudonyms as one subject, and consent given under one and
// withdrawn under another reads as withdrawn.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/model.h"
#include "state/state_store.h"

namespace dsr::consent {

enum class Action { granted, withdrawn };

std::string_view to_string(Action action);

struct Entry {
    std::int64_t seq = 0;       ///< set by append
    std::string at;             ///< set by append: UTC, YYYY-MM-DDTHH:MM:SSZ
    std::string subject;        ///< keyed pseudonym (hex)
    std::string purpose;
    Action action = Action::granted;
    std::string source;         ///< empty: not given
    std::string policy_sha256;
    std::string request_id;     ///< empty: none
};

/// Where a subject stands on one purpose: the latest entry, if any, read
/// with the purpose's kind.
struct State {
    std::optional<Entry> last;
    policy::ConsentKind kind = policy::ConsentKind::opt_in;

    /// True when the purpose may be pursued for the subject: the last entry
    /// is a grant, or there is none and the purpose is opt_out.
    bool consents() const;
    /// True when no entry decides it and the kind's default applies.
    bool by_default() const { return !last.has_value(); }
};

class ConsentLedger {
public:
    explicit ConsentLedger(state::StateStore& store);

    /// Appends `entry`; returns it with seq and at filled in.
    Entry append(Entry entry, std::chrono::system_clock::time_point when);

    /// Every entry of any of `subjects` for `purpose`, oldest first.
    std::vector<Entry> history(const std::vector<std::string>& subjects, const std::string& purpose);

    /// The newest entry of any of `subjects` for `purpose`.
    std::optional<Entry> latest(const std::vector<std::string>& subjects, const std::string& purpose);

    /// The newest entry of each pseudonym recorded for `purpose`, ordered by
    /// pseudonym: one statement over the (purpose, subject, seq) index.
    std::vector<Entry> latest_by_subject(const std::string& purpose);

private:
    state::StateStore& store_;
};

}  // namespace dsr::consent
