#pragma once
// The one interface jobs use to reach a merchant database. Backends live in
// sqlite/ (and later postgres/); nothing above lib/db/ sees driver types:
// driver exceptions become dsr::Error here.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "db/schema.h"

namespace dsr::db {

/// Bytes of a BLOB column.
struct Blob {
    std::vector<unsigned char> bytes;
    bool operator==(const Blob&) const = default;
};

/// One value as the database holds it; monostate is SQL NULL.
using Value = std::variant<std::monostate, std::int64_t, double, std::string, Blob>;

/// Called once per result row, with the column names and the row's values.
using RowHandler = std::function<void(const std::vector<std::string>& columns, const std::vector<Value>& row)>;

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
    /// Runs one statement with `params` bound in order (never spliced into
    /// the SQL) and streams its rows to `on_row`.
    virtual void query(const std::string& sql, const std::vector<Value>& params, const RowHandler& on_row) = 0;
    /// An identifier quoted for this database's SQL, e.g. "order" -> "\"order\"".
    virtual std::string quote(std::string_view identifier) const = 0;
};

/// Opens `sqlite:PATH` or a plain file path. A missing file is an error, never created.
std::unique_ptr<Database> open_database(const std::string& url, const OpenOptions& options);

}  // namespace dsr::db
