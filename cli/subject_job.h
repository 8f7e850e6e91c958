#pragma once
// What every command acting on one subject's data shares (access, export,
// and later erase and rectify): the policy, the state store and keys, the
// merchant database, and the job's audit trail — an intent logged before any
// merchant data is read, referring to an interrupted attempt on the same
// subject if there is one, and a signed done/failed entry at the end.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/state_options.h"
#include "cli/subject.h"
#include "crypto/keys.h"
#include "state/state_store.h"
#include "db/database.h"
#include "graph/subject_rows.h"
#include "report/access_report.h"
#include "util/error.h"

namespace dsr::cli {

/// DSR_FAULT=K, a testing aid documented in dsr(1): a write job kills itself
/// after its K-th data-changing statement. nullopt when unset; a malformed
/// value is dsr::Error(usage).
std::optional<int> fault_injection();

/// One subject within a job: who, how they matched, and the intent entry.
struct SubjectRun {
    NamedSubject named;
    graph::SubjectMatch match;
    std::string request_id;
    std::int64_t intent_seq = 0;

    report::SubjectRef ref() const { return {named.pseudonym, named.kind, match.root_matches}; }
};

/// An identity that matched several registered subjects, without
/// --all-matches: the job stops before reading their data.
class AmbiguousSubject : public Error {
public:
    explicit AmbiguousSubject(std::size_t matches);
    std::size_t matches() const { return matches_; }

private:
    std::size_t matches_;
};

class SubjectJob {
public:
    /// Loads the policy, opens the state store, the keys and the policy's
    /// default database (`db_override` is --db). nullptr when the policy is
    /// invalid (already reported). Throws dsr::Error otherwise.
    static std::unique_ptr<SubjectJob> open(const std::string& command, const StateLocation& location,
                                            const std::optional<std::string>& db_override, bool read_only,
                                            Format format, report::Envelope& envelope);

    /// Parses `--subject KIND=VALUE` with the installation's pseudonym key.
    NamedSubject name(const std::string& subject_option) const;

    /// Marks the job's audit entries as a dry run's.
    void set_dry_run(bool dry_run) { dry_run_ = dry_run; }

    /// Logs the intent (with `intent_summary`: names and counts, never
    /// values) and signs the head, in one commit, after refusing a closed
    /// --request; nothing is read yet.
    SubjectRun start(const NamedSubject& subject, const std::string& request_id,
                     nlohmann::ordered_json intent_summary = nlohmann::ordered_json::object());
    /// start() without the signature, for a batch that logs a group of
    /// intents inside one state::StateTransaction and then calls sign_head()
    /// once. A head a subject would make `audit verify` check a signature per
    /// subject: 30 s instead of 2.6 for a million entries of batch access.
    SubjectRun start_in_group(const NamedSubject& subject, const std::string& request_id);
    /// Finds the subject's root rows. An ambiguous identity without
    /// `all_matches` is logged as failed and thrown as AmbiguousSubject
    /// before any of their data is read.
    void match(SubjectRun& run, bool all_matches);
    /// start, then match: what a job that reads the subject's rows at once does.
    SubjectRun begin(const NamedSubject& subject, const std::string& request_id, bool all_matches);
    SubjectRun begin(const std::string& subject_option, const std::string& request_id, bool all_matches) {
        return begin(name(subject_option), request_id, all_matches);
    }

    /// Logs the run's outcome (`done` or `failed`, with counts, never values)
    /// and signs the head, in one commit.
    void finish(const SubjectRun& run, const std::string& phase, nlohmann::ordered_json summary);
    /// finish() in two halves, for a batch that closes a group of subjects
    /// inside one state::StateTransaction: each run's outcome, then one
    /// signature over the head.
    void log_outcome(const SubjectRun& run, const std::string& phase, nlohmann::ordered_json summary);
    void sign_head();

    /// Closes the request the run answered, if --request was given.
    void close_request(const SubjectRun& run, const std::string& resolution);

    const policy::Policy& policy() const { return *opened_.policy; }
    const crypto::Keys& keys() const { return *keys_; }
    const policy::DatabaseRef& database_ref() const { return *database_ref_; }
    db::Database& database() { return *database_; }
    state::StateStore& store() { return *opened_.store; }
    std::chrono::system_clock::time_point when() const { return when_; }

private:
    SubjectJob() = default;
    /// The intent entry of start(), appended in the caller's transaction.
    SubjectRun log_intent(const NamedSubject& subject, const std::string& request_id,
                          nlohmann::ordered_json intent_summary);

    std::string command_;
    OpenedState opened_;
    std::optional<crypto::Keys> keys_;
    const policy::DatabaseRef* database_ref_ = nullptr;
    std::unique_ptr<db::Database> database_;
    std::chrono::system_clock::time_point when_;
    bool dry_run_ = false;
};

}  // namespace dsr::cli
