#pragma once
// The entry point of the PostgreSQL backend as a loadable module.
//
// dsr builds lib/db/postgres/ into dsr-postgresql.so and open_database()
// loads it only when a PostgreSQL location is opened: libpq links two dozen
// libraries (Kerberos, LDAP, GnuTLS, ...) whose loading and relocation took
// most of the start of every dsr command, SQLite ones and `--help` included.
// The unit tests link the backend into their binary instead; then
// open_database() calls the entry point directly.

#include <string>

#include "db/database.h"

/// The name dlsym() looks up, and the module's version tag it checks.
#define DSR_POSTGRESQL_ENTRY_POINT "dsr_open_postgresql"
#define DSR_POSTGRESQL_MODULE_TAG "dsr_postgresql_module_tag"

extern "C" {

/// Opens a PostgreSQL location as PostgresDatabase's constructor does,
/// throwing dsr::Error likewise; the caller owns the result.
dsr::db::Database* dsr_open_postgresql(const std::string& url, const dsr::db::OpenOptions& options);

/// DSR_MODULE_TAG (release and compiler) of the build that made the module:
/// dsr refuses another one, whose idea of Database's layout may differ.
extern const char dsr_postgresql_module_tag[];
}
