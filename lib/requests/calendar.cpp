#include "requests/calendar.h"

#include <cstdlib>
#include <ctime>
#include <mutex>

#include "util/error.h"

namespace dsr::requests {

using namespace std::chrono;

Date add_days(Date date, int days) { return Date{sys_days{date} + std::chrono::days{days}}; }

Date add_months_clamped(Date date, int months) {
    year_month ym = year_month{date.year(), date.month()} + std::chrono::months{months};
    auto last = year_month_day_last{ym.year(), month_day_last{ym.month()}}.day();
    return Date{ym.year(), ym.month(), std::min(date.day(), last)};
}

Date add_business_days(Date date, int count, const std::set<std::string>& holidays) {
    Date d = date;
    while (count > 0) {
        d = add_days(d, 1);
        weekday wd{sys_days{d}};
        if (wd == Saturday || wd == Sunday || holidays.count(format_date(d))) continue;
        --count;
    }
    return d;
}

int days_between(Date from, Date to) { return static_cast<int>((sys_days{to} - sys_days{from}).count()); }

Date local_date(system_clock::time_point t, const std::string& zone) {
    // glibc falls back to UTC silently for an unknown zone; a deadline a day
    // off is worse than an error, so the zone must exist.
    if (!is_known_time_zone(zone))
        throw Error(ExitStatus::usage, "unknown time zone '" + zone + "' (controller timezone; see /usr/share/zoneinfo)");
    // localtime_r reads the zone from TZ, which is process-wide: set it, convert, restore.
    static std::mutex tz_mutex;
    std::lock_guard lock(tz_mutex);
    const char* old = std::getenv("TZ");
    std::string saved = old ? old : "";
    setenv("TZ", zone.c_str(), 1);
    tzset();
    std::time_t seconds = system_clock::to_time_t(t);
    std::tm parts{};
    localtime_r(&seconds, &parts);
    if (old) setenv("TZ", saved.c_str(), 1); else unsetenv("TZ");
    tzset();
    return Date{year{parts.tm_year + 1900}, month{static_cast<unsigned>(parts.tm_mon + 1)},
                day{static_cast<unsigned>(parts.tm_mday)}};
}

}  // namespace dsr::requests
