// `dsr export`: the subject's portable copy (GDPR Art. 20, CCPA, PIPL
// Art. 45), written to a file only the operator can read, optionally
// encrypted in the age format for the subject to open with the standard tool.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "cli/subject_job.h"
#include "crypto/age.h"
#include "jobs/export.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"

namespace dsr::cli {

namespace {

struct ExportOptions {
    StateLocation location;
    std::optional<std::string> db;
    std::string subject;
    std::string request_id;
    std::string output;
    bool force = false;
    jobs::ExportFormat file_format = jobs::ExportFormat::json;
    std::vector<std::string> recipients;
    std::string passphrase_file;
    Format report_format = Format::automatic;
};

std::string encryption_name(const ExportOptions& o) {
    if (!o.recipients.empty()) return "age-x25519";
    if (!o.passphrase_file.empty()) return "age-scrypt";
    return "none";
}

/// The encryptor in front of `file`, or none: the key material is read
/// before any merchant data, so a wrong path fails without reading any.
std::unique_ptr<crypto::AgeEncryptor> encryptor_for(const ExportOptions& o, ByteSink& file) {
    if (!o.recipients.empty()) return crypto::AgeEncryptor::to_recipients(o.recipients, file);
    if (!o.passphrase_file.empty()) {
        auto passphrase = crypto::read_passphrase_file(o.passphrase_file);
        return crypto::AgeEncryptor::with_passphrase(passphrase, file);
    }
    return nullptr;
}

nlohmann::ordered_json counts_json(const jobs::ExportResult& result) {
    nlohmann::ordered_json counts = nlohmann::ordered_json::object();
    for (const auto& p : result.parts)
        if (p.rows) counts[p.table->name] = p.rows;
    return counts;
}

nlohmann::ordered_json export_json(const report::Envelope& envelope, const ExportOptions& o, const SubjectRun& run,
                                   const jobs::ExportResult& result, const HashingSink& written,
                                   const std::string& digest) {
    auto json = report::envelope_json(envelope);
    json["subject"] = report::subject_json(run.ref());
    json["request_id"] = o.request_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(o.request_id);
    json["output"] = {{"path", o.output},
                      {"format", o.file_format == jobs::ExportFormat::csv ? "csv" : "json"},
                      {"encryption", encryption_name(o)},
                      {"bytes", written.bytes_written()},
                      {"sha256", digest}};
    json["parts"] = nlohmann::ordered_json::array();
    for (const auto& p : result.parts)
        json["parts"].push_back({{"table", p.table->name}, {"name", p.name}, {"rows", p.rows}, {"sha256", p.sha256}});
    auto with_data = std::count_if(result.parts.begin(), result.parts.end(), [](const auto& p) { return p.rows > 0; });
    json["totals"] = {{"tables_with_data", with_data}, {"rows", result.total_rows}};
    return json;
}

std::string export_text(const ExportOptions& o, const jobs::ExportResult& result, const std::string& digest) {
    std::string text = "Wrote " + std::to_string(result.total_rows) + " rows to " + o.output + " (" +
                       (o.file_format == jobs::ExportFormat::csv ? "zip of CSV files" : "JSON");
    text += encryption_name(o) == "none" ? ", not encrypted)\n" : ", encrypted with age)\n";
    for (const auto& p : result.parts)
        if (p.rows) text += "  " + p.table->name + ": " + std::to_string(p.rows) + " rows\n";
    text += "SHA-256 of the file: " + digest + "\n";
    return text;
}

ExitStatus run_export(const ExportOptions& o) {
    report::Envelope envelope;
    envelope.command = "export";
    try {
        auto job = SubjectJob::open("export", o.location, o.db, /*read_only=*/true, o.report_format, envelope);
        if (!job) return ExitStatus::invalid_policy;
        // Opened before the subject's data is read: an existing file, a
        // missing directory or a bad recipient stops the job early.
        AtomicFile file(o.output, 0600, o.force);
        HashingSink written(file);
        auto encryptor = encryptor_for(o, written);
        ByteSink& sink = encryptor ? static_cast<ByteSink&>(*encryptor) : written;

        // A copy goes to one person: an identity that names several is never merged into it.
        auto run = job->begin(o.subject, o.request_id, /*all_matches=*/false);
        jobs::ExportSettings settings;
        settings.format = o.file_format;
        settings.generated_at = report::utc_iso8601(job->when());
        settings.generated_unix = std::chrono::duration_cast<std::chrono::seconds>(job->when().time_since_epoch()).count();
        auto parent = std::filesystem::path(o.output).parent_path();
        settings.spool_dir = parent.empty() ? "." : parent.string();
        jobs::ExportResult result;
        try {
            result = jobs::write_portable_copy(job->database(), job->database_ref().name, job->policy(), run.match,
                                               settings, sink);
            if (encryptor) encryptor->finish();
        } catch (const Error& e) {
            job->finish(run, "failed", {{"exit_status", static_cast<int>(e.status())}});
            throw;
        }

        if (result.total_rows == 0) {
            // Nothing to hand over: the file is not created (AtomicFile removes it).
            job->finish(run, "done", {{"rows", 0}});
            envelope.status = "not_found";
            auto json = report::envelope_json(envelope);
            json["subject"] = report::subject_json(run.ref());
            print_error("no data found for the subject; no file was written");
            print_report(o.report_format, json, "No personal data is held about this subject; no file was written.\n");
            return ExitStatus::subject_not_found;
        }
        file.commit();
        try {
            job->finish(run, "done", {{"rows", counts_json(result)}, {"format", o.file_format == jobs::ExportFormat::csv ? "csv" : "json"},
                                      {"encryption", encryption_name(o)}});
        } catch (const Error&) {
            // A copy the audit log does not record must not stay behind (a
            // full disk or an I/O error on the state store): the job fails
            // whole, its intent left interrupted, as if killed before the rename.
            std::error_code ignored;
            std::filesystem::remove(o.output, ignored);
            throw;
        }
        job->close_request(run, "portable copy produced");

        envelope.status = "ok";
        auto digest = written.hex_digest();
        print_report(o.report_format, export_json(envelope, o, run, result, written, digest),
                     export_text(o, result, digest));
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.report_format, envelope, e);
    }
}

}  // namespace

