// Tests for lib/breach/scope.h and lib/breach/notice.h on the demo shop's
// policy: how a scope is read and refused, and the risk and notice
// deadlines each regime sets for what leaked.

#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "breach/notice.h"
#include "breach/scope.h"
#include "policy/loader.h"
#include "util/error.h"

namespace {

using namespace dsr;
using namespace dsr::breach;

const policy::Policy& shop() {
    static const policy::Policy policy = [] {
        auto loaded = policy::load_policy_file(DSR_SOURCE_DIR "/policies/shop.yaml");
        REQUIRE(loaded.policy);
        return *loaded.policy;
    }();
    return policy;
}

/// The message of the dsr::Error resolving `request` throws, and its status.
std::pair<ExitStatus, std::string> refusal(const ScopeRequest& request) {
    try {
        resolve_scope(shop(), request);
    } catch (const Error& e) {
        return {e.status(), e.what()};
    }
    return {ExitStatus::ok, ""};
}

std::vector<std::string> names(const std::vector<ExposedCategory>& categories) {
    std::vector<std::string> out;
    for (const auto& c : categories) out.push_back(c.name);
    return out;
}

}  // namespace

TEST_CASE("a scope names whole tables or columns, merged per table") {
    auto scope = resolve_scope(shop(), {{"customers.email", "customers.phone,email", "web_sessions"}, "", "", {}});
    REQUIRE(scope.tables.size() == 2);
    CHECK(scope.tables[0].table->name == "customers");
    CHECK_FALSE(scope.tables[0].whole_table);
    REQUIRE(scope.tables[0].columns.size() == 2);
    CHECK(scope.tables[0].columns[0]->name == "email");
    CHECK(scope.tables[0].columns[1]->name == "phone");
    CHECK(scope.tables[1].whole_table);
    CHECK(scope.tables[1].columns.size() == shop().find_table("web_sessions")->columns.size());
    CHECK_FALSE(scope.windowed());

    // A whole table named after some of its columns is the whole table.
    auto whole = resolve_scope(shop(), {{"customers.email", "customers"}, "", "", {}});
    CHECK(whole.tables.at(0).whole_table);
}

TEST_CASE("a window reads each table's retention timestamp unless told another") {
    auto scope = resolve_scope(shop(), {{"order_items", "customers"}, "2026-03-01", "2026-04-01T12:00:00Z",
                                        {"customers.created_at"}});
    CHECK(*scope.since == 1772323200);
    CHECK(*scope.until == 1775044800);
    // order_items are dated by their order.
    CHECK(scope.tables[0].time_column->table == "orders");
    CHECK(scope.tables[0].time_column->column == "placed_at");
    CHECK(scope.tables[1].time_column->column == "created_at");
    CHECK(scope.tables[1].time_column->format == policy::TimeFormat::iso8601);
    // A format the policy declares for that column elsewhere is its default.
    auto sessions = resolve_scope(shop(), {{"web_sessions"}, "2026-03-01", "", {"web_sessions.started_at"}});
    CHECK(sessions.tables[0].time_column->format == policy::TimeFormat::unix_millis);
}

TEST_CASE("a bad scope is a usage error saying what and suggesting the name meant") {
    auto [status, message] = refusal({{"web_session"}, "", "", {}});
    CHECK(status == ExitStatus::usage);
    CHECK(message.find("did you mean 'web_sessions'") != std::string::npos);
    std::tie(status, message) = refusal({{"customers.emai"}, "", "", {}});
    CHECK(message.find("did you mean 'email'") != std::string::npos);
    CHECK(refusal({{}, "", "", {}}).first == ExitStatus::usage);
    CHECK(refusal({{"customers."}, "", "", {}}).first == ExitStatus::usage);
    CHECK(refusal({{"web_sessions"}, "2026-02-30", "", {}}).first == ExitStatus::usage);
    CHECK(refusal({{"web_sessions"}, "2026-04-01", "2026-03-01", {}}).first == ExitStatus::usage);
    std::tie(status, message) = refusal({{"customers"}, "2026-01-01", "", {}});
    CHECK(message.find("--time-column customers.COLUMN") != std::string::npos);
    CHECK(refusal({{"customers"}, "2026-01-01", "", {"customers.created_at:epoch"}}).first == ExitStatus::usage);
    CHECK(refusal({{"customers"}, "2026-01-01", "", {"orders.placed_at"}}).first == ExitStatus::usage);
    CHECK(refusal({{"customers"}, "", "", {"customers.created_at"}}).first == ExitStatus::usage);
}

TEST_CASE("an incident's scope reads back as it was") {
    auto scope = resolve_scope(shop(), {{"customers.email", "order_items"}, "2026-03-01", "2026-04-01",
                                        {"customers.created_at:iso8601"}});
    auto back = scope_from_json(shop(), nlohmann::json::parse(scope_json(scope).dump()));
    CHECK(scope_json(back) == scope_json(scope));
    REQUIRE(back.tables.size() == 2);
    CHECK(back.tables[1].time_column->table == "orders");
}

TEST_CASE("risk: sensitive categories and risky combinations are high; encryption lowers it") {
    auto contact_payment = exposed_categories(shop(), resolve_scope(shop(), {{"customers.email", "payments"}, "", "", {}}));
    CHECK(names(contact_payment) == std::vector<std::string>{"contact", "payment"});
    auto risk = assess_risk(contact_payment, false);
    CHECK(risk.high);
    CHECK(risk.reasons.size() == 2);  // payment is sensitive; contact with payment
    CHECK_FALSE(assess_risk(contact_payment, true).high);

    auto sessions = exposed_categories(shop(), resolve_scope(shop(), {{"web_sessions"}, "", "", {}}));
    CHECK_FALSE(assess_risk(sessions, false).high);
    auto identity = exposed_categories(shop(), resolve_scope(shop(), {{"customers.first_name", "addresses"}, "", "", {}}));
    CHECK(assess_risk(identity, false).high);
}

TEST_CASE("notice deadlines per regime, counted from discovery") {
    const std::int64_t discovered = 1764927000;  // 2025-12-05T09:30:00Z
    Risk high{true, {"x"}}, normal{false, {"y"}};
    auto gdpr = notice_deadlines(policy::Regime::gdpr, discovered, high, false, 10);
    REQUIRE(gdpr.size() == 2);
    CHECK(gdpr[0].notify == "authority");
    CHECK(*gdpr[0].due == discovered + 72 * 3600);
    CHECK(gdpr[1].notify == "subjects");
    CHECK_FALSE(gdpr[1].due);
    CHECK(notice_deadlines(policy::Regime::gdpr, discovered, normal, false, 10).size() == 1);

    auto ccpa = notice_deadlines(policy::Regime::ccpa, discovered, normal, false, 501);
    REQUIRE(ccpa.size() == 2);
    CHECK(ccpa[1].notify == "attorney_general");
    CHECK(notice_deadlines(policy::Regime::ccpa, discovered, normal, false, 500).size() == 1);
    CHECK(notice_deadlines(policy::Regime::ccpa, discovered, normal, true, 501).empty());

    auto pipl = notice_deadlines(policy::Regime::pipl, discovered, normal, false, 1);
    REQUIRE(pipl.size() == 2);
    CHECK(*pipl[0].due == discovered);
}
