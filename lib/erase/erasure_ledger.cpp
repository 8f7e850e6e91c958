#include "erase/erasure_ledger.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/sqlite/sqlite_error.h"
#include "report/report.h"

namespace dsr::erase {

ErasureLedger::ErasureLedger(state::StateStore& store) : store_(store) {}

LedgerEntry ErasureLedger::record(LedgerEntry entry, std::chrono::system_clock::time_point when) {
    entry.at = report::utc_iso8601(when);
    try {
        SQLite::Statement insert(store_.db(),
                                 "INSERT INTO erasure_ledger (at, subject, request_id, policy_sha256, summary) "
                                 "VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, entry.at);
        insert.bind(2, entry.subject);
        if (entry.request_id.empty()) insert.bind(3); else insert.bind(3, entry.request_id);
        insert.bind(4, entry.policy_sha256);
        insert.bind(5, entry.summary.dump());
        insert.exec();
        entry.seq = store_.db().getLastInsertRowid();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot record the erasure in the erasure ledger");
    }
    return entry;
}

namespace {

constexpr const char* select_entries =
    "SELECT seq, at, subject, request_id, policy_sha256, summary FROM erasure_ledger ";

LedgerEntry entry_at(SQLite::Statement& q) {
    LedgerEntry e;
    e.seq = q.getColumn(0).getInt64();
    e.at = q.getColumn(1).getString();
    e.subject = q.getColumn(2).getString();
    e.request_id = q.getColumn(3).isNull() ? "" : q.getColumn(3).getString();
    e.policy_sha256 = q.getColumn(4).getString();
    e.summary = nlohmann::ordered_json::parse(q.getColumn(5).getString(), nullptr, false);
    if (e.summary.is_discarded()) e.summary = nlohmann::ordered_json::object();
    return e;
}

}  // namespace

std::optional<LedgerEntry> ErasureLedger::latest(const std::string& subject) {
    try {
        SQLite::Statement q(store_.db(), std::string(select_entries) + "WHERE subject = ? ORDER BY seq DESC LIMIT 1");
        q.bind(1, subject);
        if (!q.executeStep()) return std::nullopt;
        return entry_at(q);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the erasure ledger");
    }
}

std::vector<LedgerEntry> ErasureLedger::since(const std::string& date) {
    std::vector<LedgerEntry> entries;
    try {
        // `at` is YYYY-MM-DDTHH:MM:SSZ, so text order is time order.
        SQLite::Statement q(store_.db(), std::string(select_entries) + "WHERE at >= ? ORDER BY seq");
        q.bind(1, date + "T00:00:00Z");
        while (q.executeStep()) entries.push_back(entry_at(q));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the erasure ledger");
    }
    return entries;
}

}  // namespace dsr::erase
