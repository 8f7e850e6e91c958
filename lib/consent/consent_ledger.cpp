#include "consent/consent_ledger.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/database.h"
#include "db/sqlite/sqlite_error.h"
#include "report/report.h"

namespace dsr::consent {

std::string_view to_string(Action action) { return action == Action::granted ? "granted" : "withdrawn"; }

bool State::consents() const {
    if (last) return last->action == Action::granted;
    return kind == policy::ConsentKind::opt_out;
}

ConsentLedger::ConsentLedger(state::StateStore& store) : store_(store) {}

Entry ConsentLedger::append(Entry entry, std::chrono::system_clock::time_point when) {
    entry.at = report::utc_iso8601(when);
    try {
        SQLite::Statement insert(store_.db(),
                                 "INSERT INTO consent_ledger (at, subject, purpose, action, source, policy_sha256, "
                                 "request_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, entry.at);
        insert.bind(2, entry.subject);
        insert.bind(3, entry.purpose);
        insert.bind(4, std::string(to_string(entry.action)));
        if (entry.source.empty()) insert.bind(5); else insert.bind(5, entry.source);
        insert.bind(6, entry.policy_sha256);
        if (entry.request_id.empty()) insert.bind(7); else insert.bind(7, entry.request_id);
        insert.exec();
        entry.seq = store_.db().getLastInsertRowid();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot record consent in the consent ledger");
    }
    return entry;
}

namespace {

constexpr const char* select_entries =
    "SELECT seq, at, subject, purpose, action, source, policy_sha256, request_id FROM consent_ledger ";

Entry entry_at(SQLite::Statement& q) {
    Entry e;
    e.seq = q.getColumn(0).getInt64();
    e.at = q.getColumn(1).getString();
    e.subject = q.getColumn(2).getString();
    e.purpose = q.getColumn(3).getString();
    e.action = q.getColumn(4).getString() == "granted" ? Action::granted : Action::withdrawn;
    e.source = q.getColumn(5).isNull() ? "" : q.getColumn(5).getString();
    e.policy_sha256 = q.getColumn(6).getString();
    e.request_id = q.getColumn(7).isNull() ? "" : q.getColumn(7).getString();
    return e;
}

/// "subject IN (?, ?, …)" for `n` pseudonyms; "0" for none.
std::string subject_in(std::size_t n) {
    if (n == 0) return "0";
    return "subject IN (" + db::placeholders(n) + ")";
}

void bind_subjects(SQLite::Statement& q, const std::vector<std::string>& subjects, const std::string& purpose) {
    int i = 1;
    for (const auto& s : subjects) q.bind(i++, s);
    q.bind(i, purpose);
}

}  // namespace

std::vector<Entry> ConsentLedger::history(const std::vector<std::string>& subjects, const std::string& purpose) {
    std::vector<Entry> entries;
    try {
        SQLite::Statement q(store_.db(), std::string(select_entries) + "WHERE " + subject_in(subjects.size()) +
                                             " AND purpose = ? ORDER BY seq");
        bind_subjects(q, subjects, purpose);
        while (q.executeStep()) entries.push_back(entry_at(q));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the consent ledger");
    }
    return entries;
}

std::optional<Entry> ConsentLedger::latest(const std::vector<std::string>& subjects, const std::string& purpose) {
    try {
        SQLite::Statement q(store_.db(), std::string(select_entries) + "WHERE " + subject_in(subjects.size()) +
                                             " AND purpose = ? ORDER BY seq DESC LIMIT 1");
        bind_subjects(q, subjects, purpose);
        if (q.executeStep()) return entry_at(q);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the consent ledger");
    }
    return std::nullopt;
}

std::vector<Entry> ConsentLedger::latest_by_subject(const std::string& purpose) {
    std::vector<Entry> entries;
    try {
        SQLite::Statement q(store_.db(), std::string(select_entries) +
                                             "WHERE seq IN (SELECT max(seq) FROM consent_ledger WHERE purpose = ?1 "
                                             "GROUP BY subject) ORDER BY subject");
        q.bind(1, purpose);
        while (q.executeStep()) entries.push_back(entry_at(q));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the consent ledger");
    }
    return entries;
}

}  // namespace dsr::consent
