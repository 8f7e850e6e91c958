#include "report/erase_report.h"

#include <set>

#include "util/civil_date.h"

namespace dsr::report {

using nlohmann::ordered_json;

namespace {

std::string pad(std::string s, std::size_t width) { return s.size() < width ? s + std::string(width - s.size(), ' ') : s; }

ordered_json or_null(const std::optional<std::int64_t>& n) { return n ? ordered_json(*n) : ordered_json(nullptr); }

ordered_json hold_json(const policy::Policy& policy, const erase::TablePlan& tp) {
    if (!tp.table->erasure || !tp.table->erasure->hold) return nullptr;
    const auto& hold = *tp.table->erasure->hold;
    const auto* purpose = policy.find_purpose(hold.purpose);
    ordered_json ends = ordered_json::array();
    for (const auto& e : tp.hold_ends)
        ends.push_back({{"date", e.ends_on ? ordered_json(format_date(*e.ends_on)) : ordered_json(nullptr)},
                        {"rows", e.rows}});
    std::string after = (hold.timestamp.table.empty() ? "" : hold.timestamp.table + ".") + hold.timestamp.column;
    return {{"purpose", hold.purpose},
            {"lawful_basis", purpose ? std::string(policy::to_string(purpose->basis)) : ""},
            {"keep", hold.keep.text},
            {"after", after},
            {"ends", ends}};
}

ordered_json table_json(const policy::Policy& policy, const erase::TablePlan& tp) {
    bool mask_action = tp.table->erasure && tp.table->erasure->action == policy::ErasureAction::mask;
    ordered_json masks = ordered_json::array();
    for (const auto& m : tp.masks) masks.push_back({{"column", m.column}, {"method", policy::to_string(m.method)}});
    ordered_json cascaded = ordered_json::array();
    for (const auto& c : tp.cascades)
        cascaded.push_back({{"table", c.via.table},
                            {"column", c.via.column},
                            {"references", c.via.parent_table},
                            {"on_delete", c.via.on_delete},
                            {"listed", policy.find_table(c.via.table) != nullptr},
                            {"depth", c.depth},
                            {"rows", c.rows}});
    return {{"table", tp.table->name},
            {"action", mask_action ? "mask" : "delete"},
            {"matched", tp.matched},
            {"deleted", tp.deletes.size()},
            {"masked", tp.masked},
            {"unchanged", tp.kept.size() - tp.masked},
            {"kept_under_hold", tp.held},
            {"kept_as_parent", tp.kept_as_parent},
            {"kept_for", tp.kept_for},
            {"masks", masks},
            {"hold", hold_json(policy, tp)},
            {"cascaded", cascaded}};
}

}  // namespace

ordered_json recipients_to_notify(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    std::set<std::string> erased(plan.erased_categories.begin(), plan.erased_categories.end());
    return notify_json(policy::recipients_receiving(policy, erased));
}

namespace {

ordered_json verification_json(const jobs::EraseOutcome& outcome) {
    const auto& v = outcome.verification;
    ordered_json tables = ordered_json::array();
    for (const auto& t : v.tables)
        tables.push_back({{"table", t.table},
                          {"kept", t.kept},
                          {"not_deleted", t.not_deleted},
                          {"wrong_values", t.wrong_values},
                          {"unexpected", t.unexpected}});
    return {{"performed", v.performed},
            {"passed", v.performed ? ordered_json(v.passed) : ordered_json(nullptr)},
            {"remaining_rows", v.remaining},
            {"tables", tables}};
}

ordered_json erasure_json(const policy::Policy& policy, const jobs::EraseOutcome& outcome, const EraseEnding& ending) {
    const auto& plan = outcome.plan;
    ordered_json tables = ordered_json::array();
    for (const auto& tp : plan.tables) tables.push_back(table_json(policy, tp));
    ordered_json previous = nullptr;
    if (ending.previous) previous = {{"at", ending.previous->at}, {"ledger_seq", ending.previous->seq}};
    return {{"as_of", format_date(plan.today)},
            {"changed", plan.changes() > 0},
            {"plan_digest", plan.digest},
            {"tables", tables},
            {"totals",
             {{"matched", plan.matched()},
              {"deleted", plan.deleted()},
              {"masked", plan.masked()},
              {"kept_under_hold", plan.held()},
              {"cascaded", plan.cascaded()}}},
            {"statements", outcome.applied ? ordered_json(outcome.statements) : ordered_json(nullptr)},
            {"residue_removed", outcome.applied && outcome.residue_removed ? ordered_json(*outcome.residue_removed)
                                                                           : ordered_json(nullptr)},
            {"previously_erased", previous},
            {"completes_interrupted", or_null(ending.completes)},
            {"ledger_seq", or_null(ending.ledger_seq)}};
}

}  // namespace

ordered_json erase_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                        const std::string& request_id, std::int64_t intent_seq, const jobs::EraseOutcome& outcome,
                        const EraseEnding& ending) {
    auto json = envelope_json(envelope);
    json["subject"] = subject_json(subject);
    json["request_id"] = request_id.empty() ? ordered_json(nullptr) : ordered_json(request_id);
    json["erasure"] = erasure_json(policy, outcome, ending);
    json["verification"] = verification_json(outcome);
    json["notify"] = recipients_to_notify(policy, outcome.plan);
    json["audit_intent"] = intent_seq;
    return json;
}

