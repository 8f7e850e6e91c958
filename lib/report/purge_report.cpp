#include "report/purge_report.h"

#include <chrono>
#include <cstdio>
#include <sstream>

namespace dsr::report {

namespace {

double milliseconds(std::chrono::microseconds us) { return static_cast<double>(us.count()) / 1000.0; }

std::string iso_of(std::int64_t unix_seconds) {
    return utc_iso8601(std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds)));
}

std::string fixed(double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return text;
}

nlohmann::ordered_json table_counts_json(const std::string& database, const jobs::TablePurge& t) {
    nlohmann::ordered_json kept_for = nlohmann::ordered_json::object();
    for (const auto& [table, rows] : t.kept_for) kept_for[table] = rows;
    return {{"database", database},
            {"table", t.table->name},
            {"examined", t.examined},
            {"deleted", t.deleted},
            {"masked", t.masked},
            {"already_masked", t.already_masked},
            {"kept_under_hold", t.held},
            {"kept_as_parent", t.kept_as_parent},
            {"kept_for", kept_for},
            {"batches", t.batches},
            {"longest_lock_ms", milliseconds(t.longest_lock)},
            {"elapsed_ms", t.elapsed.count()},
            {"resumed", t.resumed},
            {"finished_earlier", t.finished_earlier},
            {"complete", t.complete},
            {"expired_before", iso_of(t.expired_before)}};
}

}  // namespace

nlohmann::ordered_json purge_tables_json(const std::vector<PurgedDatabase>& databases) {
    nlohmann::ordered_json tables = nlohmann::ordered_json::array();
    for (const auto& d : databases)
        for (const auto& t : d.outcome->tables) tables.push_back(table_counts_json(d.name, t));
    return tables;
}

nlohmann::ordered_json purge_json(const Envelope& envelope, const PurgeRun& run) {
    auto json = envelope_json(envelope);
    json["as_of"] = run.as_of;
    json["batch_size"] = run.batch_size;
    bool complete = true;
    std::size_t examined = 0, deleted = 0, masked = 0, already_masked = 0, held = 0, parents = 0, batches = 0;
    std::chrono::microseconds longest{0};
    for (const auto& d : run.databases) {
        complete = complete && d.outcome->complete;
        for (const auto& t : d.outcome->tables) {
            examined += t.examined;
            deleted += t.deleted;
            masked += t.masked;
            already_masked += t.already_masked;
            held += t.held;
            parents += t.kept_as_parent;
            batches += t.batches;
            longest = std::max(longest, t.longest_lock);
        }
    }
    json["complete"] = complete && run.stopped_by.empty() && envelope.status != "error";
    json["stopped_by"] = run.stopped_by.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(run.stopped_by);
    json["totals"] = {{"examined", examined},
                      {"deleted", deleted},
                      {"masked", masked},
                      {"already_masked", already_masked},
                      {"kept_under_hold", held},
                      {"kept_as_parent", parents},
                      {"batches", batches},
                      {"longest_lock_ms", milliseconds(longest)}};
    json["tables"] = purge_tables_json(run.databases);
    nlohmann::ordered_json residue = nlohmann::ordered_json::array();
    for (const auto& d : run.databases)
        if (!d.outcome->residue_problem.empty())
            residue.push_back({{"database", d.name}, {"problem", d.outcome->residue_problem}});
    json["residue_problems"] = residue;
    nlohmann::ordered_json audit = nlohmann::ordered_json::object();
    if (run.intent_seq) audit["intent_seq"] = *run.intent_seq;
    if (run.done_seq) audit["done_seq"] = *run.done_seq;
    json["audit"] = audit;
    return json;
}

std::string purge_text(const PurgeRun& run, bool dry_run) {
    std::ostringstream out;
    out << (dry_run ? "Dry run: nothing was changed. Retention as of " : "Retention enforced as of ") << run.as_of
        << " (UTC):\n";
    char line[256];
    std::snprintf(line, sizeof line, "  %-22s %10s %10s %10s %10s %10s %9s\n", "table", "expired", "deleted", "masked",
                  "held", "parents", "lock ms");
    out << line;
    bool complete = true;
    for (const auto& d : run.databases) {
        complete = complete && d.outcome->complete;
        for (const auto& t : d.outcome->tables) {
            std::snprintf(line, sizeof line, "  %-22s %10zu %10zu %10zu %10zu %10zu %9s%s\n", t.table->name.c_str(),
                          t.examined, t.deleted, t.masked, t.held, t.kept_as_parent,
                          fixed(milliseconds(t.longest_lock), 1).c_str(), t.complete ? "" : "  (not finished)");
            out << line;
            for (const auto& [table, rows] : t.kept_for)
                out << "    " << rows << " kept because rows of " << table << " still refer to them\n";
        }
        if (!d.outcome->residue_problem.empty()) out << "  " << d.name << ": " << d.outcome->residue_problem << "\n";
    }
    if (!complete)
        out << "Stopped by " << (run.stopped_by == "signal" ? "a signal" : "--max-duration")
            << " with work left: the next run continues where this one stopped.\n";
    return out.str();
}

}  // namespace dsr::report
