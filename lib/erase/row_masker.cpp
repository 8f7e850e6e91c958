#include "erase/row_masker.h"

#include "util/error.h"

namespace dsr::erase {

ColumnShape shape_of(const db::TableInfo* info, const policy::Table& table, const std::string& column) {
    ColumnShape shape;
    if (const auto* c = info ? info->find_column(column) : nullptr) {
        shape.type = c->type_class;
        shape.not_null = c->not_null || c->primary_key;
        shape.unique = c->unique;
    }
    auto own = [&](const policy::Timestamp& ts) { return ts.table.empty() && ts.column == column; };
    if (table.erasure && table.erasure->hold && own(table.erasure->hold->timestamp))
        shape.time_format = table.erasure->hold->timestamp.format;
    else if (table.retention && own(table.retention->timestamp))
        shape.time_format = table.retention->timestamp.format;
    return shape;
}

/// A row erased before keeps its masked values: a recognisable mask
/// already in place says so, and then values whose form cannot be
/// recognised (random, pseudonymised numbers) are left as they are too.
std::vector<db::Value> RowMasker::masked_values(const policy::Table& table, const std::vector<policy::Mask>& masks,
                                                const std::vector<db::Value>& current, const db::Value& row_key) {
    const auto* info = schema_.find_table(table.name);
    std::vector<ColumnShape> shapes;
    std::vector<std::optional<bool>> forms;
    bool any_known = false, all_known_masked = true;
    for (std::size_t i = 0; i < masks.size(); ++i) {
        shapes.push_back(shape_of(info, table, masks[i].column));
        forms.push_back(in_masked_form(masks[i], shapes[i], current[i]));
        if (forms[i] && !std::holds_alternative<std::monostate>(current[i])) any_known = true;
        if (forms[i] == false) all_known_masked = false;
    }
    bool erased_before = any_known && all_known_masked;
    std::vector<db::Value> out;
    for (std::size_t i = 0; i < masks.size(); ++i) {
        if (forms[i] == true || (!forms[i] && erased_before)) {
            out.push_back(current[i]);
            continue;
        }
        out.push_back(fresh_mask(table, masks[i], shapes[i], current[i], row_key));
    }
    return out;
}

db::Value RowMasker::fresh_mask(const policy::Table& table, const policy::Mask& mask, const ColumnShape& shape,
                                const db::Value& current, const db::Value& row_key) {
    RowRef row{table.name, row_key};
    if (mask.method == policy::MaskMethod::null && shape.not_null)
        throw Error(ExitStatus::invalid_policy, "mask null on " + table.name + "." + mask.column +
                                                    ", which is NOT NULL: masking would fail (see dsr policy check)");
    auto value = mask_value(mask, shape, current, key_, row);
    if (mask.method == policy::MaskMethod::pseudonymize && shape.unique &&
        taken_by_other_row(table, mask.column, value, row_key))
        value = row_pseudonym(current, key_, row);
    return value;
}

/// A UNIQUE column's plain pseudonym may already be the value of an
/// earlier erased row (the same email, registered again).
bool RowMasker::taken_by_other_row(const policy::Table& table, const std::string& column, const db::Value& value,
                                   const db::Value& row_key) {
    bool taken = false;
    db_.query("SELECT 1 FROM " + db_.quote_table(table.name) + " WHERE " + db_.quote(column) + " = ? AND " +
                  db_.quote(table.key) + " <> ? LIMIT 1",
              {value, row_key}, [&](const std::vector<std::string>&, const std::vector<db::Value>&) { taken = true; });
    return taken;
}

}  // namespace dsr::erase
