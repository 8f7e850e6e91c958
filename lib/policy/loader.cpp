#include "policy/loader.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <unordered_set>

#include "policy/links.h"
#include "policy/names.h"
#include "policy/pattern.h"
#include "policy/reader.h"
#include "policy/yaml_tree.h"
#include "util/civil_date.h"
#include "util/sha256.h"

namespace dsr::policy {

namespace {

/// A shop's personal data spans tens of tables, a large one hundreds. A
/// Table is some 700 bytes: a megabyte of one-line tables (48,000) would
/// take more memory than the rest of a run.
constexpr std::size_t max_tables = 10000;

/// Categories every policy may use without declaring them. `sensitive` marks
/// data whose exposure raises risk (GDPR Art. 9 and its neighbours); the last
/// field, `disclose`, is false for what an access report must never show.
const std::vector<Category>& builtin_categories() {
    static const std::vector<Category> list = {
        {"identity", "names and other direct identifiers", false, true},
        {"contact", "email addresses and phone numbers", false, true},
        {"address", "postal addresses", false, true},
        {"demographic", "date of birth, gender, language", false, true},
        {"body_measurements", "body measurements for made-to-measure goods", true, true},
        {"payment", "payment instruments and tokens", true, true},
        {"purchase_history", "orders, returns and what was bought", false, true},
        {"online_identifier", "IP addresses, cookies, device and session identifiers", false, true},
        {"location", "precise location", true, true},
        {"communications", "messages exchanged with the subject", false, true},
        {"loyalty", "loyalty points and rewards", false, true},
        {"marketing_preferences", "consent and marketing choices", false, true},
        {"government_id", "passport, national ID, tax numbers", true, true, false},
        {"credentials", "passwords, password hashes, security questions and answers", true, true, false},
        {"health", "health data (special category)", true, true},
        {"biometric", "biometric data (special category)", true, true},
        {"minors", "data about children", true, true},
    };
    return list;
}

/// `table.column` or, for a PostgreSQL table in another schema,
/// `schema.table.column`: the column is after the last dot. No part empty.
std::optional<std::pair<std::string, std::string>> split_qualified(std::string_view s) {
    auto dot = s.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return std::nullopt;
    auto first = s.find('.');
    if (first != dot && (first == 0 || first + 1 == dot || s.find('.', first + 1) != dot)) return std::nullopt;
    return std::pair{std::string(s.substr(0, dot)), std::string(s.substr(dot + 1))};
}

std::vector<std::string_view> keys_of(const auto& named, auto member) {
    std::vector<std::string_view> out;
    for (const auto& item : named) out.push_back(item.*member);
    return out;
}

class PolicyLoader {
public:
    PolicyLoader(Policy& policy, std::vector<Diagnostic>& errors) : p_(policy), r_(errors) {}

    void load(const YamlNode& root) {
        if (!r_.is_map(root, "the policy")) return;
        r_.only_keys(root,
                     {"version", "controller", "regime", "state", "databases", "identities", "categories",
                      "purposes", "recipients", "tables", "non_personal_tables", "consent", "requests",
                      "breach"},
                     "the policy");
        load_version(root);
        if (const auto* n = r_.required(root, "controller", "the policy")) load_controller(*n);
        if (const auto* n = r_.required(root, "regime", "the policy"))
            if (auto v = r_.choice(*n, regimes, "regime")) p_.regime = *v;
        if (const auto* n = root.find("state"))
            if (auto v = r_.text(*n, "state")) p_.state = *v;
        if (const auto* n = r_.required(root, "databases", "the policy")) load_databases(*n);
        p_.categories = builtin_categories();
        if (const auto* n = root.find("categories")) load_categories(*n);
        if (const auto* n = r_.required(root, "purposes", "the policy")) load_purposes(*n);
        if (const auto* n = r_.required(root, "identities", "the policy")) load_identities(*n);
        if (const auto* n = root.find("recipients")) load_recipients(*n);
        if (const auto* n = r_.required(root, "tables", "the policy")) load_tables(*n);
        if (const auto* n = root.find("non_personal_tables")) load_non_personal_tables(*n);
        if (const auto* n = root.find("consent")) load_consent(*n);
        if (const auto* n = root.find("requests")) load_requests(*n);
        if (p_.regime == Regime::pipl && !p_.requests.deadline)
            r_.error(root.where, "regime pipl sets no number of days: give requests: deadline: (e.g. 15 business days)");
        check_identities();
        if (const auto* n = root.find("breach")) load_breach(*n);
        check_links();
    }

private:
    Policy& p_;
    Reader r_;

