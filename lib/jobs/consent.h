#pragma once
// `dsr consent grant|withdraw|show|list`: consent per purpose, recorded in
// the append-only consent ledger (consent/consent_ledger.h) and, where the
// policy mirrors a purpose into a merchant column (customers.marketing_opt_in),
// copied into the subject's rows in the same job.
//
// The ledger is the record and the mirror its copy. A change is written in
// this order: the mirror's UPDATE inside the merchant database's write
// transaction, the ledger entry, then the merchant commit. Nothing is
// written when anything before the ledger entry fails (an ambiguous
// identity, a locked shop); a crash between the entry and the commit leaves
// the ledger ahead of the mirror, and running the command again, which
// re-applies the mirror, brings them in step.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "consent/consent_ledger.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "graph/subject_rows.h"
#include "policy/model.h"
#include "state/state_store.h"

namespace dsr::jobs {

/// The policy's consent entry for `purpose`. dsr::Error(usage) for a name the
/// policy does not declare as a purpose, or a purpose not under `consent:`;
/// the message lists the purposes that are.
const policy::ConsentPurpose& consent_purpose(const policy::Policy& policy, const std::string& purpose);

/// A purpose's mirror column, with its two values typed as the live schema
/// declares the column: an INTEGER column receives the integer 1, not the
/// text '1' (which a STRICT table refuses and an application may not read).
struct Mirror {
    const policy::Table* table = nullptr;
    std::string column;
    std::string declared_type;
    db::Value granted;
    db::Value withdrawn;

    const db::Value& value_for(bool consents) const { return consents ? granted : withdrawn; }
};

/// The mirror of `purpose` checked against the database, or nullopt when it
/// has none. dsr::Error(invalid_policy) when the table or column is missing
/// or a value does not fit the column's type; (usage) when the table lives
/// in another database than `database_name`, the one the job opened.
std::optional<Mirror> prepare_mirror(db::Database& db, const policy::Policy& policy,
                                     const policy::ConsentPurpose& purpose, const std::string& database_name);

/// The subject as the command line names them.
struct ConsentSubject {
    std::string kind;
    std::string normalized_value;
    std::string pseudonym;
};

/// Every pseudonym the subject's consent may be recorded under: that of
/// each identity value the match knows (the one given, and for a registered
/// subject those of their row: email, customer id, phone …).
std::vector<std::string> subject_pseudonyms(const policy::Policy& policy, const crypto::SecretBytes& key,
                                            const graph::SubjectMatch& match);

/// The pseudonym a new entry is recorded under. A registered subject's is
/// that of the identity which is their table's key (customer_id), however
/// they were named: one pseudonym per person, so a list of the ledger's
/// pseudonyms counts people, and it survives a change of email. Anyone else
/// (not registered, or a policy with no key identity) is recorded under the
/// identity given.
std::string ledger_pseudonym(const policy::Policy& policy, const crypto::SecretBytes& key,
                             const graph::SubjectMatch& match, const std::string& given_pseudonym);

/// The subject's rows in a mirror table.
struct MirrorRows {
    std::int64_t rows = 0;
    /// Rows not holding the value the consent state calls for: after a
    /// change, those it changed (or a dry run would); in `show`, rows out of step.
    std::int64_t differing = 0;
};

struct ConsentChange {
    const policy::ConsentPurpose* purpose = nullptr;
    consent::Action action = consent::Action::granted;
    std::string source;      ///< empty: not given
    std::string request_id;  ///< empty: none
    bool dry_run = false;    ///< count and report; write nothing, open no transaction
};

struct ChangeResult {
    const policy::ConsentPurpose* purpose = nullptr;
    consent::State before;
    consent::State after;
    consent::Entry entry;    ///< as written (under ledger_pseudonym); in a dry run as it would be, seq 0
    MirrorRows mirror;       ///< zero when the purpose has no mirror
    /// Withdrawals only: recipients receiving data for the purpose, to be told.
    std::vector<policy::RecipientShare> notify;
    std::size_t root_matches = 0;
};

/// Records a grant or withdrawal and updates the mirror, in the order the
/// header comment gives. Every grant and withdrawal appends an entry, a
/// repeat too: each is evidence of when, how and under which policy.
/// dsr::Error(ambiguous_subject) before anything is written when the
/// identity names several registered subjects.
ChangeResult change_consent(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                            const std::optional<Mirror>& mirror, const ConsentSubject& subject,
                            const crypto::SecretBytes& key, const ConsentChange& change,
                            std::chrono::system_clock::time_point now);

/// Where a subject stands on one purpose, with the whole history.
struct Standing {
    const policy::ConsentPurpose* purpose = nullptr;
    consent::State state;
    std::vector<consent::Entry> history;  ///< oldest first
    std::optional<Mirror> mirror;
    MirrorRows mirror_rows;
};

struct ShowResult {
    std::vector<Standing> purposes;
    std::size_t root_matches = 0;
    /// Neither registered nor in the ledger for any purpose shown.
    bool unknown() const;
};

/// Reads the subject's standing on each of `purposes` (their mirrors
/// prepared, in the same order). dsr::Error(ambiguous_subject) when the
/// identity names several registered subjects.
ShowResult show_consent(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                        const std::vector<const policy::ConsentPurpose*>& purposes,
                        const std::vector<std::optional<Mirror>>& mirrors, const ConsentSubject& subject,
                        const crypto::SecretBytes& key);

struct ListResult {
    std::vector<std::string> names;  ///< pseudonyms, or identity values (normalised), each once
    /// False when the list cannot hold everyone in the state: opt_out
    /// --granted without a database lists only subjects the ledger knows.
    bool complete = true;
    /// With a database: subjects in the state whose identity the database
    /// does not hold (a registered subject with no phone on file, or one
    /// known only to the ledger, under another kind or no longer there).
    std::int64_t unresolved = 0;
};

/// The pseudonyms whose latest entry for the purpose is `state`; for an
/// opt_out purpose and `granted`, only those the ledger knows (incomplete).
ListResult list_pseudonyms(state::StateStore& store, const policy::ConsentPurpose& purpose, consent::Action state);

/// The `identity_kind` values of the subjects in `state`: every registered
/// subject (a row of the identity's table) whose latest entry under any of
/// their identities is `state`, or for an opt_out purpose and `granted`
/// who has none; then subjects known only to the ledger, found again by
/// the values of the columns carrying that identity (a newsletter sign-up's
/// email). In the table's key order, then the ledger's.
ListResult list_identities(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                           const crypto::SecretBytes& key, const policy::ConsentPurpose& purpose,
                           consent::Action state, const std::string& identity_kind);

}  // namespace dsr::jobs
