#include "jobs/rectify.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>

#include "crypto/pseudonym.h"
#include "rectify/value_check.h"
#include "util/error.h"

namespace dsr::jobs {

namespace {

/// A name from the command line is repeated in a message only if it looks
/// like an SQL identifier: a mistyped --set could put an email where the
/// table name goes, and messages never show personal data.
bool echoable(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string shown(std::string_view name) { return echoable(name) ? "'" + std::string(name) + "'" : "(name not shown)"; }

/// The identity a column carries: as the identity's own column in its root
/// table, or through an identity link; empty if none.
std::string carried_identity(const policy::Policy& policy, const policy::Table& table, std::string_view column) {
    for (const auto& id : policy.identities)
        if (id.table == table.name && id.column == column) return id.kind;
    for (const auto& link : table.links)
        if (!link.is_foreign_key() && link.column == column) return link.identity;
    return "";
}

bool is_foreign_key_link(const policy::Table& table, std::string_view column) {
    return std::any_of(table.links.begin(), table.links.end(),
                       [&](const policy::Link& l) { return l.is_foreign_key() && l.column == column; });
}

/// "customers.email, customers.first_name, …": the table's rectifiable
/// columns, or every table's when `table` is null or has none.
std::string rectifiable_list(const policy::Policy& policy, const std::string& database_name, const policy::Table* table) {
    auto list_of = [&](const policy::Table& t, std::string& out) {
        for (const auto& c : t.columns)
            if (c.rectify) out += (out.empty() ? "" : ", ") + t.name + "." + c.name;
    };
    std::string out;
    if (table) list_of(*table, out);
    if (out.empty())
        for (const auto& t : policy.tables)
            if (t.database == database_name) list_of(t, out);
    return out.empty() ? "none: the policy gives no column a rectify rule" : out;
}

/// Tables of the database whose rows link to the subject through `kind`.
std::vector<const policy::Link*> identity_links(const policy::Policy& policy, const std::string& kind,
                                                std::vector<const policy::Table*>* tables = nullptr) {
    std::vector<const policy::Link*> links;
    for (const auto& t : policy.tables)
        for (const auto& l : t.links)
            if (!l.is_foreign_key() && l.identity == kind) {
                links.push_back(&l);
                if (tables) tables->push_back(&t);
            }
    return links;
}

std::string text_of(const db::Value& value) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&value)) {
        // Shortest text that reads back as the same double: 97.0 -> "97".
        std::array<char, 64> buffer{};
        auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), *d);
        return ec == std::errc() ? std::string(buffer.data(), end) : std::to_string(*d);
    }
    if (const auto* b = std::get_if<db::Blob>(&value)) return std::string(b->bytes.begin(), b->bytes.end());
    return "";
}

std::int64_t as_count(const db::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    return 0;  // count(*) is never NULL: nothing else is a count
}

/// One column to update: which rows (a condition and its parameters), and
/// where its counts go in the result.
struct Target {
    const policy::Table* table = nullptr;
    std::string column;
    std::string condition;  ///< SQL over the table; "FALSE" selects nothing
    std::vector<db::Value> params;
    db::Value value;
    std::int64_t rows = 0;
    std::int64_t rows_changed = 0;
    std::map<std::optional<std::string>, std::int64_t> old_values;
};

class Rectifier {
public:
    Rectifier(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
              const RectifySettings& settings)
        : db_(db), policy_(policy), key_(key), settings_(settings) {}

