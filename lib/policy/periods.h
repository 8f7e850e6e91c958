#pragma once
// What a policy's periods (`keep: 10y` of a retention rule or a hold) mean
// in time. One definition serves the access report (the date a row's
// retention ends), erasure (whether a hold still runs) and purge (which rows
// have expired), so the three can never disagree about a row.

#include <chrono>
#include <cstdint>
#include <optional>

#include "policy/model.h"
#include "util/civil_date.h"

namespace dsr::policy {

/// The date `keep` after a Unix time (UTC): months and years land on the same
/// day of the month, clamped to the month's end (31 Jan + 1m = 28/29 Feb).
/// nullopt past the year 9999. A period has ended on and after this date.
std::optional<CivilDate> date_after(std::int64_t unix_seconds, const Duration& keep);

/// The first day of the `months` months before `today` (clamped like date_after).
CivilDate months_before(CivilDate today, int months);

/// The instant (Unix seconds) before which every period of `keep` has ended
/// by `today`: for any t, date_after(t, keep) <= today exactly when t is
/// earlier than the result. Purge compares stored timestamps with it in SQL,
/// so the database selects expired rows by an index range, not row by row.
std::int64_t expiry_cutoff(CivilDate today, const Duration& keep);

}  // namespace dsr::policy
