#include "breach/incident_ledger.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/sqlite/sqlite_error.h"
#include "report/report.h"
#include "util/error.h"

namespace dsr::breach {

namespace {

constexpr const char* incident_columns =
    "id, discovered_at, recorded_at, regime, policy_sha256, scope, assessment, subjects, records, risk, "
    "authority_due, authority_notified_at, authority_reference, subjects_notified_at, subjects_reference, status, "
    "closed_at, note";

std::string text(SQLite::Statement& q, int column) {
    return q.getColumn(column).isNull() ? "" : q.getColumn(column).getString();
}

Incident read_incident(SQLite::Statement& q) {
    Incident i;
    i.id = text(q, 0);
    i.discovered_at = text(q, 1);
    i.recorded_at = text(q, 2);
    i.regime = text(q, 3);
    i.policy_sha256 = text(q, 4);
    i.scope = nlohmann::json::parse(text(q, 5));
    i.assessment = nlohmann::json::parse(text(q, 6));
    i.subjects = q.getColumn(7).getInt64();
    i.records = q.getColumn(8).getInt64();
    i.risk = text(q, 9);
    i.authority_due = text(q, 10);
    i.authority_notified_at = text(q, 11);
    i.authority_reference = text(q, 12);
    i.subjects_notified_at = text(q, 13);
    i.subjects_reference = text(q, 14);
    i.status = text(q, 15);
    i.closed_at = text(q, 16);
    i.note = text(q, 17);
    return i;
}

void bind_text_or_null(SQLite::Statement& q, int index, const std::string& value) {
    if (value.empty()) q.bind(index);
    else q.bind(index, value);
}

}  // namespace

IncidentLedger::IncidentLedger(state::StateStore& store) : store_(store) {}

Incident IncidentLedger::record(Incident incident, std::chrono::system_clock::time_point now) {
    try {
        auto& db = store_.db();
        state::StateTransaction tx(store_);
        // Ids count up per year of discovery and never repeat.
        incident.id = state::next_numbered_id(store_, "breach_incidents", "B-" + incident.discovered_at.substr(0, 4) + "-");
        incident.recorded_at = report::utc_iso8601(now);
        incident.status = "open";

        SQLite::Statement insert(db,
                                 "INSERT INTO breach_incidents (id, discovered_at, recorded_at, regime, policy_sha256, "
                                 "scope, assessment, subjects, records, risk, authority_due, status, note) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?)");
        insert.bind(1, incident.id);
        insert.bind(2, incident.discovered_at);
        insert.bind(3, incident.recorded_at);
        insert.bind(4, incident.regime);
        insert.bind(5, incident.policy_sha256);
        insert.bind(6, incident.scope.dump());
        insert.bind(7, incident.assessment.dump());
        insert.bind(8, incident.subjects);
        insert.bind(9, incident.records);
        insert.bind(10, incident.risk);
        bind_text_or_null(insert, 11, incident.authority_due);
        bind_text_or_null(insert, 12, incident.note);
        insert.exec();
        tx.commit();
        return incident;
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "breach incidents");
    }
}

Incident IncidentLedger::get(const std::string& id) {
    try {
        SQLite::Statement q(store_.db(), std::string("SELECT ") + incident_columns + " FROM breach_incidents WHERE id = ?");
        q.bind(1, id);
        if (!q.executeStep()) throw Error(ExitStatus::subject_not_found, "no breach incident with id '" + id + "'");
        return read_incident(q);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "breach incidents");
    }
}

std::vector<Incident> IncidentLedger::list(const IncidentFilter& filter) {
    std::vector<Incident> out;
    try {
        SQLite::Statement q(store_.db(), std::string("SELECT ") + incident_columns +
                                             " FROM breach_incidents WHERE (?1 = '' OR status = ?1)"
                                             " AND (?2 = '' OR (status = 'open' AND authority_notified_at IS NULL"
                                             " AND authority_due IS NOT NULL AND authority_due < ?2))"
                                             " ORDER BY discovered_at, id");
        q.bind(1, filter.status);
        q.bind(2, filter.overdue_at);
        while (q.executeStep()) out.push_back(read_incident(q));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "breach incidents");
    }
    return out;
}

Incident IncidentLedger::notified(const std::string& id, const std::string& whom, const std::string& at,
                                  const std::string& reference) {
    if (whom != "authority" && whom != "subjects")
        throw Error(ExitStatus::usage, "--to is authority or subjects, not '" + whom + "'");
    try {
        state::StateTransaction tx(store_);
        Incident i = get(id);
        if (i.status != "open") throw Error(ExitStatus::usage, "incident " + id + " is closed");
        SQLite::Statement q(store_.db(), "UPDATE breach_incidents SET " + whom + "_notified_at = ?, " + whom +
                                             "_reference = ? WHERE id = ?");
        q.bind(1, at);
        bind_text_or_null(q, 2, reference);
        q.bind(3, id);
        q.exec();
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "breach incidents");
    }
}

Incident IncidentLedger::close(const std::string& id, std::chrono::system_clock::time_point now) {
    try {
        state::StateTransaction tx(store_);
        Incident i = get(id);
        if (i.status != "open") throw Error(ExitStatus::usage, "incident " + id + " is already closed");
        SQLite::Statement q(store_.db(), "UPDATE breach_incidents SET status = 'closed', closed_at = ? WHERE id = ?");
        q.bind(1, report::utc_iso8601(now));
        q.bind(2, id);
        q.exec();
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "breach incidents");
    }
}

}  // namespace dsr::breach
