// `dsr purge`: enforce the policy's retention rules, for cron and systemd
// timers. No prompt; progress only on a terminal; batches short enough for
// a live shop; --max-duration stops cleanly between batches (exit 14), and
// the next run continues where this one stopped. One purge per database at
// a time (purge/purge_lock.h). Reports and audit entries carry counts only.

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <utility>

#include "audit/audit_log.h"
#include "cli/clock.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "cli/state_options.h"
#include "cli/subject_job.h"
#include "crypto/keys.h"
#include "jobs/databases.h"
#include "jobs/purge.h"
#include "report/purge_report.h"
#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

using namespace std::chrono;
using nlohmann::ordered_json;

struct PurgeOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string table;
    bool table_given = false;  ///< --table was on the command line, even empty
    std::size_t batch_size = jobs::default_purge_batch;
    std::string max_duration;
    std::string progress = "auto";  ///< auto (stderr is a terminal), always, never
    bool quiet = false;             ///< no progress, whatever --progress says
    bool dry_run = false;
    Format format = Format::automatic;
};

// --- stopping between batches ------------------------------------------------------

volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int signal) { stop_signal = signal; }

/// SIGINT and SIGTERM (Ctrl-C, systemd stopping the unit) finish the batch
/// in hand and stop; a second signal kills as usual (SA_RESETHAND).
void catch_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

/// `90s`, `30m`, `2h`, `1h30m`, or plain seconds.
std::optional<seconds> parse_max_duration(const std::string& text) {
    if (text.empty()) return std::nullopt;
    seconds total{0};
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t digits = at;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
        if (digits == at || digits - at > 9)
            throw Error(ExitStatus::usage, "--max-duration: '" + text + "' is not a duration such as 90s, 30m, 2h or 1h30m");
        long long n = std::stoll(text.substr(at, digits - at));
        char unit = digits < text.size() ? text[digits] : 's';
        switch (unit) {
            case 's': total += seconds{n}; break;
            case 'm': total += minutes{n}; break;
            case 'h': total += hours{n}; break;
            default:
                throw Error(ExitStatus::usage,
                            "--max-duration: '" + text + "' is not a duration such as 90s, 30m, 2h or 1h30m");
        }
        at = digits < text.size() ? digits + 1 : digits;
    }
    return total;
}

// --- the run ---------------------------------------------------------------------------

/// The databases holding tables with a retention rule (or --table's).
std::vector<const policy::DatabaseRef*> databases_to_purge(const policy::Policy& policy, const std::string& table) {
    std::vector<const policy::DatabaseRef*> out;
    for (const auto& d : policy.databases)
        for (const auto& t : policy.tables)
            if (t.database == d.name && t.retention && (table.empty() || t.name == table)) {
                out.push_back(&d);
                break;
            }
    return out;
}

ordered_json audit_summary(const std::vector<report::PurgedDatabase>& databases, bool dry_run,
                           const std::string& stopped_by) {
    bool complete = true;
    for (const auto& d : databases) complete = complete && d.outcome->complete;
    ordered_json summary = {
        {"dry_run", dry_run}, {"complete", complete}, {"tables", report::purge_tables_json(databases)}};
    if (!stopped_by.empty()) summary["stopped_by"] = stopped_by;
    return summary;
}

/// A second, read-only connection on which the next rows are read while
/// the first writes (jobs/purge.h), where reads do not hold up commits; null
/// elsewhere, or when the server refuses another connection (a role's
/// CONNECTION LIMIT, max_connections): the reads then run between batches.
std::unique_ptr<db::Database> open_reader(const db::Database& db, const std::string& url, const PurgeOptions& o) {
    if (!db.reads_beside_writes()) return nullptr;
    try {
        return db::open_database(url, {.read_only = true,
                                       .busy_timeout = milliseconds(o.location.busy_timeout_ms),
                                       .statement_timeout = milliseconds(o.location.statement_timeout_ms),
                                       .kill_after_statements = std::nullopt,
                                       .manual_checkpoints = false,
                                       .custom_plans = true,
                                       .parallel_workers = false,
                                       .on_statement = statement_printer(o.location.verbose),
                                       .application_name = "dsr purge reader"});
    } catch (const Error&) {
        return nullptr;
    }
}

