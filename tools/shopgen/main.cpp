// dsr-shopgen: writes the demo database of a made-to-measure clothing shop.
// This file only parses options, reports progress and maps errors to exit
// codes; generator.cpp decides what the shop contains.

#include <SQLiteCpp/Database.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include "cli/progress.h"
#include "civil_time.h"
#include "generator.h"
#include "ground_truth.h"
#include "output_file.h"
#include "postgresql_writer.h"
#include "sqlite_writer.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char* kDescription =
    "Write a realistic SQLite or PostgreSQL database of a made-to-measure\n"
    "clothing web shop (customers, addresses, body measurements, orders,\n"
    "payments, shipments, returns, support tickets, loyalty points, newsletter\n"
    "events, web sessions) to use as demo data and for benchmarks of dsr.\n"
    "\n"
    "Everything personal is invented: e-mail addresses use example.* domains,\n"
    "streets are made up, IP addresses come from the documentation ranges and\n"
    "payment cards appear only as processor tokens and last four digits.";

constexpr const char* kFooter =
    "The output is byte-for-byte identical for the same --customers, --seed and\n"
    "--now. Timestamps cover the twelve years before --now (midnight UTC), so\n"
    "there are rows older than ten years and rows from the last 90 days.\n"
    "About 15 rows are written per customer; a million customers take about a\n"
    "minute (optimised build) and 1.8 GB.\n"
    "\n"
    "--heavy-subject-rows N adds one more registered customer, id --customers + 1,\n"
    "with exactly N personal rows in all (N >= 1: their account, a shipping\n"
    "address, then orders with their lines, payments, shipments, returns and\n"
    "loyalty points, and web sessions, about half and half, spread over the\n"
    "twelve years): one subject with a very large history, to benchmark\n"
    "`dsr export` and `dsr access` on. It is written after every other row, from\n"
    "a random stream of its own, so the rest of the shop is the same as without\n"
    "the option; --ground-truth-customers may name it. 1,000,000 rows take a few\n"
    "seconds and about 150 MB.\n"
    "\n"
    "A SQLite shop is built under a temporary name in the directory of --out\n"
    "and renamed when complete; an interrupted run leaves --out untouched.\n"
    "\n"
    "--out may instead name an existing PostgreSQL database, as a URI or as\n"
    "libpq keywords (anything starting with \"keyword=\"; write ./a=b.db for\n"
    "such a file):\n"
    "  dsr-shopgen --customers 1000 --out postgresql://shop@db.example/shop\n"
    "  dsr-shopgen --customers 1000 --out 'host=/run/postgresql dbname=shop'\n"
    "The same rows are loaded with COPY into tables of the same names, with\n"
    "native types (timestamptz, date, boolean, numeric) except the Unix-time\n"
    "columns, in one transaction: an interrupted run leaves the database as it\n"
    "was. Existing shop tables are dropped (CASCADE) only with --force.\n"
    "\n"
    "--ground-truth FILE --ground-truth-customers 1,17,250 also writes, for\n"
    "each listed customer, the keys of every row the generator wrote for them,\n"
    "table by table, noted as it wrote them: their account, addresses,\n"
    "measurements, orders with items, payments, shipments and returns (guest\n"
    "orders placed under the same e-mail before they registered included),\n"
    "tickets, loyalty points, newsletter events and sessions. Tests compare\n"
    "`dsr access` with it. The JSON is\n"
    "  {\"subjects\":[{\"customer_id\":1,\"email\":\"...\",\"tables\":{\"customers\":[1],...}}]}\n"
    "with every personal table present, empty or not. FILE gets mode 0600 (it\n"
    "holds e-mail addresses) and is written after --out; the shop is the same\n"
    "byte for byte with or without it, and the file the same for SQLite and\n"
    "PostgreSQL.\n"
    "\n"
    "--canary MARKER puts MARKER (1 to 32 lowercase letters and digits), then a\n"
    "space, in front of every first and last name, recipient name, street line\n"
    "and city, and MARKER and a dot in front of the local part of every e-mail\n"
    "address (so a person's addresses still match one another). Phone numbers,\n"
    "postcodes and country codes are left as they are. Nothing else changes:\n"
    "the same rows, keys and timestamps, for SQLite and PostgreSQL alike. Tests\n"
    "search everything dsr writes for MARKER, which only the outputs meant to\n"
    "show personal data (access reports, exports) may contain.\n"
    "\n"
    "Exit status: 0 success, 1 generation failed (I/O, SQLite or PostgreSQL\n"
    "error), 2 usage error (bad option, or --out, its shop tables or\n"
    "--ground-truth exist without --force).";

