#include "breach/affected.h"

#include <algorithm>

#include "graph/timestamp_sql.h"
#include "util/error.h"

namespace dsr::breach {

namespace {

using db::SqlCondition;

// Deeper than any real schema; link cycles are refused by the policy loader.
constexpr int max_depth = 16;

/// Every person is named by a pair (source, value): source is a small number
/// standing for a root table (value: the row's key as text) or an identity
/// kind (value: the identity value of a guest). Numbers rather than names
/// keep policy names out of the SQL text.
class Sources {
public:
    explicit Sources(const policy::Policy& policy) : policy_(policy) {
        for (const auto& t : policy.tables)
            if (t.root) roots_.push_back(&t);
    }
    int root_code(const policy::Table& table) const {
        return static_cast<int>(std::find(roots_.begin(), roots_.end(), &table) - roots_.begin());
    }
    int identity_code(const policy::Identity& identity) const {
        return static_cast<int>(roots_.size() + (&identity - policy_.identities.data()));
    }
    const std::vector<const policy::Table*>& roots() const { return roots_; }
    /// SQL: the codes of registered people are below this.
    int registered_below() const { return static_cast<int>(roots_.size()); }

private:
    const policy::Policy& policy_;
    std::vector<const policy::Table*> roots_;
};

/// One way from a scoped row to its owner: the joins that reach the owner's
/// row, and the owner as (source, value) expressions.
struct OwnerPath {
    std::string joins;
    std::string source_sql;
    std::string value_sql;
    std::string condition;  ///< empty, or what the path needs of the row
};

void owner_paths(db::Database& db, const policy::Policy& policy, const Sources& sources, const policy::Table& table,
                 const std::string& alias, const std::string& joins, int depth, std::vector<OwnerPath>& out) {
    if (depth > max_depth)
        throw Error(ExitStatus::invalid_policy, "links to table '" + table.name + "' nest more than " +
                                                    std::to_string(max_depth) + " tables deep");
    if (table.root)
        out.push_back({joins, std::to_string(sources.root_code(table)),
                       "CAST(" + alias + "." + db.quote(table.key) + " AS TEXT)", ""});
    int n = 0;
    for (const auto& link : table.links) {
        const std::string next = alias + "_" + std::to_string(++n);
        const std::string column = alias + "." + db.quote(link.column);
        if (link.is_foreign_key()) {
            const auto* parent = policy.find_table(link.parent_table);
            if (!parent) continue;
            // A link to a subject's own key names the subject by itself: no
            // join (as in graph::subject_filter), a third of the time of a
            // whole-table assessment.
            if (parent->root && parent->links.empty() && link.parent_column == parent->key) {
                out.push_back({joins, std::to_string(sources.root_code(*parent)), "CAST(" + column + " AS TEXT)",
                               column + " IS NOT NULL"});
                continue;
            }
            owner_paths(db, policy, sources, *parent, next,
                        joins + " JOIN " + db.quote_table(parent->name) + " AS " + next + " ON " + next + "." +
                            db.quote(link.parent_column) + " = " + column,
                        depth + 1, out);
            continue;
        }
        const auto* identity = policy.find_identity(link.identity);
        if (!identity) continue;
        const auto* root = policy.find_table(identity->table);
        if (!root) {  // an identity no table registers: everyone it names is a guest
            out.push_back({joins, std::to_string(sources.identity_code(*identity)), "CAST(" + column + " AS TEXT)",
                           column + " IS NOT NULL"});
            continue;
        }
        // The registered person with this identity value, if there is one.
        const std::string root_key = next + "." + db.quote(root->key);
        out.push_back({joins + " LEFT JOIN " + db.quote_table(root->name) + " AS " + next + " ON " + next + "." +
                           db.quote(identity->column) + " = " + column,
                       "CASE WHEN " + root_key + " IS NULL THEN " + std::to_string(sources.identity_code(*identity)) +
                           " ELSE " + std::to_string(sources.root_code(*root)) + " END",
                       "COALESCE(CAST(" + root_key + " AS TEXT), CAST(" + column + " AS TEXT))",
                       column + " IS NOT NULL"});
    }
}

constexpr const char* row_alias = "b0";
// 9999-12-01T00:00:00Z: later than any real timestamp, with room before
// year 10000 for the backends' bounds (a text bound is a day or two later).
constexpr std::int64_t far_future = 253399622400;

/// The scoped rows of one table: a named column that is not NULL, and the window.
SqlCondition scoped_rows(db::Database& db, const ScopedTable& entry, const Scope& scope) {
    std::vector<SqlCondition> parts;
    if (!entry.whole_table) {
        std::string any;
        for (const auto* c : entry.columns)
            any += (any.empty() ? "(" : " OR ") + std::string(row_alias) + "." + db.quote(c->name) + " IS NOT NULL";
        parts.push_back({any + ")", {}});
    }
    if (entry.time_column) {
        if (scope.until)
            parts.push_back(graph::timestamp_earlier_than(db, *entry.table, *entry.time_column, row_alias, *scope.until));
        if (scope.since) {
            auto before = graph::timestamp_earlier_than(db, *entry.table, *entry.time_column, row_alias, *scope.since);
            parts.push_back({"NOT " + before.sql, before.params});
            // "Not earlier than since" alone would take an unreadable timestamp.
            if (!scope.until)
                parts.push_back(graph::timestamp_earlier_than(db, *entry.table, *entry.time_column, row_alias,
                                                              far_future));
        }
    }
    SqlCondition all{"", {}};
    for (const auto& p : parts) {
        all.sql += (all.sql.empty() ? "" : " AND ") + p.sql;
        all.params.insert(all.params.end(), p.params.begin(), p.params.end());
    }
    if (all.sql.empty()) all.sql = "1 = 1";
    return all;
}

/// SELECT source, value of every affected person, each once (DISTINCT for
/// a single path, UNION across paths).
SqlCondition affected_people(db::Database& db, const policy::Policy& policy, const Sources& sources, const Scope& scope) {
    std::vector<std::pair<const ScopedTable*, std::vector<OwnerPath>>> tables;
    std::size_t branches = 0;
    for (const auto& entry : scope.tables) {
        std::vector<OwnerPath> paths;
        owner_paths(db, policy, sources, *entry.table, row_alias, "", 0, paths);
        branches += paths.size();
        tables.emplace_back(&entry, std::move(paths));
    }
    SqlCondition people{"", {}};
    for (const auto& [entry, paths] : tables) {
        auto rows = scoped_rows(db, *entry, scope);
        for (const auto& path : paths) {
            people.sql += (people.sql.empty() ? "" : " UNION ") + std::string(branches == 1 ? "SELECT DISTINCT " : "SELECT ") + path.source_sql +
                          " AS source, " + path.value_sql + " AS person FROM " + db.quote_table(entry->table->name) +
                          " AS " + row_alias + path.joins + " WHERE " + rows.sql +
                          (path.condition.empty() ? "" : " AND " + path.condition);
            people.params.insert(people.params.end(), rows.params.begin(), rows.params.end());
        }
    }
    // A table no subject is linked to (the loader refuses it) leaves nobody.
    if (people.sql.empty()) people.sql = "SELECT 0 AS source, CAST(NULL AS TEXT) AS person WHERE 1 = 0";
    return people;
}

std::int64_t integer(const db::Value& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
    if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
    if (const auto* s = std::get_if<std::string>(&value)) return std::stoll(*s);
    return 0;
}

bool has_text(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return false;
    if (const auto* s = std::get_if<std::string>(&value)) return !s->empty();
    return true;
}

}  // namespace

AffectedCounts count_affected(db::Database& db, const policy::Policy& policy, const Scope& scope) {
    AffectedCounts counts;
    for (const auto& entry : scope.tables) {
        auto rows = scoped_rows(db, entry, scope);
        TableRecords records{entry.table, 0};
        db.query("SELECT COUNT(*) FROM " + db.quote_table(entry.table->name) + " AS " + row_alias + " WHERE " + rows.sql,
                 rows.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                     records.rows = integer(row[0]);
                 });
        counts.records.push_back(records);
    }
    Sources sources(policy);
    auto people = affected_people(db, policy, sources, scope);
    db.query("SELECT COUNT(*), COALESCE(SUM(CASE WHEN source < " + std::to_string(sources.registered_below()) +
                 " THEN 1 ELSE 0 END), 0) FROM (" + people.sql + ") AS affected",
             people.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                 counts.subjects = integer(row[0]);
                 counts.registered = integer(row[1]);
             });
    return counts;
}

