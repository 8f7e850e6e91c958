#pragma once
// `dsr export`: the portable copy (GDPR Art. 20, CCPA "in a portable and
// readily usable format", PIPL Art. 45): the data the subject provided or
// that was observed about them, never derived data, streamed to a sink so
// memory does not grow with the amount of data.

#include <cstdint>
#include <string>
#include <vector>

#include "db/database.h"
#include "graph/subject_rows.h"
#include "policy/model.h"
#include "util/byte_sink.h"

namespace dsr::jobs {

enum class ExportFormat {
    json,  ///< one JSON document: {"manifest": …, "tables": {TABLE: [rows…]}}
    csv,   ///< a zip archive: manifest.json and one RFC 4180 TABLE.csv per table
};

struct ExportSettings {
    ExportFormat format = ExportFormat::json;
    std::string generated_at;         ///< UTC ISO-8601, stated in the manifest
    std::int64_t generated_unix = 0;  ///< the archive entries' modification time
    std::string spool_dir;            ///< where the parts wait while their hashes are computed
};

/// One table's part of the copy, as the manifest describes it.
struct ExportedPart {
    const policy::Table* table = nullptr;
    std::vector<std::string> columns;  ///< the key, then the portable columns
    std::string name;                  ///< "customers.csv" in the archive, "customers" in the JSON document
    std::size_t rows = 0;
    std::uint64_t bytes = 0;
    std::string sha256;  ///< of the part's exact bytes (the CSV file; the table's JSON array as written)
};

struct ExportResult {
    std::vector<ExportedPart> parts;  ///< policy order; tables with no portable column are left out
    std::size_t total_rows = 0;
};

/// Whether `column` belongs in a portable copy: provided or observed, and of
/// a category the policy lets the subject see.
bool is_portable(const policy::Policy& policy, const policy::Column& column);

/// Writes the subject's portable copy from every table of `database_name` to `out`.
ExportResult write_portable_copy(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                                 const graph::SubjectMatch& match, const ExportSettings& settings, ByteSink& out);

}  // namespace dsr::jobs
