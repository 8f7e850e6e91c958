#pragma once

#include <SQLiteCpp/Database.h>

#include "db/database.h"

namespace dsr::db {

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(const std::string& path, const OpenOptions& options);
    std::string_view backend() const override { return "sqlite"; }
    Schema read_schema() override;
    void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) override;
    std::string quote(std::string_view identifier) const override;

private:
    std::string path_;
    SQLite::Database db_;
};

}  // namespace dsr::db
