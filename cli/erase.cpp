// `dsr erase`: the right to erasure (GDPR Art. 17, CCPA right to delete,
// PIPL Art. 47) for one subject: delete or mask everything the policy says,
// children before parents, in one transaction; held rows kept masked; the
// residue of erased values removed from the file; the result verified and
// recorded in the erasure ledger. Reports and audit entries carry counts,
// never values.

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

#include "audit/audit_log.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "cli/state_options.h"
#include "cli/subject.h"
#include "cli/subject_job.h"
#include "erase/erasure_ledger.h"
#include "erase/plan_file.h"
#include "erase/replay.h"
#include "jobs/databases.h"
#include "jobs/erase.h"
#include "report/erase_report.h"
#include "state/state_store.h"
#include "util/atomic_file.h"
#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

using nlohmann::ordered_json;

struct EraseOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::string subjects_file;
    std::string request_id;
    std::string plan_out;  ///< --plan-out: where the dry run writes its plan
    std::string apply;     ///< --apply: the plan file to carry out
    std::string replay_since;  ///< --replay-since: re-apply the ledger's erasures since this date
    bool force = false;
    bool dry_run = false;
    bool yes = false;
    std::string progress = "auto";  ///< of a batch: auto (stderr is a terminal), always, never
    bool quiet = false;
    Format format = Format::automatic;
};

using Ending = report::EraseEnding;

/// Columns of a table on a terminal.
std::string pad(std::string s, std::size_t width) { return s.size() < width ? s + std::string(width - s.size(), ' ') : s; }

// --- the run -------------------------------------------------------------------

nlohmann::ordered_json audit_summary(const jobs::EraseOutcome& outcome, bool dry_run) {
    const auto& plan = outcome.plan;
    ordered_json tables = ordered_json::object();
    for (const auto& tp : plan.tables)
        if (tp.matched)
            tables[tp.table->name] = {{"deleted", tp.deletes.size()},
                                      {"masked", tp.masked},
                                      {"kept_under_hold", tp.held + tp.kept_as_parent},
                                      {"cascaded", tp.cascaded()}};
    ordered_json summary = {{"dry_run", dry_run},
                            {"deleted", plan.deleted()},
                            {"masked", plan.masked()},
                            {"kept_under_hold", plan.held()},
                            {"cascaded", plan.cascaded()},
                            {"tables", tables}};
    if (outcome.verification.performed) summary["verified"] = outcome.verification.passed;
    if (outcome.applied)
        summary["residue_removed"] = outcome.residue_removed ? ordered_json(*outcome.residue_removed) : ordered_json(nullptr);
    return summary;
}

/// Shows the plan on the terminal and asks; true only for "yes".
bool confirmed(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    const bool color = color_enabled(STDERR_FILENO);
    std::string shown = "dsr erase will change the database as follows:\n" + report::erase_plan_text(policy, plan);
    std::cerr << (color ? paint_report(shown) : shown);
    std::cerr << paint("Type yes to erase, anything else to stop:", Style::heading, color) << ' ' << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "yes";
}

// --- the audit trail -------------------------------------------------------------

/// Erase acts on one registered subject: an identity that names several
/// stops before their data is read (SubjectJob's message offers an option
/// erase does not have).
SubjectRun begin_run(SubjectJob& job, const EraseOptions& o, const NamedSubject& named,
                     std::size_t* matches = nullptr) {
    job.set_dry_run(o.dry_run);
    try {
        return job.begin(named, o.request_id, /*all_matches=*/false);
    } catch (const AmbiguousSubject& e) {
        if (matches) *matches = e.matches();  // for a batch line's report
        throw Error(ExitStatus::ambiguous_subject,
                    "the identity matches " + std::to_string(e.matches()) +
                        " registered subjects; nothing was read or changed (name the subject by an identity only "
                        "they have, such as customer_id)");
    }
}

/// An interrupted erase of the same subject before this run's intent.
std::optional<std::int64_t> interrupted_attempt(SubjectJob& job, const SubjectRun& run) {
    auto earlier = audit::AuditLog(job.store()).interrupted("erase", run.named.pseudonym);
    std::optional<std::int64_t> seq;
    for (const auto& e : earlier)
        if (e.seq < run.intent_seq) seq = e.seq;
    return seq;
}

