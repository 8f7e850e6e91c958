// `dsr request open|list|show|extend|pause|resume|close|prune`: the request
// ledger, with each request's legal deadline under the policy's regime.

#include <iostream>
#include <memory>
#include <regex>

#include "audit/audit_log.h"
#include "cli/clock.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject.h"
#include "crypto/keys.h"
#include "policy/names.h"
#include "requests/request_ledger.h"

namespace dsr::cli {

namespace {

using requests::Request;

struct RequestOptions {
    StateLocation location;
    Format format = Format::automatic;
    // open
    std::string type;
    std::string subject;
    std::string received;
    std::string regime;
    std::string note;
    // show, extend, pause, resume, close
    std::string id;
    std::string reason;
    std::string outcome = "completed";
    // list
    bool overdue = false;
    std::string due_within;
    std::string status;
    // prune
    std::string older_than = "24m";
};

nlohmann::ordered_json request_json(const Request& r, requests::Date today) {
    auto or_null = [](const std::string& s) { return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s); };
    auto due = requests::parse_date(r.due_on);
    int days_left = due ? requests::days_between(today, *due) : 0;
    return {{"id", r.id},
            {"type", r.type},
            {"subject", r.subject},
            {"regime", r.regime},
            {"status", r.status},
            {"received_on", r.received_on},
            {"due_on", r.due_on},
            {"original_due_on", r.original_due_on},
            {"confirm_by", or_null(r.confirm_by)},
            {"days_left", days_left},
            {"overdue", r.status == "open" && days_left < 0},
            {"paused_since", or_null(r.paused_since)},
            {"paused_days", r.paused_days},
            {"extended_on", or_null(r.extended_on)},
            {"extension_reason", or_null(r.extension_reason)},
            {"note", or_null(r.note)},
            {"opened_at", r.opened_at},
            {"closed_at", or_null(r.closed_at)},
            {"outcome", or_null(r.outcome)}};
}

/// One row per request; the status in colour (overdue red, paused yellow,
/// closed green) when colour is on.
struct RequestTable {
    report::TextTable table{{"ID", "TYPE", "REGIME", "STATUS", "RECEIVED", "DUE", "CONFIRM BY"}, {}};
    std::vector<std::optional<Style>> status_styles;

    void add(const Request& r, requests::Date today) {
        auto due = requests::parse_date(r.due_on);
        bool overdue = r.status == "open" && due && requests::days_between(today, *due) < 0;
        table.rows.push_back({r.id, r.type, r.regime, overdue ? "overdue" : r.status, r.received_on, r.due_on,
                              r.confirm_by});
        status_styles.push_back(overdue                  ? std::optional(Style::error)
                                : r.status == "paused"   ? std::optional(Style::warning)
                                : r.status == "closed"   ? std::optional(Style::ok)
                                                         : std::nullopt);
    }

