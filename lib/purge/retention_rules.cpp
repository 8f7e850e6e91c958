#include "purge/retention_rules.h"

#include <algorithm>

#include "policy/periods.h"
#include "util/error.h"

namespace dsr::purge {

namespace {

// Nesting follows references from parent to child (the erasure order has
// already refused cycles). Each level nests one more EXISTS (… AND NOT …)
// in a row's condition, and SQLite's parser, with its stack of 100 entries,
// overflows at the seventh: deeper chains get a clear refusal instead of
// "parser stack overflow" halfway through a purge.
constexpr int max_depth = 6;

const SqlCondition always{"TRUE", {}};
const SqlCondition never{"FALSE", {}};

SqlCondition joined(const std::vector<SqlCondition>& parts, const char* op, const SqlCondition& empty) {
    if (parts.empty()) return empty;
    if (parts.size() == 1) return parts.front();
    SqlCondition out{"(", {}};
    for (std::size_t i = 0; i < parts.size(); ++i) {
        out.sql += (i ? op : "") + parts[i].sql;
        out.params.insert(out.params.end(), parts[i].params.begin(), parts[i].params.end());
    }
    out.sql += ")";
    return out;
}

/// Every reference to `table`: declared foreign keys from any table of the
/// schema, then policy links the schema does not declare.
std::vector<erase::Reference> references_to(const erase::ErasureOrder& order, const std::string& table) {
    std::vector<erase::Reference> refs;
    for (const auto& step : order.steps)
        if (step.table->name == table) refs = step.dependents;
    for (const auto& step : order.steps)
        for (const auto& r : step.parents)
            if (!r.declared && r.parent_table == table) refs.push_back(r);
    return refs;
}

}  // namespace

SqlCondition all_of(const std::vector<SqlCondition>& parts) { return joined(parts, " AND ", always); }
SqlCondition any_of(const std::vector<SqlCondition>& parts) { return joined(parts, " OR ", never); }
SqlCondition negation(const SqlCondition& part) { return {"NOT " + part.sql, part.params}; }

SqlCondition TableRules::referred() const {
    std::vector<SqlCondition> refs;
    for (const auto& b : blockers) refs.push_back(b.refers);
    return any_of(refs);
}

SqlCondition TableRules::deletable() const {
    return all_of({expired, negation(held), delete_due, negation(referred())});
}

SqlCondition TableRules::maskable() const {
    if (!mask_action) return never;
    return all_of({expired, negation(held), negation(all_of({delete_due, negation(referred())}))});
}

RetentionRules::RetentionRules(db::Database& db, const policy::Policy& policy, const erase::ErasureOrder& order,
                               CivilDate today, std::set<std::string> purged)
    : db_(db), policy_(policy), order_(order), today_(today), purged_(std::move(purged)) {}

TableRules RetentionRules::rules_for(const policy::Table& table) const { return rules_at(table, "dsr_row", 0); }

TableRules RetentionRules::rules_at(const policy::Table& table, const std::string& alias, int depth) const {
    if (!table.retention) throw Error(ExitStatus::failure, "table '" + table.name + "' has no retention rule");
    const auto& retention = *table.retention;
    TableRules rules;
    rules.table = &table;
    rules.alias = alias;
    rules.expired = graph::timestamp_earlier_than(db_, table, retention.timestamp, alias,
                                                  policy::expiry_cutoff(today_, retention.keep));
    rules.held = never;
    if (table.erasure && table.erasure->hold) {
        const auto& hold = *table.erasure->hold;
        // An unreadable hold timestamp is "not earlier": the row stays held.
        rules.held = negation(graph::timestamp_earlier_than(db_, table, hold.timestamp, alias,
                                                            policy::expiry_cutoff(today_, hold.keep)));
    }
    if (retention.action == policy::ErasureAction::delete_rows) {
        rules.delete_due = always;
    } else if (retention.delete_after) {
        rules.delete_due = graph::timestamp_earlier_than(db_, table, retention.timestamp, alias,
                                                         policy::expiry_cutoff(today_, *retention.delete_after));
    } else {
        rules.delete_due = never;
    }
    if (table.erasure) rules.masks = table.erasure->masks;
    rules.mask_action = retention.action == policy::ErasureAction::mask;
    rules.blockers = blockers_of(table, alias, depth);
    const bool held_by_parent = table.erasure && table.erasure->hold && !table.erasure->hold->timestamp.table.empty();
    const bool due_by_parent = retention.delete_after && !retention.timestamp.table.empty();
    rules.fate_asks_other_tables = !rules.blockers.empty() || held_by_parent || due_by_parent;
    return rules;
}

std::vector<Blocker> RetentionRules::blockers_of(const policy::Table& table, const std::string& alias,
                                                 int depth) const {
    if (depth >= max_depth)
        throw Error(ExitStatus::invalid_policy, "references to table '" + table.name + "' nest more than " +
                                                    std::to_string(max_depth) + " tables deep");
    std::vector<Blocker> out;
    int n = 0;
    for (const auto& ref : references_to(order_, table.name)) {
        const std::string child = alias + "_" + std::to_string(++n);
        // A referring row this run deletes does not keep the row; one of a
        // table it does not purge (or the same table: a chain goes over
        // several runs) always does.
        SqlCondition goes = never;
        const auto* child_table = policy_.find_table(ref.table);
        if (child_table && child_table->retention && ref.table != table.name && purged_.count(ref.table))
            goes = rules_at(*child_table, child, depth + 1).deletable();
        SqlCondition refers{"EXISTS (SELECT 1 FROM " + db_.quote_table(ref.table) + " AS " + child + " WHERE " + child +
                                "." + db_.quote(ref.column) + " = " + alias + "." + db_.quote(ref.parent_column) +
                                " AND NOT " + goes.sql + ")",
                            goes.params};
        auto same = std::find_if(out.begin(), out.end(), [&](const Blocker& b) { return b.table == ref.table; });
        if (same != out.end())
            same->refers = any_of({same->refers, refers});
        else
            out.push_back({ref.table, std::move(refers)});
    }
    return out;
}

}  // namespace dsr::purge