void add_export_command(CLI::App* cmd, Commands& commands) {
    auto o = std::make_shared<ExportOptions>();
    cmd->footer(
        "Write the data the subject provided, and the data observed about them, in a\n"
        "structured, machine-readable file: one JSON document, or a zip archive of\n"
        "RFC 4180 CSV files (one per table). Either starts with a manifest: the\n"
        "controller, when it was made, the policy's SHA-256, and each table's row\n"
        "count and SHA-256. Derived data is not part of the copy.\n\n"
        "The file is created with mode 0600 under a temporary name beside FILE and\n"
        "renamed when complete: a failure or a kill leaves nothing at FILE. It is\n"
        "never replaced without --force. With --encrypt-to or --passphrase-file it\n"
        "is encrypted in the age format; the subject opens it with `age -d`.\n"
        "The report on standard output says what was written, never the values.\n\n"
        "Examples:\n"
        "  dsr export --policy shop.yaml --subject email=ana@example.com --output ana.json\n"
        "  dsr export --policy shop.yaml --subject customer_id=42 --format csv \\\n"
        "      --encrypt-to age1… --output ana.zip.age");
    add_state_options(*cmd, o->location, true);
    add_statement_timeout_option(*cmd, o->location.statement_timeout_ms);
    add_database_option(*cmd, o->db, o->location.verbose);
    cmd->add_option("--subject", o->subject, "Who, as KIND=VALUE with KIND an identity of the policy")
        ->required()
        ->group("Subject");
    cmd->add_option("--request", o->request_id, "The request this answers; closed when the file is written")
        ->group("Subject");
    cmd->add_option("--output", o->output, "The file to write (mode 0600)")->required()->group("Output");
    cmd->add_flag("--force", o->force, "Replace an existing --output file")->group("Output");
    cmd->add_option("--format", o->file_format, "json (one document) or csv (zip of CSV files); default json")
        ->transform(CLI::CheckedTransformer(
            std::map<std::string, jobs::ExportFormat>{{"json", jobs::ExportFormat::json}, {"csv", jobs::ExportFormat::csv}}))
        ->option_text("json|csv (default: json)")
        ->group("Output");
    auto* to = cmd->add_option("--encrypt-to", o->recipients, "Encrypt to this age X25519 recipient (age1…); repeatable")
                   ->group("Encryption");
    auto* pass = cmd->add_option("--passphrase-file", o->passphrase_file,
                                 "Encrypt with the passphrase on this file's first line (age scrypt)")
                     ->check(CLI::ExistingFile)
                     ->group("Encryption");
    to->excludes(pass);
    add_format_option(*cmd, o->report_format, false, "--report-format");
    commands.push_back({cmd, [o] { return run_export(*o); }});
}

const TopLevelCommand export_command{"export", "Write the subject's portable copy to a file (right to data portability)",
                                     add_export_command};

}  // namespace dsr::cli
