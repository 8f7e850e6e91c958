// `dsr access`: everything held about one subject, for the subject (GDPR
// Art. 15, CCPA right to know, PIPL Art. 45).

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
    std::string output;
    std::string request_id;
    bool all_matches = false;
    bool force = false;
    Format format = Format::automatic;
};

ExitStatus run_access(const AccessOptions& o) {
    report::Envelope envelope;
    envelope.command = "access";
    try {
        auto opened = open_state(o.location, o.format, envelope, true);
        if (!opened) return ExitStatus::invalid_policy;
        const auto& policy = *opened->policy;
        auto when = now();
        std::string how;
        auto keys = crypto::load_keys(keys_dir(o.location, opened->store->path(), how), how);

        auto named = parse_subject(policy, keys, o.subject);
        report::SubjectRef subject{named.pseudonym, named.kind, 0};

        // The intent is logged before any merchant data is read.
        audit::AuditLog log(*opened->store);
        audit::AuditEntry intent;
        intent.command = "access";
        intent.phase = "intent";
        intent.request_id = o.request_id;
        intent.subject = subject.pseudonym;
        intent.policy_sha256 = policy.sha256;
        // A re-run after a crash points at the attempt it completes.
        if (auto earlier = log.interrupted("access", subject.pseudonym); !earlier.empty())
            intent.refers_to = earlier.back().seq;
        intent = log.append(intent, when);

        const auto* database = policy.default_database();
        auto db = db::open_database(jobs::database_url(policy, *database, o.db),
                                    {.read_only = true, .busy_timeout = std::chrono::milliseconds(o.location.busy_timeout_ms)});
        auto match = graph::match_subject(*db, policy, named.kind, named.normalized_value);
        subject.registered_matches = match.root_matches;

        audit::AuditEntry done;
        done.command = "access";
        done.request_id = o.request_id;
        done.subject = subject.pseudonym;
        done.policy_sha256 = policy.sha256;
        done.refers_to = intent.seq;
        auto finish = [&](const std::string& phase, nlohmann::ordered_json summary) {
            done.phase = phase;
            done.summary = std::move(summary);
            log.append_and_sign(done, keys, when);
        };

        if (match.root_matches > 1 && !o.all_matches) {
            finish("failed", {{"ambiguous", match.root_matches}});
            throw Error(ExitStatus::ambiguous_subject,
                        "the identity matches " + std::to_string(match.root_matches) +
                            " registered subjects; nothing was read (use --all-matches to report on all of them)");
        }
        auto result = jobs::read_subject_data(*db, database->name, policy, match);
        nlohmann::ordered_json counts = nlohmann::ordered_json::object();
        for (const auto& t : result.tables)
            if (!t.rows.empty()) counts[t.table->name] = t.rows.size();
        if (result.total_rows == 0) {
            finish("done", {{"rows", 0}});
            envelope.status = "not_found";
            auto json = report::envelope_json(envelope);
            json["subject"] = {{"pseudonym", subject.pseudonym}, {"identity_kind", named.kind}, {"registered_matches", 0}};
            print_error("no data found for the subject");
            print_report(o.format, json, "No personal data is held about this subject.\n");
            return ExitStatus::subject_not_found;
        }
        finish("done", {{"rows", counts}});
        if (!o.request_id.empty()) requests::RequestLedger(*opened->store).close(o.request_id, "access report produced", when);

        envelope.status = "ok";
        auto json = report::access_json(envelope, policy, subject, result);
        json["request_id"] = o.request_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.request_id);
        if (!o.output.empty()) {
            // The report holds personal data: private file, written whole or not at all.
            bool text = effective(o.format) == Format::text;
            write_file_atomically(o.output, text ? report::access_text(policy, result) : json.dump(2) + "\n", 0600, o.force);
            return ExitStatus::ok;
        }
        print_report(o.format, json, report::access_text(policy, result));
        return ExitStatus::ok;
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
        "long each table is kept, and the subject's rights. Read-only.\n\n"
        "Examples:\n"
        "  dsr access --policy policies/shop.yaml --subject email=ana@example.com\n"
        "  dsr access --policy shop.yaml --subject customer_id=42 --format json --output ana.json");
    add_state_options(*cmd, o->location, true);
    cmd->add_option("--db", o->db, "The policy's default database: sqlite:PATH or a file path")->group("Input");
    cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
        ->required()
        ->group("Subject");
    cmd->add_flag("--all-matches", o->all_matches, "Report on every registered subject an ambiguous identity matches")
        ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the report is produced")
        ->group("Subject");
    cmd->add_option("--output", o->output, "Write the report to this file (mode 0600) instead of standard output")
        ->group("Output");
    cmd->add_flag("--force", o->force, "Replace an existing --output file")->group("Output");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_access(*o); }});
}

}  // namespace dsr::cli