// --- plan files (four-eyes review) ------------------------------------------------

std::string database_location(const SubjectJob& job, const std::optional<std::string>& db) {
    return jobs::canonical_location(jobs::database_url(job.policy(), job.database_ref(), db));
}

erase::PlanFile read_plan_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ExitStatus::io, path + ": cannot read the plan: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw Error(ExitStatus::io, path + ": cannot read the plan");
    return erase::parse_plan_file(text.str(), path);
}

/// Refuses, before the subject's rows are read, a plan made for another
/// policy, database or subject. Only pseudonyms are compared: the plan
/// holds no identity, which is why --apply needs --subject again.
void check_plan_applies(const SubjectJob& job, const EraseOptions& o, const erase::PlanFile& plan,
                        const NamedSubject& named) {
    auto refuse = [&](const std::string& why) {
        throw Error(ExitStatus::usage, o.apply + ": " + why + "; nothing was changed");
    };
    if (job.policy().sha256 != plan.policy_sha256)
        refuse("the plan was made under another version of the policy (SHA-256 " + plan.policy_sha256.substr(0, 12) +
               "…, now " + job.policy().sha256.substr(0, 12) + "…): make and review a new plan");
    if (job.database_ref().name != plan.database_name || database_location(job, o.db) != plan.database)
        refuse("the plan is for database " + plan.database_name + " at " + plan.database + ", not " +
               job.database_ref().name + " at " + database_location(job, o.db));
    if (named.kind != plan.identity_kind)
        refuse("the plan names its subject by " + plan.identity_kind + ", --subject by " + named.kind +
               ": give the identity the plan was made with");
    if (named.pseudonym != plan.pseudonym)
        refuse("--subject is not the subject the plan was made for (their pseudonyms differ)");
}

[[noreturn]] void plan_is_stale(const EraseOptions& o) {
    throw Error(ExitStatus::usage, o.apply + ": the subject's rows changed since the plan was made (its digest no "
                                             "longer matches); nothing was changed: make and review a new plan "
                                             "with --dry-run --plan-out");
}

/// The plan a person reviewed, checked against what the erasure would do
/// now: the same digest (the same rows, the same fate for each) and the same
/// per-table counts (a file edited after review is refused too).
void check_plan_current(const EraseOptions& o, const erase::PlanFile& file, const erase::ErasurePlan& now) {
    if (now.digest != file.digest) plan_is_stale(o);
    if (erase::planned_tables(now) != file.tables)
        throw Error(ExitStatus::usage, o.apply + ": the plan's per-table counts are not those its digest stands for "
                                                 "(was the file edited?); nothing was changed");
}

void write_plan_file(AtomicFile& out, SubjectJob& job, const SubjectRun& run, const std::string& location,
                     const erase::ErasurePlan& plan) {
    erase::PlanFile file;
    file.made_at = report::utc_iso8601(job.when());
    file.as_of = format_date(plan.today);
    file.policy_path = job.policy().path;
    file.policy_sha256 = job.policy().sha256;
    file.pseudonym = run.named.pseudonym;
    file.identity_kind = run.named.kind;
    file.database_name = job.database_ref().name;
    file.database = location;
    file.digest = plan.digest;
    file.tables = erase::planned_tables(plan);
    out.write(erase::plan_file_json(file));
    out.commit();
}

jobs::EraseOutcome carry_out(SubjectJob& job, const EraseOptions& o, const SubjectRun& run,
                             const jobs::ErasureSetup& setup, const erase::PlanFile* plan_file) {
    const auto& key = job.keys().pseudonym_key;
    jobs::EraseTarget target{run.named.kind, run.named.normalized_value};
    auto match = run.match;
    erase::include_erased_rows(job.database(), job.policy(), key, match);
    if (o.dry_run) return jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when());
    std::string digest;
    if (plan_file) {
        // Checked before anyone is asked: a stale plan is refused, not shown.
        auto now = jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when());
        check_plan_current(o, *plan_file, now.plan);
        if (!o.yes && !confirmed(job.policy(), now.plan))
            throw Error(ExitStatus::usage, "erasure not confirmed; nothing was changed");
        try {
            return jobs::run_erasure(job.database(), job.policy(), setup, key, target, job.when(), plan_file->digest);
        } catch (const jobs::PlanChanged&) {
            plan_is_stale(o);
        }
    }
    if (!o.yes) {
        // Planned without the write lock, so the shop keeps running while a
        // person reads; the real run re-plans under the lock and stops if
        // the rows changed meanwhile.
        auto shown = jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when());
        if (!confirmed(job.policy(), shown.plan))
            throw Error(ExitStatus::usage, "erasure not confirmed; nothing was changed");
        digest = shown.plan.digest;
    }
    return jobs::run_erasure(job.database(), job.policy(), setup, key, target, job.when(), digest);
}

