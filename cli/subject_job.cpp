#include "cli/subject_job.h"

#include "audit/audit_log.h"
#include "cli/clock.h"
#include "cli/fault.h"
#include "jobs/databases.h"
#include "requests/request_ledger.h"
#include "util/error.h"

namespace dsr::cli {

std::optional<int> fault_injection() { return fault_spec().kill_after_statements; }

namespace {

/// A subject's rows in a second database would be left out of an access
/// report or an erasure without a word; until the subject graph spans
/// databases, such a policy is refused (purge and policy check do cover
/// every database, table by table).
void refuse_other_databases(const policy::Policy& policy, const policy::DatabaseRef& used, const std::string& command) {
    std::string elsewhere;
    for (const auto& t : policy.tables)
        if (t.database != used.name) elsewhere += (elsewhere.empty() ? "'" : ", '") + t.name + "' (" + t.database + ")";
    if (!elsewhere.empty())
        throw Error(ExitStatus::invalid_policy, "dsr " + command + " reads one database, the default '" + used.name +
                                                    "', and tables " + elsewhere +
                                                    " live in another; give each database its own policy");
}

}  // namespace

std::unique_ptr<SubjectJob> SubjectJob::open(const std::string& command, const StateLocation& location,
                                             const std::optional<std::string>& db_override, bool read_only,
                                             Format format, report::Envelope& envelope) {
    auto opened = open_state(location, format, envelope, true);
    if (!opened) return nullptr;
    std::unique_ptr<SubjectJob> job(new SubjectJob());
    job->command_ = command;
    job->opened_ = std::move(*opened);
    job->when_ = now();
    std::string how;
    job->keys_.emplace(crypto::load_keys(keys_dir(location, job->opened_.store->path(), how), how));
    job->database_ref_ = job->policy().default_database();
    refuse_other_databases(job->policy(), *job->database_ref_, command);
    job->database_ = db::open_database(
        jobs::database_url(job->policy(), *job->database_ref_, db_override),
        {.read_only = read_only,
         .busy_timeout = std::chrono::milliseconds(location.busy_timeout_ms),
         .statement_timeout = std::chrono::milliseconds(location.statement_timeout_ms),
         .kill_after_statements = read_only ? std::nullopt : fault_injection(),
         .on_statement = statement_printer(location.verbose)});
    // Every job that reads or changes a subject's rows starts here: a column
    // dropped or renamed since `policy check` passed is refused before a
    // statement names it.
    if (!schema_matches_or_report(*job->database_, job->policy(), job->database_ref_->name, format, envelope))
        return nullptr;
    return job;
}

namespace {

/// Refuses, before any data is read, a request this run cannot answer. (The
/// request's subject is not compared: it may have been opened under another
/// identity of the same person, whose pseudonym differs.)
void check_request_answers(requests::RequestLedger ledger, const SubjectRun& run) {
    auto request = ledger.get(run.request_id);
    if (request.status == "closed")
        throw Error(ExitStatus::usage, "request " + run.request_id + " is already closed");
}

}  // namespace

AmbiguousSubject::AmbiguousSubject(std::size_t matches)
    : Error(ExitStatus::ambiguous_subject,
            "the identity matches " + std::to_string(matches) +
                " registered subjects; nothing was read (use --all-matches to act on all of them)"),
      matches_(matches) {}

NamedSubject SubjectJob::name(const std::string& subject_option) const {
    return parse_subject(policy(), *keys_, subject_option);
}

SubjectRun SubjectJob::start(const NamedSubject& subject, const std::string& request_id,
                             nlohmann::ordered_json intent_summary) {
    // Signed at once: a run killed before its outcome must still leave a
    // log that `audit verify` accepts, with the attempt in it.
    state::StateTransaction tx(store());
    auto run = log_intent(subject, request_id, std::move(intent_summary));
    sign_head();
    tx.commit();
    return run;
}

SubjectRun SubjectJob::start_in_group(const NamedSubject& subject, const std::string& request_id) {
    return log_intent(subject, request_id, nlohmann::ordered_json::object());
}

SubjectRun SubjectJob::log_intent(const NamedSubject& subject, const std::string& request_id,
                                  nlohmann::ordered_json intent_summary) {
    SubjectRun run;
    run.named = subject;
    run.request_id = request_id;
    if (!request_id.empty()) check_request_answers(requests::RequestLedger(store()), run);

    audit::AuditLog log(store());
    audit::AuditEntry intent;
    intent.command = command_;
    intent.phase = "intent";
    intent.request_id = request_id;
    intent.subject = run.named.pseudonym;
    intent.policy_sha256 = policy().sha256;
    intent.dry_run = dry_run_;
    intent.summary = std::move(intent_summary);
    // A re-run after a crash points at the attempt it completes.
    if (auto earlier = log.interrupted(command_, run.named.pseudonym); !earlier.empty())
        intent.refers_to = earlier.back().seq;
    run.intent_seq = log.append(intent, when_).seq;
    return run;
}

void SubjectJob::match(SubjectRun& run, bool all_matches) {
    run.match = graph::match_subject(database(), policy(), run.named.kind, run.named.normalized_value);
    if (run.match.root_matches > 1 && !all_matches) {
        finish(run, "failed", {{"ambiguous", run.match.root_matches}});
        throw AmbiguousSubject(run.match.root_matches);
    }
}

SubjectRun SubjectJob::begin(const NamedSubject& subject, const std::string& request_id, bool all_matches) {
    auto run = start(subject, request_id);
    match(run, all_matches);
    return run;
}

void SubjectJob::finish(const SubjectRun& run, const std::string& phase, nlohmann::ordered_json summary) {
    // The entry and the signed head share one commit, or, inside a batch
    // group's StateTransaction, the group's.
    state::StateTransaction tx(store());
    log_outcome(run, phase, std::move(summary));
    sign_head();
    tx.commit();
}

void SubjectJob::sign_head() { audit::AuditLog(store()).sign_head(*keys_, when_); }

void SubjectJob::log_outcome(const SubjectRun& run, const std::string& phase, nlohmann::ordered_json summary) {
    audit::AuditEntry done;
    done.command = command_;
    done.phase = phase;
    done.request_id = run.request_id;
    done.subject = run.named.pseudonym;
    done.policy_sha256 = policy().sha256;
    done.refers_to = run.intent_seq;
    done.dry_run = dry_run_;
    done.summary = std::move(summary);
    audit::AuditLog(store()).append(done, when_);
}

void SubjectJob::close_request(const SubjectRun& run, const std::string& resolution) {
    if (!run.request_id.empty()) requests::RequestLedger(store()).close(run.request_id, resolution, when_);
}

}  // namespace dsr::cli
