#include "report/consent_report.h"

namespace dsr::report {

using nlohmann::ordered_json;

namespace {

ordered_json or_null(const std::string& s) { return s.empty() ? ordered_json(nullptr) : ordered_json(s); }

std::string kind_words(policy::ConsentKind kind) {
    return kind == policy::ConsentKind::opt_in ? "opt-in" : "opt-out";
}

/// The purpose as the policy declares it, and how its consent works.
ordered_json purpose_json(const policy::Policy& policy, const policy::ConsentPurpose& c) {
    const auto* p = policy.find_purpose(c.name);
    return {{"purpose", c.name},
            {"kind", policy::to_string(c.kind)},
            {"separate", c.separate},
            {"lawful_basis", p ? ordered_json(policy::to_string(p->basis)) : ordered_json(nullptr)},
            {"description", p ? ordered_json(p->description) : ordered_json(nullptr)}};
}

ordered_json entry_json(const policy::Policy& policy, const consent::Entry& e) {
    return {{"seq", e.seq ? ordered_json(e.seq) : ordered_json(nullptr)},
            {"at", e.at},
            {"action", consent::to_string(e.action)},
            {"source", or_null(e.source)},
            {"subject", e.subject},
            {"policy_sha256", e.policy_sha256},
            {"under_current_policy", e.policy_sha256 == policy.sha256},
            {"request_id", or_null(e.request_id)}};
}

ordered_json state_json(const consent::State& s) {
    return {{"consents", s.consents()},
            {"by_default", s.by_default()},
            {"action", s.last ? ordered_json(consent::to_string(s.last->action)) : ordered_json(nullptr)},
            {"at", s.last ? ordered_json(s.last->at) : ordered_json(nullptr)},
            {"seq", s.last && s.last->seq ? ordered_json(s.last->seq) : ordered_json(nullptr)}};
}

std::string state_words(const consent::State& s) {
    if (s.last) return std::string(consent::to_string(s.last->action)) + " (" + s.last->at + ")";
    return s.consents() ? "consenting by default (opt-out, never withdrawn)" : "no consent (never granted)";
}

std::string recipient_lines(const std::vector<policy::RecipientShare>& recipients) {
    std::string text;
    for (const auto& n : recipients) {
        std::string categories;
        for (const auto& c : n.categories) categories += (categories.empty() ? "" : ", ") + c;
        text += "  " + n.recipient->name + " (" + std::string(policy::to_string(n.recipient->role)) + ", " +
                n.recipient->country + "): " + categories + "\n";
    }
    return text;
}

std::string rows_phrase(std::int64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

std::string heading(const policy::Policy& policy, const policy::ConsentPurpose& c) {
    const auto* p = policy.find_purpose(c.name);
    std::string text = c.name + " (" + kind_words(c.kind);
    if (c.separate) text += ", separate consent";
    if (p) text += ", lawful basis " + std::string(policy::to_string(p->basis));
    return text + ")";
}

}  // namespace

ordered_json consent_change_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                                 const std::string& request_id, std::int64_t intent_seq,
                                 const jobs::ChangeResult& result) {
    const auto* c = result.purpose;
    auto json = envelope_json(envelope);
    json["subject"] = subject_json(subject);
    json["request_id"] = or_null(request_id);
    auto consent = purpose_json(policy, *c);
    consent["action"] = consent::to_string(result.entry.action);
    consent["previous"] = state_json(result.before);
    consent["current"] = state_json(result.after);
    consent["changed"] = result.before.consents() != result.after.consents();
    consent["repeated"] = result.before.last && result.before.last->action == result.entry.action;
    consent["entry"] = entry_json(policy, result.entry);
    ordered_json mirror = nullptr;
    if (c->mirror)
        mirror = {{"table", c->mirror->table},
                  {"column", c->mirror->column},
                  {"rows", result.mirror.rows},
                  {"rows_changed", result.mirror.differing}};
    consent["mirror"] = mirror;
    json["consent"] = consent;
    json["notify"] = notify_json(result.notify);
    json["audit_intent"] = intent_seq;
    return json;
}

std::string consent_change_text(const policy::Policy& policy, const jobs::ChangeResult& result, bool dry_run) {
    const auto& e = result.entry;
    const auto* c = result.purpose;
    const bool grant = e.action == consent::Action::granted;
    std::string what = heading(policy, *c);
    std::string text = dry_run ? "Dry run: nothing was written. The run would record: "
                               : "Recorded in the consent ledger as entry " + std::to_string(e.seq) + ": ";
    text += std::string(grant ? "consent to " : "withdrawal of consent to ") + what + ", at " + e.at +
            (e.source.empty() ? ", source not given" : ", source: " + e.source) + ".\n";
    text += "Before: " + state_words(result.before) + ".";
    if (result.before.last && result.before.last->action == e.action)
        text += std::string(" Already ") + (grant ? "granted" : "withdrawn") +
                ": the entry is added as further evidence, the state stays.";
    text += "\n";
    if (c->mirror) {
        std::string field = c->mirror->table + "." + c->mirror->column;
        if (result.mirror.rows == 0)
            text += "Mirror " + field + ": the subject has no row there to update (not a registered subject).\n";
        else
            text += "Mirror " + field + ": " + std::to_string(result.mirror.differing) + " of " +
                    rows_phrase(result.mirror.rows) + (dry_run ? " would change" : " changed") + ".\n";
    }
    if (!grant) {
        if (result.notify.empty())
            text += "No recipient receives data for " + e.purpose + "; nobody to tell.\n";
        else
            text += "Tell these recipients, which receive data for " + e.purpose + ", to stop:\n" +
                    recipient_lines(result.notify);
    }
    return text;
}

ordered_json consent_show_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                               const std::string& request_id, std::int64_t intent_seq,
                               const jobs::ShowResult& result) {
    auto json = envelope_json(envelope);
    json["subject"] = subject_json(subject);
    json["request_id"] = or_null(request_id);
    ordered_json consents = ordered_json::array();
    for (const auto& s : result.purposes) {
        auto item = purpose_json(policy, *s.purpose);
        item["current"] = state_json(s.state);
        ordered_json history = ordered_json::array();
        for (const auto& e : s.history) history.push_back(entry_json(policy, e));
        item["history"] = history;
        ordered_json mirror = nullptr;
        if (s.mirror)
            mirror = {{"table", s.mirror->table->name},
                      {"column", s.mirror->column},
                      {"rows", s.mirror_rows.rows},
                      {"rows_out_of_step", s.mirror_rows.differing}};
        item["mirror"] = mirror;
        consents.push_back(item);
    }
    json["consents"] = consents;
    json["audit_intent"] = intent_seq;
    return json;
}

