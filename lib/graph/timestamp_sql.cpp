#include "graph/timestamp_sql.h"

#include <algorithm>
#include <chrono>

#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::graph {

namespace {

const policy::Link& link_to(const policy::Table& table, const std::string& parent) {
    auto link = std::find_if(table.links.begin(), table.links.end(),
                             [&](const policy::Link& l) { return l.is_foreign_key() && l.parent_table == parent; });
    if (link == table.links.end())  // the loader refuses this; kept as a guard
        throw Error(ExitStatus::invalid_policy, "table '" + table.name + "' does not link to '" + parent + "'");
    return *link;
}

db::TimeStorage storage_of(policy::TimeFormat format) {
    switch (format) {
        case policy::TimeFormat::iso8601: return db::TimeStorage::iso8601;
        case policy::TimeFormat::unix_seconds: return db::TimeStorage::unix_seconds;
        case policy::TimeFormat::unix_millis: return db::TimeStorage::unix_millis;
        case policy::TimeFormat::native: break;  // returned below: a return after the switch would be dead code
    }
    return db::TimeStorage::native;
}

/// The declared type of the column, as the live database says: a native
/// date/time column is compared as one whatever format the policy declares.
db::TypeClass type_of(db::Database& db, const std::string& table, const std::string& column) {
    const auto* info = db.schema().find_table(table);
    const auto* c = info ? info->find_column(column) : nullptr;
    return c ? c->type_class : db::TypeClass::other;
}

}  // namespace

std::string timestamp_sql(db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                          const std::string& row_alias) {
    const std::string& holder = ts.table.empty() ? table.name : ts.table;
    const auto type = type_of(db, holder, ts.column);
    if (ts.table.empty()) return db.unix_seconds_sql(row_alias + "." + db.quote(ts.column), storage_of(ts.format), type);
    const auto& link = link_to(table, ts.table);
    const std::string parent = row_alias + "_parent";
    return "(SELECT " + db.unix_seconds_sql(parent + "." + db.quote(ts.column), storage_of(ts.format), type) +
           " FROM " + db.quote_table(ts.table) + " AS " + parent + " WHERE " + parent + "." + db.quote(link.parent_column) + " = " +
           row_alias + "." + db.quote(link.column) + ")";
}

SqlCondition timestamp_earlier_than(db::Database& db, const policy::Table& table, const policy::Timestamp& ts,
                                    const std::string& row_alias, std::int64_t cutoff) {
    const std::string& holder = ts.table.empty() ? table.name : ts.table;
    const auto type = type_of(db, holder, ts.column);
    if (ts.table.empty())
        return db.earlier_than_sql(row_alias + "." + db.quote(ts.column), storage_of(ts.format), type, cutoff);
    const auto& link = link_to(table, ts.table);
    const std::string parent = row_alias + "_parent";
    auto inner = db.earlier_than_sql(parent + "." + db.quote(ts.column), storage_of(ts.format), type, cutoff);
    return {"EXISTS (SELECT 1 FROM " + db.quote_table(ts.table) + " AS " + parent + " WHERE " + parent + "." +
                db.quote(link.parent_column) + " = " + row_alias + "." + db.quote(link.column) + " AND " + inner.sql +
                ")",
            std::move(inner.params)};
}

}  // namespace dsr::graph
