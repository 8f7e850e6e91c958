#include "report/access_report.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "crypto/secret.h"

namespace dsr::report {

namespace {

using policy::Regime;
using Json = nlohmann::ordered_json;

constexpr std::string_view withheld_words = "held, not shown for your security";

/// The Art. 15(1) items, named as each law names them, so a report under the
/// CCPA speaks of "categories of sources", not of "the source".
struct Terms {
    std::string_view law;  ///< the request the report answers, for the text heading
    std::string_view region;
    std::string_view data;
    std::string_view categories;
    std::string_view sources;
    std::string_view purposes;
    std::string_view recipients;
    std::string_view retention;
    std::string_view rights;
    std::string_view complaint;
};

const Terms& terms_of(Regime regime) {
    static const Terms gdpr{
        "your request under the GDPR (Art. 15)",
        "the EEA",
        "the personal data concerned",
        "categories of personal data",
        "source of the personal data",
        "purposes of the processing",
        "recipients to whom the personal data have been or will be disclosed",
        "period for which the personal data will be stored",
        "your rights",
        "You may lodge a complaint with a data protection supervisory authority, in particular in the EU or "
        "EEA country where you live, where you work, or where you think the law was broken (GDPR Art. 77). "
        "You may also write to us first."};
    static const Terms ccpa{
        "your request to know under the California Consumer Privacy Act (Cal. Civ. Code 1798.110)",
        "the United States",
        "specific pieces of personal information",
        "categories of personal information collected",
        "categories of sources",
        "business or commercial purposes",
        "categories of third parties to whom disclosed",
        "how long each category is retained",
        "your rights under the CCPA",
        "If you think we have not respected your privacy rights, you may file a complaint with the California "
        "Privacy Protection Agency (cppa.ca.gov) or the California Attorney General (oag.ca.gov/privacy)."};
    static const Terms pipl{
        "your request under the Personal Information Protection Law (Art. 45)",
        "mainland China",
        "the personal information we handle",
        "categories of personal information",
        "sources of the personal information",
        "purposes and methods of handling",
        "other personal information handlers who receive it",
        "retention period",
        "your rights under the PIPL",
        "You may complain to, or report us to, the departments that perform personal information protection "
        "duties (PIPL Art. 65), and may sue if we refuse your request (Art. 50)."};
    switch (regime) {
        case Regime::gdpr: return gdpr;
        case Regime::ccpa: return ccpa;
        case Regime::pipl: return pipl;
    }
    return gdpr;
}

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

std::string_view basis_words(policy::LawfulBasis basis) {
    switch (basis) {
        case policy::LawfulBasis::consent: return "your consent, which you may withdraw at any time";
        case policy::LawfulBasis::contract: return "it is needed for our contract with you";
        case policy::LawfulBasis::legal_obligation: return "a legal obligation we must meet";
        case policy::LawfulBasis::vital_interests: return "to protect your or someone else's vital interests";
        case policy::LawfulBasis::public_task: return "a task carried out in the public interest";
        case policy::LawfulBasis::legitimate_interest: return "our legitimate interests, which you may object to";
    }
    return "";
}

std::string_view source_words(policy::Source source) {
    switch (source) {
        case policy::Source::provided: return "you gave us";
        case policy::Source::observed: return "we observed";
        case policy::Source::derived: return "we derived";
    }
    return "";
}

std::string_view role_words(policy::RecipientRole role, Regime regime) {
    switch (role) {
        // The CCPA calls a processor a service provider (Cal. Civ. Code 1798.140(ag)).
        case policy::RecipientRole::processor: return regime == Regime::ccpa ? "our service provider" : "our processor";
        case policy::RecipientRole::third_party: return "a third party";
        case policy::RecipientRole::controller: return "an independent controller";
        case policy::RecipientRole::joint_controller: return "our joint controller";
    }
    return "";
}

/// A policy name for a person: `order_fulfilment` reads "order fulfilment".
std::string words(std::string_view name) {
    std::string out(name);
    std::replace(out.begin(), out.end(), '_', ' ');
    return out;
}

std::string capitalised(std::string text) {
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

std::string duration_words(const policy::Duration& d) {
    static constexpr std::string_view units[] = {"hour", "day", "month", "year"};
    std::string out = std::to_string(d.count) + " " + std::string(units[static_cast<int>(d.unit)]);
    return d.count == 1 ? out : out + "s";
}

std::string timestamp_words(const policy::Timestamp& ts) {
    return ts.table.empty() ? ts.column : ts.table + "." + ts.column;
}

/// The timestamp for a person: "placed at", or "placed at (orders)" for a parent's.
std::string timestamp_text(const policy::Timestamp& ts) {
    std::string own = words(ts.column);
    return ts.table.empty() ? own : own + " (" + words(ts.table) + ")";
}

std::string retention_words(const policy::Table& table) {
    if (!table.retention) return "kept while the account exists; erased on request";
    return "kept " + duration_words(table.retention->keep) + " after " + timestamp_text(table.retention->timestamp) +
           ", then " + (table.retention->action == policy::ErasureAction::mask ? "anonymised" : "deleted");
}

std::string base64(const std::vector<unsigned char>& bytes) { return crypto::to_base64(bytes.data(), bytes.size()); }



// ---- JSON ------------------------------------------------------------------

Json terms_json(const Terms& t) {
    return {{"data", t.data},         {"categories", t.categories}, {"sources", t.sources},
            {"purposes", t.purposes}, {"recipients", t.recipients}, {"retention", t.retention},
            {"rights", t.rights}};
}

Json look_back_json(const std::optional<jobs::LookBack>& lb) {
    if (!lb) return nullptr;
    return {{"months", lb->months}, {"since", format_date(lb->since)}, {"tables_without_timestamp", lb->tables_without_timestamp}};
}

Json hold_json(const policy::Policy& policy, const policy::Table& table) {
    if (!table.erasure || !table.erasure->hold) return nullptr;
    const auto& h = *table.erasure->hold;
    const auto* purpose = policy.find_purpose(h.purpose);
    return {{"purpose", h.purpose},
            {"description", purpose ? purpose->description : ""},
            {"keep", h.keep.text},
            {"after", timestamp_words(h.timestamp)}};
}

Json column_json(const policy::Policy& policy, const policy::Column& c, bool withheld) {
    Json bases = Json::array();
    for (const auto& p : c.purposes)
        if (const auto* purpose = policy.find_purpose(p)) bases.push_back(policy::to_string(purpose->basis));
    return {{"column", c.name},      {"category", c.category}, {"purposes", c.purposes},
            {"lawful_bases", bases}, {"source", policy::to_string(c.source)}, {"withheld", withheld}};
}

/// What the tables with rows use: categories, purposes, sources.
struct Used {
    std::set<std::string> categories, purposes;
    std::map<policy::Source, std::set<std::string>> sources;
};

Used used_by(const jobs::AccessResult& result) {
    Used used;
    for (const auto& t : result.tables) {
        if (t.rows.empty()) continue;
        for (const auto& c : t.table->columns) {
            used.categories.insert(c.category);
            used.purposes.insert(c.purposes.begin(), c.purposes.end());
            used.sources[c.source].insert(c.category);
        }
    }
    return used;
}

/// Categories in the policy's order (built-ins first), not alphabetical.
std::vector<std::string> ordered(const policy::Policy& policy, const std::set<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& c : policy.categories)
        if (names.count(c.name)) out.push_back(c.name);
    return out;
}

bool receives(const policy::Recipient& r, const Used& used) {
    return std::any_of(r.categories.begin(), r.categories.end(),
                       [&](const std::string& c) { return used.categories.count(c) > 0; });
}

Json recipients_json(const policy::Policy& policy, const Used& used) {
    Json out = Json::array();
    for (const auto& r : policy.recipients) {
        if (!receives(r, used)) continue;
        out.push_back({{"name", r.name},
                       {"role", policy::to_string(r.role)},
                       {"country", r.country},
                       {"transfer_outside_region", !inside_region(policy.regime, r.country)},
                       {"safeguards", r.safeguards},
                       {"categories", r.categories},
                       {"purposes", r.purposes}});
    }
    return out;
}

Json sources_json(const policy::Policy& policy, const Used& used) {
    Json out = Json::array();
    for (const auto& [source, categories] : used.sources)
        out.push_back({{"source", policy::to_string(source)},
                       {"description", source_words(source)},
                       {"categories", ordered(policy, categories)}});
    return out;
}

Json purposes_json(const policy::Policy& policy, const Used& used) {
    Json out = Json::array();
    for (const auto& p : policy.purposes)
        if (used.purposes.count(p.name))
            out.push_back({{"purpose", p.name}, {"lawful_basis", policy::to_string(p.basis)}, {"description", p.description}});
    return out;
}

// ---- text ------------------------------------------------------------------

/// ` (2023-11-14T22:13:20Z)` after a Unix time the policy declares as this
/// table's own timestamp, so a person can read it.
std::string iso_hint(const policy::Table& table, std::string_view column, const db::Value& value) {
    const auto* i = std::get_if<std::int64_t>(&value);
    if (!i) return "";
    for (const policy::Timestamp* ts : {table.retention ? &table.retention->timestamp : nullptr,
                                        table.erasure && table.erasure->hold ? &table.erasure->hold->timestamp : nullptr}) {
        if (!ts || !ts->table.empty() || ts->column != column) continue;
        std::int64_t seconds = ts->format == policy::TimeFormat::unix_seconds  ? *i
                               : ts->format == policy::TimeFormat::unix_millis ? *i / 1000
                                                                               : INT64_MIN;
        if (seconds < -62135596800 || seconds > 253402300799) return "";
        return " (" + utc_iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(seconds))) + ")";
    }
    return "";
}