    void load_version(const YamlNode& root) {
        const auto* n = r_.required(root, "version", "the policy");
        if (!n) return;
        auto v = r_.integer(*n, "version");
        if (v && *v != 1) r_.error(n->where, "unsupported policy version " + std::to_string(*v) + " (this dsr reads version 1)");
    }

    void load_controller(const YamlNode& n) {
        if (!r_.is_map(n, "controller")) return;
        r_.only_keys(n, {"name", "contact", "timezone"}, "controller");
        if (const auto* v = r_.required(n, "name", "controller"))
            if (auto s = r_.text(*v, "controller name")) p_.controller.name = *s;
        if (const auto* v = r_.required(n, "contact", "controller"))
            if (auto s = r_.text(*v, "controller contact")) p_.controller.contact = *s;
        if (const auto* v = n.find("timezone")) {
            if (auto s = r_.text(*v, "controller timezone")) {
                p_.controller.timezone = *s;
                // Deadlines are dates in this zone; an unknown one would silently count in UTC.
                if (!is_known_time_zone(*s))
                    r_.error(v->where, "controller timezone: unknown time zone '" + *s +
                                           "' (an IANA name such as Europe/Dublin; see /usr/share/zoneinfo)");
            }
        }
    }

    void load_databases(const YamlNode& n) {
        if (!r_.is_map(n, "databases")) return;
        if (n.entries.empty()) r_.error(n.where, "databases: declare at least one database");
        for (const auto& [key, value] : n.entries) {
            DatabaseRef db;
            db.name = key.value;
            db.where = key.where;
            std::string context = "database '" + db.name + "'";
            if (!r_.is_map(value, context)) continue;
            r_.only_keys(value, {"url", "default"}, context);
            if (const auto* v = r_.required(value, "url", context))
                if (auto s = r_.text(*v, context + " url")) {
                    db.url = *s;
                    if (!db.url.starts_with("sqlite:") && !db.url.starts_with("postgresql://") &&
                        !db.url.starts_with("postgres://"))
                        r_.error(v->where, context + ": url must start with 'sqlite:' or 'postgresql://'");
                }
            if (const auto* v = value.find("default"))
                if (auto b = r_.boolean(*v, context + " default")) db.is_default = *b;
            p_.databases.push_back(std::move(db));
        }
        int defaults = 0;
        for (const auto& db : p_.databases) defaults += db.is_default ? 1 : 0;
        if (p_.databases.size() == 1) p_.databases.front().is_default = true;
        else if (defaults != 1 && !p_.databases.empty())
            r_.error(n.where, "databases: with several databases, exactly one must have 'default: true' (found " +
                                  std::to_string(defaults) + ")");
    }

    void load_categories(const YamlNode& n) {
        if (!r_.is_map(n, "categories")) return;
        for (const auto& [key, value] : n.entries) {
            std::string context = "category '" + key.value + "'";
            if (p_.find_category(key.value)) {
                r_.error(key.where, context + " is built in; choose another name");
                continue;
            }
            Category c;
            c.name = key.value;
            if (r_.is_map(value, context)) {
                r_.only_keys(value, {"description", "sensitive", "disclose"}, context);
                if (const auto* v = r_.required(value, "description", context))
                    if (auto s = r_.text(*v, context + " description")) c.description = *s;
                if (const auto* v = value.find("sensitive"))
                    if (auto b = r_.boolean(*v, context + " sensitive")) c.sensitive = *b;
                if (const auto* v = value.find("disclose"))
                    if (auto b = r_.boolean(*v, context + " disclose")) c.disclose = *b;
            }
            p_.categories.push_back(std::move(c));
        }
    }

    void load_purposes(const YamlNode& n) {
        if (!r_.is_map(n, "purposes")) return;
        for (const auto& [key, value] : n.entries) {
            Purpose purpose;
            purpose.name = key.value;
            purpose.where = key.where;
            std::string context = "purpose '" + key.value + "'";
            if (r_.is_map(value, context)) {
                r_.only_keys(value, {"basis", "description"}, context);
                if (const auto* v = r_.required(value, "basis", context))
                    if (auto b = r_.choice(*v, bases, "lawful basis")) purpose.basis = *b;
                if (const auto* v = r_.required(value, "description", context))
                    if (auto s = r_.text(*v, context + " description")) purpose.description = *s;
            }
            p_.purposes.push_back(std::move(purpose));
        }
    }