    RectifyResult run(const std::string& kind, const std::string& normalized_value, const std::vector<Change>& changes) {
        // Matched again inside the transaction: what is written is decided
        // on the rows as they are while the write lock is held.
        match_ = graph::match_subject(db_, policy_, kind, normalized_value);
        if (match_.root_matches > 1)
            throw Error(ExitStatus::ambiguous_subject,
                        "the identity matches " + std::to_string(match_.root_matches) +
                            " registered subjects; nothing was changed");
        if (!settings_.dry_run) graph::lock_subject(db_, policy_, match_);
        RectifyResult result;
        result.root_matches = match_.root_matches;

        // Plan: every count and old value is read before anything is written.
        // Plain columns first: their subject filters still select by the old
        // identity values that the identity changes then replace.
        std::vector<Target> plain;
        std::vector<std::vector<Target>> by_identity;
        for (const auto& change : changes) {
            if (change.identity.empty())
                plain.push_back(plain_target(change));
            else
                by_identity.push_back(identity_targets(change));
        }
        for (auto& t : plain) count(t);
        for (auto& group : by_identity)
            for (auto& t : group) count(t);

        if (!settings_.dry_run) {
            for (auto& t : plain) write(t);
            for (auto& group : by_identity)
                for (auto& t : group) write(t);
        }

        // Report in the order of the --set options; followers in policy order.
        std::size_t next_plain = 0, next_identity = 0;
        for (const auto& change : changes) {
            if (change.identity.empty()) {
                result.fields.push_back(field_result(change, plain[next_plain++]));
                continue;
            }
            for (auto& t : by_identity[next_identity++]) {
                if (t.table == change.table && t.column == change.column->name) {
                    result.fields.push_back(field_result(change, t));
                } else {
                    FollowResult f;
                    f.table = t.table;
                    f.column = t.column;
                    f.identity = change.identity;
                    f.rows = t.rows;
                    f.rows_changed = t.rows_changed;
                    f.rows_joined = joined_[{t.table->name, t.column}];
                    result.followed.push_back(f);
                }
            }
        }
        std::set<std::string> changed_categories;
        for (const auto& f : result.fields) {
            result.rows += f.rows;
            result.rows_changed += f.rows_changed;
            if (f.rows_changed) changed_categories.insert(f.column->category);
        }
        for (const auto& f : result.followed) {
            result.rows += f.rows;
            result.rows_changed += f.rows_changed;
            if (const auto* c = f.table->find_column(f.column); c && f.rows_changed) changed_categories.insert(c->category);
        }
        result.notify = policy::recipients_receiving(policy_, changed_categories);
        return result;
    }

private:
    Target plain_target(const Change& change) {
        Target t;
        t.table = change.table;
        t.column = change.column->name;
        t.value = change.value;
        auto filter = graph::subject_filter(db_, policy_, *change.table, match_);
        t.condition = filter.sql;
        t.params = std::move(filter.params);
        return t;
    }

    /// Every column carrying the changed identity, each restricted to the
    /// rows of this subject: in the root table the subject's own rows (by
    /// key), elsewhere the rows holding one of the subject's values.
    std::vector<Target> identity_targets(const Change& change) {
        const auto* identity = policy_.find_identity(change.identity);
        const auto* root = policy_.find_table(identity->table);
        const std::string new_text = text_of(change.value);
        std::vector<db::Value> old_values;
        if (auto it = match_.identity_values.find(change.identity); it != match_.identity_values.end())
            for (const auto& v : it->second) old_values.emplace_back(v);
        std::vector<db::Value> keys;
        if (auto it = match_.root_keys.find(root->name); it != match_.root_keys.end()) keys = it->second;

        std::vector<const policy::Table*> link_tables;
        auto links = identity_links(policy_, change.identity, &link_tables);
        const std::string field = change.field();
        const std::string id_column = db_.quote(identity->column);
        const std::string others = keys.empty() ? "" : " AND " + db_.quote(root->key) + " NOT IN (" + db::placeholders(keys.size()) + ")";

        if (!links.empty()) {
            // Rows are attributed to a subject by this value: it must name one
            // registered subject before the change and after it.
            if (!old_values.empty()) {
                std::vector<db::Value> params = old_values;
                params.insert(params.end(), keys.begin(), keys.end());
                auto shared = scalar("SELECT count(*) FROM " + db_.quote_table(root->name) + " WHERE " + id_column + " IN (" +
                                         db::placeholders(old_values.size()) + ")" + others,
                                     params);
                if (shared > 0)
                    throw Error(ExitStatus::ambiguous_subject,
                                field + ": the subject's current " + change.identity + " is also held by " +
                                    std::to_string(shared) +
                                    " other registered subject(s), so the rows it links are not only theirs; nothing was changed");
            }
            std::vector<db::Value> params{change.value};
            params.insert(params.end(), keys.begin(), keys.end());
            auto taken = scalar("SELECT count(*) FROM " + db_.quote_table(root->name) + " WHERE " + id_column + " = ?" + others, params);
            if (taken > 0)
                throw Error(ExitStatus::usage, field + ": the new value already identifies another registered subject (" +
                                                   root->name + "." + identity->column + "); nothing was changed");
        }

        std::vector<Target> targets;
        Target own;
        own.table = root;
        own.column = identity->column;
        own.value = change.value;
        own.condition = keys.empty() ? "FALSE" : db_.quote(root->key) + " IN (" + db::placeholders(keys.size()) + ")";
        own.params = keys;
        targets.push_back(std::move(own));

        std::int64_t joined_total = 0;
        std::string joined_tables;
        bool new_is_old = std::any_of(old_values.begin(), old_values.end(),
                                      [&](const db::Value& v) { return text_of(v) == new_text; });
        for (std::size_t i = 0; i < links.size(); ++i) {
            Target t;
            t.table = link_tables[i];
            t.column = links[i]->column;
            t.value = change.value;
            t.condition = old_values.empty() ? "FALSE" : db_.quote(t.column) + " IN (" + db::placeholders(old_values.size()) + ")";
            t.params = old_values;
            if (!new_is_old) {
                auto joined = scalar("SELECT count(*) FROM " + db_.quote_table(t.table->name) + " WHERE " + db_.quote(t.column) + " = ?",
                                     {change.value});
                joined_[{t.table->name, t.column}] = joined;
                if (joined) {
                    joined_total += joined;
                    joined_tables += (joined_tables.empty() ? "" : ", ") + t.table->name;
                }
            }
            targets.push_back(std::move(t));
        }
        if (joined_total > 0 && !settings_.allow_join)
            throw Error(ExitStatus::usage,
                        field + ": " + std::to_string(joined_total) + " row(s) in " + joined_tables +
                            " already carry the new value and would become linked to this subject; make sure they are "
                            "theirs, then run again with --allow-join; nothing was changed");
        return targets;
    }

