// `dsr access`: everything held about one subject, for the subject (GDPR
// Art. 15, CCPA right to know, PIPL Art. 45); with --subjects-file, a batch
// of subjects in one process, one JSON report per line.

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <span>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/terminal.h"
#include "cli/subject.h"
#include "cli/subject_job.h"
#include "jobs/access.h"
#include "report/access_report.h"
#include "state/state_store.h"
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
    std::string progress = "auto";  ///< of a batch: auto (stderr is a terminal), always, never
    bool quiet = false;
    Format format = Format::automatic;
};

/// One subject's outcome: the report (JSON and text), how it ends, and
/// what its closing audit entry says.
struct Outcome {
    ExitStatus status = ExitStatus::ok;
    std::string json;  ///< compact, one line
    std::string text;
    std::string message;  ///< for stderr when not ok; counts, never values
    /// The run's `done` entry; nullopt when match() logged it as failed.
    std::optional<nlohmann::ordered_json> done_summary;
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

/// Finds, reads and renders one subject whose intent is logged, in one read
/// transaction, so the report shows one state of the shop. Statuses that
/// concern only this subject (not found, ambiguous) are returned; anything
/// else is thrown.
Outcome read_one(SubjectJob& job, const AccessOptions& o, report::AccessJsonWriter& writer, SubjectRun& run,
                 report::Envelope envelope) {
    const auto& policy = job.policy();
    jobs::AccessSettings settings{.now = job.when(), .all_time = o.all_time};
    // Rendered only when it will be shown: a batch writes JSON lines.
    const bool as_text = effective(o.format) == Format::text;
    Outcome out;
    jobs::AccessResult result;
    try {
        db::ReadTransaction snapshot(job.database());
        job.match(run, o.all_matches);
        result = jobs::read_subject_data(job.database(), job.database_ref().name, policy, run.match, settings);
    } catch (const AmbiguousSubject& e) {
        out.status = ExitStatus::ambiguous_subject;
        out.message = e.what();
        envelope.status = "ambiguous";
        jobs::AccessResult nothing;
        nothing.today = CivilDate{std::chrono::floor<std::chrono::days>(job.when())};
        nothing.look_back = jobs::look_back_for(policy, job.database_ref().name, settings);
        out.json = writer.not_found(envelope, {run.named.pseudonym, run.named.kind, e.matches()}, nothing);
        report::append_member(out.json, "request_id", request_json(o.request_id));
        report::append_member(out.json, "error",
                              {{"exit_status", static_cast<int>(out.status)}, {"message", out.message}});
        return out;
    }
    if (result.total_rows == 0) {
        out.done_summary = {{"rows", 0}};
        out.status = ExitStatus::subject_not_found;
        out.message = "no data found for the subject";
        envelope.status = "not_found";
        out.json = writer.not_found(envelope, run.ref(), result);
        if (as_text) out.text = report::access_not_found_text(policy, result);
        report::append_member(out.json, "request_id", request_json(o.request_id));
        return out;
    }
    out.done_summary = {{"rows", row_counts(result)}};
    envelope.status = "ok";
    out.json = writer.report(envelope, run.ref(), result);
    report::append_member(out.json, "request_id", request_json(o.request_id));
    if (as_text) out.text = report::access_text(policy, result);
    return out;
}

/// Subjects a batch audits together. Their intents and one signed head share
/// one commit, made before any of their data is read; their done entries
/// and one signed head share another, made before any of their reports
/// leaves the process. So every report that is printed has its intent and
/// outcome on disk, as with one subject, at two disk syncs a group instead
/// of two a subject, and `audit verify` checks two signatures a group; the
/// price is holding a group's reports in memory.
constexpr std::size_t group_size = 64;

/// Audits, reads and renders a group of subjects (one, without a batch).
std::vector<Outcome> access_group(SubjectJob& job, const AccessOptions& o, report::AccessJsonWriter& writer,
                                  std::span<const NamedSubject> subjects, const report::Envelope& envelope) {
    std::vector<SubjectRun> runs;
    {
        state::StateTransaction intents(job.store());
        for (const auto& named : subjects) runs.push_back(job.start_in_group(named, o.request_id));
        job.sign_head();
        intents.commit();
    }
    std::vector<Outcome> outcomes;
    for (auto& run : runs) {
        report::Envelope one = envelope;
        one.started_at = std::chrono::system_clock::now();
        one.steady_start = std::chrono::steady_clock::now();
        outcomes.push_back(read_one(job, o, writer, run, one));
    }
    state::StateTransaction outcomes_logged(job.store());
    for (std::size_t i = 0; i < runs.size(); ++i)
        if (outcomes[i].done_summary) job.log_outcome(runs[i], "done", *outcomes[i].done_summary);
    job.sign_head();
    outcomes_logged.commit();
    if (!o.request_id.empty())
        for (std::size_t i = 0; i < runs.size(); ++i)
            if (outcomes[i].status == ExitStatus::ok) job.close_request(runs[i], "access report produced");
    return outcomes;
}

ExitStatus run_single(const AccessOptions& o, report::Envelope& envelope) {
    auto job = SubjectJob::open("access", o.location, o.db, /*read_only=*/true, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    const NamedSubject named = job->name(o.subject);
    report::AccessJsonWriter writer(job->policy());
    auto out = std::move(access_group(*job, o, writer, {&named, 1}, envelope).front());
    const bool text = effective(o.format) == Format::text;
    auto show = [&] {
        if (text)
            std::cout << (color_enabled(STDOUT_FILENO) ? paint_report(out.text) : out.text);
        else
            std::cout << out.json << '\n';
        std::cout << std::flush;
    };
    if (out.status != ExitStatus::ok) {
        print_error(out.message);
        show();
        return out.status;
    }
    if (!o.output.empty()) {
        // The report holds personal data: private file, written whole or not at all.
        write_file_atomically(o.output, text ? out.text : nlohmann::ordered_json::parse(out.json).dump(2) + "\n", 0600,
                              o.force);
        return ExitStatus::ok;
    }
    show();
    return ExitStatus::ok;
}

ExitStatus run_batch(const AccessOptions& o, report::Envelope& envelope) {
    auto lines = read_subjects_file(o.subjects_file);
    auto job = SubjectJob::open("access", o.location, o.db, /*read_only=*/true, o.format, envelope);
    if (!job) return ExitStatus::invalid_policy;
    // Every line is checked before anyone's data is read.
    std::vector<NamedSubject> subjects;
    for (const auto& line : lines) subjects.push_back(parse_subject_line(job->policy(), job->keys(), o.subjects_file, line));
    report::AccessJsonWriter writer(job->policy());
    ExitStatus worst = ExitStatus::ok;
    ProgressLine progress(progress_wanted(o.progress, o.quiet));
    // Reports on the same terminal as the progress line would run into it.
    const bool reports_on_terminal = is_terminal(STDOUT_FILENO);
    std::size_t not_ok = 0;
    auto show_progress = [&](std::size_t done) {
        progress.update(subjects_progress("access", done, subjects.size(), not_ok, "not reported"));
    };
    show_progress(0);
    for (std::size_t first = 0; first < subjects.size(); first += group_size) {
        const std::size_t count = std::min(group_size, subjects.size() - first);
        auto outcomes = access_group(*job, o, writer, std::span(subjects).subspan(first, count), envelope);
        if (reports_on_terminal) progress.clear();
        for (std::size_t i = 0; i < count; ++i) {
            const auto& out = outcomes[i];
            if (out.status != ExitStatus::ok)
                print_error(o.subjects_file + ":" + std::to_string(lines[first + i].line) + ": " + out.message);
            std::cout << out.json << '\n';
            worst = worse_of(worst, out.status);
            if (out.status != ExitStatus::ok) ++not_ok;
        }
        std::cout << std::flush;
        show_progress(first + count);
    }
    progress.end();
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

void add_access_command(CLI::App* cmd, Commands& commands) {
    auto o = std::make_shared<AccessOptions>();
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
    add_database_option(*cmd, o->db, o->location.verbose);
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
    add_progress_options(*cmd, o->progress, o->quiet, "Output");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_access(*o); }});
}

const TopLevelCommand access_command{"access", "Report everything held about one subject (right of access)",
                                     add_access_command};

}  // namespace dsr::cli