    void load_identities(const YamlNode& n) {
        if (!r_.is_map(n, "identities")) return;
        if (n.entries.empty()) r_.error(n.where, "identities: declare at least one way to name a subject");
        for (const auto& [key, value] : n.entries) {
            Identity id;
            id.kind = key.value;
            id.where = key.where;
            std::string context = "identity '" + key.value + "'";
            if (!r_.is_map(value, context)) continue;
            r_.only_keys(value, {"column", "normalize"}, context);
            if (const auto* v = r_.required(value, "column", context)) {
                if (auto s = r_.text(*v, context + " column")) {
                    if (auto q = split_qualified(*s)) {
                        id.table = q->first;
                        id.column = q->second;
                        id.where = v->where;
                    } else {
                        r_.error(v->where, context + ": column must be written TABLE.COLUMN (or SCHEMA.TABLE.COLUMN), got '" + *s + "'");
                    }
                }
            }
            if (const auto* v = value.find("normalize"))
                if (auto norm = r_.choice(*v, normalizations, "normalization")) id.normalize = *norm;
            p_.identities.push_back(std::move(id));
        }
    }

    void check_names(const std::vector<std::pair<std::string, Position>>& refs, const auto& declared, auto member,
                     std::string_view what) {
        auto known = keys_of(declared, member);
        // A set, so a long list of references against many names stays linear.
        std::unordered_set<std::string_view> lookup(known.begin(), known.end());
        for (const auto& [name, where] : refs)
            if (!lookup.count(name)) r_.unknown(where, name, what, known);
    }

    std::vector<std::string> check_purposes(const YamlNode& node, std::string_view context) {
        auto refs = r_.names(node, context);
        check_names(refs, p_.purposes, &Purpose::name, "purpose");
        std::vector<std::string> out;
        for (auto& [name, where] : refs) out.push_back(name);
        return out;
    }

    void load_recipients(const YamlNode& n) {
        if (!r_.is_map(n, "recipients")) return;
        for (const auto& [key, value] : n.entries) {
            Recipient rec;
            rec.id = key.value;
            rec.where = key.where;
            std::string context = "recipient '" + key.value + "'";
            if (!r_.is_map(value, context)) continue;
            r_.only_keys(value, {"name", "role", "country", "categories", "purposes", "safeguards"}, context);
            if (const auto* v = r_.required(value, "name", context))
                if (auto s = r_.text(*v, context + " name")) rec.name = *s;
            if (const auto* v = r_.required(value, "role", context))
                if (auto role = r_.choice(*v, roles, "recipient role")) rec.role = *role;
            if (const auto* v = r_.required(value, "country", context)) {
                if (auto s = r_.text(*v, context + " country")) {
                    static const std::regex alpha2("[A-Z]{2}");
                    if (!std::regex_match(*s, alpha2))
                        r_.error(v->where, context + ": country must be an ISO 3166-1 alpha-2 code such as IE or US");
                    rec.country = *s;
                }
            }
            if (const auto* v = r_.required(value, "categories", context)) {
                auto refs = r_.names(*v, context + " categories");
                check_names(refs, p_.categories, &Category::name, "category");
                for (auto& [name, where] : refs) rec.categories.push_back(name);
            }
            if (const auto* v = r_.required(value, "purposes", context)) rec.purposes = check_purposes(*v, context + " purposes");
            if (const auto* v = value.find("safeguards"))
                if (auto s = r_.text(*v, context + " safeguards")) rec.safeguards = *s;
            p_.recipients.push_back(std::move(rec));
        }
    }

    void load_tables(const YamlNode& n) {
        if (!r_.is_map(n, "tables")) return;
        if (n.entries.empty()) r_.error(n.where, "tables: declare at least one table");
        if (n.entries.size() > max_tables) {
            r_.error(n.where, "tables: " + std::to_string(n.entries.size()) + " tables; the limit is " +
                                  std::to_string(max_tables));
            return;
        }
        // Names first, so links may point at tables declared further down.
        // (Reserved: a Table is large, and a megabyte of one-line tables is
        // 48,000 of them; doubling the vector would briefly hold them twice.)
        p_.tables.reserve(n.entries.size());
        for (const auto& [key, value] : n.entries) {
            Table t;
            t.name = key.value;
            t.where = key.where;
            p_.tables.push_back(std::move(t));
        }
        for (std::size_t i = 0; i < n.entries.size(); ++i) load_table(p_.tables[i], n.entries[i].second);
    }

