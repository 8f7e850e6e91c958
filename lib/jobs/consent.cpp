#include "jobs/consent.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "crypto/pseudonym.h"
#include "report/report.h"
#include "util/error.h"

namespace dsr::jobs {

namespace {

std::string consent_purposes_list(const policy::Policy& policy) {
    std::string out;
    for (const auto& c : policy.consent) out += (out.empty() ? "" : ", ") + c.name;
    return out.empty() ? "none: the policy has no consent: section" : out;
}

/// A name from the command line is repeated in a message only if it looks
/// like a policy name: a slip of the keyboard could put an email there.
bool echoable(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::optional<std::int64_t> as_integer(const std::string& text) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return n;
}

std::optional<double> as_real(const std::string& text) {
    if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(d)) return std::nullopt;
    return d;
}

/// `text` as the column's type stores it, or nullopt when it does not fit.
/// NUMERIC (SQLite's affinity of BOOLEAN, DECIMAL …) takes a number when the
/// text is one and keeps other text, as SQLite itself would.
std::optional<db::Value> typed(const std::string& text, db::TypeClass type) {
    switch (type) {
        case db::TypeClass::integer:
            if (auto n = as_integer(text)) return db::Value(*n);
            return std::nullopt;
        case db::TypeClass::real:
            if (auto d = as_real(text)) return db::Value(*d);
            return std::nullopt;
        case db::TypeClass::numeric:
            if (auto n = as_integer(text)) return db::Value(*n);
            if (auto d = as_real(text)) return db::Value(*d);
            return db::Value(text);
        default:
            return db::Value(text);
    }
}

std::int64_t as_count(const db::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
    return 0;  // count(*) is never NULL: nothing else is a count
}

/// The subject's rows of the mirror table, and how many do not hold `value`.
MirrorRows count_mirror(db::Database& db, const policy::Policy& policy, const Mirror& mirror,
                        const graph::SubjectMatch& match, const db::Value& value, graph::RowFilter& filter) {
    MirrorRows rows;
    filter = graph::subject_filter(db, policy, *mirror.table, match);
    if (filter.sql == "FALSE") return rows;
    std::vector<db::Value> params{value};
    params.insert(params.end(), filter.params.begin(), filter.params.end());
    db.query("SELECT count(*), count(*) FILTER (WHERE " + db.quote(mirror.column) + " IS DISTINCT FROM ?) FROM " + db.quote_table(mirror.table->name) +
                 " WHERE " + filter.sql,
             params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                 rows.rows = as_count(row[0]);
                 rows.differing = as_count(row[1]);
             });
    return rows;
}

graph::SubjectMatch match_one(db::Database& db, const policy::Policy& policy, const ConsentSubject& subject,
                              const std::string& nothing_done) {
    auto match = graph::match_subject(db, policy, subject.kind, subject.normalized_value);
    if (match.root_matches <= 1) return match;
    std::string hint;  // an identity that is a table's key names one subject at most
    for (const auto& id : policy.identities)
        if (const auto* t = policy.find_table(id.table); t && t->key == id.column && hint.empty()) hint = id.kind;
    throw Error(ExitStatus::ambiguous_subject,
                "the identity matches " + std::to_string(match.root_matches) + " registered subjects; " + nothing_done +
                    (hint.empty() ? std::string() : " (name the subject by an identity only they have, such as " + hint + ")"));
}

}  // namespace

const policy::ConsentPurpose& consent_purpose(const policy::Policy& policy, const std::string& purpose) {
    for (const auto& c : policy.consent)
        if (c.name == purpose) return c;
    const auto* declared = policy.find_purpose(purpose);
    if (!declared)
        throw Error(ExitStatus::usage, "--purpose: " + (echoable(purpose) ? "'" + purpose + "'" : std::string("the name")) +
                                           " is not a purpose of the policy; purposes under consent: " +
                                           consent_purposes_list(policy));
    throw Error(ExitStatus::usage, "--purpose: '" + purpose + "' is not under consent in the policy (its lawful basis is " +
                                       std::string(policy::to_string(declared->basis)) +
                                       "); purposes under consent: " + consent_purposes_list(policy));
}

