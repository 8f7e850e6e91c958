#pragma once

#include <SQLiteCpp/Database.h>

#include "db/database.h"

namespace dsr::db {

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(const std::string& path, const OpenOptions& options);
    std::string_view backend() const override { return "sqlite"; }
    Schema read_schema() override;

private:
    std::string path_;
    SQLite::Database db_;
};

}  // namespace dsr::db