    void load_table(Table& t, const YamlNode& n) {
        std::string context = "table '" + t.name + "'";
        if (!r_.is_map(n, context)) return;
        r_.only_keys(n, {"database", "key", "links", "columns", "non_personal", "erasure", "retention"}, context);
        if (const auto* v = n.find("database")) {
            if (auto s = r_.text(*v, context + " database")) {
                t.database = *s;
                check_names({{*s, v->where}}, p_.databases, &DatabaseRef::name, "database");
            }
        } else if (const auto* db = p_.default_database()) {
            t.database = db->name;
        }
        if (const auto* v = r_.required(n, "key", context))
            if (auto s = r_.text(*v, context + " key")) t.key = *s;
        if (const auto* v = n.find("columns")) load_columns(t, *v);
        if (const auto* v = n.find("non_personal")) {
            for (auto& [name, where] : r_.names(*v, context + " non_personal")) {
                if (t.find_column(name)) r_.error(where, context + ": column '" + name + "' is listed as personal and as non_personal");
                t.non_personal.push_back(name);
            }
        }
        if (const auto* v = n.find("links")) load_links(t, *v);
        if (const auto* v = n.find("erasure")) load_erasure(t, *v);
        if (const auto* v = n.find("retention")) load_retention(t, *v);
    }

    void load_columns(Table& t, const YamlNode& n) {
        std::string table_context = "table '" + t.name + "' columns";
        if (!r_.is_map(n, table_context)) return;
        for (const auto& [key, value] : n.entries) {
            Column c;
            c.name = key.value;
            c.where = key.where;
            std::string context = "column '" + t.name + "." + c.name + "'";
            if (r_.is_map(value, context)) {
                r_.only_keys(value, {"category", "purposes", "source", "rectify"}, context);
                if (const auto* v = r_.required(value, "category", context)) {
                    if (auto s = r_.text(*v, context + " category")) {
                        c.category = *s;
                        check_names({{*s, v->where}}, p_.categories, &Category::name, "category");
                    }
                }
                if (const auto* v = value.find("purposes")) c.purposes = check_purposes(*v, context + " purposes");
                if (const auto* v = r_.required(value, "source", context))
                    if (auto s = r_.choice(*v, sources, "source")) c.source = *s;
                if (const auto* v = value.find("rectify")) c.rectify = load_rectify(*v, context);
            }
            t.columns.push_back(std::move(c));
        }
    }

    std::optional<RectifyRule> load_rectify(const YamlNode& n, const std::string& column_context) {
        std::string context = column_context + " rectify";
        if (n.is_scalar() && n.value == "false") return std::nullopt;
        if (!r_.is_map(n, context)) return std::nullopt;
        r_.only_keys(n, {"type", "pattern", "choices", "max_length", "min", "max"}, context);
        RectifyRule rule;
        if (const auto* v = r_.required(n, "type", context))
            if (auto type = r_.choice(*v, rectify_types, "rectify type")) rule.type = *type;
        if (const auto* v = n.find("pattern")) {
            if (auto s = r_.text(*v, context + " pattern")) {
                if (s->size() > max_pattern_bytes) {
                    r_.error(v->where, context + ": pattern is longer than " + std::to_string(max_pattern_bytes) + " bytes");
                } else {
                    try {
                        compile_pattern(*s);
                        rule.pattern = *s;
                    } catch (const std::regex_error& e) {
                        r_.error(v->where, context + ": pattern is not a valid regular expression" +
                                               (e.code() == std::regex_constants::error_complexity
                                                    ? " (back-references such as \\1 are not supported)"
                                                    : ""));
                    }
                }
            }
        }
        if (const auto* v = n.find("choices"))
            for (auto& [name, where] : r_.names(*v, context + " choices")) rule.choices.push_back(name);
        if (rule.type == RectifyType::choice && rule.choices.empty())
            r_.error(n.where, context + ": type choice needs a non-empty 'choices' list");
        if (const auto* v = n.find("max_length")) rule.max_length = r_.integer(*v, context + " max_length");
        if (const auto* v = n.find("min")) rule.min = r_.number(*v, context + " min");
        if (const auto* v = n.find("max")) rule.max = r_.number(*v, context + " max");
        return rule;
    }

