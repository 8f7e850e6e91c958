#include "jobs/policy_check.h"

#include <algorithm>
#include <set>

#include "erase/masks.h"
#include "erase/row_masker.h"
#include "policy/personal_names.h"
#include "policy/reader.h"

namespace dsr::jobs {

namespace {

using policy::Policy;
using policy::Table;

class SchemaChecker {
public:
    SchemaChecker(const Policy& policy, std::string database_name, const db::Schema& schema, PolicyCheckResult& result)
        : policy_(policy), database_name_(std::move(database_name)), schema_(schema), result_(result) {}

    void check_listed(const Table& t) {
        const auto* info = schema_.find_table(t.name);
        if (!info) {
            std::vector<std::string_view> names;
            const db::TableInfo* same = nullptr;  // `public.orders` for the table PostgreSQL shows as `orders`
            for (const auto& table : schema_.tables) {
                names.push_back(table.name);
                if (table.qualified_name == t.name) same = &table;
            }
            std::string message = "table '" + t.name + "' is in the policy but not in the database";
            if (same)
                message += "; a table on the search_path is named without its schema: write '" + same->name + "'";
            else if (auto guess = policy::closest(t.name, names))
                message += "; did you mean '" + std::string(*guess) + "'?";
            error("unknown_table", t.name, "", message);
            return;
        }
        require_column(*info, t.key, "key");
        for (const auto& c : t.columns) require_column(*info, c.name, "personal column");
        for (const auto& c : t.non_personal) require_column(*info, c, "non-personal column");
        for (const auto& link : t.links) check_link(t, *info, link);
        if (t.erasure) {
            for (const auto& mask : t.erasure->masks) check_mask(*info, mask);
            if (t.erasure->hold) check_timestamp(*info, t.erasure->hold->timestamp, "hold timestamp column");
        }
        if (t.retention && t.retention->action == policy::ErasureAction::mask && t.erasure)
            check_retention_masks(t, *info);
        if (t.retention) {
            const auto& ts = t.retention->timestamp;
            const auto* holder = check_timestamp(*info, ts, "retention timestamp column");
            if (holder && !holder->has_index_on(ts.column))
                finding("missing_index", holder->name, ts.column,
                        "retention column " + holder->name + "." + ts.column +
                            " has no index: every purge batch would scan the table");
        }
        report_unclassified(t, *info);
        report_unused_foreign_keys(t, *info);
    }

    void check_unlisted(const db::TableInfo& info) {
        bool reviewed = std::find(policy_.non_personal_tables.begin(), policy_.non_personal_tables.end(), info.name) !=
                        policy_.non_personal_tables.end();
        if (reviewed || policy_.find_table(info.name)) return;
        for (const auto& fk : info.foreign_keys) {
            if (const auto* parent = policy_.find_table(fk.to_table); parent && parent->root) {
                finding("linked_table_unlisted", info.name, fk.from_column,
                        "table '" + info.name + "' is not in the policy but references subject table '" + fk.to_table +
                            "' through " + fk.from_column + ": its rows are likely personal data");
            }
        }
        for (const auto& c : info.columns) {
            if (auto category = policy::suggested_category(c.name))
                finding("personal_name_unlisted", info.name, c.name,
                        "column " + info.name + "." + c.name + " looks like " + *category +
                            " data, but its table is not in the policy (list it under tables or non_personal_tables)");
        }
    }

    void check_consent_mirrors() {
        for (const auto& consent : policy_.consent) {
            if (!consent.mirror) continue;
            const Table* t = policy_.find_table(consent.mirror->table);
            if (!t || !in_this_database(*t)) continue;
            if (const auto* info = schema_.find_table(t->name))
                require_column(*info, consent.mirror->column, "consent mirror column");
        }
    }

    /// Purge masks expired rows night after night; it leaves a row masked
    /// before alone only if it can tell, from a mask whose output it
    /// recognises. With none, every run would mask the same rows again
    /// (new random values each night).
    void check_retention_masks(const Table& t, const db::TableInfo& info) {
        const auto& masks = t.erasure->masks;
        bool any = std::any_of(masks.begin(), masks.end(), [&](const policy::Mask& m) {
            return erase::recognisable(m, erase::shape_of(&info, t, m.column));
        });
        if (!any && !masks.empty())
            error("mask_unrecognisable", t.name, masks.front().column,
                  "table '" + t.name + "' retention masks rows, but none of its masks leaves a value dsr can "
                  "recognise later (null, redact, generalize, or pseudonymize of text), so every purge would mask "
                  "the same rows again; add one such mask");
    }

