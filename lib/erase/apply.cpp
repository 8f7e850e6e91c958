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

/// Queries gathered for Database::query_each, run whenever the values they
/// bind pass a bound: a subject with a million rows to read back would
/// otherwise copy every key into queries held at once.
class QueryQueue {
public:
    explicit QueryQueue(db::Database& db) : db_(db) {}
    void add(db::Query query) {
        values_ += query.params.size();
        queries_.push_back(std::move(query));
        if (values_ >= held_values) run();
    }
    void run() {
        db_.query_each(queries_);
        queries_.clear();
        values_ = 0;
    }

private:
    static constexpr std::size_t held_values = 4 * db::max_in_list;
    db::Database& db_;
    std::vector<db::Query> queries_;
    std::size_t values_ = 0;
};

/// One table's verification reads and what they found. The reads are
/// queued for Database::query_each (one round trip for them all on
/// PostgreSQL), so each handler fills this, read once all have run.
struct TableReads {
    const TablePlan* plan = nullptr;
    std::map<std::string, const KeptRow*> planned;  ///< kept rows by key text
    std::set<std::string> deleted;                 ///< planned deletions by key text
    std::size_t not_deleted = 0;                   ///< rows of planned deletions still present
    std::size_t kept_as_planned = 0;               ///< kept rows holding exactly their planned values
    std::set<std::string> found;                   ///< keys the subject graph still finds
};

/// The plan's rows read back by key, deleted and kept in the same
/// statements: how many deletions are still present, and how many kept rows
/// hold exactly their planned masked values.
void queue_read_back(const db::Database& db, TableReads& reads, QueryQueue& queries) {
    const TablePlan& tp = *reads.plan;
    std::vector<db::Value> keys = tp.deletes;
    for (const auto& k : tp.deletes) reads.deleted.insert(key_text(k));
    for (const auto& k : tp.kept) {
        reads.planned[key_text(k.key)] = &k;
        keys.push_back(k.key);
    }
    std::string columns = db.quote(tp.table->key);
    for (const auto& m : tp.masks) columns += ", " + db.quote(m.column);
    for_chunks(keys, [&](const std::vector<db::Value>& chunk) {
        auto on_row = [&reads](const std::vector<std::string>&, const std::vector<db::Value>& row) {
            auto key = key_text(row[0]);
            if (reads.deleted.contains(key)) {
                ++reads.not_deleted;
                return;
            }
            auto it = reads.planned.find(key);
            if (it == reads.planned.end()) return;
            std::vector<db::Value> values(row.begin() + 1, row.end());
            if (values == it->second->values) ++reads.kept_as_planned;
        };
        queries.add({"SELECT " + columns + " FROM " + db.quote_table(tp.table->name) + " WHERE " +
                         db.quote(tp.table->key) + " IN (" + db::placeholders(chunk.size()) + ")",
                     chunk, on_row});
    });
}

/// Keys of the rows the subject graph finds in the table under `match`.
void queue_found(const db::Database& db, const policy::Policy& policy, const graph::SubjectMatch& match,
                 TableReads& reads, QueryQueue& queries) {
    const auto& table = *reads.plan->table;
    auto query = graph::subject_rows_query(
        db, policy, table, {table.key}, match,
        [&reads](const std::vector<std::string>&, const std::vector<db::Value>& row) {
            reads.found.insert(key_text(row[0]));
        });
    if (query) queries.add(std::move(*query));
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

TableCheck check_of(const TableReads& reads) {
    const TablePlan& tp = *reads.plan;
    TableCheck check;
    check.table = tp.table->name;
    check.not_deleted = reads.not_deleted;
    check.kept = reads.kept_as_planned;
    check.wrong_values = tp.kept.size() - check.kept;
    std::set<std::string> kept;
    for (const auto& k : tp.kept) kept.insert(key_text(k.key));
    for (const auto& k : reads.found)
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
    // Every table's reads at once: none depends on another's answer.
    std::vector<TableReads> reads(plan.tables.size());  // sized once: the handlers point into it
    QueryQueue queries(db);
    for (std::size_t i = 0; i < plan.tables.size(); ++i) {
        reads[i].plan = &plan.tables[i];
        queue_read_back(db, reads[i], queries);
        queue_found(db, policy, either, reads[i], queries);
    }
    queries.run();
    for (const auto& table_reads : reads) {
        auto check = check_of(table_reads);
        if (check.not_deleted || check.wrong_values || check.unexpected) v.passed = false;
        v.remaining += check.kept + check.unexpected;
        v.tables.push_back(std::move(check));
    }
    return v;
}

}  // namespace dsr::erase
