#pragma once
// What a live database declares about its tables, as plain data. Each
// backend fills it from its own catalog; the policy checker reads it.

#include <string>
#include <string_view>
#include <vector>

namespace dsr::db {

/// The broad kind of a column's declared type, enough to tell whether two
/// columns can join (SQLite's type affinity; PostgreSQL maps onto it).
/// `timestamp` is a native date/time type the database compares as points
/// in time (PostgreSQL's timestamptz, timestamp, date); SQLite has none.
enum class TypeClass { integer, real, numeric, text, blob, timestamp, other };

std::string_view to_string(TypeClass);

/// True if values of the two classes can compare equal in a join.
bool joinable(TypeClass a, TypeClass b);

struct ColumnInfo {
    std::string name;
    std::string declared_type;
    TypeClass type_class = TypeClass::other;
    bool not_null = false;
    bool primary_key = false;  ///< part of the primary key
    bool leads_primary_key = false;  ///< the primary key's first column: its index serves lookups on it
    bool unique = false;  ///< a single-column UNIQUE constraint or index, or the sole primary key
};

struct ForeignKeyInfo {
    std::string from_column;
    std::string to_table;
    std::string to_column;  ///< empty when the schema references the parent's primary key implicitly
    std::string on_delete;  ///< e.g. "CASCADE", "NO ACTION"
};

struct IndexInfo {
    std::string name;
    std::vector<std::string> columns;
    bool unique = false;
};

struct TableInfo {
    /// As policies name it: on PostgreSQL the bare name for a table in the
    /// first schema of the search_path (normally `public`), else
    /// `schema.table`; foreign keys name their parent the same way.
    std::string name;
    /// PostgreSQL: always `schema.table`, for messages that tell a policy
    /// writing `public.orders` to write `orders`; empty on SQLite.
    std::string qualified_name;
    std::vector<ColumnInfo> columns;
    std::vector<ForeignKeyInfo> foreign_keys;
    std::vector<IndexInfo> indexes;

    const ColumnInfo* find_column(std::string_view column) const;
    /// True if some index (or the primary key) starts with `column`, so lookups on it need no scan.
    bool has_index_on(std::string_view column) const;
};

struct Schema {
    std::vector<TableInfo> tables;

    const TableInfo* find_table(std::string_view table) const;
};

}  // namespace dsr::db