std::vector<std::string> notify_header(const policy::Policy& policy) {
    if (policy.breach.notify.empty())
        throw Error(ExitStatus::invalid_policy,
                    "the policy names no contact columns for notify lists: add breach: notify: [TABLE.COLUMN]");
    std::vector<std::string> header;
    for (const auto& n : policy.breach.notify) {
        bool shared = std::count_if(policy.breach.notify.begin(), policy.breach.notify.end(),
                                    [&](const policy::NotifyColumn& o) { return o.column == n.column; }) > 1;
        header.push_back(shared ? n.table + "." + n.column : n.column);
    }
    return header;
}

NotifyCounts affected_contacts(db::Database& db, const policy::Policy& policy, const Scope& scope,
                               const std::function<void(const std::vector<db::Value>&)>& on_contact) {
    const auto& notify = policy.breach.notify;
    notify_header(policy);  // refuses a policy without notify columns
    Sources sources(policy);
    auto people = affected_people(db, policy, sources, scope);
    NotifyCounts counts;
    std::vector<db::Value> line(notify.size());

    // People by source: how many, and which sources have contact columns.
    std::vector<std::int64_t> per_source;
    db.query("SELECT source, COUNT(*) FROM (" + people.sql + ") AS affected GROUP BY source ORDER BY source",
             people.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                 auto source = static_cast<std::size_t>(integer(row[0]));
                 if (per_source.size() <= source) per_source.resize(source + 1, 0);
                 per_source[source] = integer(row[1]);
                 counts.subjects += integer(row[1]);
             });
    auto people_of = [&](int source) {
        return static_cast<std::size_t>(source) < per_source.size() ? per_source[static_cast<std::size_t>(source)] : 0;
    };

    // Registered people: their own row's notify columns.
    for (const auto* root : sources.roots()) {
        int code = sources.root_code(*root);
        if (people_of(code) == 0) continue;
        std::vector<std::size_t> slots;
        std::string columns;
        for (std::size_t i = 0; i < notify.size(); ++i)
            if (notify[i].table == root->name) {
                slots.push_back(i);
                columns += (columns.empty() ? "" : ", ") + db.quote(notify[i].column);
            }
        if (slots.empty()) {
            counts.unreachable += people_of(code);
            continue;
        }
        auto params = people.params;
        std::int64_t seen = 0;
        db.query("SELECT " + columns + " FROM " + db.quote_table(root->name) + " AS r WHERE CAST(r." +
                     db.quote(root->key) + " AS TEXT) IN (SELECT person FROM (" + people.sql +
                     ") AS affected WHERE source = " + std::to_string(code) + ") ORDER BY r." + db.quote(root->key),
                 params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                     ++seen;
                     std::fill(line.begin(), line.end(), db::Value{});
                     bool any = false;
                     for (std::size_t i = 0; i < slots.size(); ++i) {
                         line[slots[i]] = row[i];
                         any = any || has_text(row[i]);
                     }
                     if (!any) {
                         ++counts.unreachable;
                         return;
                     }
                     ++counts.written;
                     on_contact(line);
                 });
        counts.unreachable += people_of(code) - seen;  // rows gone since the count
    }

    // Guests: their identity value is the contact when its column is a notify column.
    for (const auto& identity : policy.identities) {
        int code = sources.identity_code(identity);
        if (people_of(code) == 0) continue;
        auto slot = std::find_if(notify.begin(), notify.end(), [&](const policy::NotifyColumn& n) {
            return n.table == identity.table && n.column == identity.column;
        });
        if (slot == notify.end()) {
            counts.unreachable += people_of(code);
            continue;
        }
        auto index = static_cast<std::size_t>(slot - notify.begin());
        db.query("SELECT person FROM (" + people.sql + ") AS affected WHERE source = " + std::to_string(code) +
                     " ORDER BY person",
                 people.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                     std::fill(line.begin(), line.end(), db::Value{});
                     line[index] = row[0];
                     ++counts.written;
                     on_contact(line);
                 });
    }
    return counts;
}

}  // namespace dsr::breach
