// `dsr consent grant|withdraw|show|list`: consent per purpose (GDPR Art. 7,
// CCPA "do not sell or share", PIPL separate consent), kept in the
// append-only consent ledger and mirrored into the merchant column the
// policy names. Reports, messages and audit entries carry pseudonyms and
// counts; only `list` with --db prints identities, for a mailing job.

#include <unistd.h>

#include <iostream>
#include <memory>

#include "audit/audit_log.h"
#include "cli/clock.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/state_options.h"
#include "cli/subject.h"
#include "cli/subject_job.h"
#include "cli/terminal.h"
#include "crypto/keys.h"
#include "db/database.h"
#include "jobs/consent.h"
#include "jobs/databases.h"
#include "report/consent_report.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

using nlohmann::ordered_json;

struct ConsentOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::string subjects_file;  ///< grant and withdraw: a batch, one KIND=VALUE a line
    std::string purpose;
    std::string source;
    std::string request_id;
    bool dry_run = false;
    // list
    bool granted = false;
    bool withdrawn = false;
    std::string identity;
    Format format = Format::automatic;
    std::string progress = "auto";  ///< of a --subjects-file batch
    bool quiet = false;
};

/// The source is kept in the ledger as written, so it names a channel (web
/// form, email, phone), never a person: an address in it is refused, and
/// the message does not repeat it.
void check_source(const std::string& source) {
    if (source.size() > 200) throw Error(ExitStatus::usage, "--source: at most 200 characters (name the channel: web form, email, phone)");
    for (unsigned char c : source)
        if (c < 0x20 || c == 0x7f) throw Error(ExitStatus::usage, "--source: control characters are not allowed");
    if (source.find('@') != std::string::npos)
        throw Error(ExitStatus::usage, "--source names how consent was given (web form, email, phone), not an address: "
                                       "the ledger keeps no identity; nothing was written");
}

jobs::ConsentSubject consent_subject(const NamedSubject& named) {
    return {named.kind, named.normalized_value, named.pseudonym};
}

/// The report of a subject whose job failed: status ambiguous (an identity
/// naming several registered subjects, nothing written) or error.
ordered_json failure_json(report::Envelope envelope, const NamedSubject& named, const Error& e) {
    envelope.status = e.status() == ExitStatus::ambiguous_subject ? "ambiguous" : "error";
    auto json = report::envelope_json(envelope);
    json["subject"] = report::subject_json({named.pseudonym, named.kind, 0});
    json["error"] = {{"exit_status", static_cast<int>(e.status())}, {"message", e.what()}};
    return json;
}

/// An ambiguous identity: exit 5, a report saying so, nothing written (the
/// job has logged its failed entry already).
ExitStatus ambiguous(const ConsentOptions& o, const report::Envelope& envelope, const NamedSubject& named,
                     const Error& e) {
    print_error(e.what());
    if (effective(o.format) == Format::json) print_report(o.format, failure_json(envelope, named, e), "");
    return e.status();
}

ordered_json change_summary(const jobs::ChangeResult& r, bool dry_run) {
    return {{"dry_run", dry_run},
            {"purpose", r.purpose->name},
            {"action", consent::to_string(r.entry.action)},
            {"ledger_seq", r.entry.seq ? ordered_json(r.entry.seq) : ordered_json(nullptr)},
            {"changed", r.before.consents() != r.after.consents()},
            {"registered_matches", r.root_matches},
            {"mirror_rows_changed", r.mirror.differing},
            {"notify", r.notify.size()}};
}

/// What a grant or withdrawal gives one subject.
struct ChangeOutcome {
    ExitStatus status = ExitStatus::ok;
    ordered_json json;   ///< the report
    std::string text;    ///< the report as text, when status is ok
    std::string error;   ///< why it failed, for stderr
};