Ending ending_of(SubjectJob& job, const SubjectRun& run, const jobs::EraseOutcome& outcome) {
    Ending end;
    const auto& plan = outcome.plan;
    if (outcome.applied && (!outcome.verification.passed || outcome.residue_left())) {
        end.status = outcome.residue_left() ? ExitStatus::database_busy : ExitStatus::failure;
        end.name = "error";
        return end;
    }
    if (plan.matched() == 0) {
        end.previous = erase::ErasureLedger(job.store()).latest(run.named.pseudonym);
        if (!end.previous) end.completes = interrupted_attempt(job, run);
        if (!end.previous && !end.completes) {
            end.status = ExitStatus::subject_not_found;
            end.name = "not_found";
            return end;
        }
    }
    end.status = plan.held() ? ExitStatus::partial : ExitStatus::ok;
    end.name = plan.held() ? "partial" : "ok";
    return end;
}

void record(SubjectJob& job, const EraseOptions& o, const SubjectRun& run, const jobs::EraseOutcome& outcome,
            Ending& end) {
    if (o.dry_run || end.status == ExitStatus::subject_not_found || end.previous) return;
    erase::LedgerEntry entry;
    entry.subject = run.named.pseudonym;
    entry.request_id = o.request_id;
    entry.policy_sha256 = job.policy().sha256;
    entry.summary = audit_summary(outcome, false);
    entry.summary["identity_kind"] = run.named.kind;
    entry.summary["audit_intent"] = run.intent_seq;
    end.ledger_seq = erase::ErasureLedger(job.store()).record(entry, job.when()).seq;
}

std::string resolution(const erase::ErasurePlan& plan) {
    if (!plan.held()) return "erased";
    return "erased; " + std::to_string(plan.held()) + " rows kept masked under a legal hold";
}

/// Options that cannot go together, refused before anything is opened.
void check_options(const EraseOptions& o) {
    int sources = !o.subject.empty() + !o.subjects_file.empty() + !o.replay_since.empty();
    if (sources != 1)
        throw Error(ExitStatus::usage, "give exactly one of --subject, --subjects-file and --replay-since");
    if (!o.replay_since.empty()) {
        if (!parse_date(o.replay_since))
            throw Error(ExitStatus::usage, "--replay-since must be a date, YYYY-MM-DD (UTC)");
        if (!o.plan_out.empty() || !o.apply.empty() || !o.request_id.empty() || o.format == Format::text)
            throw Error(ExitStatus::usage,
                        "--replay-since re-applies recorded erasures as JSON lines; it takes no plan file, "
                        "--request or --format text");
        return;
    }
    if (!o.plan_out.empty() && !o.dry_run)
        throw Error(ExitStatus::usage, "--plan-out writes the plan of a dry run: give --dry-run too");
    if (o.force && o.plan_out.empty()) throw Error(ExitStatus::usage, "--force replaces a --plan-out file; give --plan-out");
    if (!o.apply.empty() && o.dry_run)
        throw Error(ExitStatus::usage, "--apply carries out a plan; --dry-run makes one (with --plan-out)");
    if (o.subjects_file.empty()) return;
    if (!o.plan_out.empty() || !o.apply.empty())
        throw Error(ExitStatus::usage, "a plan file is for one subject; it cannot go with --subjects-file");
    if (!o.request_id.empty())
        throw Error(ExitStatus::usage, "--request answers one subject's request; it cannot go with --subjects-file");
    if (o.format == Format::text)
        throw Error(ExitStatus::usage, "--subjects-file writes JSON lines; --format text is for one subject");
}

