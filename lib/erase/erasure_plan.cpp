#include "erase/erasure_plan.h"

#include "erase/row_masker.h"
#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "erase/masks.h"
#include "graph/timestamp_sql.h"
#include "policy/periods.h"
#include "util/error.h"
#include "util/sha256.h"

namespace dsr::erase {

namespace {

/// How far a chain of ON DELETE CASCADE through unlisted tables is followed.
constexpr int max_cascade_depth = 8;

enum class Fate { remove, mask, hold, parent };

std::string_view fate_name(Fate f) {
    switch (f) {
        case Fate::remove: return "delete";
        case Fate::mask: return "mask";
        case Fate::hold: return "hold";
        case Fate::parent: break;  // returned below: a return after the switch would be dead code
    }
    return "parent";
}

std::vector<std::vector<db::Value>> chunks(const std::vector<db::Value>& keys) {
    std::vector<std::vector<db::Value>> out;
    for (std::size_t i = 0; i < keys.size(); i += db::max_in_list)
        out.emplace_back(keys.begin() + static_cast<std::ptrdiff_t>(i),
                         keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + db::max_in_list)));
    return out;
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

/// The columns read for one table: its key, the columns its children refer
/// to, its own references to parents, and its masked columns.
std::vector<std::string> columns_to_read(const ErasureOrder& order, const ErasureStep& step) {
    std::vector<std::string> columns{step.table->key};
    for (const auto& other : order.steps)
        for (const auto& r : other.parents)
            if (r.parent_table == step.table->name) add_unique(columns, r.parent_column);
    for (const auto& r : step.parents) add_unique(columns, r.column);
    if (step.table->erasure)
        for (const auto& m : step.table->erasure->masks) add_unique(columns, m.column);
    return columns;
}


/// The date a hold read as Unix seconds ends, as `dsr access` reports it;
/// nullopt when the timestamp cannot be read (the row is then kept).
std::optional<CivilDate> hold_end_of(const db::Value& timestamp, const policy::Duration& keep) {
    if (const auto* i = std::get_if<std::int64_t>(&timestamp)) return policy::date_after(*i, keep);
    if (const auto* d = std::get_if<double>(&timestamp)) return policy::date_after(static_cast<std::int64_t>(*d), keep);
    return std::nullopt;
}

class Planner {
public:
    Planner(db::Database& db, const policy::Policy& policy, const std::string& database_name, const db::Schema& schema,
            const ErasureOrder& order, const graph::SubjectMatch& match, const crypto::SecretBytes& key,
            const PlanSettings& settings)
        : db_(db), policy_(policy), database_name_(database_name), schema_(schema), order_(order), match_(match),
          masker_(db, schema, key) {
        plan_.today = CivilDate{std::chrono::floor<std::chrono::days>(settings.now)};
    }

    ErasurePlan run() {
        for (const auto& step : order_.steps) plan_table(step);
        for (std::size_t i = 0; i < order_.steps.size(); ++i) plan_cascades(order_.steps[i], plan_.tables[i]);
        collect_categories();
        plan_.digest = sha256_hex(digest_input_);
        return std::move(plan_);
    }

private:
    db::Database& db_;
    const policy::Policy& policy_;
    const std::string& database_name_;
    const db::Schema& schema_;
    const ErasureOrder& order_;
    const graph::SubjectMatch& match_;
    RowMasker masker_;
    ErasurePlan plan_;
    /// For each parent table and column, the values kept rows refer to, and the tables of those kept rows.
    std::map<std::string, std::map<std::string, std::map<std::string, std::vector<std::string>>>> kept_refs_;
    /// The tables whose kept rows keep rows of this one, for the report.
    std::vector<std::string> kept_for_;
    std::string digest_input_;

    void digest(std::string_view part) { digest_input_ += std::to_string(part.size()) + ":" + std::string(part); }