std::string consent_show_text(const policy::Policy& policy, const jobs::ShowResult& result) {
    std::string text;
    for (const auto& s : result.purposes) {
        text += heading(policy, *s.purpose) + ": " + state_words(s.state) + "\n";
        for (const auto& e : s.history) {
            std::string action(consent::to_string(e.action));
            text += "  " + std::to_string(e.seq) + "  " + e.at + "  " + action + std::string(11 - action.size(), ' ') +
                    (e.source.empty() ? "(source not given)" : e.source);
            if (e.policy_sha256 != policy.sha256) text += "  [under another version of the policy]";
            text += "\n";
        }
        if (s.mirror) {
            std::string field = s.mirror->table->name + "." + s.mirror->column;
            if (s.mirror_rows.rows == 0)
                text += "  mirror " + field + ": no row of the subject\n";
            else if (s.mirror_rows.differing == 0)
                text += "  mirror " + field + ": in step (" + rows_phrase(s.mirror_rows.rows) + ")\n";
            else
                text += "  mirror " + field + ": " + std::to_string(s.mirror_rows.differing) + " of " +
                        rows_phrase(s.mirror_rows.rows) + " out of step with the ledger\n";
        }
    }
    return text;
}

ordered_json consent_list_json(const Envelope& envelope, const ListQuery& query, const jobs::ListResult& result) {
    auto json = envelope_json(envelope);
    json["consent_list"] = {{"purpose", query.purpose->name},
                            {"kind", policy::to_string(query.purpose->kind)},
                            {"state", consent::to_string(query.state)},
                            {"names", query.identity_kind.empty() ? "pseudonyms" : "identities"},
                            {"identity_kind", or_null(query.identity_kind)},
                            {"complete", result.complete},
                            {"count", result.names.size()},
                            {"unresolved", query.identity_kind.empty() ? ordered_json(nullptr) : ordered_json(result.unresolved)},
                            {"subjects", result.names}};
    return json;
}

std::string consent_list_lines(const ListQuery& query, const jobs::ListResult& result) {
    const std::string key = query.identity_kind.empty() ? "pseudonym" : query.identity_kind;
    std::string out;
    for (const auto& name : result.names) out += ordered_json{{key, name}}.dump() + "\n";
    return out;
}

std::string consent_list_text(const jobs::ListResult& result) {
    std::string out;
    for (const auto& name : result.names) out += name + "\n";
    return out;
}

}  // namespace dsr::report