    void load_links(Table& t, const YamlNode& n) {
        std::string context = "table '" + t.name + "' links";
        if (!r_.is_sequence(n, context)) return;
        for (const auto& item : n.items) {
            if (!r_.is_map(item, "a link of table '" + t.name + "'")) continue;
            r_.only_keys(item, {"column", "references", "identity"}, "a link of table '" + t.name + "'");
            Link link;
            link.where = item.where;
            if (const auto* v = r_.required(item, "column", "a link of table '" + t.name + "'"))
                if (auto s = r_.text(*v, "link column")) link.column = *s;
            const auto* references = item.find("references");
            const auto* identity = item.find("identity");
            if ((references != nullptr) == (identity != nullptr)) {
                r_.error(item.where, "a link of table '" + t.name + "' needs exactly one of 'references' or 'identity'");
                continue;
            }
            if (references) {
                auto s = r_.text(*references, "link references");
                if (!s) continue;
                auto q = split_qualified(*s);
                if (!q) {
                    r_.error(references->where, "link references must be written TABLE.COLUMN (or SCHEMA.TABLE.COLUMN), got '" + *s + "'");
                    continue;
                }
                link.parent_table = q->first;
                link.parent_column = q->second;
                link.where = references->where;
                if (!p_.find_table(link.parent_table)) {
                    r_.unknown(references->where, link.parent_table, "table in link references", keys_of(p_.tables, &Table::name));
                    continue;
                }
            } else if (auto s = r_.text(*identity, "link identity")) {
                link.identity = *s;
                link.where = identity->where;
                check_names({{*s, identity->where}}, p_.identities, &Identity::kind, "identity");
            }
            t.links.push_back(std::move(link));
        }
    }

    std::optional<Duration> duration(const YamlNode& n, std::string_view context) {
        auto s = r_.text(n, context);
        if (!s) return std::nullopt;
        auto d = parse_duration(*s);
        if (!d) r_.error(n.where, std::string(context) + ": bad duration '" + *s +
                                      "' (write a positive whole number and one unit: 10y, 18m, 90d or 36h)");
        return d;
    }

    void load_timestamp(Timestamp& ts, const YamlNode& n, const std::string& context) {
        if (const auto* v = r_.required(n, "column", context)) {
            ts.where = v->where;
            if (auto s = r_.text(*v, context + " column")) {
                if (s->find('.') == std::string::npos) {
                    ts.column = *s;
                } else if (auto q = split_qualified(*s)) {
                    ts.table = q->first;
                    ts.column = q->second;
                } else {
                    r_.error(v->where, context + ": column must be COLUMN or PARENT_TABLE.COLUMN, got '" + *s + "'");
                }
            }
        }
        if (const auto* v = n.find("format"))
            if (auto f = r_.choice(*v, time_formats, "time format")) ts.format = *f;
    }

    void load_erasure(Table& t, const YamlNode& n) {
        std::string context = "table '" + t.name + "' erasure";
        if (!r_.is_map(n, context)) return;
        r_.only_keys(n, {"action", "mask", "hold"}, context);
        Erasure e;
        e.where = n.where;
        if (const auto* v = r_.required(n, "action", context))
            if (auto a = r_.choice(*v, actions, "erasure action")) e.action = *a;
        if (const auto* v = n.find("mask")) load_masks(t, e, *v);
        if (e.action == ErasureAction::mask && e.masks.empty())
            r_.error(n.where, context + ": action mask needs a 'mask' mapping of columns to methods");
        if (const auto* v = n.find("hold")) {
            std::string hold_context = context + " hold";
            if (r_.is_map(*v, hold_context)) {
                r_.only_keys(*v, {"purpose", "column", "format", "keep"}, hold_context);
                Hold h;
                h.where = v->where;
                if (const auto* pv = r_.required(*v, "purpose", hold_context)) {
                    auto refs = r_.names(*pv, hold_context + " purpose");
                    check_names(refs, p_.purposes, &Purpose::name, "purpose");
                    if (!refs.empty()) h.purpose = refs.front().first;
                }
                load_timestamp(h.timestamp, *v, hold_context);
                if (const auto* kv = r_.required(*v, "keep", hold_context))
                    if (auto d = duration(*kv, hold_context + " keep")) h.keep = *d;
                e.hold = std::move(h);
            }
        }
        t.erasure = std::move(e);
    }

