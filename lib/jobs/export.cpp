#include "jobs/export.h"

#include <memory>

#include <nlohmann/json.hpp>

#include "export/csv.h"
#include "export/zip_archive.h"
#include "report/access_report.h"
#include "util/sha256.h"
#include "util/spool_file.h"

namespace dsr::jobs {

namespace {

/// A part written to scratch space: the manifest, which comes first in the
/// output, states every part's size and hash, so parts are spooled first.
struct SpooledPart {
    ExportedPart part;
    SpoolFile file;
};

std::vector<std::string> exported_columns(const policy::Policy& policy, const policy::Table& table) {
    std::vector<std::string> columns = {table.key};
    for (const auto& c : table.columns)
        if (c.name != table.key && is_portable(policy, c)) columns.push_back(c.name);
    return columns;
}

/// Invalid UTF-8 in a text column would make the JSON writer throw half way;
/// it is replaced by U+FFFD instead (the CSV keeps the bytes as they are).
std::string json_text(const nlohmann::ordered_json& value) {
    return value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

/// The table as a JSON array of row objects, one row per line.
void write_json_part(db::Database& db, const policy::Policy& policy, const graph::SubjectMatch& match,
                     SpooledPart& spooled, HashingSink& out) {
    const auto& columns = spooled.part.columns;
    out.write("[");
    graph::read_subject_rows(db, policy, *spooled.part.table, columns, match,
                             [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                                 nlohmann::ordered_json object = nlohmann::ordered_json::object();
                                 for (std::size_t i = 0; i < columns.size(); ++i)
                                     object[columns[i]] = report::value_json(row[i]);
                                 out.write(spooled.part.rows++ ? ",\n" : "\n");
                                 out.write(json_text(object));
                             });
    out.write(spooled.part.rows ? "\n]" : "]");
}

/// The table as an RFC 4180 file with a header record.
void write_csv_part(db::Database& db, const policy::Policy& policy, const graph::SubjectMatch& match,
                    SpooledPart& spooled, HashingSink& out) {
    out.write(exporting::csv_record(spooled.part.columns));
    std::vector<std::string> fields;
    graph::read_subject_rows(db, policy, *spooled.part.table, spooled.part.columns, match,
                             [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                                 fields.clear();
                                 for (const auto& value : row) fields.push_back(exporting::csv_field(value));
                                 out.write(exporting::csv_record(fields));
                                 ++spooled.part.rows;
                             });
}

nlohmann::ordered_json manifest_json(const policy::Policy& policy, const ExportSettings& settings,
                                     const std::vector<SpooledPart>& spooled, std::size_t total_rows) {
    nlohmann::ordered_json parts = nlohmann::ordered_json::array();
    for (const auto& s : spooled) {
        nlohmann::ordered_json columns = nlohmann::ordered_json::array();
        for (const auto& name : s.part.columns) {
            const auto* c = s.part.table->find_column(name);
            if (!c) {
                columns.push_back({{"column", name}, {"role", "row key"}});
                continue;
            }
            columns.push_back({{"column", c->name}, {"category", c->category}, {"source", policy::to_string(c->source)}});
        }
        parts.push_back({{"table", s.part.table->name},
                         {"name", s.part.name},
                         {"rows", s.part.rows},
                         {"bytes", s.part.bytes},
                         {"sha256", s.part.sha256},
                         {"columns", columns}});
    }
    return {{"format", "dsr-export"},
            {"format_version", 1},
            {"encoding", settings.format == ExportFormat::csv ? "zip of RFC 4180 CSV files, UTF-8" : "JSON, UTF-8"},
            {"controller", {{"name", policy.controller.name}, {"contact", policy.controller.contact}}},
            {"regime", policy::to_string(policy.regime)},
            {"generated_at", settings.generated_at},
            {"policy_sha256", policy.sha256},
            {"content",
             "The personal data you provided and the data observed about you, in a structured, machine-readable "
             "form. Data derived from it is not part of this copy."},
            {"hashes",
             settings.format == ExportFormat::csv
                 ? "sha256 of each CSV file in the archive"
                 : "sha256 of each table's JSON array, exactly as it appears in this document"},
            {"parts", parts},
            {"total_rows", total_rows}};
}

void assemble_json(const nlohmann::ordered_json& manifest, const std::vector<SpooledPart>& spooled, ByteSink& out) {
    out.write("{\"manifest\":" + json_text(manifest) + ",\n\"tables\":{");
    for (std::size_t i = 0; i < spooled.size(); ++i) {
        out.write(std::string(i ? ",\n" : "\n") + nlohmann::ordered_json(spooled[i].part.name).dump() + ":");
        spooled[i].file.copy_to(out);
    }
    out.write("\n}}\n");
}

void assemble_zip(const nlohmann::ordered_json& manifest, const std::vector<SpooledPart>& spooled,
                  const ExportSettings& settings, ByteSink& out) {
    exporting::ZipArchive zip(out);
    zip.add_bytes("manifest.json", manifest.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n",
                  settings.generated_unix);
    for (const auto& s : spooled) zip.add_file(s.part.name, s.file.path(), settings.generated_unix);
    zip.finish();
}

}  // namespace

bool is_portable(const policy::Policy& policy, const policy::Column& column) {
    if (column.source == policy::Source::derived) return false;
    // Values the subject may not be shown (government ID numbers, passwords)
    // are not handed over in a file either.
    const auto* category = policy.find_category(column.category);
    return !category || category->disclose;
}

ExportResult write_portable_copy(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                                 const graph::SubjectMatch& match, const ExportSettings& settings, ByteSink& out) {
    std::vector<SpooledPart> spooled;
    ExportResult result;
    for (const auto& table : policy.tables) {
        if (table.database != database_name) continue;
        auto columns = exported_columns(policy, table);
        if (columns.size() == 1) continue;  // only the key: nothing personal to hand over
        SpooledPart s{ExportedPart{&table, columns, table.name, 0, 0, ""}, SpoolFile(settings.spool_dir)};
        if (settings.format == ExportFormat::csv) s.part.name += ".csv";
        HashingSink hashing(s.file);
        if (settings.format == ExportFormat::csv)
            write_csv_part(db, policy, match, s, hashing);
        else
            write_json_part(db, policy, match, s, hashing);
        s.part.bytes = hashing.bytes_written();
        s.part.sha256 = hashing.hex_digest();
        result.total_rows += s.part.rows;
        spooled.push_back(std::move(s));
    }
    auto manifest = manifest_json(policy, settings, spooled, result.total_rows);
    if (settings.format == ExportFormat::csv)
        assemble_zip(manifest, spooled, settings, out);
    else
        assemble_json(manifest, spooled, out);
    for (auto& s : spooled) result.parts.push_back(std::move(s.part));
    return result;
}

}  // namespace dsr::jobs