/// One subject's grant or withdrawal: the intent, the ledger entry and the
/// mirror, the outcome. An ambiguous identity is reported (status
/// ambiguous, nothing written); any other failure is thrown, after the
/// failed entry is logged.
ChangeOutcome change_one(SubjectJob& job, const ConsentOptions& o, consent::Action action,
                         const policy::ConsentPurpose& purpose, const std::optional<jobs::Mirror>& mirror,
                         const NamedSubject& named, report::Envelope envelope) {
    const bool grant = action == consent::Action::granted;
    auto run = job.start(named, o.request_id,
                         {{"dry_run", o.dry_run}, {"purpose", purpose.name}, {"action", consent::to_string(action)}});
    jobs::ChangeResult result;
    try {
        jobs::ConsentChange change{&purpose, action, o.source, o.request_id, o.dry_run};
        result = jobs::change_consent(job.database(), job.store(), job.policy(), mirror, consent_subject(named),
                                      job.keys().pseudonym_key, change, job.when());
    } catch (const Error& e) {
        job.finish(run, "failed", {{"dry_run", o.dry_run}, {"exit_status", static_cast<int>(e.status())}});
        if (e.status() != ExitStatus::ambiguous_subject) throw;
        return {e.status(), failure_json(envelope, named, e), "", e.what()};
    }
    job.finish(run, "done", change_summary(result, o.dry_run));
    if (!o.dry_run) job.close_request(run, grant ? "consent granted" : "consent withdrawn");
    envelope.status = "ok";
    return {ExitStatus::ok,
            report::consent_change_json(envelope, job.policy(), {named.pseudonym, named.kind, result.root_matches},
                                        o.request_id, run.intent_seq, result),
            report::consent_change_text(job.policy(), result, o.dry_run), ""};
}

/// A grant or withdrawal for every subject of --subjects-file, each its own
/// job, one JSON report a line; the exit status is the worst subject's.
/// Every line is read and checked before anyone's consent is recorded.
ExitStatus change_batch(SubjectJob& job, const ConsentOptions& o, consent::Action action,
                        const policy::ConsentPurpose& purpose, const std::optional<jobs::Mirror>& mirror,
                        const std::vector<SubjectLine>& lines, const report::Envelope& envelope) {
    std::vector<NamedSubject> subjects;
    for (const auto& line : lines) subjects.push_back(parse_subject_line(job.policy(), job.keys(), o.subjects_file, line));
    ProgressLine progress(progress_wanted(o.progress, o.quiet));
    const bool reports_on_terminal = is_terminal(STDOUT_FILENO);
    std::size_t not_ok = 0;
    auto show_progress = [&](std::size_t done) {
        progress.update(subjects_progress(envelope.command + (o.dry_run ? " (dry run)" : ""), done, subjects.size(),
                                          not_ok, "not recorded"));
    };
    show_progress(0);
    ExitStatus worst = ExitStatus::ok;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        report::Envelope one = envelope;
        one.started_at = std::chrono::system_clock::now();
        one.steady_start = std::chrono::steady_clock::now();
        ChangeOutcome outcome;
        try {
            outcome = change_one(job, o, action, purpose, mirror, subjects[i], one);
        } catch (const Error& e) {
            outcome = {e.status(), failure_json(one, subjects[i], e), "", e.what()};
        }
        if (reports_on_terminal) progress.clear();
        if (outcome.status != ExitStatus::ok) {
            print_error(o.subjects_file + ":" + std::to_string(lines[i].line) + ": " + outcome.error);
            ++not_ok;
        }
        std::cout << outcome.json.dump() << '\n' << std::flush;
        worst = worse_of(worst, outcome.status);
        show_progress(i + 1);
    }
    progress.end();
    return worst;
}

void check_change_options(ConsentOptions& o) {
    if (o.subject.empty() == o.subjects_file.empty()) throw Error(ExitStatus::usage, "give one of --subject and --subjects-file");
    if (o.subjects_file.empty()) return;
    if (!o.request_id.empty())
        throw Error(ExitStatus::usage, "--request answers one subject's request; it cannot go with --subjects-file");
    if (o.format == Format::text) throw Error(ExitStatus::usage, "--subjects-file writes JSON lines; --format text is for one subject");
    o.format = Format::json;  // one report per line, whatever stdout is
}

