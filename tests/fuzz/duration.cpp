// Fuzzes the parsers of time in a policy and on the command line, and the
// arithmetic that turns a period into dates: policy::parse_duration (`keep:
// 10y`, `--older-than 24m`), parse_date and parse_utc_time (holidays,
// ISO-8601 timestamps), is_known_time_zone (the controller's timezone), and
// date_after / expiry_cutoff / months_before (policy/periods.h), which
// access, erasure and purge must agree on.
//
// Input: one byte N, then N bytes of duration text; 8 bytes of a Unix time
// and 3 of a day (both folded into the years 1 to 9999); 2 bytes of a month
// count; the rest is a date, a timestamp or a zone name.
//
// Checked beyond "no crash, no undefined behaviour":
//  - a parsed duration is what was written: its count and unit print back
//    to the same text;
//  - the promise of expiry_cutoff: for any time t, date_after(t, keep) is
//    on or before today exactly when t is earlier than the cutoff (tried at
//    the input's t and on both sides of the cutoff);
//  - months_before(today, m) is not after today;
//  - a parsed date or timestamp prints back to the same text;
//  - a zone name accepted is a zone file (TZif), not any file beside them:
//    glibc falls back to UTC without a word on one it cannot read.

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "fuzz_support.h"
#include "policy/loader.h"
#include "policy/periods.h"
#include "util/civil_date.h"

namespace {

using namespace dsr;
using namespace std::chrono;

constexpr std::int64_t earliest_unix = -62135596800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t latest_unix = 253402300799;    // 9999-12-31T23:59:59Z

std::int64_t fold(std::uint64_t raw, std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(raw % static_cast<std::uint64_t>(high - low + 1));
}

std::string unit_letter(policy::Duration::Unit unit) {
    switch (unit) {
        case policy::Duration::Unit::hours: return "h";
        case policy::Duration::Unit::days: return "d";
        case policy::Duration::Unit::months: return "m";
        case policy::Duration::Unit::years: return "y";
    }
    return "?";
}

void check_cutoff(CivilDate today, const policy::Duration& keep, std::int64_t t) {
    const auto cutoff = policy::expiry_cutoff(today, keep);
    for (std::int64_t probe : {t, cutoff - 86401, cutoff - 1, cutoff, cutoff + 1, cutoff + 86400}) {
        if (probe < earliest_unix || probe > latest_unix) continue;
        auto end = policy::date_after(probe, keep);
        bool ended = end && *end <= today;
        if (ended != (probe < cutoff)) {
            char message[256];
            std::snprintf(message, sizeof message, "keep %s, today %s, t %lld, cutoff %lld: date_after says %s",
                          keep.text.c_str(), format_date(today).c_str(), static_cast<long long>(probe),
                          static_cast<long long>(cutoff), ended ? "ended" : "not ended");
            fuzz::fail(__FILE__, __LINE__, "ended == (t < cutoff)", message);
        }
    }
}

std::string utc_text(std::int64_t unix_seconds) {
    sys_seconds t{seconds{unix_seconds}};
    auto day = floor<days>(t);
    hh_mm_ss time{t - day};
    char text[32];
    std::snprintf(text, sizeof text, "%sT%02d:%02d:%02dZ", format_date(CivilDate{day}).c_str(),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return text;
}

void check_time_text(const std::string& text) {
    if (auto date = parse_date(text)) {
        FUZZ_CHECK(date->ok(), "parse_date accepted an impossible date");
        FUZZ_CHECK(format_date(*date) == text, "a date that does not print back: " + text);
    }
    if (auto t = parse_utc_time(text)) {
        if (auto date = parse_date(text))
            FUZZ_CHECK(*t == sys_days(*date).time_since_epoch() / seconds(1), "a date's midnight is not its time");
        else
            FUZZ_CHECK(utc_text(*t) == text, "a timestamp that does not print back: " + text);
    }
}

void check_zone(const std::string& zone) {
    if (!is_known_time_zone(zone) || zone == "UTC") return;
    std::ifstream file("/usr/share/zoneinfo/" + zone, std::ios::binary);
    char magic[4] = {};
    file.read(magic, 4);
    FUZZ_CHECK(std::string_view(magic, 4) == "TZif", "accepted as a time zone, but not a zone file: " + zone);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    std::string text(in.text(24));
    const std::int64_t t = fold(in.u64(), earliest_unix, latest_unix);
    const auto first_day = sys_days(CivilDate{year{1}, January, day{1}}).time_since_epoch().count();
    const auto last_day = sys_days(CivilDate{year{9999}, December, day{31}}).time_since_epoch().count();
    std::uint64_t raw_day = (std::uint64_t{in.byte()} << 16) | (std::uint64_t{in.byte()} << 8) | in.byte();
    const CivilDate today{sys_days{days{fold(raw_day, first_day, last_day)}}};
    const int months = static_cast<int>(in.below_or(0xffff));
    std::string rest(in.rest());

    if (auto keep = policy::parse_duration(text)) {
        FUZZ_CHECK(keep->count >= 1 && keep->count <= 999999, "a duration count out of range: " + text);
        FUZZ_CHECK(keep->text == text, "a duration that does not keep its text");
        FUZZ_CHECK(std::to_string(keep->count) + unit_letter(keep->unit) == text, "a duration that does not print back: " + text);
        check_cutoff(today, *keep, t);
    }
    FUZZ_CHECK(policy::months_before(today, months) <= today, "months_before lands after today");
    check_time_text(text);
    check_time_text(rest);
    check_zone(rest);
    return 0;
}
