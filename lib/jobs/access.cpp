#include "jobs/access.h"

namespace dsr::jobs {

AccessResult read_subject_data(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                               const graph::SubjectMatch& match) {
    AccessResult result;
    for (const auto& table : policy.tables) {
        if (table.database != database_name) continue;
        AccessTable out;
        out.table = &table;
        out.columns.push_back(table.key);
        for (const auto& c : table.columns)
            if (c.name != table.key) out.columns.push_back(c.name);
        auto filter = graph::subject_filter(db, policy, table, match);
        if (filter.sql != "0") {
            std::string sql = "SELECT ";
            for (std::size_t i = 0; i < out.columns.size(); ++i) sql += (i ? ", " : "") + db.quote(out.columns[i]);
            sql += " FROM " + db.quote(table.name) + " WHERE " + filter.sql + " ORDER BY " + db.quote(table.key);
            db.query(sql, filter.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                out.rows.push_back(row);
            });
        }
        result.total_rows += out.rows.size();
        result.tables.push_back(std::move(out));
    }
    return result;
}

}  // namespace dsr::jobs
