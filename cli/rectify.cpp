// `dsr rectify`: corrects named fields of one subject (GDPR Art. 16, CCPA
// right to correct, PIPL Art. 46) after type and format checks, in one
// transaction, and says whom to tell (GDPR Art. 19). Values never appear in
// the report, on stderr or in the audit log: only keyed hashes of them.

#include <unistd.h>

#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject.h"
#include "cli/subject_job.h"
#include "jobs/rectify.h"
#include "util/error.h"

namespace dsr::cli {

namespace {

struct RectifyOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::vector<std::string> sets;
    std::string request_id;
    bool dry_run = false;
    bool allow_join = false;
    bool yes = false;
    Format format = Format::automatic;
};

using Json = nlohmann::ordered_json;

Json hash_or_null(const std::optional<std::string>& hash) { return hash ? Json(*hash) : Json(nullptr); }

std::string rows_phrase(std::int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

Json fields_json(const jobs::RectifyResult& result) {
    Json out = Json::array();
    for (const auto& f : result.fields) {
        Json old = Json::array();
        for (const auto& v : f.old_values) old.push_back({{"hash", hash_or_null(v.hash)}, {"rows", v.rows}});
        out.push_back({{"table", f.table->name},
                       {"column", f.column->name},
                       {"category", f.column->category},
                       {"identity", f.identity.empty() ? Json(nullptr) : Json(f.identity)},
                       {"rows", f.rows},
                       {"rows_changed", f.rows_changed},
                       {"old_values", old},
                       {"new_hash", f.new_hash}});
    }
    return out;
}

Json followed_json(const jobs::RectifyResult& result) {
    Json out = Json::array();
    for (const auto& f : result.followed)
        out.push_back({{"table", f.table->name},
                       {"column", f.column},
                       {"identity", f.identity},
                       {"rows", f.rows},
                       {"rows_changed", f.rows_changed},
                       {"rows_joined", f.rows_joined}});
    return out;
}

/// What the audit's done entry keeps: field names, counts and hashes.
Json audit_summary(const jobs::RectifyResult& result, bool dry_run) {
    Json fields = Json::array();
    for (const auto& f : result.fields) {
        Json old = Json::array();
        for (const auto& v : f.old_values) old.push_back(hash_or_null(v.hash));
        fields.push_back({{"field", f.table->name + "." + f.column->name},
                          {"rows", f.rows},
                          {"rows_changed", f.rows_changed},
                          {"old_hashes", old},
                          {"new_hash", f.new_hash}});
    }
    Json followed = Json::array();
    for (const auto& f : result.followed)
        followed.push_back({{"field", f.table->name + "." + f.column},
                            {"identity", f.identity},
                            {"rows_changed", f.rows_changed},
                            {"rows_joined", f.rows_joined}});
    return {{"dry_run", dry_run}, {"fields", fields}, {"followed", followed}, {"rows_changed", result.rows_changed}};
}

Json subject_json(const NamedSubject& named, std::size_t matches) {
    return report::subject_json({named.pseudonym, named.kind, matches});
}

Json rectify_json(const report::Envelope& envelope, const RectifyOptions& o, const NamedSubject& named,
                  const jobs::RectifyResult& result) {
    auto json = report::envelope_json(envelope);
    json["subject"] = subject_json(named, result.root_matches);
    json["request_id"] = o.request_id.empty() ? Json(nullptr) : Json(o.request_id);
    json["value_hash"] = "blake2b-256-keyed";
    json["fields"] = fields_json(result);
    json["followed"] = followed_json(result);
    json["counts"] = {{"rows", result.rows}, {"rows_changed", result.rows_changed}};
    json["notify"] = report::notify_json(result.notify);
    return json;
}

std::string rectify_text(const jobs::RectifyResult& result, bool dry_run) {
    std::string text = dry_run ? "Dry run: nothing was changed. The run would change:\n" : "Rectified:\n";
    for (const auto& f : result.fields) {
        text += "  " + f.table->name + "." + f.column->name + ": " + std::to_string(f.rows_changed) + " of " +
                rows_phrase(f.rows) + (dry_run ? " would change" : " changed");
        if (!f.identity.empty()) text += " (the " + f.identity + " identity)";
        text += "\n";
    }
    for (const auto& f : result.followed) {
        if (!f.rows) continue;
        text += "    following it, " + f.table->name + "." + f.column + ": " + std::to_string(f.rows_changed) + " of " +
                rows_phrase(f.rows);
        if (f.rows_joined) text += "; " + rows_phrase(f.rows_joined) + " already held the new value and join the subject";
        text += "\n";
    }
    if (result.notify.empty()) {
        text += "No recipient received the changed categories; nobody to notify.\n";
    } else {
        text += "Notify these recipients of the correction (GDPR Art. 19):\n";
        for (const auto& n : result.notify) {
            std::string categories;
            for (const auto& c : n.categories) categories += (categories.empty() ? "" : ", ") + c;
            text += "  " + n.recipient->name + " (" + std::string(policy::to_string(n.recipient->role)) + ", " +
                    n.recipient->country + "): " + categories + "\n";
        }
    }
    text += "Values are not shown; the JSON report and the audit log hold keyed hashes of them.\n";
    return text;
}

/// What the intent records: which fields (names only) the run is about to change.
Json intent_summary(const RectifyOptions& o, const std::vector<jobs::Change>& changes) {
    Json fields = Json::array();
    for (const auto& c : changes) fields.push_back(c.field());
    return {{"dry_run", o.dry_run}, {"fields", fields}};
}

/// On a terminal, shows what the run will change and asks; scripts (no
/// terminal) and --yes go ahead, as --dry-run is there to look first.
bool confirmed(const std::string& plan) {
    std::cerr << plan << "Apply these changes? [y/N] " << std::flush;
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    return answer == "y" || answer == "Y" || answer == "yes";
}

ExitStatus run_rectify(const RectifyOptions& o) {
    report::Envelope envelope;
    envelope.command = "rectify";
    envelope.dry_run = o.dry_run;
    try {
        std::vector<jobs::SetSpec> specs;
        for (const auto& s : o.sets) specs.push_back(jobs::parse_set(s));

        auto job = SubjectJob::open("rectify", o.location, o.db, /*read_only=*/o.dry_run, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        // Every column and value is checked before the subject is looked up:
        // a refused value leaves no trace but its message.
        auto changes = jobs::check_changes(job->policy(), job->database_ref().name, specs);

        job->set_dry_run(o.dry_run);
        const auto& key = job->keys().pseudonym_key;
        auto run = job->start(job->name(o.subject), o.request_id, intent_summary(o, changes));

        jobs::RectifyResult result;
        try {
            jobs::RectifySettings settings{.dry_run = o.dry_run, .allow_join = o.allow_join};
            if (!o.dry_run && !o.yes && isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
                auto plan = jobs::rectify(job->database(), job->policy(), run.named.kind, run.named.normalized_value,
                                          changes, key, {.dry_run = true, .allow_join = o.allow_join});
                if (plan.rows_changed > 0 && !confirmed(rectify_text(plan, true)))
                    throw Error(ExitStatus::usage, "not confirmed; nothing was changed");
            }
            result = jobs::rectify(job->database(), job->policy(), run.named.kind, run.named.normalized_value, changes,
                                   key, settings);
        } catch (const Error& e) {
            job->finish(run, "failed", {{"dry_run", o.dry_run}, {"exit_status", static_cast<int>(e.status())}});
            if (e.status() != ExitStatus::ambiguous_subject) throw;
            print_error(e.what());
            envelope.status = "ambiguous";
            auto json = report::envelope_json(envelope);
            json["subject"] = subject_json(run.named, 0);
            json["error"] = {{"exit_status", static_cast<int>(e.status())}, {"message", e.what()}};
            print_report(o.format, json, "");
            return e.status();
        }

        job->finish(run, "done", audit_summary(result, o.dry_run));
        if (result.rows == 0) {
            envelope.status = "not_found";
            print_error("the subject has no rows to rectify in the tables named; nothing was changed");
            print_report(o.format, rectify_json(envelope, o, run.named, result),
                         "No rows of this subject in the tables named; nothing was changed.\n");
            return ExitStatus::subject_not_found;
        }
        if (!o.dry_run) job->close_request(run, "rectified");
        envelope.status = "ok";
        print_report(o.format, rectify_json(envelope, o, run.named, result), rectify_text(result, o.dry_run));
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

}  // namespace

void add_rectify_command(CLI::App* cmd, Commands& commands) {
    auto o = std::make_shared<RectifyOptions>();
    cmd->footer(
        "Set TABLE.COLUMN to VALUE in every row of the subject's in that table, after\n"
        "checking VALUE against the column's rectify rule (type, format, range, length,\n"
        "pattern). Only columns with a rectify rule can be set. All --set options are\n"
        "applied in one transaction: all or nothing. A column carrying an identity\n"
        "(e.g. customers.email) changes the identity: rows linked to the subject by the\n"
        "old value (guest orders, tickets) follow, so the subject is found under the new\n"
        "value. The report lists the recipients to notify; values are never shown, only\n"
        "keyed hashes. On a terminal the changes are shown and confirmed first.\n\n"
        "Examples:\n"
        "  dsr rectify --policy shop.yaml --subject customer_id=42 --set customers.first_name=Ana --dry-run\n"
        "  dsr rectify --policy shop.yaml --subject email=ana@example.com \\\n"
        "      --set customers.email=ana.new@example.com --yes --request R-2026-000001");
    add_state_options(*cmd, o->location, true);
    add_statement_timeout_option(*cmd, o->location.statement_timeout_ms);
    add_database_option(*cmd, o->db, o->location.verbose);
    cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
        ->required()
        ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the change is committed")
        ->group("Subject");
    cmd->add_option("--set", o->sets, "TABLE.COLUMN=VALUE: a rectifiable column and its new value; repeatable")
        ->required()
        ->allow_extra_args(false)
        ->group("Change");
    cmd->add_flag("--dry-run", o->dry_run, "Check and count what would change; change nothing")->group("Change");
    cmd->add_flag("--allow-join", o->allow_join,
                  "Allow a new identity value that other rows already carry (they become the subject's)")
        ->group("Change");
    cmd->add_flag("--yes", o->yes, "Do not ask for confirmation on a terminal")->group("Change");
    add_format_option(*cmd, o->format);
    commands.push_back({cmd, [o] { return run_rectify(*o); }});
}

const TopLevelCommand rectify_command{"rectify", "Correct named fields of one subject (right to rectification)",
                                      add_rectify_command};

}  // namespace dsr::cli
