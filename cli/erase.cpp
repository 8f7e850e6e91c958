// `dsr erase`: the right to erasure (GDPR Art. 17, CCPA right to delete,
// PIPL Art. 47) for one subject: delete or mask everything the policy says,
// children before parents, in one transaction; held rows kept masked; the
// residue of erased values removed from the file; the result verified and
// recorded in the erasure ledger. Reports and audit entries carry counts,
// never values.

#include <unistd.h>

#include <iostream>
#include <memory>
#include <set>

#include "audit/audit_log.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject_job.h"
#include "erase/erasure_ledger.h"
#include "jobs/erase.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

using nlohmann::ordered_json;

struct EraseOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::string request_id;
    bool dry_run = false;
    bool yes = false;
    Format format = Format::automatic;
};

/// How a run ended, for the report, the audit entry and the exit status.
struct Ending {
    ExitStatus status = ExitStatus::ok;
    std::string name;  ///< the report's status
    std::optional<erase::LedgerEntry> previous;  ///< an earlier erasure, when nothing is found now
    std::optional<std::int64_t> completes;       ///< an interrupted attempt this run completes
    std::optional<std::int64_t> ledger_seq;
};

// --- the report -----------------------------------------------------------

ordered_json or_null(const std::optional<std::int64_t>& n) { return n ? ordered_json(*n) : ordered_json(nullptr); }

ordered_json hold_json(const policy::Policy& policy, const erase::TablePlan& tp) {
    if (!tp.table->erasure || !tp.table->erasure->hold) return nullptr;
    const auto& hold = *tp.table->erasure->hold;
    const auto* purpose = policy.find_purpose(hold.purpose);
    ordered_json ends = ordered_json::array();
    for (const auto& e : tp.hold_ends)
        ends.push_back({{"date", e.ends_on ? ordered_json(format_date(*e.ends_on)) : ordered_json(nullptr)},
                        {"rows", e.rows}});
    std::string after = (hold.timestamp.table.empty() ? "" : hold.timestamp.table + ".") + hold.timestamp.column;
    return {{"purpose", hold.purpose},
            {"lawful_basis", purpose ? std::string(policy::to_string(purpose->basis)) : ""},
            {"keep", hold.keep.text},
            {"after", after},
            {"ends", ends}};
}

ordered_json table_json(const policy::Policy& policy, const erase::TablePlan& tp) {
    bool mask_action = tp.table->erasure && tp.table->erasure->action == policy::ErasureAction::mask;
    ordered_json masks = ordered_json::array();
    for (const auto& m : tp.masks) masks.push_back({{"column", m.column}, {"method", policy::to_string(m.method)}});
    ordered_json cascaded = ordered_json::array();
    for (const auto& c : tp.cascades)
        cascaded.push_back({{"table", c.via.table},
                            {"column", c.via.column},
                            {"references", c.via.parent_table},
                            {"on_delete", c.via.on_delete},
                            {"listed", policy.find_table(c.via.table) != nullptr},
                            {"depth", c.depth},
                            {"rows", c.rows}});
    return {{"table", tp.table->name},
            {"action", mask_action ? "mask" : "delete"},
            {"matched", tp.matched},
            {"deleted", tp.deletes.size()},
            {"masked", tp.masked},
            {"unchanged", tp.kept.size() - tp.masked},
            {"kept_under_hold", tp.held},
            {"kept_as_parent", tp.kept_as_parent},
            {"kept_for", tp.kept_for},
            {"masks", masks},
            {"hold", hold_json(policy, tp)},
            {"cascaded", cascaded}};
}

/// Recipients that received any erased category (GDPR Art. 19).
ordered_json notify_json(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    ordered_json out = ordered_json::array();
    std::set<std::string> erased(plan.erased_categories.begin(), plan.erased_categories.end());
    for (const auto& r : policy.recipients) {
        std::vector<std::string> shared;
        for (const auto& c : r.categories)
            if (erased.contains(c)) shared.push_back(c);
        if (shared.empty()) continue;
        out.push_back({{"recipient", r.id},
                       {"name", r.name},
                       {"role", policy::to_string(r.role)},
                       {"country", r.country},
                       {"categories", shared}});
    }
    return out;
}

ordered_json verification_json(const jobs::EraseOutcome& outcome) {
    const auto& v = outcome.verification;
    ordered_json tables = ordered_json::array();
    for (const auto& t : v.tables)
        tables.push_back({{"table", t.table},
                          {"kept", t.kept},
                          {"not_deleted", t.not_deleted},
                          {"wrong_values", t.wrong_values},
                          {"unexpected", t.unexpected}});
    return {{"performed", v.performed},
            {"passed", v.performed ? ordered_json(v.passed) : ordered_json(nullptr)},
            {"remaining_rows", v.remaining},
            {"tables", tables}};
}