/// Refused before anything is opened: an unattended erasure must be asked for.
void check_attended(const EraseOptions& o) {
    if (!o.dry_run && !o.yes && !isatty(STDIN_FILENO))
        throw Error(ExitStatus::usage, "standard input is not a terminal, so the erasure cannot be confirmed; "
                                       "give --yes to erase without asking (or --dry-run to see the plan); "
                                       "nothing was changed");
}

ExitStatus run_batch(EraseOptions o, report::Envelope& envelope);
ExitStatus run_replay(EraseOptions o, report::Envelope& envelope);

ExitStatus run_erase(EraseOptions o) {
    report::Envelope envelope;
    envelope.command = "erase";
    envelope.dry_run = o.dry_run;
    envelope.policy_path = o.location.policy;
    try {
        check_options(o);
        check_attended(o);
        if (!o.subjects_file.empty()) return run_batch(o, envelope);
        if (!o.replay_since.empty()) return run_replay(o, envelope);
        // A malformed plan is refused before the database is opened.
        std::optional<erase::PlanFile> plan_file;
        if (!o.apply.empty()) {
            plan_file = read_plan_file(o.apply);
            // The plan names its database: without --db, that one.
            if (!o.db) o.db = plan_file->database;
        }
        // Opened first, so an existing file is refused before the dry run (AtomicFile checks again at commit).
        std::unique_ptr<AtomicFile> plan_out;
        if (!o.plan_out.empty()) plan_out = std::make_unique<AtomicFile>(o.plan_out, 0600, o.force);
        auto job = SubjectJob::open("erase", o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        // The policy is checked against the schema before the intent is logged: a mismatch changes nothing.
        auto setup = jobs::prepare_erasure(job->database(), job->policy(), job->database_ref().name);
        auto named = job->name(o.subject);
        if (plan_file) check_plan_applies(*job, o, *plan_file, named);
        auto run = begin_run(*job, o, named);
        jobs::EraseOutcome outcome;
        Ending end;
        try {
            outcome = carry_out(*job, o, run, setup, plan_file ? &*plan_file : nullptr);
            end = ending_of(*job, run, outcome);
            record(*job, o, run, outcome, end);
            // Nothing to erase makes no plan worth reviewing (the exit status says why).
            if (plan_out && outcome.plan.matched() == 0)
                print_error("nothing of the subject is found, so " + o.plan_out + " was not written");
            else if (plan_out)
                write_plan_file(*plan_out, *job, run, database_location(*job, o.db), outcome.plan);
        } catch (const Error& e) {
            job->finish(run, "failed", {{"dry_run", o.dry_run}, {"exit_status", static_cast<int>(e.status())}});
            throw;
        }
        auto summary = audit_summary(outcome, o.dry_run);
        if (end.ledger_seq) summary["ledger_seq"] = *end.ledger_seq;
        job->finish(run, end.name == "error" ? "failed" : "done", summary);
        if (!o.dry_run && (end.status == ExitStatus::ok || end.status == ExitStatus::partial))
            job->close_request(run, resolution(outcome.plan));
        envelope.status = end.name;
        if (end.status != ExitStatus::ok && end.status != ExitStatus::partial)
            print_error(end.status == ExitStatus::subject_not_found
                            ? "no data is held about this subject and no earlier erasure is recorded; nothing was changed"
                            : (outcome.residue_left() ? outcome.residue_problem
                                                      : "the erasure was committed but its verification failed"));
        print_report(o.format,
                     report::erase_json(envelope, job->policy(), run.ref(), o.request_id, run.intent_seq, outcome, end),
                     report::erase_text(job->policy(), o.dry_run, outcome, end));
        return end.status;
    } catch (const Error& e) {
        if (e.status() != ExitStatus::ambiguous_subject) return report_failure(o.format, envelope, e);
        // Not a failure of dsr: the identity names several people; say so as access does.
        print_error(e.what());
        envelope.status = "ambiguous";
        auto json = report::envelope_json(envelope);
        json["error"] = {{"exit_status", static_cast<int>(e.status())}, {"message", e.what()}};
        if (effective(o.format) == Format::json) print_report(o.format, json, "");
        return e.status();
    }
}

// --- a batch (--subjects-file) ---------------------------------------------------

/// One subject of a batch, from its line to its report.
struct BatchItem {
    std::string where;  ///< for messages: "FILE:LINE", or the erasure ledger entry it replays
    NamedSubject named;
    std::optional<SubjectRun> run;
    std::optional<erase::ErasurePlan> shown;  ///< the plan confirmed on the terminal
    std::optional<Error> error;               ///< why it stopped before its erasure
    std::size_t matches = 0;                  ///< registered subjects the identity matched
};

nlohmann::ordered_json failure_json(report::Envelope envelope, const BatchItem& item, const Error& e) {
    envelope.status = e.status() == ExitStatus::ambiguous_subject ? "ambiguous" : "error";
    auto json = report::envelope_json(envelope);
    json["subject"] = report::subject_json(
        {item.named.pseudonym, item.named.kind, item.run ? item.run->match.root_matches : item.matches});
    json["error"] = {{"exit_status", static_cast<int>(e.status())}, {"message", e.what()}};
    return json;
}

/// Logs the intent and finds the subject; an ambiguous identity or a closed
/// request stops only this subject.
void begin_item(SubjectJob& job, const EraseOptions& o, BatchItem& item) {
    try {
        item.run = begin_run(job, o, item.named, &item.matches);
    } catch (const Error& e) {
        item.error = e;
    }
}

/// The per-subject plans on the terminal, confirmed once for the whole batch.
bool batch_confirmed(const std::vector<BatchItem>& items) {
    std::cerr << "dsr erase will change the database as follows, subject by subject:\n"
              << "  " << pad("where", 6) << pad("identity", 14) << pad("found", 7) << pad("delete", 8) << pad("mask", 6)
              << pad("held", 6) << "cascade\n";
    for (const auto& item : items) {
        std::cerr << "  " << pad(item.where, 6) << pad(item.named.kind, 14);
        if (item.error)
            std::cerr << "skipped: " << item.error->what() << "\n";
        else if (item.shown->matched() == 0)
            std::cerr << "nothing found\n";
        else
            std::cerr << pad(std::to_string(item.shown->matched()), 7) << pad(std::to_string(item.shown->deleted()), 8)
                      << pad(std::to_string(item.shown->masked()), 6) << pad(std::to_string(item.shown->held()), 6)
                      << item.shown->cascaded() << "\n";
    }
    std::cerr << "Type yes to erase all of them, anything else to stop: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "yes";
}

/// Erases (or, dry, plans) one subject in its own transaction and renders its
/// report line. Errors of this subject alone are reported, not thrown.
std::pair<ExitStatus, nlohmann::ordered_json> erase_item(SubjectJob& job, const EraseOptions& o,
                                                          const jobs::ErasureSetup& setup, BatchItem& item,
                                                          report::Envelope envelope) {
    if (!item.run && !item.error) begin_item(job, o, item);
    if (item.error) return {item.error->status(), failure_json(envelope, item, *item.error)};
    auto& run = *item.run;
    try {
        jobs::EraseOutcome outcome;
        const auto& key = job.keys().pseudonym_key;
        if (o.dry_run) {
            auto match = run.match;
            erase::include_erased_rows(job.database(), job.policy(), key, match);
            outcome = jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when());
        } else {
            jobs::EraseTarget target{run.named.kind, run.named.normalized_value};
            outcome = jobs::run_erasure(job.database(), job.policy(), setup, key, target, job.when(),
                                        item.shown ? item.shown->digest : std::string());
        }
        auto end = ending_of(job, run, outcome);
        {
            // The erasure ledger's entry and the done entry become durable in
            // one commit of the state store (each would pay a disk sync of
            // its own), or in the batch's own state transaction if one is open.
            state::StateTransaction tx(job.store());
            record(job, o, run, outcome, end);
            auto summary = audit_summary(outcome, o.dry_run);
            if (end.ledger_seq) summary["ledger_seq"] = *end.ledger_seq;
            job.finish(run, end.name == "error" ? "failed" : "done", summary);
            tx.commit();
        }
        envelope.status = end.name;
        return {end.status,
                report::erase_json(envelope, job.policy(), run.ref(), o.request_id, run.intent_seq, outcome, end)};
    } catch (const Error& e) {
        job.finish(run, "failed", {{"dry_run", o.dry_run}, {"exit_status", static_cast<int>(e.status())}});
        return {e.status(), failure_json(envelope, item, e)};
    }
}

