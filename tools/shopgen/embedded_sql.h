// The DDL is kept in plain .sql files so it can be read (and fed to sqlite3)
// on its own; CMake embeds them into the binary.
#pragma once

namespace shopgen {

extern const char* const kSchemaSql;   // CREATE TABLE statements (schema.sql)
extern const char* const kIndexesSql;  // CREATE INDEX statements (indexes.sql)

}  // namespace shopgen