/// One row's items of `category`, "what: value; what: value", or empty when
/// the row holds nothing of that category.
std::string row_items(const jobs::AccessTable& t, std::size_t r, const std::string& category) {
    std::string line;
    bool any = false;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const auto* c = t.table->find_column(t.columns[i]);
        if (!c || c->category != category) continue;
        const auto& value = t.rows[r][i];
        any = any || !std::holds_alternative<std::monostate>(value);
        std::string shown = t.withheld[i] ? (std::holds_alternative<std::monostate>(value) ? "(none)" : std::string(withheld_words))
                                          : value_text(value) + iso_hint(*t.table, c->name, value);
        line += (line.empty() ? "" : "; ") + words(c->name) + ": " + shown;
    }
    return any ? line : "";
}

/// One table's part of a category: a heading, then one line per row;
/// identical lines (an email repeated on every order) are shown once, counted.
std::string table_items(const jobs::AccessTable& t, const std::string& category) {
    std::vector<std::pair<std::string, int>> lines;
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        auto line = row_items(t, r, category);
        if (line.empty()) continue;
        auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == line; });
        if (it == lines.end()) lines.emplace_back(line, 1);
        else ++it->second;
    }
    if (lines.empty()) return "";
    std::string out = "  In " + words(t.table->name) + ":\n";
    for (const auto& [line, count] : lines)
        out += "    - " + line + (count > 1 ? " (in " + std::to_string(count) + " records)" : "") + "\n";
    return out;
}

