#include "jobs/access.h"

#include <algorithm>

#include "graph/timestamp_sql.h"
#include "policy/periods.h"
#include "util/error.h"

namespace dsr::jobs {

using policy::date_after;
using policy::months_before;

namespace {

using namespace std::chrono;

// The subject filter names columns bare; the outer row gets an alias so a
// parent's timestamp can be fetched by a correlated subquery beside it.
constexpr std::string_view row_alias = "dsr_row";

std::optional<std::int64_t> as_unix(const db::Value& value) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) return *i;
    if (const auto* d = std::get_if<double>(&value)) return static_cast<std::int64_t>(*d);
    return std::nullopt;
}

std::optional<CivilDate> end_of(const db::Value& timestamp, const policy::Duration& keep) {
    auto t = as_unix(timestamp);
    return t ? date_after(*t, keep) : std::nullopt;
}

/// The key, then the personal columns, with whether each is withheld.
void choose_columns(const policy::Policy& policy, const policy::Table& table, AccessTable& out) {
    auto withheld = [&](std::string_view name) {
        const auto* c = table.find_column(name);
        const auto* category = c ? policy.find_category(c->category) : nullptr;
        return category && !category->disclose;
    };
    out.columns.push_back(table.key);
    out.withheld.push_back(withheld(table.key));
    for (const auto& c : table.columns) {
        if (c.name == table.key) continue;
        out.columns.push_back(c.name);
        out.withheld.push_back(withheld(c.name));
    }
}

/// One statement for the table: its columns (a withheld one only as "held
/// or not"), the retention and hold timestamps, the subject filter, and the
/// look-back condition.
struct TableQuery {
    std::string sql;
    std::vector<db::Value> params;
    bool retention = false;
    bool hold = false;
};

TableQuery build_query(db::Database& db, const policy::Table& table, const AccessTable& out,
                       const graph::RowFilter& filter, const std::optional<LookBack>& look_back) {
    TableQuery q;
    std::string row(row_alias);
    std::string select;
    for (std::size_t i = 0; i < out.columns.size(); ++i) {
        std::string column = row + "." + db.quote(out.columns[i]);
        select += (i ? ", " : "") + (out.withheld[i] ? "CASE WHEN " + column + " IS NOT NULL THEN 1 END" : column);
    }
    std::string retention_ts;
    if (table.retention) {
        retention_ts = graph::timestamp_sql(db, table, table.retention->timestamp, row);
        select += ", " + retention_ts;
        q.retention = true;
    }
    if (table.erasure && table.erasure->hold) {
        select += ", " + graph::timestamp_sql(db, table, table.erasure->hold->timestamp, row);
        q.hold = true;
    }
    q.sql = "SELECT " + select + " FROM " + db.quote_table(table.name) + " AS " + row + " WHERE " + filter.sql;
    q.params = filter.params;
    if (look_back && !retention_ts.empty()) {
        // A row whose date cannot be read is reported: never hide data for want of a date.
        q.sql += " AND (" + retention_ts + " IS NULL OR " + retention_ts + " >= ?)";
        q.params.emplace_back(static_cast<std::int64_t>(sys_seconds(sys_days(look_back->since)).time_since_epoch().count()));
    }
    q.sql += " ORDER BY " + row + "." + db.quote(table.key);
    return q;
}

/// Sets up `out` for the table and returns the statement that fills it;
/// nothing when no link can match. The handler writes into `out`, which
/// must stay where it is until the query has run.
std::optional<db::Query> table_read(db::Database& db, const policy::Policy& policy, const policy::Table& table,
                                    const graph::SubjectMatch& match, const std::optional<LookBack>& look_back,
                                    AccessTable& out) {
    out.table = &table;
    choose_columns(policy, table, out);
    auto filter = graph::subject_filter(db, policy, table, match);
    if (filter.sql == "FALSE") return std::nullopt;
    auto q = build_query(db, table, out, filter, look_back);
    auto on_row = [&out, &table, retention = q.retention, hold = q.hold](const std::vector<std::string>&,
                                                                      const std::vector<db::Value>& row) {
        const std::size_t n = out.columns.size();
        std::vector<db::Value> values(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(n));
        for (std::size_t i = 0; i < n; ++i)
            if (out.withheld[i] && as_unix(values[i]).value_or(0) == 0) values[i] = std::monostate{};
        out.rows.push_back(std::move(values));
        std::size_t next = n;
        if (retention) out.retention_ends.push_back(end_of(row[next++], table.retention->keep));
        if (hold) out.hold_ends.push_back(end_of(row[next++], table.erasure->hold->keep));
    };
    return db::Query{std::move(q.sql), std::move(q.params), std::move(on_row)};
}

}  // namespace

std::optional<LookBack> look_back_for(const policy::Policy& policy, const std::string& database_name,
                                      const AccessSettings& settings) {
    if (policy.regime != policy::Regime::ccpa || settings.all_time) return std::nullopt;
    LookBack lb;
    lb.since = months_before(CivilDate{floor<days>(settings.now)}, lb.months);
    for (const auto& t : policy.tables)
        if (t.database == database_name && !t.retention) lb.tables_without_timestamp.push_back(t.name);
    return lb;
}

AccessResult read_subject_data(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                               const graph::SubjectMatch& match, const AccessSettings& settings) {
    AccessResult result;
    result.today = CivilDate{floor<days>(settings.now)};
    result.look_back = look_back_for(policy, database_name, settings);
    std::vector<const policy::Table*> tables;
    for (const auto& table : policy.tables)
        if (table.database == database_name) tables.push_back(&table);
    result.tables.resize(tables.size());  // sized once: each table's handler fills its own in place
    // No table's read depends on another's: one round trip for all on PostgreSQL.
    std::vector<db::Query> queries;
    for (std::size_t i = 0; i < tables.size(); ++i)
        if (auto q = table_read(db, policy, *tables[i], match, result.look_back, result.tables[i]))
            queries.push_back(std::move(*q));
    db.query_each(queries);
    for (const auto& t : result.tables) result.total_rows += t.rows.size();
    return result;
}

}  // namespace dsr::jobs