std::optional<Mirror> prepare_mirror(db::Database& db, const policy::Policy& policy,
                                     const policy::ConsentPurpose& purpose, const std::string& database_name) {
    if (!purpose.mirror) return std::nullopt;
    const auto& m = *purpose.mirror;
    const std::string field = m.table + "." + m.column;
    Mirror mirror;
    mirror.table = policy.find_table(m.table);
    mirror.column = m.column;
    if (!mirror.table) throw Error(ExitStatus::invalid_policy, "consent '" + purpose.name + "' mirror: no table " + m.table);
    if (mirror.table->database != database_name)
        throw Error(ExitStatus::usage, "consent '" + purpose.name + "' mirror " + field + " is in the database '" +
                                           mirror.table->database + "', not in '" + database_name +
                                           "' which this run opens");
    const auto& schema = db.schema();  // read once a connection, as the job's start checked it
    const auto* table = schema.find_table(m.table);
    const auto* column = table ? table->find_column(m.column) : nullptr;
    if (!column)
        throw Error(ExitStatus::invalid_policy, "consent '" + purpose.name + "' mirror column " + field +
                                                    " is not in the database (dsr policy check shows what differs)");
    mirror.declared_type = column->declared_type;
    auto value = [&](const std::string& text, const char* which) {
        auto v = typed(text, column->type_class);
        // A type dsr does not class (PostgreSQL's boolean, uuid, an enum…):
        // the database itself says whether the text is one, before anything
        // is logged or written. The type is the catalog's own name for it.
        if (v && column->type_class == db::TypeClass::other && !column->declared_type.empty()) {
            try {
                db.query("SELECT CAST(? AS " + column->declared_type + ")", {text},
                         [](const std::vector<std::string>&, const std::vector<db::Value>&) {});
            } catch (const Error& e) {
                if (e.status() != ExitStatus::database) throw;
                v.reset();
            }
        }
        if (!v)
            throw Error(ExitStatus::invalid_policy,
                        "consent '" + purpose.name + "' mirror: the " + which + " value '" + text + "' does not fit " +
                            field + ", a " + (column->declared_type.empty() ? "typeless" : column->declared_type) +
                            " column");
        return *v;
    };
    mirror.granted = value(m.granted_value, "granted");
    mirror.withdrawn = value(m.withdrawn_value, "withdrawn");
    return mirror;
}

std::vector<std::string> subject_pseudonyms(const policy::Policy& policy, const crypto::SecretBytes& key,
                                            const graph::SubjectMatch& match) {
    std::set<std::string> out;
    for (const auto& [kind, values] : match.identity_values) {
        const auto* identity = policy.find_identity(kind);
        if (!identity) continue;
        for (const auto& v : values) {
            auto normalized = crypto::normalize_identity(v, identity->normalize);
            if (!normalized.empty()) out.insert(crypto::pseudonym(key, kind, normalized));
        }
    }
    return {out.begin(), out.end()};
}

std::string ledger_pseudonym(const policy::Policy& policy, const crypto::SecretBytes& key,
                             const graph::SubjectMatch& match, const std::string& given_pseudonym) {
    if (match.root_matches != 1) return given_pseudonym;
    for (const auto& id : policy.identities) {
        const auto* root = policy.find_table(id.table);
        if (!root || root->key != id.column || !match.root_keys.count(root->name)) continue;
        auto it = match.identity_values.find(id.kind);
        if (it == match.identity_values.end() || it->second.size() != 1) continue;
        auto value = crypto::normalize_identity(*it->second.begin(), id.normalize);
        if (!value.empty()) return crypto::pseudonym(key, id.kind, value);
    }
    return given_pseudonym;
}