/// Erases each item in its own transaction, one JSON report per line;
/// returns the most severe status.
ExitStatus erase_items(const EraseOptions& o, const report::Envelope& envelope, SubjectJob& job,
                       const jobs::ErasureSetup& setup, std::vector<BatchItem>& items) {
    if (!o.dry_run && !o.yes) {
        // One confirmation for the batch: every subject is found and planned
        // first (without the write lock); each erasure then refuses if its
        // subject's rows changed after the answer.
        for (auto& item : items) {
            begin_item(job, o, item);
            if (item.error) continue;
            auto match = item.run->match;
            const auto& key = job.keys().pseudonym_key;
            erase::include_erased_rows(job.database(), job.policy(), key, match);
            try {
                item.shown = jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when()).plan;
            } catch (const Error& e) {
                job.finish(*item.run, "failed", {{"dry_run", false}, {"exit_status", static_cast<int>(e.status())}});
                item.error = e;
            }
        }
        if (!batch_confirmed(items)) {
            for (const auto& item : items)
                if (item.run && !item.error)
                    job.finish(*item.run, "failed", {{"dry_run", false}, {"confirmed", false}});
            throw Error(ExitStatus::usage, "erasure not confirmed; nothing was changed");
        }
    }
    ExitStatus worst = ExitStatus::ok;
    // Drawn once the answer is in: never over the confirmation prompt.
    ProgressLine progress(progress_wanted(o.progress, o.quiet));
    const bool reports_on_terminal = is_terminal(STDOUT_FILENO);
    std::size_t done = 0, not_ok = 0;
    auto show_progress = [&] {
        progress.update(subjects_progress(o.dry_run ? "erase (dry run)" : "erase", done, items.size(), not_ok, "not erased"));
    };
    show_progress();
    for (auto& item : items) {
        report::Envelope one = envelope;
        one.started_at = std::chrono::system_clock::now();
        one.steady_start = std::chrono::steady_clock::now();
        auto [status, json] = erase_item(job, o, setup, item, one);
        if (status != ExitStatus::ok && status != ExitStatus::partial)
            print_error(item.where + ": " +
                        (json.contains("error") ? json["error"]["message"].get<std::string>()
                                                : std::string("no data is held about this subject and no earlier "
                                                              "erasure is recorded; nothing was changed")));
        if (reports_on_terminal) progress.clear();
        std::cout << json.dump() << '\n' << std::flush;
        worst = worse_of(worst, status);
        ++done;
        if (status != ExitStatus::ok && status != ExitStatus::partial) ++not_ok;
        show_progress();
    }
    progress.end();
    return worst;
}

