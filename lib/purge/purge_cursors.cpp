#include "purge/purge_cursors.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "db/sqlite/sqlite_database.h"
#include "db/sqlite/sqlite_error.h"
#include "report/report.h"

namespace dsr::purge {

std::optional<db::Value> PurgeCursors::get(const std::string& table) {
    try {
        // A NULL key marks a finished table (mark_finished), not a position.
        SQLite::Statement q(store_.db(), "SELECT last_key FROM purge_cursors WHERE database = ? AND table_name = ? "
                                         "AND last_key IS NOT NULL");
        q.bind(1, database_);
        q.bind(2, table);
        if (q.executeStep()) return db::column_value(q.getColumn(0));
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the purge cursor");
    }
    return std::nullopt;
}

void PurgeCursors::save(const std::string& table, const db::Value& last_key, const std::string& policy_sha256,
                        std::chrono::system_clock::time_point when, Sync sync) {
    try {
        SQLite::Statement q(store_.db(),
                            "INSERT INTO purge_cursors (database, table_name, last_key, policy_sha256, updated_at) "
                            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (database, table_name) DO UPDATE SET "
                            "last_key = excluded.last_key, policy_sha256 = excluded.policy_sha256, "
                            "updated_at = excluded.updated_at");
        db::bind_values(q, {database_, table, last_key, policy_sha256, report::utc_iso8601(when)});
        if (sync == Sync::durable) {
            q.exec();
            return;
        }
        // In WAL mode (the store's) NORMAL commits without an fsync. The
        // commit stays in order with the others and reaches the disk with the
        // next FULL one or checkpoint: only this save can be lost, and the
        // store stays consistent. FULL is back before anything else commits.
        store_.db().exec("PRAGMA synchronous = NORMAL");
        try {
            q.exec();
        } catch (const SQLite::Exception&) {
            try {
                store_.db().exec("PRAGMA synchronous = FULL");
            } catch (const SQLite::Exception&) {
                // The first error is the one to report; the job ends with it.
            }
            throw;
        }
        store_.db().exec("PRAGMA synchronous = FULL");
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot save the purge cursor");
    }
}

bool PurgeCursors::finished(const std::string& table) {
    try {
        SQLite::Statement q(store_.db(), "SELECT 1 FROM purge_cursors WHERE database = ? AND table_name = ? "
                                         "AND last_key IS NULL");
        q.bind(1, database_);
        q.bind(2, table);
        return q.executeStep();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the purge cursor");
    }
}

void PurgeCursors::mark_finished(const std::string& table, const std::string& policy_sha256,
                                 std::chrono::system_clock::time_point when) {
    save(table, std::monostate{}, policy_sha256, when);
}

void PurgeCursors::clear(const std::string& table) {
    try {
        SQLite::Statement q(store_.db(), "DELETE FROM purge_cursors WHERE database = ? AND table_name = ?");
        q.bind(1, database_);
        q.bind(2, table);
        q.exec();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot clear the purge cursor");
    }
}

}  // namespace dsr::purge