std::string heading(std::string_view title, std::string_view term) {
    return "\n" + std::string(title) + " (" + std::string(term) + ")\n";
}

std::string data_text(const policy::Policy& policy, const jobs::AccessResult& result, const Used& used) {
    std::string out = heading("What we hold about you, by category", terms_of(policy.regime).categories);
    for (const auto& category : ordered(policy, used.categories)) {
        std::string items;
        for (const auto& t : result.tables) items += table_items(t, category);
        if (items.empty()) continue;
        const auto* cat = policy.find_category(category);
        out += "\n" + capitalised(words(category)) + (cat && !cat->description.empty() ? ": " + cat->description : "") + "\n";
        out += items;
    }
    return out;
}

std::string purposes_text(const policy::Policy& policy, const Used& used) {
    std::string out = heading("Why we use it", terms_of(policy.regime).purposes);
    for (const auto& p : policy.purposes) {
        if (!used.purposes.count(p.name)) continue;
        out += "  " + capitalised(words(p.name)) + ": " + p.description + "\n";
        // The CCPA knows no lawful bases; the GDPR and PIPL require them.
        if (policy.regime != Regime::ccpa) out += "    On what basis: " + std::string(basis_words(p.basis)) + ".\n";
    }
    return out;
}

std::string recipient_line(const policy::Policy& policy, const policy::Recipient& r) {
    std::string categories;
    for (const auto& c : r.categories) categories += (categories.empty() ? "" : ", ") + words(c);
    std::string line = "  " + r.name + ", " + std::string(role_words(r.role, policy.regime)) + ", in " + r.country + ": " + categories + "\n";
    if (!inside_region(policy.regime, r.country)) {
        line += "    Outside " + std::string(terms_of(policy.regime).region) + ": ";
        line += r.safeguards.empty() ? "no safeguard is declared; ask us about this transfer.\n"
                                     : "safeguard: " + r.safeguards + ".\n";
    }
    return line;
}

