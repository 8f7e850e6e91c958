// Tests for lib/policy/periods.h: the expiry cutoff purge compares in SQL
// agrees with date_after (what access reports and erasure holds use) for
// every day of several years, every unit, and the leap days between.

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "policy/loader.h"
#include "policy/periods.h"

namespace {

using namespace std::chrono;
using dsr::CivilDate;
using dsr::policy::Duration;

Duration keep(const char* text) {
    auto d = dsr::policy::parse_duration(text);
    REQUIRE(d);
    return *d;
}

std::int64_t unix_of(sys_days day) { return duration_cast<seconds>(day.time_since_epoch()).count(); }

}  // namespace

TEST_CASE("expiry_cutoff splits instants exactly where date_after passes today") {
    for (const char* text : {"1d", "90d", "36h", "1h", "1m", "18m", "1y", "3y", "10y"}) {
        Duration k = keep(text);
        for (sys_days today = sys_days(CivilDate{year{2027}, January, day{1}});
             today < sys_days(CivilDate{year{2030}, March, day{5}}); today += days{1}) {
            std::int64_t cutoff = dsr::policy::expiry_cutoff(CivilDate{today}, k);
            INFO(text, " on ", dsr::format_date(CivilDate{today}));
            auto before = dsr::policy::date_after(cutoff - 1, k);
            auto at = dsr::policy::date_after(cutoff, k);
            REQUIRE(before);
            REQUIRE(at);
            CHECK(*before <= CivilDate{today});  // the last second that has ended
            CHECK(*at > CivilDate{today});       // the first that has not
        }
    }
}

TEST_CASE("expiry_cutoff on leap days") {
    // Bought on 29 Feb 2024, kept a year: the year ends on 28 Feb 2025 (clamped).
    auto cutoff = dsr::policy::expiry_cutoff(CivilDate{year{2025}, February, day{28}}, keep("1y"));
    CHECK(cutoff == unix_of(sys_days(CivilDate{year{2024}, March, day{1}})));
    // The day before, neither 28 nor 29 Feb 2024 has ended.
    cutoff = dsr::policy::expiry_cutoff(CivilDate{year{2025}, February, day{27}}, keep("1y"));
    CHECK(cutoff == unix_of(sys_days(CivilDate{year{2024}, February, day{28}})));
    // Four years from a leap day land on a leap day.
    cutoff = dsr::policy::expiry_cutoff(CivilDate{year{2028}, February, day{29}}, keep("4y"));
    CHECK(cutoff == unix_of(sys_days(CivilDate{year{2024}, March, day{1}})));
}
