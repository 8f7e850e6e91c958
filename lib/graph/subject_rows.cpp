#include "graph/subject_rows.h"

#include "util/error.h"

namespace dsr::graph {

std::string value_text(const db::Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) return std::to_string(*d);
    return "";
}

SubjectMatch match_subject(db::Database& db, const policy::Policy& policy, const std::string& kind,
                           const std::string& normalized_value) {
    const auto* identity = policy.find_identity(kind);
    if (!identity) throw Error(ExitStatus::usage, "'" + kind + "' is not an identity of the policy");
    const auto* root = policy.find_table(identity->table);

    SubjectMatch match;
    // No column holds a NUL character (PostgreSQL's text cannot): such an
    // identity matches no one, and is never sent where a C string would
    // cut it short and find whoever the part before the NUL names. Nor is
    // an empty value anyone's (`phone=n/a` normalises to it): it would find
    // every row whose identity column is empty, as values read from root
    // rows below already know.
    if (normalized_value.empty() || normalized_value.find('\0') != std::string::npos) return match;
    match.identity_values[kind].insert(normalized_value);

    // The root row's other identity columns are read in the same statement.
    std::vector<const policy::Identity*> same_table;
    std::string sql = "SELECT " + db.quote(root->key);
    for (const auto& other : policy.identities) {
        if (other.table != root->name) continue;
        same_table.push_back(&other);
        sql += ", " + db.quote(other.column);
    }
    sql += " FROM " + db.quote_table(root->name) + " WHERE " + db.quote(identity->column) + " = ?";
    db.query(sql, {normalized_value}, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
        match.root_keys[root->name].push_back(row[0]);
        ++match.root_matches;
        for (std::size_t i = 0; i < same_table.size(); ++i) {
            std::string text = value_text(row[i + 1]);
            if (!text.empty()) match.identity_values[same_table[i]->kind].insert(text);
        }
    });
    return match;
}

namespace {

}  // namespace

void lock_subject(db::Database& db, const policy::Policy& policy, const SubjectMatch& match) {
    for (const auto& [table, keys] : match.root_keys)
        if (const auto* root = policy.find_table(table)) db.lock_rows(root->name, root->key, keys);
}

RowFilter subject_filter(const db::Database& db, const policy::Policy& policy, const policy::Table& table,
                         const SubjectMatch& match) {
    RowFilter filter;
    std::vector<std::string> parts;
    if (table.root) {
        auto it = match.root_keys.find(table.name);
        if (it != match.root_keys.end() && !it->second.empty()) {
            parts.push_back(db.quote(table.key) + " IN (" + db::placeholders(it->second.size()) + ")");
            filter.params.insert(filter.params.end(), it->second.begin(), it->second.end());
        }
    }
    for (const auto& link : table.links) {
        if (link.is_foreign_key()) {
            const auto* parent = policy.find_table(link.parent_table);
            // A link to a root's key whose rows are the matched keys: the
            // keys themselves, not a sub-select of them. Same rows, but an
            // index serves `col IN (?)` inside an OR where PostgreSQL scans
            // the whole table for a sub-select there, and SQLite reads in key
            // order instead of sorting.
            if (parent->root && parent->links.empty() && link.parent_column == parent->key) {
                auto keys = match.root_keys.find(parent->name);
                if (keys == match.root_keys.end() || keys->second.empty()) continue;
                parts.push_back(db.quote(link.column) + " IN (" + db::placeholders(keys->second.size()) + ")");
                filter.params.insert(filter.params.end(), keys->second.begin(), keys->second.end());
                continue;
            }
            RowFilter inner = subject_filter(db, policy, *parent, match);
            if (inner.sql == "FALSE") continue;
            parts.push_back(db.quote(link.column) + " IN (SELECT " + db.quote(link.parent_column) + " FROM " +
                            db.quote_table(parent->name) + " WHERE " + inner.sql + ")");
            filter.params.insert(filter.params.end(), inner.params.begin(), inner.params.end());
        } else {
            auto it = match.identity_values.find(link.identity);
            if (it == match.identity_values.end() || it->second.empty()) continue;
            parts.push_back(db.quote(link.column) + " IN (" + db::placeholders(it->second.size()) + ")");
            for (const auto& v : it->second) filter.params.emplace_back(v);
        }
    }
    if (parts.empty()) {
        filter.sql = "FALSE";
        return filter;
    }
    for (std::size_t i = 0; i < parts.size(); ++i) filter.sql += (i ? " OR " : "(") + parts[i];
    filter.sql += ")";
    return filter;
}

std::optional<db::Query> subject_rows_query(const db::Database& db, const policy::Policy& policy,
                                            const policy::Table& table, const std::vector<std::string>& columns,
                                            const SubjectMatch& match, db::RowHandler on_row) {
    auto filter = subject_filter(db, policy, table, match);
    if (filter.sql == "FALSE") return std::nullopt;
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + db.quote(columns[i]);
    sql += " FROM " + db.quote_table(table.name) + " WHERE " + filter.sql + " ORDER BY " + db.quote(table.key);
    return db::Query{std::move(sql), std::move(filter.params), std::move(on_row)};
}

void read_subject_rows(db::Database& db, const policy::Policy& policy, const policy::Table& table,
                       const std::vector<std::string>& columns, const SubjectMatch& match, const db::RowHandler& on_row) {
    if (auto q = subject_rows_query(db, policy, table, columns, match, on_row)) db.query(q->sql, q->params, q->on_row);
}

}  // namespace dsr::graph
