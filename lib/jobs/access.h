#pragma once
// `dsr access`: everything held about one subject (GDPR Art. 15, CCPA right
// to know, PIPL Art. 45), read with one set-based statement per table. The
// same statement brings each row's retention and hold timestamps, and, under
// a CCPA look-back, keeps only rows of the last 12 months.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "graph/subject_rows.h"
#include "policy/model.h"
#include "util/civil_date.h"

namespace dsr::jobs {

struct AccessTable {
    const policy::Table* table = nullptr;
    std::vector<std::string> columns;  ///< the key, then the personal columns
    /// Per column: its category says `disclose: false`. Such a column's value
    /// is never read; its place in `rows` holds 1 when a value is held and
    /// NULL when none is.
    std::vector<bool> withheld;
    std::vector<std::vector<db::Value>> rows;
    /// Per row, when the table has a retention rule: the row's timestamp plus
    /// the rule's `keep`; nullopt when the timestamp is empty or unreadable.
    std::vector<std::optional<CivilDate>> retention_ends;
    /// Per row, when the table's erasure has a hold: when the hold ends.
    std::vector<std::optional<CivilDate>> hold_ends;
};

/// The CCPA's 12-month look-back as applied to one report.
struct LookBack {
    int months = 12;
    CivilDate since;  ///< rows from this day (00:00 UTC) on are reported
    /// Tables with no retention timestamp, whose rows are all reported.
    std::vector<std::string> tables_without_timestamp;
};

struct AccessSettings {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
    /// `--all-time`: lifts the CCPA look-back (other regimes have none).
    bool all_time = false;
};

struct AccessResult {
    std::vector<AccessTable> tables;  ///< policy order; tables with no rows included
    std::size_t total_rows = 0;
    CivilDate today;                  ///< UTC date of AccessSettings::now
    std::optional<LookBack> look_back;  ///< set when a look-back limited the rows
};

/// The look-back a report under `regime` gets, if any: 12 months for the
/// CCPA (Cal. Civ. Code § 1798.130(a)(2)(B)) unless `all_time`; none for the
/// GDPR and PIPL, which cover everything held.
std::optional<LookBack> look_back_for(const policy::Policy& policy, const std::string& database_name,
                                      const AccessSettings& settings);

/// Reads the subject's rows from every table of the policy that lives in `database_name`.
AccessResult read_subject_data(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                               const graph::SubjectMatch& match, const AccessSettings& settings = {});

}  // namespace dsr::jobs
