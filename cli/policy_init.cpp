#include "cli/policy_init.h"

#include <filesystem>
#include <iostream>

#include "cli/clock.h"
#include "cli/state_options.h"
#include "db/database.h"
#include "policy_init/draft.h"
#include "policy_init/sampler.h"
#include "util/atomic_file.h"
#include "util/sha256.h"

namespace dsr::cli {

namespace {

namespace fs = std::filesystem;

/// The draft's `url:` for the database --db named, and a review note when it cannot be exact.
policy_init::DraftOptions database_url(const PolicyInitOptions& o) {
    policy_init::DraftOptions out;
    if (db::is_postgresql_url(o.db)) {
        if (o.db.starts_with("postgresql://") || o.db.starts_with("postgres://")) {
            out.database_url = o.db;
        } else {
            out.database_url = "postgresql:///";
            out.database_url_review = "--db was a libpq keyword string, which a policy cannot hold: write the "
                                      "database as a postgresql:// URI (or keep giving --db)";
        }
        return out;
    }
    // A relative sqlite: path in a policy is read from the policy's directory
    // (dsr-policy(5)), so the draft names the database from where it is written.
    fs::path file = o.db.starts_with("sqlite:") ? fs::path(o.db.substr(7)) : fs::path(o.db);
    fs::path absolute = fs::absolute(file).lexically_normal();
    fs::path named = absolute;
    if (o.output) {
        fs::path relative = absolute.lexically_relative(fs::absolute(*o.output).lexically_normal().parent_path());
        if (!relative.empty()) named = relative;
    }
    out.database_url = "sqlite:" + named.string();
    return out;
}

int current_year() {
    auto today = std::chrono::floor<std::chrono::days>(now());
    return static_cast<int>(std::chrono::year_month_day{today}.year());
}

nlohmann::ordered_json summary_json(const policy_init::DraftSummary& s) {
    return {{"database_tables", s.database_tables},
            {"drafted_tables", s.drafted_tables},
            {"unlinked_tables", s.unlinked_tables},
            {"non_personal_tables", s.non_personal_tables},
            {"subject_table", s.subject_table},
            {"identities", s.identities},
            {"links", s.links},
            {"guessed_links", s.guessed_links},
            {"personal_columns", s.personal_columns},
            {"columns_from_values", s.columns_from_values},
            {"unreviewed_columns", s.unreviewed_columns},
            {"review_items", s.review_items}};
}

std::string summary_text(const std::string& path, const policy_init::DraftSummary& s) {
    return "Drafted " + path + " from " + std::to_string(s.database_tables) + " tables: " +
           std::to_string(s.drafted_tables) + " linked to the subject table " + s.subject_table + ", " +
           std::to_string(s.unlinked_tables) + " personal-looking but unlinked (commented out), " +
           std::to_string(s.non_personal_tables) + " non-personal.\n" + std::to_string(s.personal_columns) +
           " personal columns (" + std::to_string(s.columns_from_values) + " categorised from sampled values, " +
           std::to_string(s.unreviewed_columns) + " with no category yet), " + std::to_string(s.identities) +
           " identities, " + std::to_string(s.links) + " links (" + std::to_string(s.guessed_links) +
           " guessed from column names).\n" + std::to_string(s.review_items) +
           " REVIEW comments to work through; then run: dsr policy check --policy " + path + "\n";
}

}  // namespace

void setup_policy_init(CLI::App& policy_command, PolicyInitOptions& options) {
    auto* cmd = policy_command.add_subcommand("init", "Draft a policy from a live database schema");
    cmd->footer(
        "Draft a policy from a live database schema: tables, keys, links from declared\n"
        "foreign keys (or column names), identities, and each column's category guessed\n"
        "from its name and from a sample of its values. Sampled values are never written\n"
        "anywhere. Every guess carries a '# REVIEW:' comment; purposes and retention are\n"
        "left for you to decide. Without --output the YAML goes to standard output and no\n"
        "report is printed; with --output the report goes to standard output.\n\n"
        "Examples:\n"
        "  dsr policy init --db demo/shop.db > draft.yaml\n"
        "  dsr policy init --db 'postgresql://dsr@db.internal/shop' --output policies/shop.yaml --format json");
    add_database_option(*cmd, options.db, options.verbose, "Database to draft from")->required();
    cmd->add_option("--sample-rows", options.sample_rows,
                    "Non-null values read per column to guess its category (0: names only)")
        ->default_val(200)
        ->check(CLI::Range(0, 100000))
        ->group("Input");
    cmd->add_option("--busy-timeout", options.busy_timeout_ms, "Milliseconds to wait for a locked database")
        ->default_val(5000)
        ->check(CLI::Range(0, 3600000))
        ->group("Input");
    add_statement_timeout_option(*cmd, options.statement_timeout_ms);
    cmd->add_option("--output", options.output, "Write the draft to this file (mode 0644) instead of standard output")
        ->group("Output");
    cmd->add_flag("--force", options.force, "Replace an existing --output file")->group("Output");
    add_format_option(*cmd, options.format);
}

ExitStatus run_policy_init(const PolicyInitOptions& options) {
    report::Envelope envelope;
    envelope.command = "policy init";
    envelope.policy_path = options.output.value_or("");
    try {
        if (options.force && !options.output) throw Error(ExitStatus::usage, "--force replaces an --output file; give --output");
        // Refused before the database is read; AtomicFile checks again at commit.
        std::error_code ec;
        if (options.output && fs::is_directory(*options.output, ec))
            throw Error(ExitStatus::io, *options.output + ": is a directory; name a file");
        if (options.output && !options.force && fs::exists(fs::symlink_status(*options.output, ec)))
            throw Error(ExitStatus::io, *options.output + ": refusing to overwrite an existing file without --force");

        auto db = db::open_database(options.db,
                                    {.read_only = true,
                                     .busy_timeout = std::chrono::milliseconds(options.busy_timeout_ms),
                                     .statement_timeout = std::chrono::milliseconds(options.statement_timeout_ms),
                                     .kill_after_statements = {},
                                     .on_statement = statement_printer(options.verbose)});
        const auto& schema = db->schema();
        auto evidence = policy_init::sample_values(*db, schema, current_year(),
                                                   static_cast<std::size_t>(options.sample_rows));
        auto draft = policy_init::draft_policy(schema, evidence, database_url(options));

        if (!options.output) {
            // Standard output carries the YAML alone, so it can be redirected into a file.
            std::cout << draft.yaml;
            std::cout.flush();
            return ExitStatus::ok;
        }
        // No personal data in it (no sampled value is written): readable like any config file.
        write_file_atomically(*options.output, draft.yaml, 0644, options.force);
        envelope.policy_sha256 = sha256_hex(draft.yaml);
        envelope.status = "ok";
        auto json = report::envelope_json(envelope);
        // Nested, as breach's are: `summary` and `output` have other commands' shapes.
        auto draft_json = summary_json(draft.summary);
        draft_json["path"] = *options.output;
        draft_json["bytes"] = draft.yaml.size();
        draft_json["backend"] = db->backend();
        json["draft"] = std::move(draft_json);
        print_report(options.format, json, summary_text(*options.output, draft.summary));
        return ExitStatus::ok;
    } catch (const Error& e) {
        // Without --output, standard output is the YAML's: a failure leaves
        // it empty, unless a report was asked for by name.
        if (options.output || options.format == Format::json) return report_failure(options.format, envelope, e);
        print_error(e.what());
        return e.status();
    }
}

}  // namespace dsr::cli
