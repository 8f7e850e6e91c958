// `dsr access`: everything held about one subject, for the subject (GDPR
// Art. 15, CCPA right to know, PIPL Art. 45); with --subjects-file, a batch
// of subjects in one process, one JSON report per line.

#include <algorithm>
#include <iostream>
#include <memory>

#include "audit/audit_log.h"
#include "cli/clock.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject.h"
#include "crypto/keys.h"
#include "db/database.h"
#include "graph/subject_rows.h"
#include "jobs/access.h"
#include "jobs/databases.h"
#include "report/access_report.h"
#include "requests/request_ledger.h"
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

/// What one access run needs, opened once for any number of subjects.
struct Session {
    OpenedState opened;
    std::optional<crypto::Keys> keys;
    const policy::DatabaseRef* database = nullptr;
    std::unique_ptr<db::Database> db;
    std::chrono::system_clock::time_point when;

    const policy::Policy& policy() const { return *opened.policy; }
};

/// One subject's outcome: the report (JSON and text) and how it ends.
struct Outcome {
    ExitStatus status = ExitStatus::ok;
    nlohmann::ordered_json json;
    std::string text;
    std::string message;  ///< for stderr when not ok; counts, never values
};

std::optional<Session> open_session(const AccessOptions& o, report::Envelope& envelope) {
    auto opened = open_state(o.location, o.format, envelope, true);
    if (!opened) return std::nullopt;
    Session s;
    s.opened = std::move(*opened);
    s.when = now();
    std::string how;
    s.keys.emplace(crypto::load_keys(keys_dir(o.location, s.opened.store->path(), how), how));
    s.database = s.policy().default_database();
    db::OpenOptions options;  // set by name: options added later keep their defaults
    options.read_only = true;
    options.busy_timeout = std::chrono::milliseconds(o.location.busy_timeout_ms);
    s.db = db::open_database(jobs::database_url(s.policy(), *s.database, o.db), options);
    return s;
}

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
Outcome access_one(Session& s, const AccessOptions& o, const NamedSubject& named, report::Envelope envelope) {
    const auto& policy = s.policy();
    report::SubjectRef subject{named.pseudonym, named.kind, 0};

    // The intent is logged before any merchant data is read.
    audit::AuditLog log(*s.opened.store);
    audit::AuditEntry intent;
    intent.command = "access";
    intent.phase = "intent";
    intent.request_id = o.request_id;
    intent.subject = subject.pseudonym;
    intent.policy_sha256 = policy.sha256;
    // A re-run after a crash points at the attempt it completes.
    if (auto earlier = log.interrupted("access", subject.pseudonym); !earlier.empty())
        intent.refers_to = earlier.back().seq;
    intent = log.append(intent, s.when);

    audit::AuditEntry done;
    done.command = "access";
    done.request_id = o.request_id;
    done.subject = subject.pseudonym;
    done.policy_sha256 = policy.sha256;
    done.refers_to = intent.seq;
    auto finish = [&](const std::string& phase, nlohmann::ordered_json summary) {
        done.phase = phase;
        done.summary = std::move(summary);
        log.append_and_sign(done, *s.keys, s.when);
    };

    auto match = graph::match_subject(*s.db, policy, named.kind, named.normalized_value);
    subject.registered_matches = match.root_matches;
    jobs::AccessSettings settings{.now = s.when, .all_time = o.all_time};
    Outcome out;
    if (match.root_matches > 1 && !o.all_matches) {
        finish("failed", {{"ambiguous", match.root_matches}});
        out.status = ExitStatus::ambiguous_subject;
        out.message = "the identity matches " + std::to_string(match.root_matches) +
                      " registered subjects; nothing was read (use --all-matches to report on all of them)";
        envelope.status = "ambiguous";
        jobs::AccessResult nothing;
        nothing.today = CivilDate{std::chrono::floor<std::chrono::days>(s.when)};
        nothing.look_back = jobs::look_back_for(policy, s.database->name, settings);
        out.json = report::access_not_found_json(envelope, policy, subject, nothing);
        out.json["request_id"] = request_json(o.request_id);
        out.json["error"] = {{"exit_status", static_cast<int>(out.status)}, {"message", out.message}};
        return out;
    }
    auto result = jobs::read_subject_data(*s.db, s.database->name, policy, match, settings);
    if (result.total_rows == 0) {
        finish("done", {{"rows", 0}});
        out.status = ExitStatus::subject_not_found;
        out.message = "no data found for the subject";
        envelope.status = "not_found";
        out.json = report::access_not_found_json(envelope, policy, subject, result);
        out.text = report::access_not_found_text(policy, result);
        out.json["request_id"] = request_json(o.request_id);
        return out;
    }
    finish("done", {{"rows", row_counts(result)}});
    if (!o.request_id.empty()) requests::RequestLedger(*s.opened.store).close(o.request_id, "access report produced", s.when);
    envelope.status = "ok";
    out.json = report::access_json(envelope, policy, subject, result);
    out.json["request_id"] = request_json(o.request_id);
    out.text = report::access_text(policy, result);
    return out;
}

ExitStatus run_single(const AccessOptions& o, report::Envelope& envelope) {
    auto session = open_session(o, envelope);
    if (!session) return ExitStatus::invalid_policy;
    auto named = parse_subject(session->policy(), *session->keys, o.subject);
    auto out = access_one(*session, o, named, envelope);
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

/// How bad a subject's outcome is, for the batch's exit status.
int severity(ExitStatus status) {
    switch (status) {
        case ExitStatus::ok: return 0;
        case ExitStatus::subject_not_found: return 1;
        default: return 2;  // ambiguous_subject
    }
}

ExitStatus run_batch(const AccessOptions& o, report::Envelope& envelope) {
    auto lines = read_subjects_file(o.subjects_file);
    auto session = open_session(o, envelope);
    if (!session) return ExitStatus::invalid_policy;
    // Every line is checked before anyone's data is read.
    std::vector<NamedSubject> subjects;
    for (const auto& line : lines) subjects.push_back(parse_subject_line(session->policy(), *session->keys, o.subjects_file, line));
    ExitStatus worst = ExitStatus::ok;
    for (std::size_t i = 0; i < subjects.size(); ++i) {
        report::Envelope one = envelope;
        one.started_at = std::chrono::system_clock::now();
        one.steady_start = std::chrono::steady_clock::now();
        auto out = access_one(*session, o, subjects[i], one);
        if (out.status != ExitStatus::ok)
            print_error(o.subjects_file + ":" + std::to_string(lines[i].line) + ": " + out.message);
        std::cout << out.json.dump() << '\n' << std::flush;
        if (severity(out.status) > severity(worst)) worst = out.status;
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
    cmd->add_option("--db", o->db, "The policy's default database: sqlite:PATH or a file path")->group("Input");
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
