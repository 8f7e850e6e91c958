#include "erase/replay.h"

#include <map>
#include <set>

#include "crypto/pseudonym.h"
#include "graph/subject_rows.h"

namespace dsr::erase {

namespace {

struct IdentityColumn {
    std::string table;
    std::string column;
};

/// Every column holding values of identity `kind` in `database_name`: the
/// identity's own column, and identity links (a guest order's email).
std::vector<IdentityColumn> columns_carrying(const policy::Policy& policy, const std::string& database_name,
                                             const policy::Identity& identity) {
    std::vector<IdentityColumn> columns;
    const auto* root = policy.find_table(identity.table);
    if (root && root->database == database_name) columns.push_back({identity.table, identity.column});
    for (const auto& table : policy.tables) {
        if (table.database != database_name) continue;
        for (const auto& link : table.links)
            if (!link.is_foreign_key() && link.identity == identity.kind) columns.push_back({table.name, link.column});
    }
    return columns;
}

}  // namespace

std::vector<LedgerEntry> erasures_since(state::StateStore& store, const std::string& since) {
    std::vector<LedgerEntry> latest;
    std::map<std::string, std::size_t> position_of;  // subject -> index in latest
    for (auto& e : ErasureLedger(store).since(since)) {
        auto [it, fresh] = position_of.try_emplace(e.subject, latest.size());
        if (fresh)
            latest.push_back(std::move(e));
        else
            latest[it->second] = std::move(e);  // a subject's latest erasure stands for it
    }
    return latest;
}

std::vector<ReplayTarget> find_erased_subjects(db::Database& db, const policy::Policy& policy,
                                               const std::string& database_name, const crypto::SecretBytes& key,
                                               const std::vector<LedgerEntry>& entries) {
    std::vector<ReplayTarget> targets;
    std::map<std::string, std::set<std::string>> wanted;  // kind -> pseudonyms
    for (const auto& e : entries) {
        ReplayTarget t{e, e.summary.value("identity_kind", std::string()), std::nullopt};
        if (policy.find_identity(t.kind)) wanted[t.kind].insert(e.subject);
        targets.push_back(std::move(t));
    }
    std::map<std::string, std::string> found;  // pseudonym -> normalised value
    // Not a structured binding: clang before 16 cannot capture one in a lambda.
    for (const auto& wanted_kind : wanted) {
        const std::string& kind = wanted_kind.first;
        const std::set<std::string>& pseudonyms = wanted_kind.second;
        const auto* identity = policy.find_identity(kind);
        for (const auto& c : columns_carrying(policy, database_name, *identity)) {
            std::string sql = "SELECT DISTINCT " + db.quote(c.column) + " FROM " + db.quote_table(c.table) + " WHERE " +
                              db.quote(c.column) + " IS NOT NULL";
            db.query(sql, {}, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                auto value = crypto::normalize_identity(graph::value_text(row[0]), identity->normalize);
                auto p = crypto::pseudonym(key, kind, value);
                if (pseudonyms.count(p)) found.try_emplace(p, value);
            });
        }
    }
    for (auto& t : targets)
        if (auto it = found.find(t.entry.subject); it != found.end()) t.normalized_value = it->second;
    return targets;
}

}  // namespace dsr::erase