std::string recipients_text(const policy::Policy& policy, const Used& used) {
    std::string out = heading("Who receives it", terms_of(policy.regime).recipients);
    std::string lines;
    for (const auto& r : policy.recipients)
        if (receives(r, used)) lines += recipient_line(policy, r);
    return out + (lines.empty() ? "  No one outside " + policy.controller.name + ".\n" : lines);
}

/// "until 2036-09-12", or the range of a table's rows' dates; a period that
/// is over for every row is said to be over, not promised for the past.
std::string until_words(const std::vector<std::optional<CivilDate>>& ends, CivilDate today) {
    std::vector<CivilDate> dates;
    for (const auto& d : ends)
        if (d) dates.push_back(*d);
    if (dates.empty()) return "";
    auto [first, last] = std::minmax_element(dates.begin(), dates.end());
    if (*last < today) return "the period ended by " + format_date(*last);
    if (*first == *last) return "until " + format_date(*first);
    return "until " + format_date(*first) + " to " + format_date(*last) + ", each record by its own date";
}

std::string without_full_stop(std::string text) {
    if (!text.empty() && text.back() == '.') text.pop_back();
    return text;
}

std::string retention_text(const policy::Policy& policy, const jobs::AccessResult& result) {
    std::string out = heading("How long we keep it", terms_of(policy.regime).retention);
    for (const auto& t : result.tables) {
        if (t.rows.empty()) continue;
        out += "  " + capitalised(words(t.table->name)) + ": " + retention_words(*t.table);
        auto until = until_words(t.retention_ends, result.today);
        out += until.empty() ? ".\n" : "; for yours: " + until + ".\n";
        if (!t.table->erasure || !t.table->erasure->hold) continue;
        const auto& h = *t.table->erasure->hold;
        const auto* purpose = policy.find_purpose(h.purpose);
        auto held = until_words(t.hold_ends, result.today);
        out += "    Even if you ask us to erase it, kept for " + words(h.purpose) +
               (purpose ? " (" + without_full_stop(purpose->description) + ")" : "") + (held.empty() ? "" : ", for yours: " + held) +
               ".\n";
    }
    return out;
}

std::string sources_text(const policy::Policy& policy, const Used& used) {
    std::string out = heading("Where it comes from", terms_of(policy.regime).sources);
    for (const auto& [source, categories] : used.sources) {
        std::string names;
        for (const auto& c : ordered(policy, categories)) names += (names.empty() ? "" : ", ") + words(c);
        out += "  " + capitalised(std::string(source_words(source))) + ": " + names + "\n";
    }
    return out;
}

std::string rights_text(const policy::Policy& policy) {
    const auto& terms = terms_of(policy.regime);
    std::string out = "\n" + capitalised(std::string(terms.rights)) + "\n";
    out += "  You have the right to:\n";
    for (const auto& right : rights_of(policy.regime)) out += "  - " + right + "\n";
    out += "  To use them, write to " + policy.controller.contact + ".\n";
    out += "\nHow to complain\n  " + std::string(terms.complaint) + "\n";
    return out;
}

std::string look_back_text(const policy::Policy& policy, const std::optional<jobs::LookBack>& lb) {
    if (!lb) return "";
    std::string out = "\nThis covers the personal information collected in the " + std::to_string(lb->months) +
                      " months since " + format_date(lb->since) + ". Ask " + policy.controller.name +
                      " if you want what was collected before.\n";
    if (!lb->tables_without_timestamp.empty()) {
        std::string names;
        for (const auto& t : lb->tables_without_timestamp) names += (names.empty() ? "" : ", ") + words(t);
        out += "Records without a date are all included: " + names + ".\n";
    }
    return out;
}

std::string title_text(const policy::Policy& policy, const jobs::AccessResult& result) {
    return "The personal data " + policy.controller.name + " holds about you\n" + "As of " + format_date(result.today) +
           ", in answer to " + std::string(terms_of(policy.regime).law) + ".\n" +
           "Questions about this report: " + policy.controller.contact + "\n" + look_back_text(policy, result.look_back);
}

}  // namespace

std::string shortest_real(double d) {
    char text[64];
    auto [end, ec] = std::to_chars(text, text + sizeof text, d);
    return ec == std::errc{} ? std::string(text, end) : std::string("?");
}