    std::string render() const {
        constexpr std::size_t status_column = 3;
        return render_table(table, [&](std::size_t row, std::size_t column) {
            return column == status_column ? status_styles[row] : std::nullopt;
        });
    }
};

/// Everything one request command needs: the policy, the store, today's date
/// in the controller's time zone, and (for changes) the keys.
struct Context {
    OpenedState opened;
    std::chrono::system_clock::time_point now;
    requests::Date today;
    std::optional<crypto::Keys> keys;
};

std::optional<Context> open_context(const RequestOptions& o, report::Envelope& envelope, bool create, bool need_keys) {
    auto opened = open_state(o.location, o.format, envelope, create);
    if (!opened) return std::nullopt;
    Context c{std::move(*opened), now(), {}, std::nullopt};
    c.today = requests::local_date(c.now, c.opened.policy->controller.timezone);
    if (need_keys) {
        std::string how;
        c.keys = crypto::load_keys(keys_dir(o.location, c.opened.store->path(), how), how);
    }
    return c;
}

/// One audit entry per ledger change, then a fresh signed head.
void audit_change(Context& c, const std::string& command, const Request& r) {
    audit::AuditLog log(*c.opened.store);
    audit::AuditEntry entry;
    entry.command = command;
    entry.phase = "done";
    entry.request_id = r.id;
    entry.subject = r.subject;
    entry.policy_sha256 = c.opened.policy->sha256;
    entry.summary = {{"type", r.type}, {"regime", r.regime}, {"status", r.status}, {"due_on", r.due_on}};
    log.append_and_sign(entry, *c.keys, c.now);
}

ExitStatus print_one(const RequestOptions& o, report::Envelope& envelope, const Request& r, requests::Date today,
                     const std::vector<requests::RequestEvent>* events = nullptr) {
    envelope.status = "ok";
    auto json = report::envelope_json(envelope);
    json["request"] = request_json(r, today);
    RequestTable requests_table;
    requests_table.add(r, today);
    std::string text = requests_table.render();
    if (events) {
        json["events"] = nlohmann::ordered_json::array();
        report::TextTable events_table{{"AT", "EVENT", "DETAIL"}, {}};
        for (const auto& e : *events) {
            json["events"].push_back({{"at", e.at}, {"event", e.event}, {"detail", e.detail}});
            events_table.rows.push_back({e.at, e.event, e.detail});
        }
        if (!events_table.rows.empty()) text += "\n" + render_table(events_table);
    }
    print_rendered(o.format, json, text);
    return ExitStatus::ok;
}

ExitStatus run_open(const RequestOptions& o) {
    report::Envelope envelope;
    envelope.command = "request open";
    try {
        auto c = open_context(o, envelope, true, true);
        if (!c) return ExitStatus::invalid_policy;
        const auto& policy = *c->opened.policy;
        requests::NewRequest request;
        request.type = *requests::parse_request_type(o.type);  // CLI11 checked the name
        request.subject = parse_subject(policy, *c->keys, o.subject).pseudonym;
        request.regime = policy.regime;
        if (!o.regime.empty())
            for (const auto& [name, value] : policy::regimes)
                if (name == o.regime) request.regime = value;
        request.received = c->today;
        if (!o.received.empty()) {
            auto received = requests::parse_date(o.received);
            if (!received) throw Error(ExitStatus::usage, "--received: '" + o.received + "' is not a date YYYY-MM-DD");
            request.received = *received;
        }
        request.note = o.note;
        requests::RequestLedger ledger(*c->opened.store);
        Request r = ledger.open(request, policy.requests, c->now);
        audit_change(*c, "request open", r);
        return print_one(o, envelope, r, c->today);
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

/// pause, resume, extend and close share one shape: change, audit, print.
template <typename Change>
ExitStatus run_change(const RequestOptions& o, const std::string& command, Change change) {
    report::Envelope envelope;
    envelope.command = command;
    try {
        auto c = open_context(o, envelope, false, true);
        if (!c) return ExitStatus::invalid_policy;
        requests::RequestLedger ledger(*c->opened.store);
        Request r = change(ledger, *c);
        audit_change(*c, command, r);
        return print_one(o, envelope, r, c->today);
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

ExitStatus run_show(const RequestOptions& o) {
    report::Envelope envelope;
    envelope.command = "request show";
    try {
        auto c = open_context(o, envelope, false, false);
        if (!c) return ExitStatus::invalid_policy;
        requests::RequestLedger ledger(*c->opened.store);
        Request r = ledger.get(o.id);
        auto events = ledger.events(o.id);
        return print_one(o, envelope, r, c->today, &events);
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

/// `7d`, `2w` style spans for --due-within: days only, as deadlines are dates.
std::optional<int> parse_days(const std::string& text) {
    static const std::regex form("([0-9]{1,4})d");
    std::smatch m;
    if (!std::regex_match(text, m, form)) return std::nullopt;
    return std::stoi(m[1].str());
}

ExitStatus run_list(const RequestOptions& o) {
    report::Envelope envelope;
    envelope.command = "request list";
    try {
        auto c = open_context(o, envelope, false, false);
        if (!c) return ExitStatus::invalid_policy;
        requests::ListFilter filter;
        filter.status = o.status;
        if (o.overdue) filter.overdue_on = c->today;
        if (!o.due_within.empty()) {
            auto days = parse_days(o.due_within);
            if (!days) throw Error(ExitStatus::usage, "--due-within: write a number of days, e.g. 7d");
            filter.due_before = requests::add_days(c->today, *days);
        }
        auto found = requests::RequestLedger(*c->opened.store).list(filter);
        ExitStatus status = o.overdue && !found.empty() ? ExitStatus::overdue : ExitStatus::ok;
        if (o.format == Format::jsonl) {
            for (const auto& r : found) std::cout << request_json(r, c->today).dump() << '\n';
            return status;
        }
        envelope.status = status == ExitStatus::overdue ? "overdue" : "ok";
        auto json = report::envelope_json(envelope);
        json["today"] = requests::format_date(c->today);
        json["requests"] = nlohmann::ordered_json::array();
        RequestTable table;
        for (const auto& r : found) {
            json["requests"].push_back(request_json(r, c->today));
            table.add(r, c->today);
        }
        print_rendered(o.format, json, found.empty() ? "no requests match\n" : table.render());
        return status;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

ExitStatus run_prune(const RequestOptions& o) {
    report::Envelope envelope;
    envelope.command = "request prune";
    try {
        auto c = open_context(o, envelope, false, true);
        if (!c) return ExitStatus::invalid_policy;
        auto span = policy::parse_duration(o.older_than);
        if (!span || (span->unit != policy::Duration::Unit::months && span->unit != policy::Duration::Unit::years &&
                      span->unit != policy::Duration::Unit::days))
            throw Error(ExitStatus::usage, "--older-than: write e.g. 24m, 2y or 730d");
        requests::Date cutoff = c->today;
        switch (span->unit) {
            case policy::Duration::Unit::years: cutoff = requests::add_months_clamped(cutoff, -12 * static_cast<int>(span->count)); break;
            case policy::Duration::Unit::months: cutoff = requests::add_months_clamped(cutoff, -static_cast<int>(span->count)); break;
            default: cutoff = requests::add_days(cutoff, -static_cast<int>(span->count)); break;
        }
        int removed = requests::RequestLedger(*c->opened.store).prune(cutoff);
        audit::AuditLog log(*c->opened.store);
        audit::AuditEntry entry;
        entry.command = "request prune";
        entry.phase = "done";
        entry.policy_sha256 = c->opened.policy->sha256;
        entry.summary = {{"removed", removed}, {"closed_before", requests::format_date(cutoff)}};
        log.append_and_sign(entry, *c->keys, c->now);
        envelope.status = "ok";
        auto json = report::envelope_json(envelope);
        json["removed"] = removed;
        json["closed_before"] = requests::format_date(cutoff);
        print_report(o.format, json,
                     std::to_string(removed) + " closed requests removed (closed before " + requests::format_date(cutoff) + ")\n");
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

CLI::App* leaf(CLI::App& group, const std::string& name, const std::string& summary, const std::string& details,
               RequestOptions& o, bool with_format = true) {
    auto* cmd = group.add_subcommand(name, summary);
    cmd->footer(details);
    add_state_options(*cmd, o.location, true);
    if (with_format) add_format_option(*cmd, o.format);
    return cmd;
}

void add_id(CLI::App& cmd, RequestOptions& o) {
    cmd.add_option("--id", o.id, "Request id, as printed by 'request open' (e.g. R-2026-000001)")->required()->group("Request");
}

}  // namespace

void add_request_commands(CLI::App* group, Commands& commands) {
    group->require_subcommand(1);

    auto open = std::make_shared<RequestOptions>();
    auto* open_cmd = leaf(*group, "open", "Record a new request and compute its due date",
                          "Record a new request and compute its legal due date under the policy's regime\n"
                          "(GDPR: one month; CCPA: 45 days, confirm within 10 business days, opt-out 15\n"
                          "business days; PIPL: the policy's requests: deadline). The subject is stored\n"
                          "only as a keyed pseudonym.\n\n"
                          "Examples:\n"
                          "  dsr request open --policy shop.yaml --type erase --subject email=ana@example.com\n"
                          "  dsr request open --policy shop.yaml --type access --subject customer_id=42 --received 2026-11-20",
                          *open);
    open_cmd->add_option("--type", open->type, "access, export, rectify, erase, consent or optout")
        ->required()
        ->check(CLI::IsMember({"access", "export", "rectify", "erase", "consent", "optout"}))
        ->group("Request");
    open_cmd->add_option("--subject", open->subject, "Who asked, as KIND=VALUE with KIND an identity of the policy")
        ->required()
        ->group("Request");
    open_cmd->add_option("--received", open->received, "Date received, YYYY-MM-DD (default: today in the controller's time zone)")
        ->group("Request");
    open_cmd->add_option("--regime", open->regime, "gdpr, ccpa or pipl (default: the policy's)")
        ->check(CLI::IsMember({"gdpr", "ccpa", "pipl"}))
        ->group("Request");
    open_cmd->add_option("--note", open->note, "A note for the ledger (no personal data: it is not pseudonymised)")
        ->group("Request");
    commands.push_back({open_cmd, [open] { return run_open(*open); }});

    auto list = std::make_shared<RequestOptions>();
    auto* list_cmd = leaf(*group, "list", "List requests; --overdue exits 9 when any are overdue",
                          "List requests with their due dates. With --overdue, only open requests past\n"
                          "their due date, and exit 9 when there are any, so cron can alert.\n\n"
                          "Examples:\n"
                          "  dsr request list --policy shop.yaml --due-within 7d\n"
                          "  dsr request list --policy shop.yaml --overdue --format json || mail-the-dpo",
                          *list, false);
    list_cmd->add_flag("--overdue", list->overdue, "Only open requests past their due date; exit 9 if any")->group("Filter");
    list_cmd->add_option("--due-within", list->due_within, "Only open requests due within N days, e.g. 7d")->group("Filter");
    list_cmd->add_option("--status", list->status, "open, paused or closed")
        ->check(CLI::IsMember({"open", "paused", "closed"}))
        ->group("Filter");
    add_format_option(*list_cmd, list->format, /*with_jsonl=*/true);
    commands.push_back({list_cmd, [list] { return run_list(*list); }});

    auto show = std::make_shared<RequestOptions>();
    auto* show_cmd = leaf(*group, "show", "Show one request and its history",
                          "Show one request, its deadlines and every event (opened, paused, resumed,\n"
                          "extended, closed).\n\n"
                          "Examples:\n"
                          "  dsr request show --policy shop.yaml --id R-2026-000001\n"
                          "  dsr request show --policy shop.yaml --id R-2026-000001 --format json | jq .request.due_on",
                          *show);
    add_id(*show_cmd, *show);
    commands.push_back({show_cmd, [show] { return run_show(*show); }});

    auto extend = std::make_shared<RequestOptions>();
    auto* extend_cmd = leaf(*group, "extend", "Extend the deadline once, as the regime allows",
                            "Extend the deadline once: GDPR by two months (recorded within the first\n"
                            "month), CCPA by 45 days (within the first 45). PIPL has no extension.\n\n"
                            "Examples:\n"
                            "  dsr request extend --policy shop.yaml --id R-2026-000001 --reason \"archive restore needed\"\n"
                            "  dsr request extend --policy shop.yaml --id R-2026-000002 --reason complexity --format json",
                            *extend);
    add_id(*extend_cmd, *extend);
    extend_cmd->add_option("--reason", extend->reason, "Why (told to the subject; no personal data)")->required()->group("Request");
    commands.push_back({extend_cmd, [extend] {
                            return run_change(*extend, "request extend", [&](requests::RequestLedger& l, Context& c) {
                                return l.extend(extend->id, extend->reason, c.today, c.now);
                            });
                        }});

    auto pause = std::make_shared<RequestOptions>();
    auto* pause_cmd = leaf(*group, "pause", "Stop the clock while the requester's identity is verified",
                           "Stop the clock while the requester's identity is being verified; 'resume'\n"
                           "moves the due date by the days paused.\n\n"
                           "Examples:\n"
                           "  dsr request pause --policy shop.yaml --id R-2026-000001\n"
                           "  dsr request pause --policy shop.yaml --id R-2026-000001 --format json",
                           *pause);
    add_id(*pause_cmd, *pause);
    commands.push_back({pause_cmd, [pause] {
                            return run_change(*pause, "request pause", [&](requests::RequestLedger& l, Context& c) {
                                return l.pause(pause->id, c.today, c.now);
                            });
                        }});

    auto resume = std::make_shared<RequestOptions>();
    auto* resume_cmd = leaf(*group, "resume", "Restart the clock; the due date moves by the days paused",
                            "Restart the clock of a paused request; the due date moves by the days paused.\n\n"
                            "Examples:\n"
                            "  dsr request resume --policy shop.yaml --id R-2026-000001\n"
                            "  dsr request resume --policy shop.yaml --id R-2026-000001 --format json | jq .request.due_on",
                            *resume);
    add_id(*resume_cmd, *resume);
    commands.push_back({resume_cmd, [resume] {
                            return run_change(*resume, "request resume", [&](requests::RequestLedger& l, Context& c) {
                                return l.resume(resume->id, c.today, c.now);
                            });
                        }});

    auto close = std::make_shared<RequestOptions>();
    auto* close_cmd = leaf(*group, "close", "Close a request with its outcome",
                           "Close a request with its outcome; closed requests are kept (CCPA asks for 24\n"
                           "months of records) until 'request prune'.\n\n"
                           "Examples:\n"
                           "  dsr request close --policy shop.yaml --id R-2026-000001\n"
                           "  dsr request close --policy shop.yaml --id R-2026-000003 --outcome refused-identity-not-verified",
                           *close);
    add_id(*close_cmd, *close);
    close_cmd->add_option("--outcome", close->outcome, "How it ended (default: completed)")->group("Request");
    commands.push_back({close_cmd, [close] {
                            return run_change(*close, "request close", [&](requests::RequestLedger& l, Context& c) {
                                return l.close(close->id, close->outcome, c.now);
                            });
                        }});

    auto prune = std::make_shared<RequestOptions>();
    auto* prune_cmd = leaf(*group, "prune", "Remove closed requests older than a span (default 24m)",
                           "Remove requests closed more than --older-than ago (default 24m, the CCPA\n"
                           "record-keeping period). Open and paused requests are never removed.\n\n"
                           "Examples:\n"
                           "  dsr request prune --policy shop.yaml\n"
                           "  dsr request prune --policy shop.yaml --older-than 36m --format json",
                           *prune);
    prune_cmd->add_option("--older-than", prune->older_than, "Age of closed requests to remove: 24m, 2y, 730d")
        ->group("Request");
    commands.push_back({prune_cmd, [prune] { return run_prune(*prune); }});
}

const TopLevelCommand request_command{"request", "Open, track and close data-subject requests with their legal deadlines",
                                      add_request_commands};

}  // namespace dsr::cli
