#include "jobs/export.h"

#include <charconv>
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

/// The archive's file for a table: its name, with what a file name cannot
/// safely hold percent-encoded (a slash or backslash, a control character,
/// a leading dot, and `%` itself, so two tables never share a file). A table
/// may be named `../x` or `a/b`; unzip would write such a file outside the
/// directory it extracts into, and the archive refuses it (zip_archive.cpp).
std::string csv_file_name(const std::string& table) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (std::size_t i = 0; i < table.size(); ++i) {
        auto c = static_cast<unsigned char>(table[i]);
        if (c == '%' || c == '/' || c == '\\' || c < 0x20 || c == 0x7f || (i == 0 && c == '.')) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + ".csv";
}

std::vector<std::string> exported_columns(const policy::Policy& policy, const policy::Table& table) {
    std::vector<std::string> columns = {table.key};
    for (const auto& c : table.columns)
        if (c.name != table.key && is_portable(policy, c)) columns.push_back(c.name);
    return columns;
}

/// Gathers small writes into large ones: a part is written a few bytes at
/// a time, and each write further down costs a hash update and a system call.
class BufferedSink : public ByteSink {
public:
    explicit BufferedSink(ByteSink& next) : next_(next) { buffer_.reserve(kCapacity); }
    void write(std::string_view bytes) override {
        if (buffer_.size() + bytes.size() > kCapacity) flush();
        if (bytes.size() >= kCapacity)
            next_.write(bytes);
        else
            buffer_.append(bytes);
    }
    /// Passes on what is held; call before the next sink is read or hashed.
    void flush() {
        if (buffer_.empty()) return;
        next_.write(buffer_);
        buffer_.clear();
    }

private:
    static constexpr std::size_t kCapacity = 256 * 1024;
    ByteSink& next_;
    std::string buffer_;
};

/// The table as a JSON array of row objects, one row per line.
void write_json_part(db::Database& db, const policy::Policy& policy, const graph::SubjectMatch& match,
                     SpooledPart& spooled, ByteSink& out) {
    const auto& columns = spooled.part.columns;
    // What comes before each value: "{" or ",", then the member name and ":".
    std::vector<std::string> prefixes;
    for (std::size_t i = 0; i < columns.size(); ++i)
        prefixes.push_back((i ? "," : "{") + report::json_text(nlohmann::ordered_json(columns[i])) + ":");
    std::string line;
    out.write("[");
    graph::read_subject_rows(db, policy, *spooled.part.table, columns, match,
                             [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                                 line.assign(spooled.part.rows++ ? ",\n" : "\n");
                                 for (std::size_t i = 0; i < columns.size(); ++i) {
                                     line += prefixes[i];
                                     report::append_value_json(line, row[i]);
                                 }
                                 line += '}';
                                 out.write(line);
                             });
    out.write(spooled.part.rows ? "\n]" : "]");
}

/// The table as an RFC 4180 file with a header record.
void write_csv_part(db::Database& db, const policy::Policy& policy, const graph::SubjectMatch& match,
                    SpooledPart& spooled, ByteSink& out) {
    out.write(exporting::csv_record(spooled.part.columns));
    std::string record;
    graph::read_subject_rows(db, policy, *spooled.part.table, spooled.part.columns, match,
                             [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                                 record.clear();
                                 exporting::append_csv_record(record, row);
                                 out.write(record);
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
    out.write("{\"manifest\":" + report::json_text(manifest) + ",\n\"tables\":{");
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
        if (settings.format == ExportFormat::csv) s.part.name = csv_file_name(table.name);
        HashingSink hashing(s.file);
        BufferedSink buffered(hashing);
        if (settings.format == ExportFormat::csv)
            write_csv_part(db, policy, match, s, buffered);
        else
            write_json_part(db, policy, match, s, buffered);
        buffered.flush();
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
