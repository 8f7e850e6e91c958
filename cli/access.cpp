// `dsr access`: everything held about one subject, for the subject (GDPR
// Art. 15, CCPA right to know, PIPL Art. 45); with --subjects-file, a batch
// of subjects in one process, one JSON report per line.

#include <algorithm>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/subject.h"
#include "cli/subject_job.h"
#include "jobs/access.h"
#include "report/access_report.h"
#include "util/atomic_file.h"

namespace dsr::cli {

namespace {

struct AccessOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::string subjects_file;
    std::string output;
    std::string request_id;
    bool all_matches = false;
    bool all_time = false;
    bool force = false;
    Format format = Format::automatic;
};

/// One subject's outcome: the report (JSON and text) and how it ends.
struct Outcome {
    ExitStatus status = ExitStatus::ok;
    nlohmann::ordered_json json;
    std::string text;
    std::string message;  ///< for stderr when not ok; counts, never values
};

nlohmann::ordered_json request_json(const std::string& request_id) {
    return request_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(request_id);
}

/// Counts per table with rows, for the audit entry.
nlohmann::ordered_json row_counts(const jobs::AccessResult& result) {
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    for (const auto& t : result.tables)
        if (!t.rows.empty()) counts[t.table->name] = t.rows.size();
    return counts;
}

/// Audits, reads and renders one subject. Statuses that concern only this
/// subject (not found, ambiguous) are returned; anything else is thrown.
Outcome access_one(SubjectJob& job, const AccessOptions& o, const NamedSubject& named, report::Envelope envelope) {
    const auto& policy = job.policy();
    jobs::AccessSettings settings{.now = job.when(), .all_time = o.all_time};
    Outcome out;
    SubjectRun run;
    try {
        run = job.begin(named, o.request_id, o.all_matches);
    } catch (const AmbiguousSubject& e) {
        out.status = ExitStatus::ambiguous_subject;
        out.message = e.what();
        envelope.status = "ambiguous";
        jobs::AccessResult nothing;
        nothing.today = CivilDate{std::chrono::floor<std::chrono::days>(job.when())};
        nothing.look_back = jobs::look_back_for(policy, job.database_ref().name, settings);
        out.json = report::access_not_found_json(envelope, policy, {named.pseudonym, named.kind, e.matches()}, nothing);
        out.json["request_id"] = request_json(o.request_id);
        out.json["error"] = {{"exit_status", static_cast<int>(out.status)}, {"message", out.message}};
        return out;
    }
    auto result = jobs::read_subject_data(job.database(), job.database_ref().name, policy, run.match, settings);
    if (result.total_rows == 0) {
        job.finish(run, "done", {{"rows", 0}});
        out.status = ExitStatus::subject_not_found;
        out.message = "no data found for the subject";
        envelope.status = "not_found";
        out.json = report::access_not_found_json(envelope, policy, run.ref(), result);
        out.text = report::access_not_found_text(policy, result);
        out.json["request_id"] = request_json(o.request_id);
        return out;
    }
    job.finish(run, "done", {{"rows", row_counts(result)}});
    job.close_request(run, "access report produced");
    envelope.status = "ok";
    out.json = report::access_json(envelope, policy, run.ref(), result);
    out.json["request_id"] = request_json(o.request_id);
    out.text = report::access_text(policy, result);
    return out;
}

ExitStatus run_single(const AccessOptions& o, report::Envelope& envelope) {
    auto job = SubjectJob::open("access", o.location, o.db, /*read_only=*/true, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    auto out = access_one(*job, o, job->name(o.subject), envelope);
    if (out.status != ExitStatus::ok) {
        print_error(out.message);
        print_report(o.format, out.json, out.text);
        return out.status;
    }
    if (!o.output.empty()) {
        // The report holds personal data: private file, written whole or not at all.
        bool text = effective(o.format) == Format::text;
        write_file_atomically(o.output, text ? out.text : out.json.dump(2) + "\n", 0600, o.force);
        return ExitStatus::ok;
    }
    print_report(o.format, out.json, out.text);
    return ExitStatus::ok;
}

ExitStatus run_batch(const AccessOptions& o, report::Envelope& envelope) {
    auto lines = read_subjects_file(o.subjects_file);
    auto job = SubjectJob::open("access", o.location, o.db, /*read_only=*/true, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    // Every line is checked before anyone's data is read.
    std::vector<NamedSubject> subjects;
    for (const auto& line : lines) subjects.push_back(parse_subject_line(job->policy(), job->keys(), o.subjects_file, line));
    ExitStatus worst = ExitStatus::ok;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        report::Envelope one = envelope;
        one.started_at = std::chrono::system_clock::now();
        one.steady_start = std::chrono::steady_clock::now();
        auto out = access_one(*job, o, subjects[i], one);
        if (out.status != ExitStatus::ok)
            print_error(o.subjects_file + ":" + std::to_string(lines[i].line) + ": " + out.message);
        std::cout << out.json.dump() << '\n' << std::flush;
        worst = worse_of(worst, out.status);
    }
    return worst;
}

/// Options that cannot go together, refused before anything is opened.
void check_options(const AccessOptions& o) {
    if (o.subject.empty() == o.subjects_file.empty())
        throw Error(ExitStatus::usage, "give exactly one of --subject and --subjects-file");
    if (o.subjects_file.empty()) return;
    if (!o.output.empty()) throw Error(ExitStatus::usage, "--subjects-file writes JSON lines to standard output; --output is for one subject");
    if (!o.request_id.empty()) throw Error(ExitStatus::usage, "--request answers one subject's request; it cannot go with --subjects-file");
    if (o.format == Format::text) throw Error(ExitStatus::usage, "--subjects-file writes JSON lines; --format text is for one subject");
}

ExitStatus run_access(AccessOptions o) {
    report::Envelope envelope;
    envelope.command = "access";
    try {
        check_options(o);
        if (o.subjects_file.empty()) return run_single(o, envelope);
        o.format = Format::json;  // one report per line, whatever stdout is
        return run_batch(o, envelope);
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

}  // namespace

void add_access_command(CLI::App& app, Commands& commands) {
    auto o = std::make_shared<AccessOptions>();
    auto* cmd = app.add_subcommand("access", "Report everything held about one subject (right of access)");
    cmd->footer(
        "Find the subject's rows in every table through the policy's links (foreign-key\n"
        "chains and identity links such as guest orders by email) and report them with\n"
        "each column's category, purposes, lawful basis and source, the recipients, how\n"
        "long each table is kept and until when each row is, and the subject's rights.\n"
        "Under the CCPA only the last 12 months are reported unless --all-time is given.\n"
        "Values of categories marked 'disclose: false' are never shown. Read-only.\n\n"
        "Examples:\n"
        "  dsr access --policy policies/shop.yaml --subject email=ana@example.com\n"
        "  dsr access --policy shop.yaml --subject customer_id=42 --format json --output ana.json\n"
        "  dsr access --policy shop.yaml --subjects-file batch.txt > reports.jsonl");
    add_state_options(*cmd, o->location, true);
    add_statement_timeout_option(*cmd, o->location.statement_timeout_ms);
    cmd->add_option("--db", o->db, "The policy's default database: sqlite:PATH, a file path, postgresql://… or a libpq keyword string")->group("Input");
    auto* subject = cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
                        ->group("Subject");
    cmd->add_option("--subjects-file", o->subjects_file,
                    "A batch: one KIND=VALUE per line (# comments); one JSON report per line")
        ->excludes(subject)
        ->group("Subject");
    cmd->add_flag("--all-matches", o->all_matches, "Report on every registered subject an ambiguous identity matches")
        ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the report is produced")
        ->group("Subject");
    cmd->add_flag("--all-time", o->all_time, "CCPA: report everything held, not only the last 12 months")
        ->group("Subject");
    cmd->add_option("--output", o->output, "Write the report to this file (mode 0600) instead of standard output")
        ->group("Output");
    cmd->add_flag("--force", o->force, "Replace an existing --output file")->group("Output");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_access(*o); }});
}

}  // namespace dsr::cli
