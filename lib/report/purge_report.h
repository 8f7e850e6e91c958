#pragma once
// The report of `dsr purge` (dsr-report(7)): per table, what retention
// removed, masked and left, with the longest write lock a batch held.
// Counts only, never values.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "jobs/purge.h"
#include "report/report.h"

namespace dsr::report {

/// One database's purge, for the report.
struct PurgedDatabase {
    std::string name;
    const jobs::PurgeOutcome* outcome = nullptr;
};

struct PurgeRun {
    std::string as_of;       ///< the UTC date retention is counted to
    std::size_t batch_size = 0;
    std::vector<PurgedDatabase> databases;
    std::string stopped_by;  ///< "max_duration", "signal", or empty
    std::optional<std::int64_t> intent_seq;  ///< the audit entries
    std::optional<std::int64_t> done_seq;
};

/// Every table's counts, with its database, as the report and the audit
/// entry both give them.
nlohmann::ordered_json purge_tables_json(const std::vector<PurgedDatabase>& databases);

nlohmann::ordered_json purge_json(const Envelope& envelope, const PurgeRun& run);
std::string purge_text(const PurgeRun& run, bool dry_run);

}  // namespace dsr::report
