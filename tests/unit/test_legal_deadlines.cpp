// Tests for lib/requests: calendar arithmetic and the per-regime deadlines,
// across month ends, leap years, weekends, holidays and time zones.

#include <doctest/doctest.h>

#include "requests/calendar.h"
#include "requests/deadlines.h"
#include "util/error.h"

namespace {

using namespace dsr::requests;
using dsr::policy::Regime;
using dsr::policy::RequestSettings;

Date d(const char* text) {
    auto parsed = parse_date(text);
    REQUIRE(parsed);
    return *parsed;
}

std::string due(Regime regime, RequestType type, const char* received, const RequestSettings& settings = {}) {
    return format_date(initial_deadline(regime, type, d(received), settings).due);
}

}  // namespace

TEST_CASE("parse_date") {
    CHECK(parse_date("2028-02-29"));
    CHECK_FALSE(parse_date("2026-02-29"));
    CHECK_FALSE(parse_date("2026-13-01"));
    CHECK_FALSE(parse_date("2026-1-01"));
    CHECK_FALSE(parse_date("yesterday"));
    CHECK(format_date(d("2026-03-07")) == "2026-03-07");
}

TEST_CASE("add_months_clamped") {
    CHECK(format_date(add_months_clamped(d("2026-01-31"), 1)) == "2026-02-28");
    CHECK(format_date(add_months_clamped(d("2028-01-31"), 1)) == "2028-02-29");
    CHECK(format_date(add_months_clamped(d("2026-12-31"), 1)) == "2027-01-31");
    CHECK(format_date(add_months_clamped(d("2026-03-31"), 1)) == "2026-04-30");
    CHECK(format_date(add_months_clamped(d("2026-02-28"), 2)) == "2026-04-28");
    CHECK(format_date(add_months_clamped(d("2026-03-31"), -1)) == "2026-02-28");
}

TEST_CASE("add_business_days") {
    // 2026-11-20 is a Friday.
    CHECK(format_date(add_business_days(d("2026-11-20"), 1, {})) == "2026-11-23");
    CHECK(format_date(add_business_days(d("2026-11-20"), 10, {})) == "2026-12-04");
    SUBCASE("holidays do not count") {
        std::set<std::string> holidays = {"2026-12-25", "2026-12-28"};
        // Thu 24 Dec + 2 business days: Fri 25 (holiday), Mon 28 (holiday), Tue 29, Wed 30.
        CHECK(format_date(add_business_days(d("2026-12-24"), 2, holidays)) == "2026-12-30");
    }
}

TEST_CASE("local_date") {
    using std::chrono::system_clock;
    // 2026-03-31T23:30:00Z
    auto t = system_clock::from_time_t(1774999800);
    CHECK(format_date(local_date(t, "UTC")) == "2026-03-31");
    CHECK(format_date(local_date(t, "Asia/Shanghai")) == "2026-04-01");
    CHECK(format_date(local_date(t, "America/Los_Angeles")) == "2026-03-31");
    CHECK_THROWS_AS(local_date(t, "Mars/Olympus_Mons"), dsr::Error);
    CHECK_THROWS_AS(local_date(t, "../../etc/passwd"), dsr::Error);
}

TEST_CASE("initial_deadline") {
    SUBCASE("GDPR: one calendar month, clamped to the month's end") {
        CHECK(due(Regime::gdpr, RequestType::erase, "2026-01-15") == "2026-02-15");
        CHECK(due(Regime::gdpr, RequestType::erase, "2026-01-31") == "2026-02-28");
        CHECK(due(Regime::gdpr, RequestType::access, "2028-01-31") == "2028-02-29");
        CHECK(due(Regime::gdpr, RequestType::access, "2026-12-31") == "2027-01-31");
    }
    SUBCASE("CCPA: 45 days, receipt confirmed within 10 business days") {
        auto deadline = initial_deadline(Regime::ccpa, RequestType::access, d("2026-11-20"), {});
        CHECK(format_date(deadline.due) == "2027-01-04");
        REQUIRE(deadline.confirm_by);
        CHECK(format_date(*deadline.confirm_by) == "2026-12-04");
    }
    SUBCASE("CCPA opt-out: 15 business days") {
        CHECK(due(Regime::ccpa, RequestType::optout, "2026-11-20") == "2026-12-11");
    }
    SUBCASE("PIPL: the policy's deadline") {
        RequestSettings business;
        business.deadline = dsr::policy::RequestDeadline{15, true, "15 business days"};
        CHECK(due(Regime::pipl, RequestType::access, "2026-11-20", business) == "2026-12-11");
        RequestSettings calendar;
        calendar.deadline = dsr::policy::RequestDeadline{30, false, "30 days"};
        CHECK(due(Regime::pipl, RequestType::access, "2026-11-20", calendar) == "2026-12-20");
    }
}

TEST_CASE("extended_deadline") {
    std::string refusal;
    SUBCASE("GDPR: two more months, only within the first month") {
        auto extended = extended_deadline(Regime::gdpr, d("2026-01-31"), d("2026-02-28"), d("2026-02-20"), refusal);
        REQUIRE(extended);
        CHECK(format_date(*extended) == "2026-04-28");
        CHECK_FALSE(extended_deadline(Regime::gdpr, d("2026-01-31"), d("2026-02-28"), d("2026-03-01"), refusal));
        CHECK(refusal.find("within one month") != std::string::npos);
    }
    SUBCASE("CCPA: 45 more days, 90 in all") {
        auto extended = extended_deadline(Regime::ccpa, d("2026-11-20"), d("2027-01-04"), d("2026-12-01"), refusal);
        REQUIRE(extended);
        CHECK(days_between(d("2026-11-20"), *extended) == 90);
        CHECK_FALSE(extended_deadline(Regime::ccpa, d("2026-11-20"), d("2027-01-04"), d("2027-01-05"), refusal));
    }
    SUBCASE("PIPL: none") {
        CHECK_FALSE(extended_deadline(Regime::pipl, d("2026-11-20"), d("2026-12-11"), d("2026-11-21"), refusal));
        CHECK(refusal.find("PIPL") != std::string::npos);
    }
}
