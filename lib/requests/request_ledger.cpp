#include "requests/request_ledger.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "report/report.h"
#include "db/sqlite/sqlite_error.h"
#include "util/error.h"

namespace dsr::requests {

namespace {

constexpr const char* request_columns =
    "id, type, subject, regime, received_on, due_on, original_due_on, confirm_by, status, paused_since, "
    "paused_days, extended_on, extension_reason, note, opened_at, closed_at, outcome";

std::string text_or_empty(SQLite::Statement& q, int column) {
    return q.getColumn(column).isNull() ? "" : q.getColumn(column).getString();
}

Request read_request(SQLite::Statement& q) {
    Request r;
    r.id = q.getColumn(0).getString();
    r.type = q.getColumn(1).getString();
    r.subject = q.getColumn(2).getString();
    r.regime = q.getColumn(3).getString();
    r.received_on = q.getColumn(4).getString();
    r.due_on = q.getColumn(5).getString();
    r.original_due_on = q.getColumn(6).getString();
    r.confirm_by = text_or_empty(q, 7);
    r.status = q.getColumn(8).getString();
    r.paused_since = text_or_empty(q, 9);
    r.paused_days = q.getColumn(10).getInt();
    r.extended_on = text_or_empty(q, 11);
    r.extension_reason = text_or_empty(q, 12);
    r.note = text_or_empty(q, 13);
    r.opened_at = q.getColumn(14).getString();
    r.closed_at = text_or_empty(q, 15);
    r.outcome = text_or_empty(q, 16);
    return r;
}

std::optional<policy::Regime> regime_named(const std::string& name) {
    for (auto r : {policy::Regime::gdpr, policy::Regime::ccpa, policy::Regime::pipl})
        if (policy::to_string(r) == name) return r;
    return std::nullopt;
}

}  // namespace

RequestLedger::RequestLedger(state::StateStore& store) : store_(store) {}

void RequestLedger::add_event(const std::string& id, std::chrono::system_clock::time_point now, const std::string& event,
                              const std::string& detail) {
    SQLite::Statement q(store_.db(), "INSERT INTO request_events (request_id, at, event, detail) VALUES (?, ?, ?, ?)");
    q.bind(1, id);
    q.bind(2, report::utc_iso8601(now));
    q.bind(3, event);
    if (detail.empty()) q.bind(4); else q.bind(4, detail);
    q.exec();
}

Request RequestLedger::open(const NewRequest& request, const policy::RequestSettings& settings,
                            std::chrono::system_clock::time_point now) {
    auto deadline = initial_deadline(request.regime, request.type, request.received, settings);
    try {
        auto& db = store_.db();
        state::StateTransaction tx(store_);
        // Ids count up per year of receipt and never repeat, even after pruning.
        std::string id = state::next_numbered_id(store_, "requests", "R-" + format_date(request.received).substr(0, 4) + "-");

        SQLite::Statement insert(db,
                                 "INSERT INTO requests (id, type, subject, regime, received_on, due_on, original_due_on, "
                                 "confirm_by, status, note, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)");
        insert.bind(1, id);
        insert.bind(2, std::string(to_string(request.type)));
        insert.bind(3, request.subject);
        insert.bind(4, std::string(policy::to_string(request.regime)));
        insert.bind(5, format_date(request.received));
        insert.bind(6, format_date(deadline.due));
        insert.bind(7, format_date(deadline.due));
        if (deadline.confirm_by) insert.bind(8, format_date(*deadline.confirm_by)); else insert.bind(8);
        if (request.note.empty()) insert.bind(9); else insert.bind(9, request.note);
        insert.bind(10, report::utc_iso8601(now));
        insert.exec();
        add_event(id, now, "opened", "due " + format_date(deadline.due));
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

Request RequestLedger::get(const std::string& id) {
    try {
        SQLite::Statement q(store_.db(), std::string("SELECT ") + request_columns + " FROM requests WHERE id = ?");
        q.bind(1, id);
        if (!q.executeStep()) throw Error(ExitStatus::subject_not_found, "no request with id '" + id + "'");
        return read_request(q);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

std::vector<RequestEvent> RequestLedger::events(const std::string& id) {
    std::vector<RequestEvent> out;
    try {
        SQLite::Statement q(store_.db(), "SELECT at, event, coalesce(detail, '') FROM request_events WHERE request_id = ? ORDER BY id");
        q.bind(1, id);
        while (q.executeStep())
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()});
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
    return out;
}

std::vector<Request> RequestLedger::list(const ListFilter& filter) {
    std::vector<Request> out;
    try {
        SQLite::Statement q(store_.db(), std::string("SELECT ") + request_columns +
                                             " FROM requests WHERE (?1 = '' OR status = ?1)"
                                             " AND (?2 = '' OR (status = 'open' AND due_on <= ?2))"
                                             " AND (?3 = '' OR (status = 'open' AND due_on < ?3))"
                                             " ORDER BY due_on, id");
        q.bind(1, filter.status);
        q.bind(2, filter.due_before ? format_date(*filter.due_before) : "");
        q.bind(3, filter.overdue_on ? format_date(*filter.overdue_on) : "");
        while (q.executeStep()) out.push_back(read_request(q));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
    return out;
}

Request RequestLedger::pause(const std::string& id, Date today, std::chrono::system_clock::time_point now) {
    try {
        state::StateTransaction tx(store_);
        Request r = get(id);
        if (r.status != "open") throw Error(ExitStatus::usage, "request " + id + " is " + r.status + ", not open");
        SQLite::Statement q(store_.db(), "UPDATE requests SET status = 'paused', paused_since = ? WHERE id = ?");
        q.bind(1, format_date(today));
        q.bind(2, id);
        q.exec();
        add_event(id, now, "paused", "");
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

Request RequestLedger::resume(const std::string& id, Date today, std::chrono::system_clock::time_point now) {
    try {
        state::StateTransaction tx(store_);
        Request r = get(id);
        if (r.status != "paused") throw Error(ExitStatus::usage, "request " + id + " is " + r.status + ", not paused");
        int paused = std::max(0, days_between(*parse_date(r.paused_since), today));
        Date due = add_days(*parse_date(r.due_on), paused);
        SQLite::Statement q(store_.db(),
                            "UPDATE requests SET status = 'open', paused_since = NULL, paused_days = paused_days + ?, "
                            "due_on = ? WHERE id = ?");
        q.bind(1, paused);
        q.bind(2, format_date(due));
        q.bind(3, id);
        q.exec();
        add_event(id, now, "resumed", std::to_string(paused) + " days paused; due " + format_date(due));
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

Request RequestLedger::extend(const std::string& id, const std::string& reason, Date today,
                              std::chrono::system_clock::time_point now) {
    try {
        state::StateTransaction tx(store_);
        Request r = get(id);
        if (r.status == "closed") throw Error(ExitStatus::usage, "request " + id + " is closed");
        if (!r.extended_on.empty()) throw Error(ExitStatus::usage, "request " + id + " was already extended on " + r.extended_on);
        std::string refusal;
        auto regime = regime_named(r.regime).value_or(policy::Regime::gdpr);
        auto extended = extended_deadline(regime, *parse_date(r.received_on), *parse_date(r.due_on), today, refusal);
        if (!extended) throw Error(ExitStatus::usage, "request " + id + " cannot be extended: " + refusal);
        SQLite::Statement q(store_.db(),
                            "UPDATE requests SET due_on = ?, extended_on = ?, extension_reason = ? WHERE id = ?");
        q.bind(1, format_date(*extended));
        q.bind(2, format_date(today));
        q.bind(3, reason);
        q.bind(4, id);
        q.exec();
        add_event(id, now, "extended", "due " + format_date(*extended));
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

Request RequestLedger::close(const std::string& id, const std::string& outcome, std::chrono::system_clock::time_point now) {
    try {
        state::StateTransaction tx(store_);
        Request r = get(id);
        if (r.status == "closed") throw Error(ExitStatus::usage, "request " + id + " is already closed");
        SQLite::Statement q(store_.db(),
                            "UPDATE requests SET status = 'closed', closed_at = ?, outcome = ?, paused_since = NULL WHERE id = ?");
        q.bind(1, report::utc_iso8601(now));
        q.bind(2, outcome);
        q.bind(3, id);
        q.exec();
        add_event(id, now, "closed", outcome);
        tx.commit();
        return get(id);
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

int RequestLedger::prune(Date cutoff) {
    try {
        state::StateTransaction tx(store_);
        SQLite::Statement q(store_.db(), "DELETE FROM requests WHERE status = 'closed' AND closed_at < ?");
        q.bind(1, format_date(cutoff));
        int removed = q.exec();
        tx.commit();
        return removed;
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "request ledger");
    }
}

}  // namespace dsr::requests
