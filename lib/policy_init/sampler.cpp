#include "policy_init/sampler.h"

#include <vector>

namespace dsr::policy_init {

SchemaEvidence sample_values(db::Database& db, const db::Schema& schema, int current_year, std::size_t per_column) {
    SchemaEvidence evidence;
    if (per_column == 0) return evidence;
    // One snapshot for the whole sample, and no lock held between statements.
    db::ReadTransaction snapshot(db);
    for (const auto& table : schema.tables) {
        auto& columns = evidence[table.name];
        for (const auto& column : table.columns) {
            // Bytes have no shape worth reading, and can be large.
            if (column.type_class == db::TypeClass::blob) continue;
            std::string quoted = db.quote(column.name);
            std::string sql = "SELECT " + quoted + " FROM " + db.quote_table(table.name) + " WHERE " + quoted +
                              " IS NOT NULL LIMIT ?";
            std::vector<db::Value> values;
            db.query(sql, {static_cast<std::int64_t>(per_column)},
                     [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                         if (!row.empty()) values.push_back(row.front());
                     });
            columns[column.name] = weigh_values(values, current_year);
        }
    }
    return evidence;
}

}  // namespace dsr::policy_init