    void load_masks(const Table& t, Erasure& e, const YamlNode& n) {
        std::string context = "table '" + t.name + "' erasure mask";
        if (!r_.is_map(n, context)) return;
        for (const auto& [key, value] : n.entries) {
            Mask m;
            m.column = key.value;
            m.where = key.where;
            std::string mask_context = "mask of '" + t.name + "." + m.column + "'";
            const YamlNode* method = &value;
            if (value.is_map()) {
                r_.only_keys(value, {"method", "text", "to", "length"}, mask_context);
                method = r_.required(value, "method", mask_context);
                if (!method) continue;
            }
            // A bare `null` in YAML is a null node, and here it names the null mask.
            if (method->is_null()) {
                m.method = MaskMethod::null;
            } else if (auto mm = r_.choice(*method, mask_methods, "mask method")) {
                m.method = *mm;
            } else {
                continue;
            }
            if (value.is_map()) {
                if (const auto* v = value.find("text"))
                    if (auto s = r_.text(*v, mask_context + " text")) m.redact_text = *s;
                if (const auto* v = value.find("to"))
                    if (auto g = r_.choice(*v, generalizations, "generalization")) m.generalize = *g;
                if (const auto* v = value.find("length"))
                    if (auto len = r_.integer(*v, mask_context + " length")) {
                        if (*len < 1 || *len > 64) r_.error(v->where, mask_context + ": length must be between 1 and 64");
                        m.prefix_length = static_cast<int>(*len);
                    }
            }
            if (!t.find_column(m.column))
                r_.error(key.where, mask_context + ": '" + m.column +
                                        "' is not a personal column of the table (declare it under columns)");
            e.masks.push_back(std::move(m));
        }
    }

    /// For comparing periods written in different units (a year as 365.25 days).
    static double approximate_hours(const Duration& d) {
        switch (d.unit) {
            case Duration::Unit::hours: return static_cast<double>(d.count);
            case Duration::Unit::days: return 24.0 * static_cast<double>(d.count);
            case Duration::Unit::months: return 730.5 * static_cast<double>(d.count);
            case Duration::Unit::years: return 8766.0 * static_cast<double>(d.count);
        }
        return 0;
    }

    void load_retention(Table& t, const YamlNode& n) {
        std::string context = "table '" + t.name + "' retention";
        if (!r_.is_map(n, context)) return;
        r_.only_keys(n, {"column", "format", "keep", "action", "delete_after"}, context);
        Retention ret;
        ret.where = n.where;
        load_timestamp(ret.timestamp, n, context);
        if (const auto* v = r_.required(n, "keep", context))
            if (auto d = duration(*v, context + " keep")) ret.keep = *d;
        if (const auto* v = n.find("action"))
            if (auto a = r_.choice(*v, actions, "retention action")) ret.action = *a;
        if (ret.action == ErasureAction::mask && (!t.erasure || t.erasure->masks.empty()))
            r_.error(n.where, context + ": action mask uses the table's erasure masks, and it has none");
        if (const auto* v = n.find("delete_after")) {
            if (auto d = duration(*v, context + " delete_after")) {
                if (ret.action != ErasureAction::mask)
                    r_.error(v->where, context + ": delete_after needs action mask (action delete already deletes)");
                else if (approximate_hours(*d) <= approximate_hours(ret.keep))
                    r_.error(v->where, context + ": delete_after (" + d->text + ") must be longer than keep (" +
                                           ret.keep.text + ")");
                ret.delete_after = *d;
            }
        }
        t.retention = std::move(ret);
    }

    void load_requests(const YamlNode& n) {
        if (!r_.is_map(n, "requests")) return;
        r_.only_keys(n, {"deadline", "holidays"}, "requests");
        if (const auto* v = n.find("deadline")) {
            if (auto s = r_.text(*v, "requests deadline")) {
                static const std::regex form("([1-9][0-9]{0,2}) (business days|days)");
                std::smatch m;
                if (std::regex_match(*s, m, form))
                    p_.requests.deadline = RequestDeadline{std::stoi(m[1].str()), m[2].str() == "business days", *s};
                else
                    r_.error(v->where, "requests deadline: write N days or N business days (1 to 999), got '" + *s + "'");
            }
        }
        if (const auto* v = n.find("holidays")) {
            for (auto& [date, where] : r_.names(*v, "requests holidays")) {
                if (!parse_date(date))
                    r_.error(where, "requests holidays: '" + date + "' is not a date written YYYY-MM-DD");
                p_.requests.holidays.push_back(date);
            }
        }
    }