nlohmann::ordered_json value_json(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return nullptr;
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
    if (const auto* d = std::get_if<double>(&value)) return *d;
    return {{"base64", base64(std::get<db::Blob>(value).bytes)}};
}

std::string value_text(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return "(none)";
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) return shortest_real(*d);
    const auto& bytes = std::get<db::Blob>(value).bytes;
    std::string out = "(" + std::to_string(bytes.size()) + (bytes.size() == 1 ? " byte" : " bytes");
    // Short binary values are shown whole; long ones are in the JSON report.
    return out + (bytes.size() <= 48 ? ", base64 " + base64(bytes) + ")" : ")");
}

std::string json_text(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

/// Text that JSON carries as it is: well-formed UTF-8 (which nlohmann writes
/// unchanged) without a control character, quote or backslash. Anything
/// else (escapes, invalid bytes) goes through nlohmann, so the bytes are
/// exactly those it writes for the value. Names and addresses are often
/// not ASCII, and building a JSON value for each of them was costly.
bool verbatim_json_text(std::string_view text) {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* const end = p + text.size();
    while (p < end) {
        const unsigned char lead = *p;
        if (lead < 0x80) {
            if (lead < 0x20 || lead == '"' || lead == '\\') return false;
            ++p;
            continue;
        }
        // Well-formed sequences only (Unicode Table 3-7): no overlong forms,
        // no surrogates, nothing above U+10FFFF; the second byte's range
        // depends on the first.
        std::ptrdiff_t length = 0;
        unsigned char low = 0x80, high = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            length = 2;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            length = 3;
            if (lead == 0xe0) low = 0xa0;
            if (lead == 0xed) high = 0x9f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            length = 4;
            if (lead == 0xf0) low = 0x90;
            if (lead == 0xf4) high = 0x8f;
        } else {
            return false;
        }
        if (end - p < length || p[1] < low || p[1] > high) return false;
        for (std::ptrdiff_t i = 2; i < length; ++i)
            if (p[i] < 0x80 || p[i] > 0xbf) return false;
        p += length;
    }
    return true;
}

/// An object's text without its closing brace, for members to follow.
std::string open_object(const Json& object) {
    std::string text = json_text(object);
    text.pop_back();
    return text;
}

/// `,"key":` for a member after the first.
std::string member_name(std::string_view key) { return "," + json_text(Json(key)) + ":"; }

void append_optional_date(std::string& out, const std::optional<CivilDate>& date) {
    if (date)
        out += '"' + format_date(*date) + '"';
    else
        out += "null";
}

}  // namespace

void append_value_json(std::string& out, const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) {
        out += "null";
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, *i).ptr;
        out.append(digits, end);
    } else if (const auto* text = std::get_if<std::string>(&value); text && verbatim_json_text(*text)) {
        out += '"';
        out += *text;
        out += '"';
    } else {
        out += json_text(value_json(value));
    }
}

void append_member(std::string& object, std::string_view key, const nlohmann::ordered_json& value) {
    object.pop_back();  // the closing brace
    object += member_name(key) + json_text(value) + "}";
}

AccessJsonWriter::AccessJsonWriter(const policy::Policy& policy) : policy_(policy) {
    controller_and_regime_ = member_name("controller") +
                             json_text({{"name", policy.controller.name}, {"contact", policy.controller.contact}}) +
                             member_name("regime") + json_text(policy::to_string(policy.regime));
    terms_ = member_name("terms") + json_text(terms_json(terms_of(policy.regime)));
}

std::string AccessJsonWriter::head(const Envelope& envelope, const SubjectRef& subject,
                                   const jobs::AccessResult& result) {
    std::string out = open_object(envelope_json(envelope));
    out += member_name("subject") + json_text(subject_json(subject));
    out += controller_and_regime_;
    out += member_name("as_of") + '"' + format_date(result.today) + '"';
    out += terms_;
    out += member_name("look_back") + json_text(look_back_json(result.look_back));
    return out;
}