ordered_json erasure_json(const policy::Policy& policy, const jobs::EraseOutcome& outcome, const Ending& ending) {
    const auto& plan = outcome.plan;
    ordered_json tables = ordered_json::array();
    for (const auto& tp : plan.tables) tables.push_back(table_json(policy, tp));
    ordered_json previous = nullptr;
    if (ending.previous) previous = {{"at", ending.previous->at}, {"ledger_seq", ending.previous->seq}};
    return {{"as_of", format_date(plan.today)},
            {"changed", plan.changes() > 0},
            {"plan_digest", plan.digest},
            {"tables", tables},
            {"totals",
             {{"matched", plan.matched()},
              {"deleted", plan.deleted()},
              {"masked", plan.masked()},
              {"kept_under_hold", plan.held()},
              {"cascaded", plan.cascaded()}}},
            {"statements", outcome.applied ? ordered_json(outcome.statements) : ordered_json(nullptr)},
            {"residue_removed", outcome.applied ? ordered_json(outcome.residue_removed) : ordered_json(nullptr)},
            {"previously_erased", previous},
            {"completes_interrupted", or_null(ending.completes)},
            {"ledger_seq", or_null(ending.ledger_seq)}};
}

ordered_json erase_json(const report::Envelope& envelope, const policy::Policy& policy, const EraseOptions& o,
                        const SubjectRun& run, const jobs::EraseOutcome& outcome, const Ending& ending) {
    auto json = report::envelope_json(envelope);
    auto subject = run.ref();
    json["subject"] = {{"pseudonym", subject.pseudonym},
                       {"identity_kind", subject.identity_kind},
                       {"registered_matches", subject.registered_matches}};
    json["request_id"] = o.request_id.empty() ? ordered_json(nullptr) : ordered_json(o.request_id);
    json["erasure"] = erasure_json(policy, outcome, ending);
    json["verification"] = verification_json(outcome);
    json["notify"] = notify_json(policy, outcome.plan);
    json["audit_intent"] = run.intent_seq;
    return json;
}

// --- text for a person ------------------------------------------------------

std::string pad(std::string s, std::size_t width) { return s.size() < width ? s + std::string(width - s.size(), ' ') : s; }

std::string plan_text(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    std::string text = "  " + pad("table", 20) + pad("action", 8) + pad("found", 7) + pad("delete", 8) +
                       pad("mask", 6) + pad("held", 6) + "cascade\n";
    for (const auto& tp : plan.tables) {
        if (tp.matched == 0) continue;
        bool mask_action = tp.table->erasure && tp.table->erasure->action == policy::ErasureAction::mask;
        text += "  " + pad(tp.table->name, 20) + pad(mask_action ? "mask" : "delete", 8) +
                pad(std::to_string(tp.matched), 7) + pad(std::to_string(tp.deletes.size()), 8) +
                pad(std::to_string(tp.masked), 6) + pad(std::to_string(tp.held + tp.kept_as_parent), 6) +
                std::to_string(tp.cascaded()) + "\n";
    }
    for (const auto& tp : plan.tables) {
        if (tp.held && tp.table->erasure && tp.table->erasure->hold) {
            const auto& hold = *tp.table->erasure->hold;
            const auto* purpose = policy.find_purpose(hold.purpose);
            std::string until = tp.hold_ends.empty() || !tp.hold_ends.back().ends_on
                                    ? "an end that cannot be read from the data"
                                    : format_date(*tp.hold_ends.back().ends_on);
            text += "Kept under hold: " + std::to_string(tp.held) + " " + tp.table->name + " rows for " + hold.purpose +
                    " (" + (purpose ? std::string(policy::to_string(purpose->basis)) : "") + "), masked, until " +
                    until + " at the latest\n";
        }
        if (tp.kept_as_parent) {
            std::string tables;
            for (const auto& t : tp.kept_for) tables += (tables.empty() ? "" : ", ") + t;
            text += "Kept because held rows refer to them: " + std::to_string(tp.kept_as_parent) + " " +
                    tp.table->name + " rows (from " + tables + ")\n";
        }
        for (const auto& c : tp.cascades)
            text += "The database itself (ON DELETE " + c.via.on_delete + ") " +
                    (c.via.on_delete == "CASCADE" ? "removes " : "unlinks ") + std::to_string(c.rows) + " rows of " +
                    c.via.table + " through " + c.via.column + "\n";
    }
    return text;
}