    /// After check_identities: notify columns must be on a root table.
    void load_breach(const YamlNode& n) {
        if (!r_.is_map(n, "breach")) return;
        r_.only_keys(n, {"notify"}, "breach");
        const auto* list = n.find("notify");
        if (!list) return;
        for (auto& [name, where] : r_.names(*list, "breach notify")) {
            auto q = split_qualified(name);
            if (!q) {
                r_.error(where, "breach notify: write each column TABLE.COLUMN, got '" + name + "'");
                continue;
            }
            const auto* t = p_.find_table(q->first);
            if (!t) {
                r_.unknown(where, q->first, "table in breach notify", keys_of(p_.tables, &Table::name));
                continue;
            }
            if (!t->root) {
                r_.error(where, "breach notify: table '" + t->name +
                                    "' is not a subject's own table (no identity names it), so its rows do not "
                                    "say how to reach one subject");
                continue;
            }
            if (!t->find_column(q->second)) {
                r_.unknown(where, q->second, "personal column of table '" + t->name + "' in breach notify",
                           keys_of(t->columns, &Column::name));
                continue;
            }
            p_.breach.notify.push_back({q->first, q->second, where});
        }
    }

    void load_non_personal_tables(const YamlNode& n) {
        for (auto& [name, where] : r_.names(n, "non_personal_tables")) {
            if (p_.find_table(name))
                r_.error(where, "table '" + name + "' is listed under tables and under non_personal_tables");
            p_.non_personal_tables.push_back(name);
        }
    }

    void load_consent(const YamlNode& n) {
        if (!r_.is_map(n, "consent")) return;
        for (const auto& [key, value] : n.entries) {
            ConsentPurpose c;
            c.name = key.value;
            c.where = key.where;
            std::string context = "consent '" + key.value + "'";
            const YamlNode* separate = nullptr;
            const bool options = !value.is_null() && r_.is_map(value, context);
            if (options) {
                r_.only_keys(value, {"kind", "separate", "mirror"}, context);
                if (const auto* v = value.find("kind"))
                    if (auto k = r_.choice(*v, consent_kinds, "consent kind")) c.kind = *k;
                if ((separate = value.find("separate")))
                    if (auto b = r_.boolean(*separate, context + " separate")) c.separate = *b;
            }
            if (const auto* purpose = p_.find_purpose(c.name)) {
                // An opt-out presumes agreement until it is withdrawn, so it
                // rests on another basis (CCPA sale or sharing); an opt-in is consent.
                if (c.kind == ConsentKind::opt_in && purpose->basis != LawfulBasis::consent)
                    r_.error(key.where, context + ": purpose '" + c.name + "' has lawful basis " +
                                            std::string(to_string(purpose->basis)) +
                                            ", not consent (an opt-out, such as a CCPA sale, is written kind: opt_out)");
            } else {
                r_.unknown(key.where, c.name, "purpose under consent", keys_of(p_.purposes, &Purpose::name));
            }
            if (c.separate && c.kind == ConsentKind::opt_out)
                r_.error(separate->where, context + ": separate consent (PIPL Art. 29, 39) is asked for before "
                                                    "processing starts, so only kind opt_in can be separate");
            if (options)
                if (const auto* m = value.find("mirror")) c.mirror = load_mirror(*m, context + " mirror");
            p_.consent.push_back(std::move(c));
        }
    }

    std::optional<ConsentMirror> load_mirror(const YamlNode& m, const std::string& mirror_context) {
        if (!r_.is_map(m, mirror_context)) return std::nullopt;
        r_.only_keys(m, {"column", "granted", "withdrawn"}, mirror_context);
        ConsentMirror mirror;
        if (const auto* v = r_.required(m, "column", mirror_context)) {
            if (auto s = r_.text(*v, mirror_context + " column")) {
                if (auto q = split_qualified(*s)) {
                    mirror.table = q->first;
                    mirror.column = q->second;
                    if (!p_.find_table(mirror.table))
                        r_.unknown(v->where, mirror.table, "table", keys_of(p_.tables, &Table::name));
                } else {
                    r_.error(v->where, mirror_context + ": column must be written TABLE.COLUMN (or SCHEMA.TABLE.COLUMN)");
                }
            }
        }
        if (const auto* v = m.find("granted"))
            if (auto s = r_.text(*v, mirror_context + " granted")) mirror.granted_value = *s;
        if (const auto* v = m.find("withdrawn"))
            if (auto s = r_.text(*v, mirror_context + " withdrawn")) mirror.withdrawn_value = *s;
        if (mirror.granted_value == mirror.withdrawn_value)
            r_.error(m.where, mirror_context + ": granted and withdrawn must be different values, or the column "
                                               "cannot tell them apart");
        return mirror;
    }

    void check_identities() {
        for (const auto& id : p_.identities) {
            if (id.table.empty()) continue;
            Table* t = nullptr;
            for (auto& candidate : p_.tables)
                if (candidate.name == id.table) t = &candidate;
            if (!t) {
                r_.unknown(id.where, id.table, "table in identity '" + id.kind + "'", keys_of(p_.tables, &Table::name));
                continue;
            }
            t->root = true;
            if (!knows_column(*t, id.column))
                r_.error(id.where, "identity '" + id.kind + "': table '" + t->name + "' has no column '" + id.column +
                                       "' in the policy");
        }
    }