const AccessJsonWriter::TableText& AccessJsonWriter::table_text(const jobs::AccessTable& t) {
    auto found = tables_.find(t.table);
    if (found != tables_.end() && found->second.columns == t.columns && found->second.withheld == t.withheld)
        return found->second;
    TableText text;
    text.columns = t.columns;
    text.withheld = t.withheld;
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        text.value_prefixes.push_back((i ? "," : "{") + json_text(Json(t.columns[i])) + ":");
    // A column named like a date dsr adds keeps its place; the date is then
    // left out (dsr-report(7)).
    auto own = [&](std::string_view name) { return std::find(t.columns.begin(), t.columns.end(), name) != t.columns.end(); };
    text.column_named_retention_ends = own("retention_ends");
    text.column_named_hold_ends = own("hold_ends");
    text.before_count = open_object({{"table", t.table->name}}) + member_name("row_count");
    Json columns = Json::array();
    for (std::size_t i = 0; i < t.columns.size(); ++i)
        if (const auto* c = t.table->find_column(t.columns[i]))  // the key alone is no category of data
            columns.push_back(column_json(policy_, *c, t.withheld[i]));
    text.after_count = member_name("retention") + json_text(retention_words(*t.table)) + member_name("hold") +
                       json_text(hold_json(policy_, *t.table)) + member_name("columns") + json_text(columns) +
                       member_name("rows") + "[";
    return tables_[t.table] = std::move(text);
}

std::string AccessJsonWriter::report(const Envelope& envelope, const SubjectRef& subject,
                                     const jobs::AccessResult& result) {
    std::string out = head(envelope, subject, result);
    out += member_name("tables") + "[";
    std::string tables_with_rows;
    std::size_t tables_with_data = 0;
    for (std::size_t n = 0; n < result.tables.size(); ++n) {
        const auto& t = result.tables[n];
        if (!t.rows.empty()) {
            tables_with_rows += t.table->name + '\n';
            ++tables_with_data;
        }
        const auto& text = table_text(t);
        const bool add_retention_ends = !t.retention_ends.empty() && !text.column_named_retention_ends;
        const bool add_hold_ends = !t.hold_ends.empty() && !text.column_named_hold_ends;
        if (n) out += ',';
        out += text.before_count + std::to_string(t.rows.size()) + text.after_count;
        for (std::size_t r = 0; r < t.rows.size(); ++r) {
            if (r) out += ',';
            for (std::size_t i = 0; i < t.columns.size(); ++i) {
                out += text.value_prefixes[i];
                const auto& value = t.rows[r][i];
                // A withheld column says only whether something is held.
                if (!t.withheld[i])
                    append_value_json(out, value);
                else
                    out += std::holds_alternative<std::monostate>(value) ? "null" : R"({"withheld":true})";
            }
            if (add_retention_ends) {
                out += R"(,"retention_ends":)";
                append_optional_date(out, t.retention_ends[r]);
            }
            if (add_hold_ends) {
                out += R"(,"hold_ends":)";
                append_optional_date(out, t.hold_ends[r]);
            }
            out += '}';
        }
        out += "]}";
    }
    out += ']';
    auto items = items_by_tables_with_rows_.find(tables_with_rows);
    if (items == items_by_tables_with_rows_.end()) {
        auto used = used_by(result);
        std::string text = member_name("purposes") + json_text(purposes_json(policy_, used)) +
                           member_name("categories") + json_text(ordered(policy_, used.categories)) +
                           member_name("sources") + json_text(sources_json(policy_, used)) +
                           member_name("recipients") + json_text(recipients_json(policy_, used)) +
                           member_name("rights") + json_text(rights_of(policy_.regime)) +
                           member_name("complaint") + json_text(terms_of(policy_.regime).complaint);
        items = items_by_tables_with_rows_.emplace(tables_with_rows, std::move(text)).first;
    }
    out += items->second;
    out += member_name("totals") + json_text({{"tables_with_data", tables_with_data}, {"rows", result.total_rows}});
    return out + "}";
}

std::string AccessJsonWriter::not_found(const Envelope& envelope, const SubjectRef& subject,
                                        const jobs::AccessResult& result) {
    return head(envelope, subject, result) + "}";
}

std::string access_text(const policy::Policy& policy, const jobs::AccessResult& result) {
    auto used = used_by(result);
    return title_text(policy, result) + data_text(policy, result, used) + purposes_text(policy, used) +
           recipients_text(policy, used) + retention_text(policy, result) + sources_text(policy, used) +
           rights_text(policy);
}

std::string access_not_found_text(const policy::Policy& policy, const jobs::AccessResult& result) {
    std::string out = policy.controller.name + " holds no personal data about this subject";
    if (result.look_back) out += " from the " + std::to_string(result.look_back->months) + " months since " +
                                 format_date(result.look_back->since) + " (--all-time searches everything)";
    return out + ".\n";
}

}  // namespace dsr::report
