#include "policy/periods.h"

#include <algorithm>

namespace dsr::policy {

namespace {

using namespace std::chrono;

// Unix times from 0001-01-01 to 9999-12-31 23:59:59: the dates a report can write.
constexpr std::int64_t earliest_unix = -62135596800;
constexpr std::int64_t latest_unix = 253402300799;

std::optional<CivilDate> add_months(CivilDate date, std::int64_t months) {
    std::int64_t total = static_cast<std::int64_t>(static_cast<int>(date.year())) * 12 +
                         (static_cast<unsigned>(date.month()) - 1) + months;
    std::int64_t y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    if (y < 1 || y > 9999) return std::nullopt;
    auto m = static_cast<unsigned>(total - y * 12 + 1);
    year_month_day_last last{year{static_cast<int>(y)}, month_day_last{month{m}}};
    return CivilDate{last.year(), last.month(), std::min(date.day(), last.day())};
}

std::optional<CivilDate> date_of(sys_seconds t) {
    auto s = t.time_since_epoch().count();
    if (s < earliest_unix || s > latest_unix) return std::nullopt;
    return CivilDate{floor<days>(t)};
}

std::int64_t unix_of(sys_days day) { return duration_cast<seconds>(day.time_since_epoch()).count(); }

std::int64_t months_of(const Duration& keep) {
    return keep.unit == Duration::Unit::years ? keep.count * 12 : keep.count;
}

}  // namespace

std::optional<CivilDate> date_after(std::int64_t unix_seconds, const Duration& keep) {
    if (unix_seconds < earliest_unix || unix_seconds > latest_unix) return std::nullopt;
    sys_seconds t{seconds{unix_seconds}};
    switch (keep.unit) {
        case Duration::Unit::hours: return date_of(t + hours{keep.count});
        case Duration::Unit::days: return date_of(sys_seconds(floor<days>(t) + days{keep.count}));
        case Duration::Unit::months: return add_months(*date_of(t), keep.count);
        case Duration::Unit::years: return add_months(*date_of(t), keep.count * 12);
    }
    return std::nullopt;
}

CivilDate months_before(CivilDate today, int months) {
    return add_months(today, -months).value_or(CivilDate{year{1}, January, day{1}});
}

std::int64_t expiry_cutoff(CivilDate today, const Duration& keep) {
    const sys_days tomorrow = sys_days(today) + days{1};
    switch (keep.unit) {
        case Duration::Unit::hours:
            // date(t + h) <= today  <=>  t + h < tomorrow
            return unix_of(tomorrow) - keep.count * 3600;
        case Duration::Unit::days:
            // date(t) + d <= today  <=>  date(t) < tomorrow - d
            return unix_of(tomorrow - days{keep.count});
        case Duration::Unit::months:
        case Duration::Unit::years: {
            // Adding months (clamped) never moves a later date before an
            // earlier one, so the dates whose period has ended are all dates
            // up to a last one. Start from today minus the months and step to
            // it: clamping moves the answer by at most three days.
            auto ended = [&](sys_days d) {
                auto end = add_months(CivilDate{d}, months_of(keep));
                return end && *end <= today;
            };
            sys_days last = sys_days(add_months(today, -months_of(keep)).value_or(CivilDate{year{1}, January, day{1}}));
            while (!ended(last) && last > sys_days(CivilDate{year{1}, January, day{1}})) last -= days{1};
            while (ended(last + days{1})) last += days{1};
            if (!ended(last)) return unix_of(last);  // nothing has ended yet
            return unix_of(last + days{1});
        }
    }
    return 0;
}

}  // namespace dsr::policy