    /// Columns the policy mentions for a table: its key, personal and
    /// non-personal columns, and the columns its links use.
    static bool knows_column(const Table& t, std::string_view column) {
        if (t.key == column || t.find_column(column)) return true;
        if (std::find(t.non_personal.begin(), t.non_personal.end(), column) != t.non_personal.end()) return true;
        for (const auto& link : t.links)
            if (link.column == column) return true;
        return false;
    }

    /// A timestamp in another table must be in a parent the table links to directly.
    void check_parent_timestamp(const Table& t, const Timestamp& ts) {
        if (ts.table.empty()) return;
        bool parent = std::any_of(t.links.begin(), t.links.end(), [&](const Link& l) {
            return l.is_foreign_key() && l.parent_table == ts.table;
        });
        if (!parent) {
            r_.error(ts.where, "table '" + t.name + "': timestamp column '" + ts.table + "." + ts.column +
                                   "' must be in a table it links to with 'references'");
            return;
        }
        const Table* p = p_.find_table(ts.table);
        if (p && !knows_column(*p, ts.column))
            r_.error(ts.where, "table '" + t.name + "': '" + ts.table + "' has no column '" + ts.column + "' in the policy");
    }

    void check_links() {
        for (const auto& t : p_.tables) {
            for (const auto& link : t.links) {
                if (!link.is_foreign_key()) continue;
                const Table* parent = p_.find_table(link.parent_table);
                if (parent && !knows_column(*parent, link.parent_column))
                    r_.error(link.where, "link of table '" + t.name + "' references '" + link.parent_table + "." +
                                             link.parent_column + "', a column the policy does not declare for '" +
                                             parent->name + "'");
            }
        }
        for (const auto& t : p_.tables) {
            if (t.erasure && t.erasure->hold) check_parent_timestamp(t, t.erasure->hold->timestamp);
            if (t.retention) check_parent_timestamp(t, t.retention->timestamp);
        }
        for (const auto& cycle : find_link_cycles(p_))
            r_.error(cycle.where, "link cycle: " + cycle.path + " (links must form a tree so erasure can run children first)");
        for (const auto* t : unreachable_tables(p_))
            r_.error(t->where, "table '" + t->name +
                                   "' cannot be reached from any identity: give it a link to a linked table or an identity");
    }
};

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    static const std::regex form("([1-9][0-9]{0,5})([ymdh])");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(text.begin(), text.end(), m, form)) return std::nullopt;
    Duration d;
    d.count = std::stoll(m[1].str());
    switch (m[2].str()[0]) {
        case 'y': d.unit = Duration::Unit::years; break;
        case 'm': d.unit = Duration::Unit::months; break;
        case 'd': d.unit = Duration::Unit::days; break;
        default: d.unit = Duration::Unit::hours; break;
    }
    d.text = std::string(text);
    return d;
}

LoadResult load_policy_text(std::string_view text, const std::string& path) {
    LoadResult result;
    result.sha256 = sha256_hex(text);
    auto tree = parse_yaml(text);
    Policy policy;
    policy.path = path;
    policy.sha256 = result.sha256;
    if (tree.root)
        PolicyLoader(policy, result.errors).load(*tree.root);
    else
        result.errors = std::move(tree.errors);  // yaml-cpp's syntax error can come after ours, at an earlier place
    std::stable_sort(result.errors.begin(), result.errors.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
    });
    if (result.errors.empty()) result.policy = std::move(policy);
    return result;
}

LoadResult load_policy_file(const std::string& path) {
    auto refuse = [](std::string message) { return LoadResult{std::nullopt, {{{1, 1}, std::move(message)}}, ""}; };
    // A directory opens as a stream that reads nothing, which would pass for an empty policy.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return refuse("cannot read policy file: it is a directory");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) return refuse("cannot open policy file" + (errno ? ": " + std::string(std::strerror(errno)) : ""));
    // Read at most one byte past the limit: enough to know the file is too large
    // without pulling a huge file into memory.
    std::string text(max_policy_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (in.bad()) return refuse("cannot read policy file");
    if (text.size() > max_policy_bytes)
        return refuse("policy file is larger than the limit of " + std::to_string(max_policy_bytes) + " bytes");
    return load_policy_text(text, path);
}

}  // namespace dsr::policy
