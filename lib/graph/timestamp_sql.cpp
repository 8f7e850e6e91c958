#include "graph/timestamp_sql.h"

#include <algorithm>
#include <chrono>

#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::graph {

namespace {

void require_sqlite(const db::Database& db) {
    if (db.backend() != "sqlite")
        throw Error(ExitStatus::database, "reading timestamps is not implemented for " + std::string(db.backend()));
}

const policy::Link& link_to(const policy::Table& table, const std::string& parent) {
    auto link = std::find_if(table.links.begin(), table.links.end(),
                             [&](const policy::Link& l) { return l.is_foreign_key() && l.parent_table == parent; });
    if (link == table.links.end())  // the loader refuses this; kept as a guard
        throw Error(ExitStatus::invalid_policy, "table '" + table.name + "' does not link to '" + parent + "'");
    return *link;
}

/// ISO 8601 text compares as text only within one offset, so the exact test
/// is on strftime's seconds. The text bound in front is a day and 14 hours
/// (the largest UTC offset) past the cutoff: never wrong, and it lets an
/// index on the column skip the rows that are plainly too recent.
std::string iso_text_bound(std::int64_t cutoff) {
    using namespace std::chrono;
    sys_seconds latest_local{seconds{cutoff} + hours{14}};
    return format_date(CivilDate{floor<days>(latest_local) + days{1}});
}

}  // namespace

std::string unix_seconds_sql(const db::Database& db, const std::string& column, policy::TimeFormat format) {
    require_sqlite(db);
    const std::string parsed = "CAST(strftime('%s', " + column + ") AS INTEGER)";
    const std::string number = "typeof(" + column + ") IN ('integer', 'real')";
    switch (format) {
        case policy::TimeFormat::iso8601:
            // strftime would read a number as a Julian day: only text is ISO 8601.
            return "(CASE WHEN typeof(" + column + ") = 'text' THEN " + parsed + " END)";
        case policy::TimeFormat::unix_seconds:
            return "(CASE WHEN " + number + " THEN CAST(" + column + " AS INTEGER) END)";
        case policy::TimeFormat::unix_millis:
            return "(CASE WHEN " + number + " THEN CAST(" + column + " AS INTEGER) / 1000 END)";
        case policy::TimeFormat::native:
            // SQLite has no date type: its date functions read ISO 8601 text and
            // Julian day numbers (REAL); an INTEGER is taken as Unix seconds.
            return "(CASE typeof(" + column + ") WHEN 'integer' THEN " + column + " WHEN 'text' THEN " + parsed +
                   " WHEN 'real' THEN " + parsed + " END)";
    }
    return "NULL";
}

std::string timestamp_sql(const db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                          const std::string& row_alias) {
    if (ts.table.empty()) return unix_seconds_sql(db, row_alias + "." + db.quote(ts.column), ts.format);
    const auto& link = link_to(table, ts.table);
    const std::string parent = row_alias + "_parent";
    return "(SELECT " + unix_seconds_sql(db, parent + "." + db.quote(ts.column), ts.format) + " FROM " +
           db.quote(ts.table) + " AS " + parent + " WHERE " + parent + "." + db.quote(link.parent_column) + " = " +
           row_alias + "." + db.quote(link.column) + ")";
}

SqlCondition earlier_than_sql(const db::Database& db, const std::string& column, policy::TimeFormat format,
                              std::int64_t cutoff) {
    require_sqlite(db);
    // In SQLite every number sorts before every text, so `column < number`
    // is false for text, and NULL is ruled out first: two-valued throughout.
    switch (format) {
        case policy::TimeFormat::unix_seconds:
            return {"(" + column + " IS NOT NULL AND " + column + " < ?)", {cutoff}};
        case policy::TimeFormat::unix_millis:
            return {"(" + column + " IS NOT NULL AND " + column + " < ?)", {cutoff * 1000}};
        case policy::TimeFormat::iso8601:
            return {"(typeof(" + column + ") = 'text' AND " + column + " < ? AND IFNULL(CAST(strftime('%s', " +
                        column + ") AS INTEGER) < ?, 0))",
                    {iso_text_bound(cutoff), cutoff}};
        case policy::TimeFormat::native:
            return {"IFNULL(" + unix_seconds_sql(db, column, format) + " < ?, 0)", {cutoff}};
    }
    return {"0", {}};
}

SqlCondition timestamp_earlier_than(const db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                                    const std::string& row_alias, std::int64_t cutoff) {
    if (ts.table.empty()) return earlier_than_sql(db, row_alias + "." + db.quote(ts.column), ts.format, cutoff);
    const auto& link = link_to(table, ts.table);
    const std::string parent = row_alias + "_parent";
    auto inner = earlier_than_sql(db, parent + "." + db.quote(ts.column), ts.format, cutoff);
    return {"EXISTS (SELECT 1 FROM " + db.quote(ts.table) + " AS " + parent + " WHERE " + parent + "." +
                db.quote(link.parent_column) + " = " + row_alias + "." + db.quote(link.column) + " AND " + inner.sql +
                ")",
            std::move(inner.params)};
}

}  // namespace dsr::graph
