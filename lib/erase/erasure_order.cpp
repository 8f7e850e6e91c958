#include "erase/erasure_order.h"

#include <algorithm>
#include <cctype>

#include "util/error.h"

namespace dsr::erase {

namespace {

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

std::string referenced_column(const db::Schema& schema, const db::ForeignKeyInfo& fk) {
    if (!fk.to_column.empty()) return fk.to_column;
    const auto* parent = schema.find_table(fk.to_table);
    std::string key = parent ? primary_key_of(*parent) : "";
    return key.empty() ? "rowid" : key;
}

Reference declared_reference(const db::Schema& schema, const std::string& table, const db::ForeignKeyInfo& fk) {
    return {table, fk.from_column, fk.to_table, referenced_column(schema, fk), upper(fk.on_delete), true};
}

bool same_edge(const Reference& a, const std::string& column, const std::string& parent) {
    return a.column == column && a.parent_table == parent;
}

/// The table's references to other tables of the policy in this database:
/// declared foreign keys first, then policy links the schema does not declare.
std::vector<Reference> parents_of(const policy::Policy& policy, const std::string& database_name,
                                  const db::Schema& schema, const policy::Table& table) {
    auto listed_here = [&](const std::string& name) {
        const auto* t = policy.find_table(name);
        return t && t->database == database_name && name != table.name;
    };
    std::vector<Reference> parents;
    if (const auto* info = schema.find_table(table.name))
        for (const auto& fk : info->foreign_keys)
            if (listed_here(fk.to_table)) parents.push_back(declared_reference(schema, table.name, fk));
    for (const auto& link : table.links) {
        if (!link.is_foreign_key() || !listed_here(link.parent_table)) continue;
        bool known = std::any_of(parents.begin(), parents.end(),
                                 [&](const Reference& r) { return same_edge(r, link.column, link.parent_table); });
        if (!known) parents.push_back({table.name, link.column, link.parent_table, link.parent_column, "", false});
    }
    return parents;
}

/// Kahn's algorithm: repeatedly take the first table (in policy order) that
/// no unplaced table refers to.
std::vector<std::size_t> children_first(const std::vector<ErasureStep>& steps) {
    std::vector<std::size_t> order;
    std::vector<bool> placed(steps.size(), false);
    auto referred_by_unplaced = [&](std::size_t candidate) {
        for (std::size_t i = 0; i < steps.size(); ++i) {
            if (placed[i] || i == candidate) continue;
            for (const auto& r : steps[i].parents)
                if (r.parent_table == steps[candidate].table->name) return true;
        }
        return false;
    };
    while (order.size() < steps.size()) {
        std::size_t next = steps.size();
        for (std::size_t i = 0; i < steps.size() && next == steps.size(); ++i)
            if (!placed[i] && !referred_by_unplaced(i)) next = i;
        if (next == steps.size()) {
            std::string names;
            for (std::size_t i = 0; i < steps.size(); ++i)
                if (!placed[i]) names += (names.empty() ? "" : ", ") + steps[i].table->name;
            throw Error(ExitStatus::invalid_policy,
                        "the tables " + names + " refer to each other in a cycle, so no order deletes children "
                                                "before parents; erasure cannot proceed");
        }
        placed[next] = true;
        order.push_back(next);
    }
    return order;
}

}  // namespace

std::string primary_key_of(const db::TableInfo& table) {
    std::string key;
    int count = 0;
    for (const auto& c : table.columns)
        if (c.primary_key) {
            key = c.name;
            ++count;
        }
    return count == 1 ? key : "";
}

std::vector<Reference> dependents_of(const db::Schema& schema, const std::string& table) {
    std::vector<Reference> out;
    for (const auto& info : schema.tables)
        for (const auto& fk : info.foreign_keys)
            if (fk.to_table == table) out.push_back(declared_reference(schema, info.name, fk));
    return out;
}

ErasureOrder erasure_order(const policy::Policy& policy, const std::string& database_name, const db::Schema& schema) {
    std::vector<ErasureStep> steps;
    for (const auto& t : policy.tables)
        if (t.database == database_name)
            steps.push_back({&t, parents_of(policy, database_name, schema, t), dependents_of(schema, t.name)});
    ErasureOrder result;
    for (std::size_t i : children_first(steps)) result.steps.push_back(std::move(steps[i]));
    return result;
}

}  // namespace dsr::erase
