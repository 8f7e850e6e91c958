#include "db/sqlite/sqlite_database.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "db/sqlite/sqlite_error.h"
#include "util/error.h"

namespace dsr::db {

namespace {

/// SQLite's type-affinity rules (datatype3.html, section 3.1), in their order.
TypeClass affinity(std::string declared) {
    std::transform(declared.begin(), declared.end(), declared.begin(), [](unsigned char c) { return std::toupper(c); });
    if (declared.find("INT") != std::string::npos) return TypeClass::integer;
    if (declared.find("CHAR") != std::string::npos || declared.find("CLOB") != std::string::npos ||
        declared.find("TEXT") != std::string::npos)
        return TypeClass::text;
    if (declared.empty() || declared.find("BLOB") != std::string::npos) return TypeClass::blob;
    if (declared.find("REAL") != std::string::npos || declared.find("FLOA") != std::string::npos ||
        declared.find("DOUB") != std::string::npos)
        return TypeClass::real;
    return TypeClass::numeric;
}

SQLite::Database open_file(const std::string& path, const OpenOptions& options) {
    // Checked first so the message names the real problem; SQLite's own is a vague "unable to open".
    if (!std::filesystem::exists(path)) throw Error(ExitStatus::database, path + ": database file does not exist");
    try {
        int flags = options.read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE;
        return SQLite::Database(path, flags, static_cast<int>(options.busy_timeout.count()));
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path, "cannot open database");
    }
}

}  // namespace

SqliteDatabase::SqliteDatabase(const std::string& path, const OpenOptions& options)
    : path_(path), db_(open_file(path, options)) {
    try {
        // Fails here, not half way through a job, if the file is not a database.
        db_.exec("PRAGMA schema_version");
        db_.exec("PRAGMA foreign_keys = ON");
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot read database");
    }
}

Schema SqliteDatabase::read_schema() {
    Schema schema;
    try {
        SQLite::Statement tables(db_,
                                 "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                                 "ORDER BY name");
        while (tables.executeStep()) {
            TableInfo t;
            t.name = tables.getColumn(0).getString();
            schema.tables.push_back(std::move(t));
        }
        for (auto& t : schema.tables) {
            SQLite::Statement cols(db_, "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?) ORDER BY cid");
            cols.bind(1, t.name);
            int pk_columns = 0;
            while (cols.executeStep()) {
                ColumnInfo c;
                c.name = cols.getColumn(0).getString();
                c.declared_type = cols.getColumn(1).getString();
                c.type_class = affinity(c.declared_type);
                c.not_null = cols.getColumn(2).getInt() != 0;
                c.primary_key = cols.getColumn(3).getInt() != 0;
                c.leads_primary_key = cols.getColumn(3).getInt() == 1;
                pk_columns += c.primary_key ? 1 : 0;
                t.columns.push_back(std::move(c));
            }
            if (pk_columns == 1)
                for (auto& c : t.columns)
                    if (c.primary_key) c.unique = true;

            SQLite::Statement fks(db_, "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?) "
                                       "ORDER BY id, seq");
            fks.bind(1, t.name);
            while (fks.executeStep()) {
                ForeignKeyInfo fk;
                fk.from_column = fks.getColumn(0).getString();
                fk.to_table = fks.getColumn(1).getString();
                fk.to_column = fks.getColumn(2).isNull() ? "" : fks.getColumn(2).getString();
                fk.on_delete = fks.getColumn(3).getString();
                t.foreign_keys.push_back(std::move(fk));
            }

            SQLite::Statement indexes(db_, "SELECT name, \"unique\" FROM pragma_index_list(?) ORDER BY name");
            indexes.bind(1, t.name);
            while (indexes.executeStep()) {
                IndexInfo index;
                index.name = indexes.getColumn(0).getString();
                index.unique = indexes.getColumn(1).getInt() != 0;
                t.indexes.push_back(std::move(index));
            }
            for (auto& index : t.indexes) {
                SQLite::Statement cols_of(db_, "SELECT name FROM pragma_index_info(?) ORDER BY seqno");
                cols_of.bind(1, index.name);
                while (cols_of.executeStep())
                    index.columns.push_back(cols_of.getColumn(0).isNull() ? "" : cols_of.getColumn(0).getString());
                if (index.unique && index.columns.size() == 1)
                    for (auto& c : t.columns)
                        if (c.name == index.columns.front()) c.unique = true;
            }
        }
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(e, path_, "cannot read schema");
    }
    return schema;
}

}  // namespace dsr::db