std::string erase_text(const policy::Policy& policy, const EraseOptions& o, const jobs::EraseOutcome& outcome,
                       const Ending& ending) {
    const auto& plan = outcome.plan;
    if (ending.status == ExitStatus::subject_not_found)
        return "No data is held about this subject, and no erasure of them is recorded; nothing was changed.\n";
    if (plan.matched() == 0)
        return "Nothing is held about this subject any more" +
               (ending.previous ? " (erased " + ending.previous->at + ")" : std::string(" (an interrupted erasure finished)")) +
               "; nothing was changed.\n";
    std::string text = o.dry_run ? "Dry run: nothing was changed. The erasure would do this:\n"
                                 : (plan.changes() ? "Erased:\n" : "Nothing changed: the subject was already erased.\n");
    text += plan_text(policy, plan);
    auto notify = notify_json(policy, plan);
    if (!notify.empty()) {
        text += "Notify (GDPR Art. 19):";
        for (const auto& r : notify) text += " " + r["name"].get<std::string>() + ";";
        text += "\n";
    }
    const auto& v = outcome.verification;
    if (v.performed)
        text += v.passed ? "Verified: nothing of the subject remains but " + std::to_string(v.remaining) +
                               " kept rows, masked as declared.\n"
                         : "VERIFICATION FAILED: see the JSON report's verification section.\n";
    if (outcome.applied && !outcome.residue_removed) text += "Residue NOT removed: " + outcome.residue_problem + "\n";
    return text;
}

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
    if (outcome.applied) summary["residue_removed"] = outcome.residue_removed;
    return summary;
}

/// Shows the plan on the terminal and asks; true only for "yes".
bool confirmed(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    std::cerr << "dsr erase will change the database as follows:\n" << plan_text(policy, plan);
    std::cerr << "Type yes to erase, anything else to stop: " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "yes";
}

// --- the audit trail -------------------------------------------------------------

/// Erase acts on one registered subject: an identity that names several
/// stops before their data is read (SubjectJob's message offers an option
/// erase does not have).
SubjectRun begin_run(SubjectJob& job, const EraseOptions& o) {
    job.set_dry_run(o.dry_run);
    try {
        return job.begin(o.subject, o.request_id, /*all_matches=*/false);
    } catch (const AmbiguousSubject& e) {
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

jobs::EraseOutcome carry_out(SubjectJob& job, const EraseOptions& o, const SubjectRun& run,
                             const jobs::ErasureSetup& setup) {
    const auto& key = job.keys().pseudonym_key;
    jobs::EraseTarget target{run.named.kind, run.named.normalized_value};
    auto match = run.match;
    erase::include_erased_rows(job.database(), job.policy(), key, match);
    if (o.dry_run) return jobs::plan_erasure(job.database(), job.policy(), setup, key, match, job.when());
    std::string digest;
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
    if (outcome.applied && (!outcome.verification.passed || !outcome.residue_removed)) {
        end.status = outcome.residue_removed ? ExitStatus::failure : ExitStatus::database_busy;
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

ExitStatus run_erase(const EraseOptions& o) {
    report::Envelope envelope;
    envelope.command = "erase";
    envelope.dry_run = o.dry_run;
    envelope.policy_path = o.location.policy;
    try {
        // Refused before anything is opened: an unattended erasure must be asked for.
        if (!o.dry_run && !o.yes && !isatty(STDIN_FILENO))
            throw Error(ExitStatus::usage, "standard input is not a terminal, so the erasure cannot be confirmed; "
                                           "give --yes to erase without asking (or --dry-run to see the plan); "
                                           "nothing was changed");
        auto job = SubjectJob::open("erase", o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        // The policy is checked against the schema before the intent is logged: a mismatch changes nothing.
        auto setup = jobs::prepare_erasure(job->database(), job->policy(), job->database_ref().name);
        auto run = begin_run(*job, o);
        jobs::EraseOutcome outcome;
        Ending end;
        try {
            outcome = carry_out(*job, o, run, setup);
            end = ending_of(*job, run, outcome);
            record(*job, o, run, outcome, end);
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
                            : (outcome.residue_removed ? "the erasure was committed but its verification failed"
                                                       : outcome.residue_problem));
        print_report(o.format, erase_json(envelope, job->policy(), o, run, outcome, end),
                     erase_text(job->policy(), o, outcome, end));
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

}  // namespace

void add_erase_command(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<EraseOptions>();
    auto* cmd = app.add_subcommand("erase", "Erase one subject's personal data as the policy says (right to erasure)");
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
        "  dsr erase --policy shop.yaml --subject customer_id=42 --request R-2026-000017 --yes");
    add_state_options(*cmd, o->location, true);
    cmd->add_option("--db", o->db, "The policy's default database: sqlite:PATH or a file path")->group("Input");
    cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
        ->required()
        ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the erasure is done")
        ->group("Subject");
    cmd->add_flag("--dry-run", o->dry_run, "Report exactly what the erasure would do; change nothing")->group("Erasure");
    cmd->add_flag("--yes", o->yes, "Erase without asking for confirmation")->group("Erasure");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_erase(*o); }});
}

}  // namespace dsr::cli