ExitStatus run_change(ConsentOptions o, consent::Action action) {
    const bool grant = action == consent::Action::granted;
    report::Envelope envelope;
    envelope.command = grant ? "consent grant" : "consent withdraw";
    envelope.dry_run = o.dry_run;
    try {
        check_change_options(o);
        check_source(o.source);
        std::vector<SubjectLine> lines;
        if (!o.subjects_file.empty()) lines = read_subjects_file(o.subjects_file);
        auto job = SubjectJob::open(envelope.command, o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        // The purpose and its mirror are checked before the intent is logged:
        // a refusal leaves no trace but its message.
        const auto& purpose = jobs::consent_purpose(job->policy(), o.purpose);
        auto mirror = jobs::prepare_mirror(job->database(), job->policy(), purpose, job->database_ref().name);
        job->set_dry_run(o.dry_run);
        if (!o.subjects_file.empty()) return change_batch(*job, o, action, purpose, mirror, lines, envelope);

        auto outcome = change_one(*job, o, action, purpose, mirror, job->name(o.subject), envelope);
        if (outcome.status != ExitStatus::ok) print_error(outcome.error);
        if (outcome.status == ExitStatus::ok || effective(o.format) == Format::json)
            print_report(o.format, outcome.json, outcome.text);
        return outcome.status;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

ExitStatus run_show(const ConsentOptions& o) {
    report::Envelope envelope;
    envelope.command = "consent show";
    try {
        auto job = SubjectJob::open(envelope.command, o.location, o.db, /*read_only=*/true, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        const auto& policy = job->policy();
        std::vector<const policy::ConsentPurpose*> purposes;
        if (!o.purpose.empty()) {
            purposes.push_back(&jobs::consent_purpose(policy, o.purpose));
        } else {
            for (const auto& c : policy.consent) purposes.push_back(&c);
            if (purposes.empty()) throw Error(ExitStatus::usage, "the policy has no consent: section; nothing to show");
        }
        std::vector<std::optional<jobs::Mirror>> mirrors;
        for (const auto* p : purposes)
            mirrors.push_back(jobs::prepare_mirror(job->database(), policy, *p, job->database_ref().name));
        auto named = job->name(o.subject);
        ordered_json names = ordered_json::array();
        for (const auto* p : purposes) names.push_back(p->name);
        auto run = job->start(named, o.request_id, {{"purposes", names}});
        jobs::ShowResult result;
        try {
            result = jobs::show_consent(job->database(), job->store(), policy, purposes, mirrors, consent_subject(named),
                                        job->keys().pseudonym_key);
        } catch (const Error& e) {
            job->finish(run, "failed", {{"exit_status", static_cast<int>(e.status())}});
            if (e.status() == ExitStatus::ambiguous_subject) return ambiguous(o, envelope, named, e);
            throw;
        }
        std::size_t entries = 0;
        for (const auto& s : result.purposes) entries += s.history.size();
        job->finish(run, "done", {{"purposes", names}, {"entries", entries}, {"registered_matches", result.root_matches}});
        const bool unknown = result.unknown();
        envelope.status = unknown ? "not_found" : "ok";
        if (unknown)
            print_error("the subject is neither registered nor in the consent ledger for " +
                        std::string(purposes.size() == 1 ? "this purpose" : "these purposes") +
                        "; the report shows the defaults");
        else
            job->close_request(run, "consent record shown");
        print_report(o.format,
                     report::consent_show_json(envelope, policy, {named.pseudonym, named.kind, result.root_matches},
                                               o.request_id, run.intent_seq, result),
                     report::consent_show_text(policy, result));
        return unknown ? ExitStatus::subject_not_found : ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

ExitStatus run_list(const ConsentOptions& o) {
    report::Envelope envelope;
    envelope.command = "consent list";
    try {
        if (o.granted == o.withdrawn) throw Error(ExitStatus::usage, "give one of --granted and --withdrawn");
        if (!o.identity.empty() && !o.db)
            throw Error(ExitStatus::usage, "--identity chooses what --db prints; without --db the list is of pseudonyms");
        auto opened = open_state(o.location, o.format, envelope, true);
        if (!opened) return ExitStatus::invalid_policy;
        const auto& policy = *opened->policy;
        std::string how;
        auto keys = crypto::load_keys(keys_dir(o.location, opened->store->path(), how), how);
        const auto& purpose = jobs::consent_purpose(policy, o.purpose);
        report::ListQuery query{&purpose, o.granted ? consent::Action::granted : consent::Action::withdrawn, ""};
        if (o.db) {
            query.identity_kind = o.identity.empty() ? policy.identities.front().kind : o.identity;
            const auto* identity = policy.find_identity(query.identity_kind);
            if (!identity)
                throw Error(ExitStatus::usage, "--identity: '" + query.identity_kind + "' is not an identity of the policy");
            // --db stands for the policy's default database, as for every command.
            if (policy.find_table(identity->table)->database != policy.default_database()->name)
                throw Error(ExitStatus::usage, "--identity: '" + query.identity_kind + "' is held in the database '" +
                                                   policy.find_table(identity->table)->database +
                                                   "', and --db stands for the default one");
        }

        // A list with identities is an export of personal data: it is logged
        // like any job, with the counts, never the names.
        const auto when = now();
        audit::AuditLog log(*opened->store);
        audit::AuditEntry entry;
        entry.command = "consent list";
        entry.phase = "intent";
        entry.policy_sha256 = policy.sha256;
        entry.summary = {{"purpose", purpose.name},
                         {"state", consent::to_string(query.state)},
                         {"identity_kind", query.identity_kind.empty() ? ordered_json(nullptr) : ordered_json(query.identity_kind)}};
        entry.refers_to = log.append_and_sign(entry, keys, when).seq;
        entry.phase = "done";
        jobs::ListResult result;
        try {
            if (o.db) {
                auto db = db::open_database(jobs::database_url(policy, *policy.default_database(), o.db),
                                            {.read_only = true,
                                             .busy_timeout = std::chrono::milliseconds(o.location.busy_timeout_ms),
                                             .statement_timeout =
                                                 std::chrono::milliseconds(o.location.statement_timeout_ms),
                                             .kill_after_statements = std::nullopt,
                                             .on_statement = {}});
                result = jobs::list_identities(*db, *opened->store, policy, keys.pseudonym_key, purpose, query.state,
                                               query.identity_kind);
            } else {
                result = jobs::list_pseudonyms(*opened->store, purpose, query.state);
            }
        } catch (const Error& e) {
            entry.phase = "failed";
            entry.summary["exit_status"] = static_cast<int>(e.status());
            log.append_and_sign(entry, keys, when);
            throw;
        }
        entry.summary["count"] = result.names.size();
        entry.summary["complete"] = result.complete;
        if (o.db) entry.summary["unresolved"] = result.unresolved;
        log.append_and_sign(entry, keys, when);

        if (!result.complete)
            std::cerr << "dsr: note: " << purpose.name << " is opt-out: without --db only subjects the ledger knows are "
                      << "listed, not everyone who never opted out\n";
        if (result.unresolved)
            std::cerr << "dsr: note: " << result.unresolved << " subject(s) " << consent::to_string(query.state)
                      << " in the ledger have no " << query.identity_kind << " in the database and are not listed\n";
        envelope.status = "ok";
        if (o.format == Format::jsonl) {
            std::cout << report::consent_list_lines(query, result) << std::flush;
            return ExitStatus::ok;
        }
        print_report(o.format, report::consent_list_json(envelope, query, result), report::consent_list_text(result));
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

CLI::App* leaf(CLI::App& group, const std::string& name, const std::string& summary, const std::string& details,
               ConsentOptions& o) {
    auto* cmd = group.add_subcommand(name, summary);
    cmd->footer(details);
    add_state_options(*cmd, o.location, true);
    add_statement_timeout_option(*cmd, o.location.statement_timeout_ms);
    return cmd;
}

void add_subject_options(CLI::App& cmd, ConsentOptions& o, bool purpose_required, bool batch = false) {
    add_database_option(cmd, o.db, o.location.verbose);
    auto* subject =
        cmd.add_option("--subject", o.subject, "Who, as KIND=VALUE with KIND an identity of the policy")->group("Subject");
    if (batch) {
        cmd.add_option("--subjects-file", o.subjects_file,
                       "A batch: one KIND=VALUE per line (# comments); one JSON report per line")
            ->excludes(subject)
            ->group("Subject");
    } else {
        subject->required();
    }
    cmd.add_option("--request", o.request_id, "The request this answers; closed when the job is done")->group("Subject");
    auto* purpose = cmd.add_option("--purpose", o.purpose, "A purpose under consent: in the policy's consent: section")
                        ->group("Consent");
    if (purpose_required) purpose->required();
}

void add_change_command(CLI::App& group, Commands& commands, consent::Action action) {
    const bool grant = action == consent::Action::granted;
    auto o = std::make_shared<ConsentOptions>();
    auto* cmd = leaf(
        group, grant ? "grant" : "withdraw",
        grant ? "Record that the subject gives consent to a purpose" : "Record that the subject withdraws consent (or opts out)",
        grant ? "Append a grant to the consent ledger (pseudonym, purpose, UTC time, source,\n"
                "policy SHA-256) and set the purpose's mirror column, if the policy names one,\n"
                "in the subject's rows, in one transaction. A subject with no registered row is\n"
                "recorded all the same. A repeated grant is recorded again: each is evidence.\n\n"
                "Examples:\n"
                "  dsr consent grant --policy shop.yaml --subject email=ana@example.com --purpose marketing \\\n"
                "      --source \"web form: newsletter box\"\n"
                "  dsr consent grant --policy shop.yaml --subject customer_id=42 --purpose marketing --dry-run"
              : "Append a withdrawal to the consent ledger and set the purpose's mirror column to\n"
                "its withdrawn value in the subject's rows. The report lists the recipients that\n"
                "receive data for the purpose, to be told to stop. For an opt-out purpose (CCPA\n"
                "sale or sharing) this records the opt-out.\n\n"
                "Examples:\n"
                "  dsr consent withdraw --policy shop.yaml --subject email=ana@example.com --purpose marketing \\\n"
                "      --source \"unsubscribe link\"\n"
                "  dsr consent withdraw --policy ccpa.yaml --subject email=sam@example.com --purpose sale \\\n"
                "      --source \"Do Not Sell link\" --request R-2026-000004",
        *o);
    add_subject_options(*cmd, *o, true, /*batch=*/true);
    cmd->add_option("--source", o->source, "How it was given or withdrawn: web form, email, phone … (no personal data)")
        ->group("Consent");
    cmd->add_flag("--dry-run", o->dry_run, "Report what would be recorded and changed; write nothing")->group("Consent");
    add_progress_options(*cmd, o->progress, o->quiet, "Output");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o, action] { return run_change(*o, action); }});
}

}  // namespace

void add_consent_command(CLI::App* group, Commands& commands) {
    group->require_subcommand(1);

    add_change_command(*group, commands, consent::Action::granted);
    add_change_command(*group, commands, consent::Action::withdrawn);

    auto show = std::make_shared<ConsentOptions>();
    auto* show_cmd = leaf(*group, "show", "Show the subject's consent and its full history, per purpose",
                          "For each purpose under consent (or the one --purpose names): whether the\n"
                          "subject consents now, and every grant and withdrawal recorded for them under\n"
                          "any of their identities, with time, source and policy version; and whether\n"
                          "the mirror column agrees with the ledger.\n\n"
                          "Examples:\n"
                          "  dsr consent show --policy shop.yaml --subject email=ana@example.com\n"
                          "  dsr consent show --policy shop.yaml --subject customer_id=42 --purpose marketing --format json",
                          *show);
    add_subject_options(*show_cmd, *show, false);
    add_format_option(*show_cmd, show->format);
    commands.push_back({show_cmd, [show] { return run_show(*show); }});

    auto list = std::make_shared<ConsentOptions>();
    auto* list_cmd = leaf(*group, "list", "List the subjects who consent to a purpose, or who withdrew",
                          "Without --db: the pseudonyms whose latest entry is a grant (--granted) or a\n"
                          "withdrawal (--withdrawn). With --db: the identities of those subjects, read\n"
                          "from that database - what a mailing job may use; for an opt-out purpose,\n"
                          "--granted lists every registered subject who has not opted out. This is the\n"
                          "one consent output that carries personal data.\n\n"
                          "Examples:\n"
                          "  dsr consent list --policy shop.yaml --purpose marketing --granted\n"
                          "  dsr consent list --policy shop.yaml --purpose marketing --granted --db shop.db --format text > mailing.txt",
                          *list);
    list_cmd->add_option("--purpose", list->purpose, "A purpose under consent")->required()->group("Consent");
    list_cmd->add_flag("--granted", list->granted, "Subjects who consent now")->group("Consent");
    list_cmd->add_flag("--withdrawn", list->withdrawn, "Subjects whose latest entry is a withdrawal")->group("Consent");
    list_cmd->add_option("--db", list->db, "Print identities read from this database instead of pseudonyms")->group("Input");
    list_cmd->add_option("--identity", list->identity, "With --db: the identity to print (default: the policy's first)")
        ->group("Input");
    add_format_option(*list_cmd, list->format, /*with_jsonl=*/true);
    commands.push_back({list_cmd, [list] { return run_list(*list); }});
}

const TopLevelCommand consent_command{"consent", "Grant, withdraw, show and list consent per purpose (the consent ledger)",
                                      add_consent_command};

}  // namespace dsr::cli
