// The DDL is kept in plain .sql files so it can be read (and fed to sqlite3
// or psql) on its own; CMake embeds them into the binary.
#pragma once

namespace shopgen {

extern const char* const kSchemaSql;   // CREATE TABLE statements (schema.sql)
extern const char* const kIndexesSql;  // CREATE INDEX statements (indexes.sql), for both databases

extern const char* const kPostgresqlSchemaSql;       // schema_postgresql.sql
extern const char* const kPostgresqlForeignKeysSql;  // foreign_keys_postgresql.sql

}  // namespace shopgen