    void plan_table(const ErasureStep& step) {
        const auto& table = *step.table;
        TablePlan tp;
        tp.table = &table;
        if (table.erasure) tp.masks = table.erasure->masks;
        auto columns = columns_to_read(order_, step);
        // Every column is read for the digest: any change to one of the
        // subject's rows since a reviewed plan was made makes that plan stale.
        if (const auto* info = schema_.find_table(table.name))
            for (const auto& c : info->columns) add_unique(columns, c.name);
        std::map<std::optional<CivilDate>, std::size_t> ends;
        digest(table.name);
        read_rows(table, columns, [&](const std::vector<db::Value>& row, const std::optional<CivilDate>& hold_end) {
            ++tp.matched;
            Fate fate = fate_of(step, columns, row, hold_end, ends);
            digest_row(row, fate);
            if (fate == Fate::remove) {
                tp.deletes.push_back(row[0]);
                return;
            }
            keep(step, columns, row, tp);
            if (fate == Fate::hold) ++tp.held;
            if (fate == Fate::parent) ++tp.kept_as_parent;
        });
        for (const auto& [date, rows] : ends) tp.hold_ends.push_back({date, rows});
        // std::map puts nullopt first; an unknown end reads best last.
        std::stable_partition(tp.hold_ends.begin(), tp.hold_ends.end(), [](const HoldEnd& h) { return h.ends_on.has_value(); });
        tp.kept_for = std::move(kept_for_);
        kept_for_.clear();
        plan_.tables.push_back(std::move(tp));
    }

