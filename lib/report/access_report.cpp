#include "report/access_report.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

namespace dsr::report {

namespace {

using policy::Regime;

/// Where data may go without a cross-border transfer, per regime: the EEA
/// for the GDPR, the US for the CCPA, mainland China for PIPL.
bool inside_region(Regime regime, const std::string& country) {
    static const std::set<std::string> eea = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
                                              "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
                                              "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO"};
    switch (regime) {
        case Regime::gdpr: return eea.count(country) > 0;
        case Regime::ccpa: return country == "US";
        case Regime::pipl: return country == "CN";
    }
    return false;
}

std::vector<std::string> rights_of(Regime regime) {
    switch (regime) {
        case Regime::gdpr:
            return {"access (Art. 15)", "rectification (Art. 16)", "erasure (Art. 17)", "restriction of processing (Art. 18)",
                    "data portability (Art. 20)", "objection (Art. 21)",
                    "withdrawal of consent at any time (Art. 7(3))",
                    "complaint to a supervisory authority (Art. 77)"};
        case Regime::ccpa:
            return {"know what personal information is collected, used and disclosed", "delete", "correct",
                    "opt out of sale or sharing", "limit the use of sensitive personal information",
                    "no retaliation for exercising these rights"};
        case Regime::pipl:
            return {"know and decide (Art. 44)", "access and copy (Art. 45)", "portability (Art. 45)",
                    "correction (Art. 46)", "deletion (Art. 47)", "explanation of processing rules (Art. 48)",
                    "withdrawal of consent (Art. 15)"};
    }
    return {};
}

std::string retention_words(const policy::Table& table) {
    if (!table.retention) return "kept while the account exists; erased on request";
    std::string column = table.retention->timestamp.table.empty()
                             ? table.retention->timestamp.column
                             : table.retention->timestamp.table + "." + table.retention->timestamp.column;
    return "kept " + table.retention->keep.text + " after " + column + ", then " +
           (table.retention->action == policy::ErasureAction::mask ? "anonymised" : "deleted");
}

std::string text_of(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return "(none)";
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", *d);
        return text;
    }
    return "(" + std::to_string(std::get<db::Blob>(value).bytes.size()) + " bytes)";
}

}  // namespace

nlohmann::ordered_json value_json(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return nullptr;
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
    if (const auto* d = std::get_if<double>(&value)) return *d;
    const auto& bytes = std::get<db::Blob>(value).bytes;
    std::string b64(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(b64.size() - 1);  // the terminating NUL
    return {{"base64", b64}};
}

nlohmann::ordered_json access_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                                   const jobs::AccessResult& result) {
    auto out = envelope_json(envelope);
    out["subject"] = {{"pseudonym", subject.pseudonym},
                      {"identity_kind", subject.identity_kind},
                      {"registered_matches", subject.registered_matches}};
    out["controller"] = {{"name", policy.controller.name}, {"contact", policy.controller.contact}};
    out["regime"] = std::string(policy::to_string(policy.regime));

    std::set<std::string> purposes_used, categories_used;
    out["tables"] = nlohmann::ordered_json::array();
    for (const auto& t : result.tables) {
        nlohmann::ordered_json table = {{"table", t.table->name}, {"row_count", t.rows.size()}};
        table["retention"] = retention_words(*t.table);
        table["columns"] = nlohmann::ordered_json::array();
        for (const auto& name : t.columns) {
            const auto* c = t.table->find_column(name);
            if (!c) continue;  // the key: shown in rows, not a category of data
            nlohmann::ordered_json bases = nlohmann::ordered_json::array();
            for (const auto& p : c->purposes)
                if (const auto* purpose = policy.find_purpose(p)) bases.push_back(policy::to_string(purpose->basis));
            table["columns"].push_back({{"column", c->name},
                                        {"category", c->category},
                                        {"purposes", c->purposes},
                                        {"lawful_bases", bases},
                                        {"source", policy::to_string(c->source)}});
            if (!t.rows.empty()) {
                categories_used.insert(c->category);
                purposes_used.insert(c->purposes.begin(), c->purposes.end());
            }
        }
        table["rows"] = nlohmann::ordered_json::array();
        for (const auto& row : t.rows) {
            nlohmann::ordered_json r = nlohmann::ordered_json::object();
            for (std::size_t i = 0; i < t.columns.size(); ++i) r[t.columns[i]] = value_json(row[i]);
            table["rows"].push_back(std::move(r));
        }
        out["tables"].push_back(std::move(table));
    }
    out["purposes"] = nlohmann::ordered_json::array();
    for (const auto& p : policy.purposes)
        if (purposes_used.count(p.name))
            out["purposes"].push_back(
                {{"purpose", p.name}, {"lawful_basis", policy::to_string(p.basis)}, {"description", p.description}});
    out["categories"] = categories_used;
    out["recipients"] = nlohmann::ordered_json::array();
    for (const auto& r : policy.recipients) {
        bool receives = std::any_of(r.categories.begin(), r.categories.end(),
                                    [&](const std::string& c) { return categories_used.count(c) > 0; });
        if (!receives) continue;
        out["recipients"].push_back({{"name", r.name},
                                     {"role", policy::to_string(r.role)},
                                     {"country", r.country},
                                     {"transfer_outside_region", !inside_region(policy.regime, r.country)},
                                     {"safeguards", r.safeguards},
                                     {"categories", r.categories},
                                     {"purposes", r.purposes}});
    }
    out["rights"] = rights_of(policy.regime);
    out["totals"] = {{"tables_with_data",
                       std::count_if(result.tables.begin(), result.tables.end(),
                                     [](const jobs::AccessTable& t) { return !t.rows.empty(); })},
                      {"rows", result.total_rows}};
    return out;
}

std::string access_text(const policy::Policy& policy, const jobs::AccessResult& result) {
    std::string out = "The personal data " + policy.controller.name + " holds about you\n";
    out += "(contact: " + policy.controller.contact + ")\n";
    // Grouped by category, so a person reads "contact details", not table names.
    std::map<std::string, std::vector<std::string>> by_category;
    for (const auto& t : result.tables) {
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                const auto* c = t.table->find_column(t.columns[i]);
                if (!c) continue;
                by_category[c->category].push_back(t.table->name + " #" + text_of(t.rows[r][0]) + ", " + c->name +
                                                   ": " + text_of(t.rows[r][i]));
            }
        }
    }
    for (const auto& [category, lines] : by_category) {
        const auto* cat = policy.find_category(category);
        out += "\n" + category + (cat && !cat->description.empty() ? " (" + cat->description + ")" : "") + ":\n";
        for (const auto& line : lines) out += "  " + line + "\n";
    }
    out += "\nHow long it is kept:\n";
    for (const auto& t : result.tables)
        if (!t.rows.empty()) out += "  " + t.table->name + ": " + retention_words(*t.table) + "\n";
    out += "\nYour rights:\n";
    for (const auto& right : rights_of(policy.regime)) out += "  - " + right + "\n";
    return out;
}

}  // namespace dsr::report