ExitStatus run_batch(EraseOptions o, report::Envelope& envelope) {
    o.format = Format::json;  // one report per line, whatever stdout is
    auto lines = read_subjects_file(o.subjects_file);
    auto job = SubjectJob::open("erase", o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    auto setup = jobs::prepare_erasure(job->database(), job->policy(), job->database_ref().name);
    // Every line is checked before anyone's data is read or changed.
    std::vector<BatchItem> items;
    for (const auto& line : lines)
        items.push_back({o.subjects_file + ":" + std::to_string(line.line),
                         parse_subject_line(job->policy(), job->keys(), o.subjects_file, line), {}, {}, {}});
    return erase_items(o, envelope, *job, setup, items);
}

/// The day a backup is restored: every subject erased since the date is
/// found again (erase/replay.h) and erased again, as a batch.
ExitStatus run_replay(EraseOptions o, report::Envelope& envelope) {
    o.format = Format::json;  // one report per line, whatever stdout is
    auto job = SubjectJob::open("erase", o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    auto setup = jobs::prepare_erasure(job->database(), job->policy(), job->database_ref().name);
    auto entries = erase::erasures_since(job->store(), o.replay_since);
    auto targets = erase::find_erased_subjects(job->database(), job->policy(), job->database_ref().name,
                                               job->keys().pseudonym_key, entries);
    std::vector<BatchItem> items;
    for (const auto& t : targets) {
        // Absent from the restored database: there is nothing to erase again.
        if (!t.normalized_value) continue;
        NamedSubject named{t.kind, *t.normalized_value, t.entry.subject};
        items.push_back({"erasure ledger entry " + std::to_string(t.entry.seq), named, {}, {}, {}});
    }
    if (!o.quiet)
        std::cerr << "dsr: " << entries.size() << " subjects erased since " << o.replay_since << "; " << items.size()
              << " found again in the database, " << entries.size() - items.size() << " not in it\n";
    return erase_items(o, envelope, *job, setup, items);
}

}  // namespace

void add_erase_command(CLI::App* cmd, Commands& commands) {
    auto o = std::make_shared<EraseOptions>();
    cmd->footer(
        "Delete or mask every row the policy links to the subject, children before\n"
        "parents, in one transaction: a crash leaves the database as it was or fully\n"
        "erased. Rows under a hold (e.g. invoices kept for tax law) are kept, masked,\n"
        "and the report says until when. Erased values are zeroed in the file and the\n"
        "write-ahead log is emptied; afterwards the subject graph is run again to\n"
        "verify that nothing else remains. A second run changes nothing.\n\n"
        "Without --yes it shows the plan and asks on a terminal, and refuses (exit 2)\n"
        "when standard input is not one. Exit 7 means done, with held rows kept.\n\n"
        "Examples:\n"
        "  dsr erase --policy shop.yaml --subject email=ana@example.com --dry-run\n"
        "  dsr erase --policy shop.yaml --subject customer_id=42 --request R-2026-000017 --yes\n"
        "  dsr erase --policy shop.yaml --subject customer_id=42 --dry-run --plan-out plan.json\n"
        "  dsr erase --policy shop.yaml --subject customer_id=42 --apply plan.json --yes\n"
        "  dsr erase --policy shop.yaml --subjects-file batch.txt --yes > reports.jsonl\n"
        "  dsr erase --policy shop.yaml --replay-since 2026-11-01 --yes > replayed.jsonl");
    add_state_options(*cmd, o->location, true);
    add_statement_timeout_option(*cmd, o->location.statement_timeout_ms);
    add_database_option(*cmd, o->db, o->location.verbose);
    auto* subject = cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
                        ->group("Subject");
    auto* subjects_file =
        cmd->add_option("--subjects-file", o->subjects_file,
                        "A batch: one KIND=VALUE per line (# comments); each its own transaction; JSON lines")
            ->excludes(subject)
            ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the erasure is done")
        ->group("Subject");
    cmd->add_option("--replay-since", o->replay_since,
                    "After restoring a backup: erase again every subject the erasure ledger records since this "
                    "date (YYYY-MM-DD, UTC); JSON lines")
        ->excludes(subject)
        ->excludes(subjects_file)
        ->group("Subject");
    cmd->add_flag("--dry-run", o->dry_run, "Report exactly what the erasure would do; change nothing")->group("Erasure");
    auto* plan_out = cmd->add_option("--plan-out", o->plan_out,
                                     "With --dry-run: write the plan for review to this file (mode 0600, no personal data)")
                         ->excludes(subjects_file)
                         ->group("Erasure");
    cmd->add_flag("--force", o->force, "Replace an existing --plan-out file")->group("Erasure");
    cmd->add_option("--apply", o->apply,
                    "Carry out this reviewed plan file exactly; refused if the rows, policy or subject changed")
        ->excludes(subjects_file)
        ->excludes(plan_out)
        ->group("Erasure");
    cmd->add_flag("--yes", o->yes, "Erase without asking for confirmation")->group("Erasure");
    add_progress_options(*cmd, o->progress, o->quiet, "Output");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_erase(*o); }});
}

const TopLevelCommand erase_command{"erase", "Erase one subject's personal data as the policy says (right to erasure)",
                                    add_erase_command};

}  // namespace dsr::cli
