// `dsr breach`: who and what a personal-data breach touched, within the
// notification deadlines (GDPR Art. 33 and 34, Cal. Civ. Code § 1798.82,
// PIPL Art. 57). `assess` counts set-based what the scope exposed and
// records an incident; `notify-list` writes the affected people's contacts,
// the only output with personal data, 0600 or age-encrypted; `list`,
// `notified` and `close` track the notices. Reports and audit entries hold
// counts, categories and deadlines only.

#include <iostream>
#include <memory>

#include "audit/audit_log.h"
#include "breach/affected.h"
#include "breach/incident_ledger.h"
#include "breach/notice.h"
#include "breach/scope.h"
#include "cli/clock.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject_job.h"
#include "crypto/age.h"
#include "export/csv.h"
#include "util/atomic_file.h"
#include "util/civil_date.h"
#include "util/error.h"
#include "util/sha256.h"

namespace dsr::cli {

namespace {

using Json = nlohmann::ordered_json;
using std::chrono::system_clock;

struct BreachOptions {
    StateLocation location;
    std::optional<std::string> db;
    breach::ScopeRequest scope;
    std::string discovered_at;
    bool encrypted = false;
    std::string note;
    bool dry_run = false;
    std::string incident;
    std::string output;
    bool force = false;
    std::vector<std::string> recipients;
    bool overdue = false;
    std::string status;
    std::string to;
    std::string at;
    std::string reference;
    Format format = Format::automatic;
};

std::string iso(std::int64_t unix_seconds) { return report::utc_iso8601(system_clock::from_time_t(unix_seconds)); }

Json iso_or_null(const std::optional<std::int64_t>& t) { return t ? Json(iso(*t)) : Json(nullptr); }

std::int64_t unix_seconds(system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

/// --discovered-at or --at: a UTC time, else now.
std::int64_t time_or_now(const std::string& text, const char* option, system_clock::time_point when) {
    if (text.empty()) return unix_seconds(when);
    auto t = parse_utc_time(text);
    if (!t) throw Error(ExitStatus::usage, std::string(option) + " '" + text + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    return *t;
}

std::string count_phrase(std::int64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// Closes an intent whose job an error ended: a failed entry with the exit
/// status, signed, so the log shows the attempt and how it ended.
void log_failed(audit::AuditLog& log, SubjectJob& job, audit::AuditEntry intent, std::int64_t intent_seq,
                const Error& error) {
    intent.phase = "failed";
    intent.refers_to = intent_seq;
    intent.summary = {{"exit_status", static_cast<int>(error.status())}};
    log.append_and_sign(intent, job.keys(), job.when());
}

// --- assess ------------------------------------------------------------------------

/// The assessment as the report and the incident show it (no envelope).
Json assessment_json(const policy::Policy& policy, const breach::Scope& scope, const breach::AffectedCounts& counts,
                     const std::vector<breach::ExposedCategory>& categories, const breach::Risk& risk,
                     const std::vector<breach::NoticeDeadline>& deadlines, std::int64_t discovered_at, bool encrypted) {
    Json scope_out = breach::scope_json(scope);
    scope_out["since"] = iso_or_null(scope.since);
    scope_out["until"] = iso_or_null(scope.until);
    Json records = Json::array();
    std::int64_t total = 0;
    for (const auto& r : counts.records) {
        records.push_back({{"table", r.table->name}, {"rows", r.rows}});
        total += r.rows;
    }
    Json exposed = Json::array();
    std::set<std::string> names;
    for (const auto& c : categories) {
        exposed.push_back({{"category", c.name}, {"sensitive", c.sensitive}, {"columns", c.columns}});
        names.insert(c.name);
    }
    Json holders = Json::array();
    for (const auto& share : policy::recipients_receiving(policy, names))
        holders.push_back({{"id", share.recipient->id},
                           {"name", share.recipient->name},
                           {"role", policy::to_string(share.recipient->role)},
                           {"country", share.recipient->country},
                           {"categories", share.categories}});
    Json notices = Json::array();
    for (const auto& d : deadlines)
        notices.push_back({{"regime", policy::to_string(policy.regime)},
                           {"notify", d.notify},
                           {"due", iso_or_null(d.due)},
                           {"rule", d.rule}});
    return {{"discovered_at", iso(discovered_at)},
            {"encrypted", encrypted},
            {"scope", scope_out},
            {"subjects", {{"total", counts.subjects}, {"registered", counts.registered}, {"guests", counts.guests()}}},
            {"records", records},
            {"records_total", total},
            {"categories", exposed},
            {"recipients", holders},
            {"deadlines", notices},
            {"risk", {{"level", risk.high ? "high" : "normal"}, {"reasons", risk.reasons}}}};
}

std::string assessment_text(const Json& a, const Json& incident) {
    std::string text = incident.is_null() ? "Dry run: the assessment is not recorded.\n"
                                          : "Incident " + incident.get<std::string>() + " recorded.\n";
    text += "Discovered " + a["discovered_at"].get<std::string>() + "\n";
    text += "People affected: " + std::to_string(a["subjects"]["total"].get<std::int64_t>()) + " (" +
            std::to_string(a["subjects"]["registered"].get<std::int64_t>()) + " registered, " +
            std::to_string(a["subjects"]["guests"].get<std::int64_t>()) + " guests)\n";
    text += "Records: " + std::to_string(a["records_total"].get<std::int64_t>()) + "\n";
    for (const auto& r : a["records"])
        text += "  " + r["table"].get<std::string>() + ": " + count_phrase(r["rows"].get<std::int64_t>(), "row", "rows") + "\n";
    text += "Categories exposed:\n";
    for (const auto& c : a["categories"]) {
        std::string columns;
        for (const auto& col : c["columns"]) columns += (columns.empty() ? "" : ", ") + col.get<std::string>();
        text += "  " + c["category"].get<std::string>() + (c["sensitive"].get<bool>() ? " (sensitive)" : "") + ": " +
                columns + "\n";
    }
    if (a["recipients"].empty()) text += "No recipient receives these categories.\n";
    else text += "Recipients who hold the same data:\n";
    for (const auto& r : a["recipients"]) {
        std::string categories;
        for (const auto& c : r["categories"]) categories += (categories.empty() ? "" : ", ") + c.get<std::string>();
        text += "  " + r["name"].get<std::string>() + " (" + r["role"].get<std::string>() + ", " +
                r["country"].get<std::string>() + "): " + categories + "\n";
    }
    text += "Risk: " + a["risk"]["level"].get<std::string>() + "\n";
    for (const auto& reason : a["risk"]["reasons"]) text += "  " + reason.get<std::string>() + "\n";
    text += "Notices:\n";
    for (const auto& d : a["deadlines"])
        text += "  " + d["notify"].get<std::string>() + ": " +
                (d["due"].is_null() ? std::string("no fixed hours") : "due " + d["due"].get<std::string>()) + " — " +
                d["rule"].get<std::string>() + "\n";
    if (a["deadlines"].empty()) text += "  none required\n";
    return text;
}

/// The incident an assessment records: its figures, the scope to read
/// again for a notify list, and the authority's deadline.
breach::Incident incident_of(const policy::Policy& policy, const breach::Scope& scope, const Json& assessment,
                             const std::string& note) {
    breach::Incident incident;
    incident.discovered_at = assessment["discovered_at"].get<std::string>();
    incident.regime = std::string(policy::to_string(policy.regime));
    incident.policy_sha256 = policy.sha256;
    incident.scope = breach::scope_json(scope);
    incident.assessment = assessment;
    incident.subjects = assessment["subjects"]["total"].get<std::int64_t>();
    incident.records = assessment["records_total"].get<std::int64_t>();
    incident.risk = assessment["risk"]["level"].get<std::string>();
    for (const auto& d : assessment["deadlines"])
        if (d["notify"] == "authority" && !d["due"].is_null()) incident.authority_due = d["due"].get<std::string>();
    incident.note = note;
    return incident;
}

ExitStatus run_assess(const BreachOptions& o) {
    report::Envelope envelope;
    envelope.command = "breach assess";
    envelope.dry_run = o.dry_run;
    try {
        auto job = SubjectJob::open("breach assess", o.location, o.db, true, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        const auto& policy = job->policy();
        auto scope = breach::resolve_scope(policy, o.scope);
        auto discovered_at = time_or_now(o.discovered_at, "--discovered-at", job->when());

        audit::AuditLog log(job->store());
        audit::AuditEntry intent;
        intent.command = "breach assess";
        intent.phase = "intent";
        intent.policy_sha256 = policy.sha256;
        intent.dry_run = o.dry_run;
        intent.summary = {{"scope", breach::scope_json(scope)}};
        auto intent_seq = log.append_and_sign(intent, job->keys(), job->when()).seq;
        try {
            auto counts = breach::count_affected(job->database(), policy, scope);
            auto categories = breach::exposed_categories(policy, scope);
            auto risk = breach::assess_risk(categories, o.encrypted);
            auto deadlines = breach::notice_deadlines(policy.regime, discovered_at, risk, o.encrypted, counts.subjects);
            auto assessment = assessment_json(policy, scope, counts, categories, risk, deadlines, discovered_at, o.encrypted);

            Json incident_id = nullptr;
            std::int64_t done_seq = 0;
            {
                state::StateTransaction tx(job->store());
                if (!o.dry_run)
                    incident_id = breach::IncidentLedger(job->store())
                                      .record(incident_of(policy, scope, assessment, o.note), job->when())
                                      .id;
                audit::AuditEntry done;
                done.command = "breach assess";
                done.phase = "done";
                done.policy_sha256 = policy.sha256;
                done.dry_run = o.dry_run;
                done.refers_to = intent_seq;
                if (!incident_id.is_null()) done.request_id = incident_id.get<std::string>();
                done.summary = {{"subjects", counts.subjects},
                                {"records", assessment["records_total"]},
                                {"risk", assessment["risk"]["level"]}};
                done_seq = log.append_and_sign(done, job->keys(), job->when()).seq;
                tx.commit();
            }
            envelope.status = "ok";
            auto json = report::envelope_json(envelope);
            json["breach"] = Json{{"incident", incident_id}};
            for (const auto& [key, value] : assessment.items()) json["breach"][key] = value;
            json["audit"] = {{"intent_seq", intent_seq}, {"done_seq", done_seq}};
            print_report(o.format, json, assessment_text(assessment, incident_id));
            return ExitStatus::ok;
        } catch (const Error& e) {
            log_failed(log, *job, intent, intent_seq, e);
            throw;
        }
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

// --- notify-list -------------------------------------------------------------------

ExitStatus run_notify_list(const BreachOptions& o) {
    report::Envelope envelope;
    envelope.command = "breach notify-list";
    try {
        auto job = SubjectJob::open("breach notify-list", o.location, o.db, true, o.format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        const auto& policy = job->policy();
        auto incident = breach::IncidentLedger(job->store()).get(o.incident);
        auto scope = breach::scope_from_json(policy, incident.scope);
        auto header = breach::notify_header(policy);  // refuses a policy without notify columns

        // An existing file is refused before anything is logged or read.
        AtomicFile file(o.output, 0600, o.force);
        audit::AuditLog log(job->store());
        audit::AuditEntry intent;
        intent.command = "breach notify-list";
        intent.phase = "intent";
        intent.request_id = incident.id;
        intent.policy_sha256 = policy.sha256;
        intent.summary = {{"encrypted", !o.recipients.empty()}};
        auto intent_seq = log.append_and_sign(intent, job->keys(), job->when()).seq;
        try {
            HashingSink hashed(file);
            std::unique_ptr<crypto::AgeEncryptor> encryptor;
            if (!o.recipients.empty()) encryptor = crypto::AgeEncryptor::to_recipients(o.recipients, hashed);
            ByteSink& out = encryptor ? static_cast<ByteSink&>(*encryptor) : static_cast<ByteSink&>(hashed);
            // Staff open this list in a spreadsheet: no field of it may run as a formula there.
            out.write(exporting::csv_record(header, exporting::Formulas::neutralised));
            std::string line;
            auto counts = breach::affected_contacts(job->database(), policy, scope, [&](const std::vector<db::Value>& values) {
                line.clear();
                exporting::append_csv_record(line, values, exporting::Formulas::neutralised);
                out.write(line);
            });
            if (encryptor) encryptor->finish();
            std::string digest = hashed.hex_digest();
            file.commit();

            audit::AuditEntry done;
            done.command = "breach notify-list";
            done.phase = "done";
            done.request_id = incident.id;
            done.policy_sha256 = policy.sha256;
            done.refers_to = intent_seq;
            done.summary = {{"subjects", counts.subjects},
                            {"written", counts.written},
                            {"unreachable", counts.unreachable},
                            {"encrypted", encryptor != nullptr},
                            {"sha256", digest}};
            auto done_seq = log.append_and_sign(done, job->keys(), job->when()).seq;

            envelope.status = "ok";
            auto json = report::envelope_json(envelope);
            json["notify_list"] = {{"incident", incident.id},
                                   {"subjects", counts.subjects},
                                   {"written", counts.written},
                                   {"unreachable", counts.unreachable},
                                   {"path", o.output},
                                   {"encrypted", encryptor != nullptr},
                                   {"sha256", digest}};
            json["audit"] = {{"intent_seq", intent_seq}, {"done_seq", done_seq}};
            print_report(o.format, json,
                         "Wrote " + count_phrase(counts.written, "contact", "contacts") + " of " +
                             count_phrase(counts.subjects, "affected person", "affected people") + " to " + o.output +
                             (encryptor ? " (age-encrypted)" : " (mode 0600)") + "; " +
                             std::to_string(counts.unreachable) + " have no contact on file.\n");
            return ExitStatus::ok;
        } catch (const Error& e) {
            log_failed(log, *job, intent, intent_seq, e);
            throw;
        }
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

// --- list, notified, close -----------------------------------------------------------

Json incident_json(const breach::Incident& i) {
    auto text_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
    return {{"id", i.id},
            {"discovered_at", i.discovered_at},
            {"recorded_at", i.recorded_at},
            {"regime", i.regime},
            {"subjects", i.subjects},
            {"records", i.records},
            {"risk", i.risk},
            {"authority_due", text_or_null(i.authority_due)},
            {"authority_notified_at", text_or_null(i.authority_notified_at)},
            {"authority_reference", text_or_null(i.authority_reference)},
            {"subjects_notified_at", text_or_null(i.subjects_notified_at)},
            {"subjects_reference", text_or_null(i.subjects_reference)},
            {"status", i.status},
            {"closed_at", text_or_null(i.closed_at)},
            {"note", text_or_null(i.note)}};
}

/// One row per incident; the authority column red while its notice is due
/// and not given, once the deadline has passed (`now`, UTC, as recorded).
std::string incidents_text(const std::vector<breach::Incident>& incidents, const std::string& now) {
    report::TextTable table{{"ID", "STATUS", "DISCOVERED", "PEOPLE", "RECORDS", "RISK", "AUTHORITY"}, {}};
    std::vector<std::optional<Style>> authority_styles;
    for (const auto& i : incidents) {
        std::string authority = !i.authority_notified_at.empty() ? "told " + i.authority_notified_at
                                : !i.authority_due.empty()       ? "due " + i.authority_due
                                                                 : "no deadline";
        table.rows.push_back({i.id, i.status, i.discovered_at, std::to_string(i.subjects), std::to_string(i.records),
                              i.risk, authority});
        bool late = i.status == "open" && i.authority_notified_at.empty() && !i.authority_due.empty() &&
                    i.authority_due < now;
        authority_styles.push_back(late ? std::optional(Style::error) : std::nullopt);
    }
    constexpr std::size_t risk_column = 5, authority_column = 6;
    return render_table(table, [&](std::size_t row, std::size_t column) -> std::optional<Style> {
        if (column == risk_column && incidents[row].risk == "high") return Style::warning;
        return column == authority_column ? authority_styles[row] : std::nullopt;
    });
}

/// The state store and keys, for the commands that touch only the ledger.
struct LedgerContext {
    OpenedState opened;
    std::optional<crypto::Keys> keys;
};

std::optional<LedgerContext> open_ledger(const BreachOptions& o, report::Envelope& envelope, bool with_keys) {
    auto opened = open_state(o.location, o.format, envelope, false);
    if (!opened) return std::nullopt;
    LedgerContext c{std::move(*opened), std::nullopt};
    if (with_keys) {
        std::string how;
        c.keys.emplace(crypto::load_keys(keys_dir(o.location, c.opened.store->path(), how), how));
    }
    return c;
}

ExitStatus run_list(const BreachOptions& o) {
    report::Envelope envelope;
    envelope.command = "breach list";
    try {
        auto c = open_ledger(o, envelope, false);
        if (!c) return ExitStatus::invalid_policy;
        breach::IncidentFilter filter;
        filter.status = o.status;
        if (o.overdue) filter.overdue_at = report::utc_iso8601(now());
        auto found = breach::IncidentLedger(*c->opened.store).list(filter);
        ExitStatus status = o.overdue && !found.empty() ? ExitStatus::overdue : ExitStatus::ok;
        if (o.format == Format::jsonl) {
            for (const auto& i : found) std::cout << incident_json(i).dump() << '\n';
            return status;
        }
        envelope.status = status == ExitStatus::overdue ? "overdue" : "ok";
        auto json = report::envelope_json(envelope);
        json["incidents"] = Json::array();
        for (const auto& i : found) json["incidents"].push_back(incident_json(i));
        print_rendered(o.format, json,
                       found.empty() ? "no incidents match\n" : incidents_text(found, report::utc_iso8601(now())));
        return status;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

/// notified and close: change the incident, audit it, print it.
ExitStatus run_ledger_change(const BreachOptions& o, const std::string& command,
                             const std::function<breach::Incident(breach::IncidentLedger&)>& change,
                             const std::function<Json()>& summary) {
    report::Envelope envelope;
    envelope.command = command;
    try {
        auto c = open_ledger(o, envelope, true);
        if (!c) return ExitStatus::invalid_policy;
        auto& store = *c->opened.store;
        const auto when = now();
        state::StateTransaction tx(store);
        breach::IncidentLedger ledger(store);
        auto incident = change(ledger);
        audit::AuditEntry entry;
        entry.command = command;
        entry.phase = "done";
        entry.request_id = incident.id;
        if (c->opened.policy) entry.policy_sha256 = c->opened.policy->sha256;
        entry.summary = summary();
        audit::AuditLog(store).append_and_sign(entry, *c->keys, when);
        tx.commit();
        envelope.status = "ok";
        auto json = report::envelope_json(envelope);
        json["incident"] = incident_json(incident);
        print_rendered(o.format, json, incidents_text({incident}, report::utc_iso8601(when)));
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

ExitStatus run_notified(const BreachOptions& o) {
    return run_ledger_change(
        o, "breach notified",
        [&](breach::IncidentLedger& ledger) {
            return ledger.notified(o.incident, o.to, iso(time_or_now(o.at, "--at", now())), o.reference);
        },
        [&] { return Json{{"to", o.to}}; });
}

ExitStatus run_close(const BreachOptions& o) {
    return run_ledger_change(
        o, "breach close", [&](breach::IncidentLedger& ledger) { return ledger.close(o.incident, now()); },
        [] { return Json::object(); });
}

// --- command line -------------------------------------------------------------------

CLI::App* leaf(CLI::App& group, const std::string& name, const std::string& summary, const std::string& details,
               BreachOptions& o, bool policy_required) {
    auto* cmd = group.add_subcommand(name, summary);
    cmd->footer(details);
    add_state_options(*cmd, o.location, policy_required);
    return cmd;
}

void add_database_options(CLI::App& cmd, BreachOptions& o) {
    add_statement_timeout_option(cmd, o.location.statement_timeout_ms);
    add_database_option(cmd, o.db, o.location.verbose);
}

/// The report format, and what to run once the command line parsed.
void add_runnable(Commands& commands, CLI::App* cmd, const std::shared_ptr<BreachOptions>& o,
                  ExitStatus (*run)(const BreachOptions&), bool with_jsonl = false) {
    add_format_option(*cmd, o->format, with_jsonl);
    commands.push_back({cmd, [o, run] { return run(*o); }});
}

void add_incident_option(CLI::App& cmd, BreachOptions& o) {
    cmd.add_option("--incident", o.incident, "Incident id, as printed by 'breach assess' (e.g. B-2026-000001)")
        ->required()
        ->group("Incident");
}

}  // namespace

void add_breach_command(CLI::App* group, Commands& commands) {
    group->require_subcommand(1);

    auto assess = std::make_shared<BreachOptions>();
    auto* assess_cmd = leaf(
        *group, "assess", "Count the people, records and categories a breach exposed; record an incident",
        "Counts, in a few set-based statements, what leaked: the distinct people (through\n"
        "the links access uses; guests by identity), the records per table, the categories\n"
        "exposed (sensitive ones flagged), the recipients who hold the same data, the risk,\n"
        "and the notices the policy's regime requires, counted from --discovered-at (GDPR:\n"
        "the authority within 72 hours). Records the assessment as an incident\n"
        "(B-YYYY-NNNNNN) unless --dry-run. Values are never shown.\n\n"
        "Examples:\n"
        "  dsr breach assess --policy shop.yaml --scope web_sessions --since 2024-03-01 \\\n"
        "      --until 2024-04-01 --discovered-at 2026-12-05T09:30:00Z\n"
        "  dsr breach assess --policy shop.yaml --scope customers.email,phone --scope payments --dry-run",
        *assess, true);
    add_database_options(*assess_cmd, *assess);
    assess_cmd->add_option("--scope", assess->scope.scopes,
                           "What leaked: TABLE (every personal column) or TABLE.COLUMN[,COLUMN…]; repeatable")
        ->required()
        ->group("Scope");
    assess_cmd->add_option("--since", assess->scope.since, "Only rows whose timestamp is at or after this (UTC date or date-time)")
        ->group("Scope");
    assess_cmd->add_option("--until", assess->scope.until, "Only rows whose timestamp is before this (UTC date or date-time)")
        ->group("Scope");
    assess_cmd->add_option("--time-column", assess->scope.time_columns,
                           "The timestamp a window reads for a table without a retention rule: TABLE.COLUMN[:FORMAT]")
        ->group("Scope");
    assess_cmd->add_option("--discovered-at", assess->discovered_at,
                           "When the breach became known (UTC; default now): deadlines count from it")
        ->group("Incident");
    assess_cmd->add_flag("--encrypted", assess->encrypted, "The leaked data was encrypted and the key did not leak")
        ->group("Incident");
    assess_cmd->add_option("--note", assess->note, "A note kept with the incident (no personal data: stored as given)")
        ->group("Incident");
    assess_cmd->add_flag("--dry-run", assess->dry_run, "Assess, record no incident")->group("Incident");
    add_runnable(commands, assess_cmd, assess, run_assess);

    auto notify = std::make_shared<BreachOptions>();
    auto* notify_cmd = leaf(
        *group, "notify-list", "Write the contacts of the people an incident affected, for the mailing job",
        "Reads the incident's scope again and writes one CSV line per affected person\n"
        "with the policy's breach: notify columns (e.g. their email), in a new file of\n"
        "mode 0600, or encrypted with age to --encrypt-to. Nothing else leaves the\n"
        "database; the report and the audit log hold counts and the file's SHA-256.\n\n"
        "Examples:\n"
        "  dsr breach notify-list --policy shop.yaml --incident B-2026-000001 --output notify.csv\n"
        "  dsr breach notify-list --policy shop.yaml --incident B-2026-000001 \\\n"
        "      --output notify.csv.age --encrypt-to age1…",
        *notify, true);
    add_database_options(*notify_cmd, *notify);
    add_incident_option(*notify_cmd, *notify);
    notify_cmd->add_option("--output", notify->output, "The file to write (never replaced without --force)")
        ->required()
        ->group("Output");
    notify_cmd->add_flag("--force", notify->force, "Replace an existing file")->group("Output");
    notify_cmd->add_option("--encrypt-to", notify->recipients, "Encrypt to this age X25519 recipient (age1…); repeatable")
        ->group("Output");
    add_runnable(commands, notify_cmd, notify, run_notify_list);

    auto list = std::make_shared<BreachOptions>();
    auto* list_cmd = leaf(*group, "list", "List incidents with their notice deadlines",
                          "Lists recorded incidents, oldest first, with their authority deadline and\n"
                          "whether the authority and the people affected were told.\n\n"
                          "Examples:\n"
                          "  dsr breach list --policy shop.yaml\n"
                          "  dsr breach list --policy shop.yaml --overdue --format json   # cron: exit 9 if any",
                          *list, false);
    list_cmd->add_flag("--overdue", list->overdue, "Only open incidents whose authority notice is past due; exit 9 if any")
        ->group("Filter");
    list_cmd->add_option("--status", list->status, "open or closed")
        ->check(CLI::IsMember({"open", "closed"}))
        ->group("Filter");
    add_runnable(commands, list_cmd, list, run_list, /*with_jsonl=*/true);

    auto told = std::make_shared<BreachOptions>();
    auto* told_cmd = leaf(*group, "notified", "Record that the authority or the people affected were notified",
                          "Records when the supervisory authority (or the people affected) were told, which\n"
                          "stops the incident counting as overdue.\n\n"
                          "Examples:\n"
                          "  dsr breach notified --policy shop.yaml --incident B-2026-000001 --to authority\n"
                          "  dsr breach notified --policy shop.yaml --incident B-2026-000001 --to subjects \\\n"
                          "      --at 2026-12-07T10:00:00Z --reference mailing-42",
                          *told, false);
    add_incident_option(*told_cmd, *told);
    told_cmd->add_option("--to", told->to, "authority or subjects")
        ->required()
        ->check(CLI::IsMember({"authority", "subjects"}))
        ->group("Incident");
    told_cmd->add_option("--at", told->at, "When (UTC date or date-time; default now)")->group("Incident");
    told_cmd->add_option("--reference", told->reference, "The authority's case number or the mailing's id (no personal data)")
        ->group("Incident");
    add_runnable(commands, told_cmd, told, run_notified);

    auto close = std::make_shared<BreachOptions>();
    auto* close_cmd = leaf(*group, "close", "Close an incident (it stays in the ledger)",
                           "Closes the incident; it is kept, with its assessment, for the record.\n\n"
                           "Examples:\n"
                           "  dsr breach close --policy shop.yaml --incident B-2026-000001\n"
                           "  dsr breach close --state dsr-state.db --incident B-2026-000001 --format json",
                           *close, false);
    add_incident_option(*close_cmd, *close);
    add_runnable(commands, close_cmd, close, run_close);
}

const TopLevelCommand breach_command{"breach", "Assess a personal-data breach, list whom to notify, track the deadlines",
                                     add_breach_command};

}  // namespace dsr::cli
