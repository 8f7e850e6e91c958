#include "db/schema.h"

#include <algorithm>

namespace dsr::db {

std::string_view to_string(TypeClass t) {
    switch (t) {
        case TypeClass::integer: return "integer";
        case TypeClass::real: return "real";
        case TypeClass::numeric: return "numeric";
        case TypeClass::text: return "text";
        case TypeClass::blob: return "blob";
        case TypeClass::timestamp: return "timestamp";
        case TypeClass::other: return "other";
    }
    return "?";
}

bool joinable(TypeClass a, TypeClass b) {
    auto numeric = [](TypeClass t) {
        return t == TypeClass::integer || t == TypeClass::real || t == TypeClass::numeric;
    };
    // An untyped (blob-affinity) or unknown column may hold anything; only a
    // number against text is certain never to match.
    if (a == TypeClass::blob || b == TypeClass::blob || a == TypeClass::other || b == TypeClass::other) return true;
    return a == b || (numeric(a) && numeric(b));
}

const ColumnInfo* TableInfo::find_column(std::string_view column) const {
    auto it = std::find_if(columns.begin(), columns.end(), [&](const ColumnInfo& c) { return c.name == column; });
    return it == columns.end() ? nullptr : &*it;
}

bool TableInfo::has_index_on(std::string_view column) const {
    if (const auto* c = find_column(column); c && c->leads_primary_key) return true;
    return std::any_of(indexes.begin(), indexes.end(),
                       [&](const IndexInfo& i) { return !i.columns.empty() && i.columns.front() == column; });
}

const TableInfo* Schema::find_table(std::string_view table) const {
    auto it = std::find_if(tables.begin(), tables.end(), [&](const TableInfo& t) { return t.name == table; });
    return it == tables.end() ? nullptr : &*it;
}

}  // namespace dsr::db