int fail(int code, const std::string& message) {
    std::cerr << "dsr-shopgen: error: " << message << "\n";
    return code;
}

// Checked before generating, so a mistake costs no time; the file itself is
// written after the shop, from what generating it noted.
shopgen::GroundTruth ground_truth_for(const std::string& ids, std::int64_t customers, const std::string& path,
                                      const std::string& out, bool force) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw shopgen::UsageError("--ground-truth: " + path + " is a directory");
    if (path == out) throw shopgen::UsageError("--ground-truth must differ from --out");
    if (!force && ::lstat(path.c_str(), &st) == 0)
        throw shopgen::UsageError(path + " already exists (use --force to replace it)");
    if (customers == 0) throw shopgen::UsageError("--ground-truth-customers: the shop has no customers");
    return shopgen::GroundTruth(shopgen::parse_customer_list(ids, customers));
}

}  // namespace

int main(int argc, char** argv) {
    // --help (over 4 KiB) leaves in one write: `dsr-shopgen --help | grep -q`
    // must not kill it with SIGPIPE between two pipe-buffer-sized writes.
    // (glibc ignores the size unless given the buffer)
    static char stdout_buffer[1 << 16];
    std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    CLI::App app{kDescription, "dsr-shopgen"};
    app.footer(kFooter);

    shopgen::GeneratorOptions options;
    std::string now_text;
    std::string out;
    bool force = false;
    app.add_option("--customers", options.customers, "Number of registered customers")
        ->check(CLI::Range(std::int64_t{0}, shopgen::kMaxCustomers))
        ->capture_default_str();
    // Parsed by hand below: CLI11's conversion (strtoull) quietly turns "-1"
    // into 2^64-1 and saturates on overflow.
    std::string seed_text = "1";
    app.add_option("--seed", seed_text, "Seed of the pseudo-random generator, 0 to 2^64-1")
        ->type_name("UINT")
        ->capture_default_str();
    app.add_option("--out", out, "SQLite file to write, or PostgreSQL database (URI or 'host=... dbname=...')")
        ->type_name("FILE|DB")
        ->required();
    app.add_option("--now", now_text, "Reference date YYYY-MM-DD (UTC); default: today");
    app.add_flag("--force", force, "Replace --out (or its shop tables) and --ground-truth if they exist");
    std::string truth_path;
    std::string truth_ids;
    auto* truth_opt = app.add_option("--ground-truth", truth_path,
                                     "Also write the keys of the listed customers' rows as JSON")
                          ->type_name("FILE");
    auto* truth_ids_opt = app.add_option("--ground-truth-customers", truth_ids,
                                         "Customer ids for --ground-truth, comma-separated: 1,17,250")
                              ->type_name("IDS");
    app.add_option("--heavy-subject-rows", options.heavy_subject_rows,
                   "Add customer --customers + 1 with N personal rows in all")
        ->type_name("N")
        ->check(CLI::Range(std::int64_t{1}, shopgen::kMaxHeavySubjectRows));
    app.add_option("--canary", options.canary,
                   "Put MARKER in every name, e-mail address, street line and city (for leak tests)")
        ->type_name("MARKER")
        ->check(
            [](const std::string& marker) -> std::string {
                const bool plain = !marker.empty() && marker.size() <= 32 &&
                                   marker.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789") == std::string::npos;
                return plain ? "" : "expected 1 to 32 lowercase letters and digits, got '" + marker + "'";
            },
            "MARKER");
    std::string progress_option = "auto";
    bool quiet = false;
    app.add_option("--progress", progress_option,
                   "Progress on stderr: auto (when a terminal), always or never; --quiet wins")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->capture_default_str();
    app.add_flag("-q,--quiet", quiet, "No progress on stderr, only errors");
    truth_opt->needs(truth_ids_opt);
    truth_ids_opt->needs(truth_opt);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help
        return fail(kExitUsage, std::string(e.what()) + " (see --help)");
    }

    const char* seed_end = seed_text.data() + seed_text.size();
    const auto [seed_ptr, seed_error] = std::from_chars(seed_text.data(), seed_end, options.seed);
    if (seed_text.empty() || seed_error != std::errc{} || seed_ptr != seed_end)
        return fail(kExitUsage,
                    "--seed: expected an integer from 0 to 18446744073709551615, got '" + seed_text + "'");

    if (now_text.empty()) {
        options.now = static_cast<std::int64_t>(std::time(nullptr)) / shopgen::kDay * shopgen::kDay;
    } else {
        const auto parsed = shopgen::parse_iso_date(now_text);
        if (!parsed) return fail(kExitUsage, "--now: expected a date YYYY-MM-DD, got '" + now_text + "'");
        // Unix-second columns and 12 years of history must stay after 1970.
        if (*parsed < shopgen::days_from_civil(1990, 1, 1) * shopgen::kDay)
            return fail(kExitUsage, "--now: must be 1990-01-01 or later");
        options.now = *parsed;
    }

    // Phone numbers stay unique only for ids up to kMaxCustomers.
    if (shopgen::heavy_subject_id(options) > shopgen::kMaxCustomers)
        return fail(kExitUsage, "--heavy-subject-rows: the heavy subject would be customer " +
                                    std::to_string(shopgen::heavy_subject_id(options)) + ", over the " +
                                    std::to_string(shopgen::kMaxCustomers) + " customers a shop can have");

    std::optional<shopgen::GroundTruth> truth;
    try {
        // The heavy subject, whose id comes last, may be listed too.
        const std::int64_t all_customers = options.customers + (shopgen::heavy_subject_id(options) ? 1 : 0);
        if (!truth_path.empty())
            truth = ground_truth_for(truth_ids, all_customers, truth_path, out, force);
    } catch (const shopgen::UsageError& e) {
        return fail(kExitUsage, e.what());
    }

    dsr::cli::ProgressLine progress(dsr::cli::progress_wanted(progress_option, quiet));
    const auto generate = [&](shopgen::ShopWriter& writer) {
        shopgen::generate_shop(
            options, writer,
            [&](std::int64_t done, std::int64_t total) {
                progress.update({.what = "dsr-shopgen",
                                 .done = static_cast<std::size_t>(done),
                                 .total = static_cast<std::size_t>(total),
                                 .fraction = std::nullopt,
                                 .unit = "customers written",
                                 .detail = ""});
            },
            truth ? &*truth : nullptr);
        writer.finish([&](const std::string& what) { progress.note("dsr-shopgen: " + what); });
    };
    const auto started = std::chrono::steady_clock::now();
    try {
        if (shopgen::is_postgresql_target(out)) {
            shopgen::PostgresqlWriter writer(out, force);
            generate(writer);
        } else {
            shopgen::OutputFile file(out, force);
            {
                SQLite::Database db(file.temp_path(), SQLite::OPEN_READWRITE);
                shopgen::SqliteWriter writer(db);
                generate(writer);
            }
            progress.note("dsr-shopgen: renaming into place");
            file.commit();
        }
        if (truth) shopgen::write_private_file(truth_path, truth->json(), force);
        const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
        progress.end("dsr-shopgen: wrote " + dsr::cli::thousands(static_cast<std::size_t>(options.customers)) +
                     " customers in " + std::to_string(seconds.count()) + " s");
    } catch (const shopgen::UsageError& e) {
        progress.abandon();
        return fail(kExitUsage, e.what());
    } catch (const std::exception& e) {
        progress.abandon();
        return fail(kExitFailure, e.what());
    }
    return 0;
}