ChangeResult change_consent(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                            const std::optional<Mirror>& mirror, const ConsentSubject& subject,
                            const crypto::SecretBytes& key, const ConsentChange& change,
                            std::chrono::system_clock::time_point now) {
    const auto& purpose = *change.purpose;
    consent::ConsentLedger ledger(store);
    ChangeResult result;
    result.purpose = &purpose;
    result.before.kind = result.after.kind = purpose.kind;
    result.entry.subject = subject.pseudonym;
    result.entry.purpose = purpose.name;
    result.entry.action = change.action;
    result.entry.source = change.source;
    result.entry.policy_sha256 = policy.sha256;
    result.entry.request_id = change.request_id;
    result.entry.at = report::utc_iso8601(now);  // what a dry run shows; append sets it again
    if (change.action == consent::Action::withdrawn) result.notify = policy::recipients_for_purpose(policy, purpose.name);

    // Only a mirror writes to the shop; without one the shop is only read.
    const bool transaction = mirror && !change.dry_run;
    if (transaction) db.begin();
    try {
        // Matched under the write lock: the rows updated are those of now.
        auto match = match_one(db, policy, subject, "nothing was written");
        result.root_matches = match.root_matches;
        result.entry.subject = ledger_pseudonym(policy, key, match, subject.pseudonym);
        result.before.last = ledger.latest(subject_pseudonyms(policy, key, match), purpose.name);
        result.after.last = result.entry;
        if (mirror) {
            const auto& value = mirror->value_for(change.action == consent::Action::granted);
            graph::RowFilter filter;
            result.mirror = count_mirror(db, policy, *mirror, match, value, filter);
            if (transaction && result.mirror.differing > 0) {
                const std::string column = db.quote(mirror->column);
                std::vector<db::Value> params{value};
                params.insert(params.end(), filter.params.begin(), filter.params.end());
                params.push_back(value);
                auto changed = db.execute("UPDATE " + db.quote_table(mirror->table->name) + " SET " + column + " = ? WHERE (" +
                                              filter.sql + ") AND " + column + " IS DISTINCT FROM ?",
                                          params);
                // Counted under the same lock: a difference is a bug, and nothing is kept.
                if (changed != result.mirror.differing)
                    throw Error(ExitStatus::failure, mirror->table->name + "." + mirror->column + ": the update changed " +
                                                         std::to_string(changed) + " rows where " +
                                                         std::to_string(result.mirror.differing) +
                                                         " were counted; nothing was written");
            }
        }
        if (!change.dry_run) result.entry = result.after.last.emplace(ledger.append(result.entry, now));
        if (transaction) db.commit();
    } catch (...) {
        if (transaction) db.rollback();
        throw;
    }
    return result;
}

bool ShowResult::unknown() const {
    if (root_matches > 0) return false;
    return std::all_of(purposes.begin(), purposes.end(), [](const Standing& s) { return s.history.empty(); });
}

ShowResult show_consent(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                        const std::vector<const policy::ConsentPurpose*>& purposes,
                        const std::vector<std::optional<Mirror>>& mirrors, const ConsentSubject& subject,
                        const crypto::SecretBytes& key) {
    consent::ConsentLedger ledger(store);
    ShowResult result;
    auto match = match_one(db, policy, subject, "nothing was read");
    result.root_matches = match.root_matches;
    auto pseudonyms = subject_pseudonyms(policy, key, match);
    for (std::size_t i = 0; i < purposes.size(); ++i) {
        Standing s;
        s.purpose = purposes[i];
        s.state.kind = purposes[i]->kind;
        s.history = ledger.history(pseudonyms, purposes[i]->name);
        if (!s.history.empty()) s.state.last = s.history.back();
        s.mirror = mirrors[i];
        if (s.mirror) {
            graph::RowFilter filter;
            s.mirror_rows = count_mirror(db, policy, *s.mirror, match, s.mirror->value_for(s.state.consents()), filter);
        }
        result.purposes.push_back(std::move(s));
    }
    return result;
}

namespace {

bool in_state(const consent::Entry* latest, policy::ConsentKind kind, consent::Action state) {
    if (latest) return latest->action == state;
    // No entry: an opt-out purpose counts the subject as consenting.
    return state == consent::Action::granted && kind == policy::ConsentKind::opt_out;
}

}  // namespace

