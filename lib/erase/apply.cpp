#include "erase/apply.h"

#include <map>
#include <set>

#include "util/error.h"

namespace dsr::erase {

namespace {

template <typename T, typename F>
void for_chunks(const std::vector<T>& items, F f) {
    for (std::size_t i = 0; i < items.size(); i += db::max_in_list) {
        auto end = std::min(items.size(), i + db::max_in_list);
        f(std::vector<T>(items.begin() + static_cast<std::ptrdiff_t>(i), items.begin() + static_cast<std::ptrdiff_t>(end)));
    }
}

[[noreturn]] void unexpected_change(const std::string& table, std::size_t planned, std::int64_t changed) {
    throw Error(ExitStatus::database, table + ": the erasure planned to change " + std::to_string(planned) +
                                          " rows but changed " + std::to_string(changed) +
                                          "; rolled back, nothing was changed");
}

std::size_t delete_rows(db::Database& db, const TablePlan& tp) {
    std::size_t statements = 0;
    for_chunks(tp.deletes, [&](const std::vector<db::Value>& keys) {
        auto changed = db.execute("DELETE FROM " + db.quote_table(tp.table->name) + " WHERE " + db.quote(tp.table->key) +
                                      " IN (" + db::placeholders(keys.size()) + ")",
                                  keys);
        ++statements;
        if (changed != static_cast<std::int64_t>(keys.size())) unexpected_change(tp.table->name, keys.size(), changed);
    });
    return statements;
}

std::size_t mask_rows(db::Database& db, const TablePlan& tp) {
    if (tp.masks.empty()) return 0;
    std::vector<std::string> columns;
    for (const auto& m : tp.masks) columns.push_back(m.column);
    std::vector<std::vector<db::Value>> rows;
    for (const auto& row : tp.kept) {
        if (!row.changes) continue;
        rows.push_back(row.values);
        rows.back().push_back(row.key);
    }
    // The plan's keys are distinct, so one changed row each adds up to this.
    auto changed = db.update_by_key(tp.table->name, tp.table->key, columns, rows);
    if (changed.rows != static_cast<std::int64_t>(rows.size()))
        unexpected_change(tp.table->name, rows.size(), changed.rows);
    return changed.statements;
}

/// What reading the planned rows back by key finds.
struct ReadBack {
    std::size_t not_deleted = 0;       ///< rows of planned deletions still present
    std::size_t kept_as_planned = 0;   ///< kept rows holding exactly their planned values
};

/// The plan's rows read back by key, deleted and kept in the same
/// statements: how many deletions are still present, and how many kept rows
/// hold exactly their planned masked values.
ReadBack read_back(db::Database& db, const TablePlan& tp) {
    std::map<std::string, const KeptRow*> planned;
    std::set<std::string> deleted;
    std::vector<db::Value> keys = tp.deletes;
    for (const auto& k : tp.deletes) deleted.insert(key_text(k));
    for (const auto& k : tp.kept) {
        planned[key_text(k.key)] = &k;
        keys.push_back(k.key);
    }
    std::string columns = db.quote(tp.table->key);
    for (const auto& m : tp.masks) columns += ", " + db.quote(m.column);
    ReadBack found;
    for_chunks(keys, [&](const std::vector<db::Value>& chunk) {
        db.query("SELECT " + columns + " FROM " + db.quote_table(tp.table->name) + " WHERE " + db.quote(tp.table->key) +
                     " IN (" + db::placeholders(chunk.size()) + ")",
                 chunk, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                     auto key = key_text(row[0]);
                     if (deleted.contains(key)) {
                         ++found.not_deleted;
                         return;
                     }
                     auto it = planned.find(key);
                     if (it == planned.end()) return;
                     std::vector<db::Value> values(row.begin() + 1, row.end());
                     if (values == it->second->values) ++found.kept_as_planned;
                 });
    });
    return found;
}

/// Both matches as one: the subject graph's filter is an OR of conditions
/// each of which only widens as keys and values are added, so the rows it
/// finds under the union are exactly those it finds under either, in one
/// statement per table instead of two.
graph::SubjectMatch either_of(const graph::SubjectMatch& before, const graph::SubjectMatch& again) {
    graph::SubjectMatch both = before;
    for (const auto& [table, keys] : again.root_keys) {
        auto& into = both.root_keys[table];
        std::set<std::string> known;
        for (const auto& k : into) known.insert(key_text(k));
        for (const auto& k : keys)
            if (known.insert(key_text(k)).second) into.push_back(k);
    }
    for (const auto& [kind, values] : again.identity_values)
        both.identity_values[kind].insert(values.begin(), values.end());
    return both;
}

/// Keys of the rows the subject graph finds in the table under `match`.
void collect_found(db::Database& db, const policy::Policy& policy, const TablePlan& tp,
                   const graph::SubjectMatch& match, std::set<std::string>& found) {
    graph::read_subject_rows(db, policy, *tp.table, {tp.table->key}, match,
                             [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                                 found.insert(key_text(row[0]));
                             });
}

TableCheck check_table(db::Database& db, const policy::Policy& policy, const TablePlan& tp,
                       const graph::SubjectMatch& either) {
    TableCheck check;
    check.table = tp.table->name;
    auto back = read_back(db, tp);
    check.not_deleted = back.not_deleted;
    check.kept = back.kept_as_planned;
    check.wrong_values = tp.kept.size() - check.kept;
    std::set<std::string> found, kept;
    collect_found(db, policy, tp, either, found);
    for (const auto& k : tp.kept) kept.insert(key_text(k.key));
    for (const auto& k : found)
        if (!kept.contains(k)) ++check.unexpected;
    return check;
}

}  // namespace

std::size_t execute_plan(db::Database& db, const ErasurePlan& plan) {
    std::size_t statements = 0;
    // Deletes before updates in each table: a deleted row's UNIQUE value is
    // free before a masked row might take it.
    for (const auto& tp : plan.tables) {
        statements += delete_rows(db, tp);
        statements += mask_rows(db, tp);
    }
    return statements;
}

Verification verify_erasure(db::Database& db, const policy::Policy& policy, const ErasurePlan& plan,
                            const graph::SubjectMatch& before, const graph::SubjectMatch& again) {
    Verification v;
    v.performed = true;
    v.passed = true;
    auto either = either_of(before, again);
    for (const auto& tp : plan.tables) {
        auto check = check_table(db, policy, tp, either);
        if (check.not_deleted || check.wrong_values || check.unexpected) v.passed = false;
        v.remaining += check.kept + check.unexpected;
        v.tables.push_back(std::move(check));
    }
    return v;
}

}  // namespace dsr::erase