ExitStatus run_purge(const PurgeOptions& o) {
    report::Envelope envelope;
    envelope.command = "purge";
    envelope.dry_run = o.dry_run;
    envelope.policy_path = o.location.policy;
    try {
        // `--table "$T"` with T unset would otherwise purge every table.
        if (o.table_given && o.table.empty())
            throw Error(ExitStatus::usage, "--table is empty: name a table of the policy, or leave --table out to purge them all");
        auto max_duration = parse_max_duration(o.max_duration);
        if (o.batch_size < 1 || o.batch_size > 1000000)
            throw Error(ExitStatus::usage, "--batch-size must be between 1 and 1000000");
        auto opened = open_state(o.location, o.format, envelope, true);
        if (!opened) return ExitStatus::invalid_policy;
        const auto& policy = *opened->policy;
        auto& store = *opened->store;
        std::string how;
        auto keys = crypto::load_keys(keys_dir(o.location, store.path(), how), how);
        if (!o.table.empty()) jobs::check_purge_table(policy, o.table);
        auto targets = databases_to_purge(policy, o.table);

        const auto when = now();
        report::PurgeRun run;
        run.as_of = format_date(CivilDate{floor<days>(when)});
        run.batch_size = o.batch_size;

        audit::AuditLog log(store);
        audit::AuditEntry intent;
        intent.command = "purge";
        intent.phase = "intent";
        intent.policy_sha256 = policy.sha256;
        intent.dry_run = o.dry_run;
        intent.summary = {{"as_of", run.as_of}, {"batch_size", o.batch_size}};
        if (!o.table.empty()) intent.summary["table"] = o.table;
        if (auto earlier = log.interrupted("purge"); !earlier.empty()) intent.refers_to = earlier.back().seq;
        // Signed at once, so a killed purge leaves a log that verifies.
        run.intent_seq = log.append_and_sign(intent, keys, when).seq;

        catch_stop_signals();
        const auto started = steady_clock::now();
        ProgressLine progress(progress_wanted(o.progress, o.quiet));
        jobs::PurgeSettings settings;
        settings.now = when;
        settings.only_table = o.table;
        settings.batch_size = o.batch_size;
        settings.dry_run = o.dry_run;
        settings.should_stop = [&] {
            if (stop_signal) run.stopped_by = "signal";
            else if (max_duration && steady_clock::now() - started >= *max_duration) run.stopped_by = "max_duration";
            return !run.stopped_by.empty();
        };
        settings.on_progress = [&](const jobs::PurgeProgress& p) {
            // The total is an estimate, from how much of the key ranges is walked.
            progress.update({.what = "purge " + p.table->name,
                             .done = p.examined,
                             .total = std::nullopt,
                             .fraction = p.fraction,
                             .unit = "expired rows",
                             .detail = thousands(p.changed) + " changed"});
        };

        std::vector<std::unique_ptr<jobs::PurgeOutcome>> outcomes;
        auto finish = [&](const std::string& phase, ordered_json summary) {
            audit::AuditEntry done;
            done.command = "purge";
            done.phase = phase;
            done.policy_sha256 = policy.sha256;
            done.refers_to = run.intent_seq;
            done.dry_run = o.dry_run;
            done.summary = std::move(summary);
            run.done_seq = log.append_and_sign(done, keys, when).seq;
        };
        try {
            for (const auto* ref : targets) {
                const std::string url = jobs::database_url(policy, *ref, o.db);
                const std::string location = jobs::canonical_location(url);
                auto db = db::open_database(url, {.read_only = o.dry_run,
                                                  .busy_timeout = milliseconds(o.location.busy_timeout_ms),
                                                  .statement_timeout =
                                                      milliseconds(o.location.statement_timeout_ms),
                                                  .kill_after_statements =
                                                      o.dry_run ? std::nullopt : fault_injection(),
                                                  .manual_checkpoints = true,
                                                  .custom_plans = true,
                                                  .on_statement = statement_printer(o.location.verbose)});
                // Declared before any use of the connection, destroyed before it.
                std::unique_ptr<db::JobLock> lock;
                if (!o.dry_run) lock = db->lock_job("purge");
                auto reader = o.dry_run ? nullptr : open_reader(*db, url, o);
                settings.reader = reader.get();
                auto setup = jobs::prepare_erasure(*db, policy, ref->name);
                auto& outcome = *outcomes.emplace_back(std::make_unique<jobs::PurgeOutcome>());
                run.databases.push_back({ref->name, &outcome});
                purge::PurgeCursors cursors(store, location);
                jobs::run_purge(*db, policy, setup, o.dry_run ? nullptr : &cursors, keys.pseudonym_key, settings,
                                outcome);
                if (!outcome.complete) break;
            }
        } catch (const Error& e) {
            // What the committed batches did stays done: the report and the
            // audit entry say so, with the error.
            progress.abandon();
            auto summary = audit_summary(run.databases, o.dry_run, run.stopped_by);
            summary["exit_status"] = static_cast<int>(e.status());
            finish("failed", summary);
            print_error(e.what());
            envelope.status = "error";
            auto json = report::purge_json(envelope, run);
            json["error"] = {{"exit_status", static_cast<int>(e.status())}, {"message", e.what()}};
            print_report(o.format, json, report::purge_text(run, o.dry_run));
            return e.status();
        }
        progress.end();
        finish("done", audit_summary(run.databases, o.dry_run, run.stopped_by));
        bool complete = run.stopped_by.empty();
        std::string residue;
        for (const auto& d : run.databases) {
            complete = complete && d.outcome->complete;
            if (!d.outcome->residue_problem.empty()) residue = d.outcome->residue_problem;
        }
        if (!residue.empty()) {
            // The rows are purged, but copies of them remain in the WAL: cron
            // must hear of it (the next purge empties it).
            print_error(residue);
            envelope.status = "error";
            print_report(o.format, report::purge_json(envelope, run), report::purge_text(run, o.dry_run));
            return ExitStatus::database_busy;
        }
        envelope.status = complete ? "ok" : "incomplete";
        print_report(o.format, report::purge_json(envelope, run), report::purge_text(run, o.dry_run));
        return complete ? ExitStatus::ok : ExitStatus::more_to_do;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

}  // namespace

void add_purge_command(CLI::App* cmd, Commands& commands) {
    auto o = std::make_shared<PurgeOptions>();
    cmd->footer(
        "Every table with a retention rule is walked in key order, children before\n"
        "parents, in batches; each batch is one short write transaction, so a live\n"
        "shop keeps writing. Rows under an unexpired hold are left, and so are rows\n"
        "that rows kept elsewhere still refer to. Deleted values are zeroed in the\n"
        "file and the write-ahead log is emptied at the end.\n\n"
        "Never asks; progress is drawn only when stderr is a terminal. Killed or\n"
        "stopped by --max-duration or SIGTERM (exit 14), the next run continues where\n"
        "this one stopped. A second purge of the same database exits 11 at once.\n\n"
        "Examples:\n"
        "  dsr purge --policy shop.yaml --dry-run\n"
        "  dsr purge --policy shop.yaml --max-duration 30m --format json >> purge.log\n"
        "  dsr purge --policy shop.yaml --table web_sessions --batch-size 5000");
    add_state_options(*cmd, o->location, true);
    add_statement_timeout_option(*cmd, o->location.statement_timeout_ms);
    add_database_option(*cmd, o->db, o->location.verbose);
    auto* table = cmd->add_option("--table", o->table,
                                  "Purge only this table (its children are not purged, so they may keep rows)")
                      ->group("Purge");
    cmd->add_option("--batch-size", o->batch_size,
                    "Most rows per batch, each its own transaction; batches are sized to hold the lock about "
                    "50 ms (default 10000)")
        ->group("Purge");
    cmd->add_option("--max-duration", o->max_duration,
                    "Stop between batches after this long (90s, 30m, 2h, 1h30m) and exit 14; the next run continues")
        ->group("Purge");
    add_progress_options(*cmd, o->progress, o->quiet, "Purge");
    cmd->add_flag("--dry-run", o->dry_run, "Report what the purge would do; change nothing")->group("Purge");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o, table] {
                            o->table_given = table->count() > 0;
                            return run_purge(*o);
                        }});
}

const TopLevelCommand purge_command{"purge", "Delete or mask data whose retention period has ended (for cron)",
                                    add_purge_command};

}  // namespace dsr::cli
