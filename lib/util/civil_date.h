#pragma once
// Calendar dates written YYYY-MM-DD and IANA time-zone names: read by the
// policy loader (holidays, controller timezone) and by the request ledger.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dsr {

using CivilDate = std::chrono::year_month_day;

/// `YYYY-MM-DD`, a real calendar date, or nullopt.
std::optional<CivilDate> parse_date(std::string_view text);
std::string format_date(CivilDate date);
/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ` as Unix seconds, or nullopt.
std::optional<std::int64_t> parse_utc_time(std::string_view text);

/// True if `zone` is UTC or a zone of the system's database (/usr/share/zoneinfo).
bool is_known_time_zone(const std::string& zone);

}  // namespace dsr