ListResult list_pseudonyms(state::StateStore& store, const policy::ConsentPurpose& purpose, consent::Action state) {
    ListResult result;
    for (const auto& e : consent::ConsentLedger(store).latest_by_subject(purpose.name))
        if (e.action == state) result.names.push_back(e.subject);
    result.complete = !(purpose.kind == policy::ConsentKind::opt_out && state == consent::Action::granted);
    return result;
}

ListResult list_identities(db::Database& db, state::StateStore& store, const policy::Policy& policy,
                           const crypto::SecretBytes& key, const policy::ConsentPurpose& purpose,
                           consent::Action state, const std::string& identity_kind) {
    const auto* chosen = policy.find_identity(identity_kind);
    if (!chosen) throw Error(ExitStatus::usage, "--identity: '" + identity_kind + "' is not an identity of the policy");
    const auto* root = policy.find_table(chosen->table);

    std::map<std::string, consent::Entry> latest;  // pseudonym -> its newest entry
    for (auto& e : consent::ConsentLedger(store).latest_by_subject(purpose.name)) latest.emplace(e.subject, std::move(e));

    ListResult result;
    std::set<std::string> listed;
    auto add = [&](const std::string& value) {
        if (!value.empty() && listed.insert(value).second) result.names.push_back(value);
    };

    // Registered subjects: the rows of the identity's table, each read with
    // every identity of that table, as `show` reads one subject.
    std::vector<const policy::Identity*> identities;
    std::size_t chosen_at = 0;
    std::string sql = "SELECT " + db.quote(root->key);
    for (const auto& id : policy.identities) {
        if (id.table != root->name) continue;
        if (&id == chosen) chosen_at = identities.size();
        identities.push_back(&id);
        sql += ", " + db.quote(id.column);
    }
    sql += " FROM " + db.quote_table(root->name) + " ORDER BY " + db.quote(root->key);
    std::set<std::string> claimed;  // pseudonyms of registered subjects
    db.query(sql, {}, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
        const consent::Entry* newest = nullptr;
        std::string value;
        for (std::size_t i = 0; i < identities.size(); ++i) {
            auto normalized = crypto::normalize_identity(graph::value_text(row[i + 1]), identities[i]->normalize);
            if (normalized.empty()) continue;
            if (i == chosen_at) value = normalized;
            auto p = crypto::pseudonym(key, identities[i]->kind, normalized);
            if (auto it = latest.find(p); it != latest.end()) {
                claimed.insert(p);
                if (!newest || it->second.seq > newest->seq) newest = &it->second;
            }
        }
        if (!in_state(newest, purpose.kind, state)) return;
        if (value.empty())
            ++result.unresolved;  // registered, but without this identity (no phone on file)
        else
            add(value);
    });

    // Subjects known only to the ledger (a newsletter sign-up who never
    // registered): found again by the values of the columns linked by the
    // identity, as erase --replay-since finds erased subjects.
    std::set<std::string> wanted;
    for (const auto& [p, e] : latest)
        if (!claimed.count(p) && e.action == state) wanted.insert(p);
    std::map<std::string, std::string> found;  // pseudonym -> value
    for (const auto& table : policy.tables) {
        if (wanted.empty() || table.database != root->database) continue;
        for (const auto& link : table.links) {
            if (link.is_foreign_key() || link.identity != identity_kind) continue;
            const std::string column = db.quote(link.column);
            db.query("SELECT DISTINCT " + column + " FROM " + db.quote_table(table.name) + " WHERE " + column + " IS NOT NULL",
                     {}, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                         auto value = crypto::normalize_identity(graph::value_text(row[0]), chosen->normalize);
                         if (value.empty()) return;
                         auto p = crypto::pseudonym(key, identity_kind, value);
                         if (wanted.count(p)) found.try_emplace(p, value);
                     });
        }
    }
    for (const auto& p : wanted) {  // in pseudonym order: stable, and says nothing of who
        if (auto it = found.find(p); it != found.end())
            add(it->second);
        else
            ++result.unresolved;
    }
    return result;
}

}  // namespace dsr::jobs