    /// The subject's rows of `table` (`columns`, by key) and, when the table
    /// has a hold, the date it ends for each row: one statement, the hold's
    /// timestamp (its own column's or its parent's) read beside the row.
    void read_rows(const policy::Table& table, const std::vector<std::string>& columns,
                   const std::function<void(const std::vector<db::Value>&, const std::optional<CivilDate>&)>& on_row) {
        const auto* hold = table.erasure && table.erasure->hold ? &*table.erasure->hold : nullptr;
        auto filter = graph::subject_filter(db_, policy_, table, match_);
        if (filter.sql == "FALSE") return;
        // The filter names the table's columns bare; the alias lets a
        // parent's timestamp be fetched by a correlated subquery beside them.
        const std::string row_alias = "dsr_row";
        std::string sql = "SELECT ";
        for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + row_alias + "." + db_.quote(columns[i]);
        if (hold) sql += ", " + graph::timestamp_sql(db_, table, hold->timestamp, row_alias);
        sql += " FROM " + db_.quote_table(table.name) + " AS " + row_alias + " WHERE " + filter.sql + " ORDER BY " +
               row_alias + "." + db_.quote(table.key);
        std::vector<db::Value> row;
        db_.query(sql, filter.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& values) {
            row.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(columns.size()));
            on_row(row, hold ? hold_end_of(values[columns.size()], hold->keep) : std::nullopt);
        });
    }

    void digest_row(const std::vector<db::Value>& row, Fate fate) {
        for (const auto& v : row) digest(key_text(v));
        digest(fate_name(fate));
    }

    Fate fate_of(const ErasureStep& step, const std::vector<std::string>& columns, const std::vector<db::Value>& row,
                 const std::optional<CivilDate>& end, std::map<std::optional<CivilDate>, std::size_t>& ends) {
        const auto& table = *step.table;
        if (table.erasure && table.erasure->action == policy::ErasureAction::mask) return Fate::mask;
        if (table.erasure && table.erasure->hold) {
            if (!end || plan_.today < *end) {
                ++ends[end];
                return Fate::hold;
            }
        }
        auto referring = referring_kept_tables(table.name, columns, row);
        for (const auto& t : referring) add_unique(kept_for_, t);
        return referring.empty() ? Fate::remove : Fate::parent;
    }

    /// The tables whose kept rows refer to this row (empty: none does).
    std::vector<std::string> referring_kept_tables(const std::string& table, const std::vector<std::string>& columns,
                                                   const std::vector<db::Value>& row) const {
        std::vector<std::string> tables;
        auto refs = kept_refs_.find(table);
        if (refs == kept_refs_.end()) return tables;
        for (const auto& [column, values] : refs->second) {
            auto at = static_cast<std::size_t>(std::find(columns.begin(), columns.end(), column) - columns.begin());
            if (at >= row.size()) continue;
            auto it = values.find(key_text(row[at]));
            if (it != values.end())
                for (const auto& t : it->second) add_unique(tables, t);
        }
        return tables;
    }

    /// A kept row: its masked values, and the parent rows it keeps.
    void keep(const ErasureStep& step, const std::vector<std::string>& columns, const std::vector<db::Value>& row,
              TablePlan& tp) {
        KeptRow kept{row[0], {}, false};
        std::vector<db::Value> current;
        for (const auto& m : tp.masks) {
            auto at = static_cast<std::size_t>(std::find(columns.begin(), columns.end(), m.column) - columns.begin());
            current.push_back(row[at]);
        }
        kept.values = masker_.masked_values(*step.table, tp.masks, current, row[0]);
        kept.changes = kept.values != current;
        if (kept.changes) ++tp.masked;
        tp.kept.push_back(std::move(kept));
        for (const auto& r : step.parents) {
            auto at = static_cast<std::size_t>(std::find(columns.begin(), columns.end(), r.column) - columns.begin());
            if (std::holds_alternative<std::monostate>(row[at])) continue;
            add_unique(kept_refs_[r.parent_table][r.parent_column][key_text(row[at])], step.table->name);
        }
    }

    // --- what the database will do on its own ---------------------------------

    void plan_cascades(const ErasureStep& step, TablePlan& tp) {
        if (tp.deletes.empty()) return;
        for (const auto& dependent : step.dependents) {
            for (const auto& keys : chunks(tp.deletes)) {
                std::string condition = db_.quote(step.table->key) + " IN (" + db::placeholders(keys.size()) + ")";
                follow(dependent, step.table->name, condition, keys, 1, tp);
            }
        }
        merge_cascades(tp);
        for (const auto& c : tp.cascades) digest(c.via.table + "." + c.via.column + "=" + std::to_string(c.rows));
    }

    /// Rows of `ref.table` that point at the rows of `parent` selected by
    /// `condition`, and what happens to them.
    void follow(const Reference& ref, const std::string& parent, const std::string& condition,
                const std::vector<db::Value>& params, int depth, TablePlan& tp) {
        std::string referring = db_.quote(ref.column) + " IN (SELECT " + db_.quote(ref.parent_column) + " FROM " +
                                db_.quote_table(parent) + " WHERE " + condition + ")";
        std::size_t rows = outside_plan(ref, referring, params, depth);
        if (rows == 0) return;
        const bool listed = listed_here(ref.table);
        if (ref.on_delete == "CASCADE" && listed)
            refuse(ref, rows, "ON DELETE CASCADE would remove them though they belong to someone else");
        if (ref.on_delete != "CASCADE" && ref.on_delete != "SET NULL" && ref.on_delete != "SET DEFAULT")
            refuse(ref, rows, "ON DELETE " + ref.on_delete + " would make the erasure fail");
        tp.cascades.push_back({ref, rows, depth});
        if (ref.on_delete != "CASCADE") return;
        if (depth >= max_cascade_depth)
            throw Error(ExitStatus::invalid_policy, "ON DELETE CASCADE chains deeper than " +
                                                        std::to_string(max_cascade_depth) + " tables from " + ref.table +
                                                        "; list these tables in the policy");
        for (const auto& next : dependents_of(schema_, ref.table))
            follow(next, ref.table, referring, params, depth + 1, tp);
    }

    bool listed_here(const std::string& table) const {
        const auto* t = policy_.find_table(table);
        return t && t->database == database_name_;
    }

    /// How many referring rows the plan does not delete itself first.
    std::size_t outside_plan(const Reference& ref, const std::string& referring, const std::vector<db::Value>& params,
                             int depth) {
        const auto* listed = depth == 1 && listed_here(ref.table) ? policy_.find_table(ref.table) : nullptr;
        if (!listed) {
            std::size_t n = 0;
            db_.query("SELECT count(*) FROM " + db_.quote_table(ref.table) + " WHERE " + referring, params,
                      [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                          n = static_cast<std::size_t>(std::get<std::int64_t>(row[0]));
                      });
            return n;
        }
        std::set<std::string> deleted;
        for (const auto& tp : plan_.tables)
            if (tp.table == listed)
                for (const auto& k : tp.deletes) deleted.insert(key_text(k));
        std::size_t n = 0;
        db_.query("SELECT " + db_.quote(listed->key) + " FROM " + db_.quote_table(ref.table) + " WHERE " + referring, params,
                  [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                      if (!deleted.contains(key_text(row[0]))) ++n;
                  });
        return n;
    }

    [[noreturn]] void refuse(const Reference& ref, std::size_t rows, const std::string& why) {
        std::string whose = listed_here(ref.table) ? "" : " (a table the policy does not list)";
        throw Error(ExitStatus::invalid_policy,
                    std::to_string(rows) + " rows of " + ref.table + whose + " refer through " + ref.column + " to " +
                        ref.parent_table + " rows this erasure deletes, and are not part of it: " + why +
                        "; nothing was changed (list the table in the policy, or resolve those rows first)");
    }

    static void merge_cascades(TablePlan& tp) {
        std::vector<Cascade> merged;
        for (const auto& c : tp.cascades) {
            auto it = std::find_if(merged.begin(), merged.end(), [&](const Cascade& m) {
                return m.via.table == c.via.table && m.via.column == c.via.column && m.depth == c.depth;
            });
            if (it == merged.end()) merged.push_back(c);
            else it->rows += c.rows;
        }
        tp.cascades = std::move(merged);
    }

    void collect_categories() {
        std::set<std::string> erased;
        for (const auto& tp : plan_.tables) {
            if (!tp.deletes.empty())
                for (const auto& c : tp.table->columns) erased.insert(c.category);
            if (!tp.kept.empty())
                for (const auto& m : tp.masks)
                    if (const auto* c = tp.table->find_column(m.column)) erased.insert(c->category);
        }
        for (const auto& c : policy_.categories)
            if (erased.contains(c.name)) plan_.erased_categories.push_back(c.name);
    }
};

}  // namespace

