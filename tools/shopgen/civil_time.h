// UTC calendar arithmetic on Unix seconds.
//
// Written out by hand (Howard Hinnant's days_from_civil) instead of using
// gmtime/strftime so formatting is locale- and libc-independent, allocation
// free and fast enough to run tens of millions of times.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shopgen {

constexpr std::int64_t kDay = 86400;

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct CivilDate {
    std::int64_t year;
    unsigned month;
    unsigned day;
};

constexpr CivilDate civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

namespace detail {
inline char* put_digits(char* out, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
}  // namespace detail

// "YYYY-MM-DD" for the UTC day containing t.
inline std::string iso_date(std::int64_t t) {
    const CivilDate c = civil_from_days(detail::floor_div(t, kDay));
    char buf[10];
    char* p = detail::put_digits(buf, c.year, 4);
    *p++ = '-';
    p = detail::put_digits(p, c.month, 2);
    *p++ = '-';
    detail::put_digits(p, c.day, 2);
    return std::string(buf, sizeof buf);
}

// "YYYY-MM-DDTHH:MM:SSZ"
inline std::string iso_timestamp(std::int64_t t) {
    const std::int64_t days = detail::floor_div(t, kDay);
    const std::int64_t secs = t - days * kDay;
    const CivilDate c = civil_from_days(days);
    char buf[20];
    char* p = detail::put_digits(buf, c.year, 4);
    *p++ = '-';
    p = detail::put_digits(p, c.month, 2);
    *p++ = '-';
    p = detail::put_digits(p, c.day, 2);
    *p++ = 'T';
    p = detail::put_digits(p, secs / 3600, 2);
    *p++ = ':';
    p = detail::put_digits(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = detail::put_digits(p, secs % 60, 2);
    *p = 'Z';
    return std::string(buf, sizeof buf);
}

// Strict "YYYY-MM-DD" parser; returns the Unix seconds of that day's midnight UTC.
inline std::optional<std::int64_t> parse_iso_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    auto num = [&](std::size_t pos, std::size_t len) -> std::optional<unsigned> {
        unsigned v = 0;
        for (std::size_t i = pos; i < pos + len; ++i) {
            if (s[i] < '0' || s[i] > '9') return std::nullopt;
            v = v * 10 + static_cast<unsigned>(s[i] - '0');
        }
        return v;
    };
    const auto y = num(0, 4), m = num(5, 2), d = num(8, 2);
    if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
    static constexpr unsigned kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
    if (*d > kMonthDays[*m - 1] || (*m == 2 && *d == 29 && !leap)) return std::nullopt;
    return days_from_civil(*y, *m, *d) * kDay;
}

}  // namespace shopgen
