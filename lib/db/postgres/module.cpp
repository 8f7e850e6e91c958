#include "db/postgres/module.h"

#include "db/postgres/postgres_database.h"

extern "C" {

dsr::db::Database* dsr_open_postgresql(const std::string& url, const dsr::db::OpenOptions& options) {
    return new dsr::db::PostgresDatabase(url, options);
}

const char dsr_postgresql_module_tag[] = DSR_MODULE_TAG;
}