std::string key_text(const db::Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return "t" + *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return "i" + std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) {
        char text[32];
        auto end = std::to_chars(text, text + sizeof text, *d).ptr;  // shortest exact form
        return "r" + std::string(text, end);
    }
    if (const auto* b = std::get_if<db::Blob>(&value)) return "b" + std::string(b->bytes.begin(), b->bytes.end());
    return "n";
}

std::size_t TablePlan::cascaded() const {
    return std::accumulate(cascades.begin(), cascades.end(), std::size_t{0},
                           [](std::size_t n, const Cascade& c) { return n + c.rows; });
}

namespace {
template <typename F>
std::size_t sum(const std::vector<TablePlan>& tables, F f) {
    return std::accumulate(tables.begin(), tables.end(), std::size_t{0},
                           [&](std::size_t n, const TablePlan& t) { return n + f(t); });
}
}  // namespace

std::size_t ErasurePlan::matched() const { return sum(tables, [](const TablePlan& t) { return t.matched; }); }
std::size_t ErasurePlan::deleted() const { return sum(tables, [](const TablePlan& t) { return t.deletes.size(); }); }
std::size_t ErasurePlan::masked() const { return sum(tables, [](const TablePlan& t) { return t.masked; }); }
std::size_t ErasurePlan::held() const {
    return sum(tables, [](const TablePlan& t) { return t.held + t.kept_as_parent; });
}
std::size_t ErasurePlan::cascaded() const { return sum(tables, [](const TablePlan& t) { return t.cascaded(); }); }
std::size_t ErasurePlan::changes() const { return deleted() + masked() + cascaded(); }

ErasurePlan make_plan(db::Database& db, const policy::Policy& policy, const std::string& database_name,
                      const db::Schema& schema, const ErasureOrder& order, const graph::SubjectMatch& match,
                      const crypto::SecretBytes& key, const PlanSettings& settings) {
    return Planner(db, policy, database_name, schema, order, match, key, settings).run();
}

void include_erased_rows(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
                         graph::SubjectMatch& match) {
    auto known = match.identity_values;
    std::set<std::string> roots;
    for (const auto& [table, keys] : match.root_keys)
        for (const auto& k : keys) roots.insert(table + "\n" + key_text(k));
    for (const auto& [kind, values] : known) {
        const auto* identity = policy.find_identity(kind);
        const auto* root = identity ? policy.find_table(identity->table) : nullptr;
        bool pseudonymized = root && root->erasure &&
                             std::any_of(root->erasure->masks.begin(), root->erasure->masks.end(), [&](const policy::Mask& m) {
                                 return m.column == identity->column && m.method == policy::MaskMethod::pseudonymize;
                             });
        for (const auto& value : values) {
            std::string masked = pseudonym_text(value, key);
            match.identity_values[kind].insert(masked);
            if (!pseudonymized) continue;
            auto earlier = graph::match_subject(db, policy, kind, masked);
            for (const auto& [table, keys] : earlier.root_keys)
                for (const auto& k : keys)
                    if (roots.insert(table + "\n" + key_text(k)).second) match.root_keys[table].push_back(k);
            for (const auto& [other_kind, other_values] : earlier.identity_values)
                match.identity_values[other_kind].insert(other_values.begin(), other_values.end());
        }
    }
}

}  // namespace dsr::erase
