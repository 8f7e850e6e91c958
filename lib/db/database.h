#pragma once
// The one interface jobs use to reach a merchant database. Backends live in
// sqlite/ (and later postgres/); nothing above lib/db/ sees driver types:
// driver exceptions become dsr::Error here.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "db/schema.h"

namespace dsr::db {

struct OpenOptions {
    bool read_only = true;
    std::chrono::milliseconds busy_timeout{5000};
};

class Database {
public:
    virtual ~Database() = default;
    /// "sqlite" or "postgresql", for reports.
    virtual std::string_view backend() const = 0;
    /// Reads the catalog: tables, columns, foreign keys, indexes.
    virtual Schema read_schema() = 0;
};

/// Opens `sqlite:PATH` or a plain file path. A missing file is an error, never created.
std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options);

}  // namespace dsr::db
