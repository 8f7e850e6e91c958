#include "erase/mask_sql.h"

#include "erase/row_masker.h"

namespace dsr::erase {

namespace {

/// One mask as SQL: the value it writes, and when the row's value differs from it.
std::optional<db::SqlMask> column_sql(const db::Database& db, const policy::Mask& mask, const ColumnShape& shape,
                                      const std::string& column) {
    if (shape.unique) return std::nullopt;  // its value carries a keyed tag of the row
    switch (mask.method) {
        case policy::MaskMethod::null:
            if (shape.not_null) return std::nullopt;  // the masker refuses it, as the policy check does
            return db::SqlMask{{"NULL", {}}, {column + " IS NOT NULL", {}}};
        case policy::MaskMethod::redact:
            if (shape.type != db::TypeClass::text) return std::nullopt;
            return db.text_redact_sql(column, mask.redact_text, shape.not_null);
        case policy::MaskMethod::generalize:
            if (shape.type != db::TypeClass::text || mask.generalize != policy::Generalization::prefix)
                return std::nullopt;
            return db.text_prefix_sql(column, mask.prefix_length, shape.not_null);
        case policy::MaskMethod::pseudonymize:
        case policy::MaskMethod::random: break;
    }
    return std::nullopt;
}

}  // namespace

std::optional<MaskSql> mask_sql(db::Database& db, const policy::Table& table, const std::vector<policy::Mask>& masks,
                                const std::string& alias) {
    if (masks.empty()) return std::nullopt;
    const auto* info = db.schema().find_table(table.name);
    if (!info) return std::nullopt;
    MaskSql out;
    for (const auto& mask : masks) {
        if (!info->find_column(mask.column)) return std::nullopt;
        auto sql = column_sql(db, mask, shape_of(info, table, mask.column), alias + "." + db.quote(mask.column));
        if (!sql) return std::nullopt;
        out.assignments += (out.assignments.empty() ? "" : ", ") + db.quote(mask.column) + " = " + sql->value.sql;
        out.assignment_params.insert(out.assignment_params.end(), sql->value.params.begin(), sql->value.params.end());
        out.changes.sql += (out.changes.sql.empty() ? "(" : " OR ") + sql->differs.sql;
        out.changes.params.insert(out.changes.params.end(), sql->differs.params.begin(), sql->differs.params.end());
    }
    out.changes.sql += ")";
    return out;
}

}  // namespace dsr::erase