    /// A declared foreign key into a table that erase or purge deletes from
    /// is checked for every row deleted there (for referring rows that
    /// would keep it, or that the database would cascade to): without an
    /// index each check scans the referring table. Link columns are already
    /// checked by check_link.
    void check_child_keys(const db::TableInfo& info) {
        const Table* own = policy_.find_table(info.name);
        for (const auto& fk : info.foreign_keys) {
            const Table* parent = policy_.find_table(fk.to_table);
            if (!parent || !in_this_database(*parent) || !(parent->retention || parent->erasure)) continue;
            if (info.has_index_on(fk.from_column)) continue;
            bool linked = own && std::any_of(own->links.begin(), own->links.end(), [&](const policy::Link& l) {
                              return l.is_foreign_key() && l.column == fk.from_column;
                          });
            if (linked) continue;
            finding("missing_index", info.name, fk.from_column,
                    "foreign key " + info.name + "." + fk.from_column + " -> " + fk.to_table +
                        " has no index: purging or erasing rows of " + fk.to_table +
                        " would scan the table for each row");
        }
    }

    bool in_this_database(const Table& t) const { return t.database == database_name_; }

private:
    const Policy& policy_;
    std::string database_name_;
    const db::Schema& schema_;
    PolicyCheckResult& result_;

    void error(std::string kind, const std::string& table, const std::string& column, std::string message) {
        result_.errors.push_back({std::move(kind), table, column, std::move(message)});
    }
    void finding(std::string kind, const std::string& table, const std::string& column, std::string message) {
        result_.findings.push_back({std::move(kind), table, column, std::move(message)});
    }

    bool require_column(const db::TableInfo& info, const std::string& column, std::string_view role) {
        if (info.find_column(column)) return true;
        std::vector<std::string_view> names;
        for (const auto& c : info.columns) names.push_back(c.name);
        std::string message = std::string(role) + " '" + column + "' is not a column of table '" + info.name + "'";
        if (auto guess = policy::closest(column, names)) message += "; did you mean '" + std::string(*guess) + "'?";
        error("unknown_column", info.name, column, message);
        return false;
    }

    /// The table holding the timestamp if its column exists, else nullptr (and an error).
    const db::TableInfo* check_timestamp(const db::TableInfo& own, const policy::Timestamp& ts, std::string_view role) {
        const db::TableInfo* holder = ts.table.empty() ? &own : schema_.find_table(ts.table);
        if (!holder) return nullptr;  // reported as unknown_table for the parent itself
        return require_column(*holder, ts.column, role) ? holder : nullptr;
    }

    void check_link(const Table& t, const db::TableInfo& info, const policy::Link& link) {
        if (!require_column(info, link.column, "link column")) return;
        const auto* child = info.find_column(link.column);
        const db::ColumnInfo* target = nullptr;
        std::string target_name;
        if (link.is_foreign_key()) {
            const auto* parent = schema_.find_table(link.parent_table);
            if (!parent) return;  // reported as unknown_table for the parent itself
            if (!require_column(*parent, link.parent_column, "referenced column")) return;
            target = parent->find_column(link.parent_column);
            target_name = link.parent_table + "." + link.parent_column;
            if (!info.has_index_on(link.column))
                finding("missing_index", t.name, link.column,
                        "link column " + t.name + "." + link.column +
                            " has no index: finding or erasing a subject's rows would scan the table");
        } else if (const auto* identity = policy_.find_identity(link.identity)) {
            const auto* root = schema_.find_table(identity->table);
            if (!root) return;
            target = root->find_column(identity->column);
            target_name = identity->table + "." + identity->column;
            if (!info.has_index_on(link.column))
                finding("missing_index", t.name, link.column,
                        "identity column " + t.name + "." + link.column + " has no index: lookups by " + link.identity +
                            " would scan the table");
        }
        if (target && !db::joinable(child->type_class, target->type_class))
            error("link_type_mismatch", t.name, link.column,
                  "link " + t.name + "." + link.column + " (" + std::string(db::to_string(child->type_class)) +
                      ") cannot match " + target_name + " (" + std::string(db::to_string(target->type_class)) + ")");
    }