    std::int64_t scalar(const std::string& sql, const std::vector<db::Value>& params) {
        std::int64_t n = 0;
        db_.query(sql, params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) { n = as_count(row[0]); });
        return n;
    }

    /// Counts the target's rows, those whose value differs from the new
    /// one, and each distinct old value (hashed as soon as it is read).
    void count(Target& t) {
        if (t.condition == "FALSE") return;
        std::string column = db_.quote(t.column);
        std::string sql = "SELECT " + column + ", count(*), count(*) FILTER (WHERE " + column + " IS DISTINCT FROM ?) FROM " + db_.quote_table(t.table->name) +
                          " WHERE " + t.condition + " GROUP BY " + column;
        std::vector<db::Value> params{t.value};
        params.insert(params.end(), t.params.begin(), t.params.end());
        db_.query(sql, params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
            auto rows = as_count(row[1]);
            t.rows += rows;
            t.rows_changed += as_count(row[2]);
            // Groups SQLite keeps apart (97 and 97.0) have one text, one hash.
            t.old_values[value_hash(key_, row[0])] += rows;
        });
    }

    void write(const Target& t) {
        if (t.condition == "FALSE" || t.rows_changed == 0) return;
        std::string column = db_.quote(t.column);
        std::string sql = "UPDATE " + db_.quote_table(t.table->name) + " SET " + column + " = ? WHERE (" + t.condition +
                          ") AND " + column + " IS DISTINCT FROM ?";
        std::vector<db::Value> params{t.value};
        params.insert(params.end(), t.params.begin(), t.params.end());
        params.push_back(t.value);
        auto changed = db_.execute(sql, params);
        // The plan was counted under the same write lock: any difference is
        // a bug, and the whole job is undone rather than half reported.
        if (changed != t.rows_changed)
            throw Error(ExitStatus::failure, t.table->name + "." + t.column + ": the update changed " + std::to_string(changed) +
                                                 " rows where " + std::to_string(t.rows_changed) +
                                                 " were counted; everything was rolled back");
    }

    FieldResult field_result(const Change& change, const Target& t) {
        FieldResult f;
        f.table = change.table;
        f.column = change.column;
        f.identity = change.identity;
        f.rows = t.rows;
        f.rows_changed = t.rows_changed;
        for (const auto& [hash, rows] : t.old_values) f.old_values.push_back({hash, rows});
        f.new_hash = *value_hash(key_, change.value);
        return f;
    }

    db::Database& db_;
    const policy::Policy& policy_;
    const crypto::SecretBytes& key_;
    const RectifySettings& settings_;
    graph::SubjectMatch match_;
    std::map<std::pair<std::string, std::string>, std::int64_t> joined_;
};

}  // namespace

SetSpec parse_set(std::string_view spec) {
    const std::string form = "--set must be TABLE.COLUMN=VALUE, e.g. customers.first_name=Ana";
    auto eq = spec.find('=');
    if (eq == std::string_view::npos || eq == 0) throw Error(ExitStatus::usage, form);
    std::string_view target = spec.substr(0, eq);
    auto dot = target.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == target.size() ||
        target.find('.', dot + 1) != std::string_view::npos)
        throw Error(ExitStatus::usage, form);
    return {std::string(target.substr(0, dot)), std::string(target.substr(dot + 1)), std::string(spec.substr(eq + 1))};
}