std::string erase_plan_text(const policy::Policy& policy, const erase::ErasurePlan& plan) {
    std::string text = "  " + pad("table", 20) + pad("action", 8) + pad("found", 7) + pad("delete", 8) +
                       pad("mask", 6) + pad("held", 6) + "cascade\n";
    for (const auto& tp : plan.tables) {
        if (tp.matched == 0) continue;
        bool mask_action = tp.table->erasure && tp.table->erasure->action == policy::ErasureAction::mask;
        text += "  " + pad(tp.table->name, 20) + pad(mask_action ? "mask" : "delete", 8) +
                pad(std::to_string(tp.matched), 7) + pad(std::to_string(tp.deletes.size()), 8) +
                pad(std::to_string(tp.masked), 6) + pad(std::to_string(tp.held + tp.kept_as_parent), 6) +
                std::to_string(tp.cascaded()) + "\n";
    }
    for (const auto& tp : plan.tables) {
        if (tp.held && tp.table->erasure && tp.table->erasure->hold) {
            const auto& hold = *tp.table->erasure->hold;
            const auto* purpose = policy.find_purpose(hold.purpose);
            std::string until = tp.hold_ends.empty() || !tp.hold_ends.back().ends_on
                                    ? "an end that cannot be read from the data"
                                    : format_date(*tp.hold_ends.back().ends_on);
            text += "Kept under hold: " + std::to_string(tp.held) + " " + tp.table->name + " rows for " + hold.purpose +
                    " (" + (purpose ? std::string(policy::to_string(purpose->basis)) : "") + "), masked, until " +
                    until + " at the latest\n";
        }
        if (tp.kept_as_parent) {
            std::string tables;
            for (const auto& t : tp.kept_for) tables += (tables.empty() ? "" : ", ") + t;
            text += "Kept because held rows refer to them: " + std::to_string(tp.kept_as_parent) + " " +
                    tp.table->name + " rows (from " + tables + ")\n";
        }
        for (const auto& c : tp.cascades)
            text += "The database itself (ON DELETE " + c.via.on_delete + ") " +
                    (c.via.on_delete == "CASCADE" ? "removes " : "unlinks ") + std::to_string(c.rows) + " rows of " +
                    c.via.table + " through " + c.via.column + "\n";
    }
    return text;
}

std::string erase_text(const policy::Policy& policy, bool dry_run, const jobs::EraseOutcome& outcome,
                       const EraseEnding& ending) {
    const auto& plan = outcome.plan;
    if (ending.status == ExitStatus::subject_not_found)
        return "No data is held about this subject, and no erasure of them is recorded; nothing was changed.\n";
    if (plan.matched() == 0)
        return "Nothing is held about this subject any more" +
               (ending.previous ? " (erased " + ending.previous->at + ")" : std::string(" (an interrupted erasure finished)")) +
               "; nothing was changed.\n";
    std::string text = dry_run ? "Dry run: nothing was changed. The erasure would do this:\n"
                                 : (plan.changes() ? "Erased:\n" : "Nothing changed: the subject was already erased.\n");
    text += erase_plan_text(policy, plan);
    auto notify = recipients_to_notify(policy, plan);
    if (!notify.empty()) {
        text += "Notify (GDPR Art. 19):";
        for (const auto& r : notify) text += " " + r["name"].get<std::string>() + ";";
        text += "\n";
    }
    const auto& v = outcome.verification;
    if (v.performed)
        text += v.passed ? "Verified: nothing of the subject remains but " + std::to_string(v.remaining) +
                               " kept rows, masked as declared.\n"
                         : "VERIFICATION FAILED: see the JSON report's verification section.\n";
    if (outcome.residue_left()) text += "Residue NOT removed: " + outcome.residue_problem + "\n";
    return text;
}

}  // namespace dsr::report