    void check_mask(const db::TableInfo& info, const policy::Mask& mask) {
        if (!require_column(info, mask.column, "masked column")) return;
        const auto* c = info.find_column(mask.column);
        if (mask.method == policy::MaskMethod::null && c->not_null)
            error("mask_not_null", info.name, mask.column,
                  "mask null on " + info.name + "." + mask.column + ", which is NOT NULL: erasure would fail");
        if (mask.method == policy::MaskMethod::null && c->primary_key)
            error("mask_not_null", info.name, mask.column,
                  "mask null on primary key " + info.name + "." + mask.column);
        // Pseudonyms, random and generalized values are written as text, a
        // number, bytes or a date (erase/masks.h); a PostgreSQL uuid, json,
        // boolean, enum or array column takes none of them, so the erasure
        // of a row with a value there would fail (a year or month
        // generalization, finding no date, would write NULL, or fail on
        // NOT NULL). null works, and redact with a text the type accepts.
        const bool writes_own_value = mask.method == policy::MaskMethod::pseudonymize ||
                                      mask.method == policy::MaskMethod::random ||
                                      mask.method == policy::MaskMethod::generalize;
        if (writes_own_value && c->type_class == db::TypeClass::other)
            error("mask_type_unsupported", info.name, mask.column,
                  "mask " + std::string(policy::to_string(mask.method)) + " on " + info.name + "." + mask.column +
                      ", of type " + c->declared_type +
                      ": dsr cannot write such a value in that type (erasure would fail, or write NULL); use null, "
                      "or redact with a text the type accepts");
    }

    void report_unclassified(const Table& t, const db::TableInfo& info) {
        for (const auto& c : info.columns) {
            bool known = c.name == t.key || t.find_column(c.name) ||
                         std::find(t.non_personal.begin(), t.non_personal.end(), c.name) != t.non_personal.end() ||
                         std::any_of(t.links.begin(), t.links.end(),
                                     [&](const policy::Link& l) { return l.column == c.name; });
            if (known) continue;
            std::string message = "column " + t.name + "." + c.name + " is not classified by the policy";
            if (auto category = policy::suggested_category(c.name)) message += " (its name suggests " + *category + ")";
            finding("unclassified_column", t.name, c.name, message);
        }
    }

    void report_unused_foreign_keys(const Table& t, const db::TableInfo& info) {
        for (const auto& fk : info.foreign_keys) {
            const Table* parent = policy_.find_table(fk.to_table);
            if (!parent) continue;
            bool used = std::any_of(t.links.begin(), t.links.end(), [&](const policy::Link& l) {
                return l.is_foreign_key() && l.column == fk.from_column && l.parent_table == fk.to_table;
            });
            if (!used)
                finding("unused_foreign_key", t.name, fk.from_column,
                        "foreign key " + t.name + "." + fk.from_column + " -> " + fk.to_table +
                            " is declared in the database but not used as a link");
        }
    }
};

}  // namespace

void check_database(const Policy& policy, const std::string& database_name, const db::Schema& schema,
                    PolicyCheckResult& result) {
    SchemaChecker checker(policy, database_name, schema, result);
    for (const auto& t : policy.tables)
        if (checker.in_this_database(t)) {
            checker.check_listed(t);
            ++result.policy_tables;
        }
    for (const auto& info : schema.tables) {
        checker.check_unlisted(info);
        checker.check_child_keys(info);
    }
    checker.check_consent_mirrors();
    result.database_tables += schema.tables.size();
}

void check_policy_alone(const Policy& policy, PolicyCheckResult& result) {
    for (const auto& t : policy.tables) {
        for (const auto& c : t.columns)
            if (c.purposes.empty())
                result.findings.push_back({"no_purpose", t.name, c.name,
                                           "personal column " + t.name + "." + c.name +
                                               " serves no declared purpose (data minimisation: why is it kept?)"});
        if (!t.columns.empty() && !t.retention)
            result.findings.push_back({"no_retention", t.name, "",
                                       "table '" + t.name + "' holds personal data but has no retention rule"});
    }
}

}  // namespace dsr::jobs