std::vector<Change> check_changes(const policy::Policy& policy, const std::string& database_name,
                                  const std::vector<SetSpec>& specs) {
    std::vector<Change> changes;
    std::map<std::string, std::string> identity_fields;  // kind -> the field that sets it
    for (const auto& spec : specs) {
        const auto* table = policy.find_table(spec.table);
        if (!table)
            throw Error(ExitStatus::usage, "--set: " + shown(spec.table) +
                                               " is not a table of the policy; rectifiable columns: " +
                                               rectifiable_list(policy, database_name, nullptr));
        if (!echoable(spec.column))
            throw Error(ExitStatus::usage, "--set: the column of " + table->name +
                                               " is not a column name; rectifiable columns: " +
                                               rectifiable_list(policy, database_name, table));
        const std::string field = table->name + "." + spec.column;
        if (table->database != database_name)
            throw Error(ExitStatus::usage, field + ": the table is in the database '" + table->database +
                                               "', not in '" + database_name + "' which this run changes");
        if (spec.column == table->key)
            throw Error(ExitStatus::usage, field + " is the table's key and cannot be rectified");
        if (is_foreign_key_link(*table, spec.column))
            throw Error(ExitStatus::usage, field + " links rows to the subject (a foreign key) and cannot be rectified");
        const auto* column = table->find_column(spec.column);
        if (!column || !column->rectify)
            throw Error(ExitStatus::usage,
                        field + (column ? " is not rectifiable (the policy gives it no rectify rule)"
                                        : " is not a column the policy describes") +
                            "; rectifiable columns: " + rectifiable_list(policy, database_name, table));
        for (const auto& earlier : changes)
            if (earlier.table == table && earlier.column == column)
                throw Error(ExitStatus::usage, field + " is set twice");

        Change change;
        change.table = table;
        change.column = column;
        change.identity = carried_identity(policy, *table, spec.column);
        const policy::Identity* identity = nullptr;
        if (!change.identity.empty()) {
            identity = policy.find_identity(change.identity);
            const auto* root = identity ? policy.find_table(identity->table) : nullptr;
            if (!identity || !root)
                throw Error(ExitStatus::usage, field + " carries the identity '" + change.identity +
                                                   "', which the policy does not declare");
            if (identity->column == root->key)
                throw Error(ExitStatus::usage, field + " carries the identity '" + change.identity + "', which is the key of " +
                                                   root->name + "; keys cannot be rectified");
            if (auto [it, fresh] = identity_fields.emplace(change.identity, field); !fresh)
                throw Error(ExitStatus::usage, it->second + " and " + field + " both carry the identity '" + change.identity +
                                                   "'; set one of them (the other follows)");
            // The identity is changed wherever it is carried: all of it in this database.
            std::vector<const policy::Table*> tables{root};
            identity_links(policy, change.identity, &tables);
            for (const auto* t : tables)
                if (t->database != database_name)
                    throw Error(ExitStatus::usage, field + ": the identity '" + change.identity + "' is also carried by " +
                                                       t->name + " in the database '" + t->database +
                                                       "'; rectify changes one database per run");
        }

        change.value = rectify::checked_value(*column->rectify, field, spec.value);
        if (identity) {
            // Stored in the identity's canonical form, the one `--subject`
            // looks up, whatever the column's own rule normalised.
            const auto* text = std::get_if<std::string>(&change.value);
            std::string normalized = crypto::normalize_identity(text ? *text : text_of(change.value), identity->normalize);
            if (normalized.empty())
                throw Error(ExitStatus::usage, field + ": the new value is not a usable " + change.identity + " identity");
            if (text) change.value = normalized;
        }
        changes.push_back(std::move(change));
    }
    return changes;
}

std::optional<std::string> value_hash(const crypto::SecretBytes& key, const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
    crypto::ensure_sodium();
    if (key.size() != crypto::pseudonym_key_bytes) throw Error(ExitStatus::missing_key, "the pseudonymisation key must be 32 bytes");
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.data(), key.size(), 32);
    // A tag of its own: a value hash never equals a subject's pseudonym,
    // even for the same email under the same key.
    static constexpr std::string_view tag = "dsr-rectify-value-v1";
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(tag.data()), tag.size());
    std::string text = text_of(value);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    std::array<unsigned char, 32> out{};
    crypto_generichash_final(&state, out.data(), out.size());
    sodium_memzero(text.data(), text.size());
    return crypto::to_hex(out.data(), out.size());
}

RectifyResult rectify(db::Database& db, const policy::Policy& policy, const std::string& kind,
                      const std::string& normalized_value, const std::vector<Change>& changes,
                      const crypto::SecretBytes& hash_key, const RectifySettings& settings) {
    Rectifier rectifier(db, policy, hash_key, settings);
    if (settings.dry_run) return rectifier.run(kind, normalized_value, changes);
    db.begin();
    try {
        auto result = rectifier.run(kind, normalized_value, changes);
        db.commit();
        return result;
    } catch (...) {
        db.rollback();
        throw;
    }
}

}  // namespace dsr::jobs
