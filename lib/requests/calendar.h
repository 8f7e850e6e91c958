#pragma once
// Civil-date arithmetic for legal deadlines: calendar months clamped to the
// month's end, business days that skip weekends and holidays, and "today" in
// the controller's time zone.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "util/civil_date.h"

namespace dsr::requests {

using Date = CivilDate;
using dsr::format_date;
using dsr::parse_date;

Date add_days(Date date, int days);
/// Same day `months` later; a day the target month lacks becomes its last
/// day (Jan 31 + 1 month = Feb 28, or Feb 29 in a leap year).
Date add_months_clamped(Date date, int months);
/// The date `count` business days after `date` (Saturdays, Sundays and
/// `holidays`, written YYYY-MM-DD, do not count).
Date add_business_days(Date date, int count, const std::set<std::string>& holidays);
/// Whole days from `from` to `to` (negative when `to` is earlier).
int days_between(Date from, Date to);

/// The calendar date at instant `t` in IANA time zone `zone` (e.g.
/// Europe/Dublin). Throws dsr::Error(usage) for a zone the system lacks.
Date local_date(std::chrono::system_clock::time_point t, const std::string& zone);

}  // namespace dsr::requests
