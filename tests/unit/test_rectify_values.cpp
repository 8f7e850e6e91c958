// Tests for lib/rectify/value_check.h and the pure parts of
// lib/jobs/rectify.h: each rule type accepts what it should, in its
// canonical form and type; refusals name the rule and never carry the value;
// --set specs and the policy checks refuse before anything is read.

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <variant>

#include "jobs/rectify.h"
#include "policy/loader.h"
#include "rectify/value_check.h"
#include "util/error.h"

namespace {

using dsr::db::Value;
using dsr::policy::RectifyRule;
using dsr::policy::RectifyType;
using dsr::rectify::check_value;

RectifyRule rule_of(RectifyType type) {
    RectifyRule r;
    r.type = type;
    return r;
}

/// The stored text of an accepted value ("" if refused or not text).
std::string accepted_text(const RectifyRule& rule, std::string_view input) {
    auto outcome = check_value(rule, input);
    if (!outcome.ok()) return "";
    const auto* s = std::get_if<std::string>(&*outcome.value);
    return s ? *s : "";
}

bool refused(const RectifyRule& rule, std::string_view input) {
    auto outcome = check_value(rule, input);
    // Whatever the reason, the message never repeats what was typed.
    if (!outcome.ok() && input.size() > 2) CHECK(outcome.problem.find(std::string(input)) == std::string::npos);
    return !outcome.ok();
}

}  // namespace

TEST_CASE("email: normalised like the email identity, syntax checked") {
    auto rule = rule_of(RectifyType::email);
    CHECK(accepted_text(rule, "  Ana.Lopez@Example.COM ") == "ana.lopez@example.com");
    CHECK(accepted_text(rule, "o'brien+shop@mail.example.ie") == "o'brien+shop@mail.example.ie");
    CHECK(accepted_text(rule, "müller@bücher.example") == "müller@bücher.example");
    for (const char* bad : {"ana", "ana@", "@example.com", "ana@@example.com", "ana@example", "ana@localhost",
                            "ana@example.c", "ana@-example.com", "ana@example-.com", "ana@exa_mple.com",
                            ".ana@example.com", "ana.@example.com", "an..a@example.com", "ana@example..com",
                            "ana @example.com", "ana@192.168.0.1", "\"ana\"@example.com", "ana@example.com,bob@example.com"})
        CHECK_MESSAGE(refused(rule, bad), bad);
    CHECK(refused(rule, std::string(65, 'a') + "@example.com"));
    CHECK(check_value(rule, "ana").problem == "not a valid email address");
}

TEST_CASE("phone: international form, normalised like the phone identity") {
    auto rule = rule_of(RectifyType::phone);
    CHECK(accepted_text(rule, "+353 (0)1 234-5678") == "+353012345678");
    CHECK(accepted_text(rule, "0046 70 271 82 90") == "+46702718290");
    CHECK(accepted_text(rule, "+1.415.555.0100") == "+14155550100");
    for (const char* bad : {"0871234567", "+0 123 4567", "+1 555", "+1234567890123456", "+353 1 CALL NOW",
                            "+353+1234567", "353 1 234 5678", "+353 1 234 5678 ext 9"})
        CHECK_MESSAGE(refused(rule, bad), bad);
}

TEST_CASE("date: a real calendar date, YYYY-MM-DD") {
    auto rule = rule_of(RectifyType::date);
    CHECK(accepted_text(rule, "1990-02-28") == "1990-02-28");
    CHECK(accepted_text(rule, " 2024-02-29 ") == "2024-02-29");
    for (const char* bad : {"1990-02-31", "2023-02-29", "1990-13-01", "1990-00-10", "1990-2-3", "28/02/1990",
                            "1990-02-28T00:00:00Z", "19900228"})
        CHECK_MESSAGE(refused(rule, bad), bad);
    CHECK(check_value(rule, "1990-02-31").problem == "not a calendar date written YYYY-MM-DD");
}

TEST_CASE("integer: whole numbers in range, stored as int64") {
    auto rule = rule_of(RectifyType::integer);
    rule.min = 0;
    rule.max = 1000;
    auto ok = check_value(rule, "+42");
    REQUIRE(ok.ok());
    CHECK(std::get<std::int64_t>(*ok.value) == 42);
    CHECK(std::get<std::int64_t>(*check_value(rule, "1000").value) == 1000);
    CHECK(check_value(rule, "1001").problem == "above the maximum of 1000");
    CHECK(check_value(rule, "-1").problem == "below the minimum of 0");
    for (const char* bad : {"4.2", "1e3", "0x10", "forty", "", "-", "12 3"}) CHECK_MESSAGE(refused(rule, bad), bad);
    auto unbounded = rule_of(RectifyType::integer);
    CHECK(std::get<std::int64_t>(*check_value(unbounded, "-9223372036854775808").value) == INT64_MIN);
    CHECK(refused(unbounded, "9223372036854775808"));
}

TEST_CASE("decimal: plain notation in range, stored as double") {
    auto rule = rule_of(RectifyType::decimal);
    rule.min = 30;
    rule.max = 250;
    auto ok = check_value(rule, "82.5");
    REQUIRE(ok.ok());
    CHECK(std::get<double>(*ok.value) == 82.5);
    CHECK(std::get<double>(*check_value(rule, "30").value) == 30.0);
    CHECK(std::get<double>(*check_value(rule, "250.0").value) == 250.0);
    CHECK(check_value(rule, "250.01").problem == "above the maximum of 250");
    CHECK(check_value(rule, "29.9").problem == "below the minimum of 30");
    for (const char* bad : {"82,5", "8.25e1", "inf", "nan", "-", ".", "1.2.3", "82.5cm"})
        CHECK_MESSAGE(refused(rule, bad), bad);
    auto fraction = rule_of(RectifyType::decimal);
    CHECK(std::get<double>(*check_value(fraction, ".5").value) == 0.5);
    CHECK(std::get<double>(*check_value(fraction, "-0.0").value) == 0.0);
}

TEST_CASE("postcode, country and choice") {
    auto postcode = rule_of(RectifyType::postcode);
    CHECK(accepted_text(postcode, " d02   x285 ") == "D02 X285");
    CHECK(accepted_text(postcode, "2578 ed") == "2578 ED");
    CHECK(accepted_text(postcode, "12345-6789") == "12345-6789");
    for (const char* bad : {"A", "ABCDEF", "12345678901", "-1234", "1234;", "SW1A\n1AA"})
        CHECK_MESSAGE(refused(postcode, bad), bad);

    auto country = rule_of(RectifyType::country);
    CHECK(accepted_text(country, "ie") == "IE");
    CHECK(accepted_text(country, " US ") == "US");
    for (const char* bad : {"XX", "UK", "EU", "IRL", "I", "1E"}) CHECK_MESSAGE(refused(country, bad), bad);
    CHECK(dsr::rectify::is_country_code("ZW"));
    CHECK(dsr::rectify::is_country_code("AD"));
    CHECK_FALSE(dsr::rectify::is_country_code("zw"));

    auto choice = rule_of(RectifyType::choice);
    choice.choices = {"en", "ga", "de"};
    CHECK(accepted_text(choice, "ga") == "ga");
    CHECK(refused(choice, "EN"));
    CHECK(check_value(choice, "klingon").problem == "not one of the allowed values (en, ga, de)");
}

TEST_CASE("text: max_length counts code points, control characters refused") {
    auto rule = rule_of(RectifyType::text);
    rule.max_length = 5;
    CHECK(accepted_text(rule, "Zoë") == "Zoë");
    CHECK(accepted_text(rule, "Ségné") == "Ségné");  // 5 code points, 7 bytes
    CHECK(accepted_text(rule, "李小龍") == "李小龍");
    CHECK(accepted_text(rule, "  Ana ") == "Ana");
    CHECK(check_value(rule, "Séverine").problem == "longer than 5 characters");
    CHECK(refused(rule, "a\nb"));
    CHECK(refused(rule, "a\x1b[2Jb"));
    CHECK(check_value(rule, "   ").problem == "the new value is empty");
    CHECK(check_value(rule, "\xff\xfe").problem == "not valid UTF-8 text");
    CHECK(refused(rule, "\xc0\xaf"));           // overlong '/'
    CHECK(refused(rule, "\xed\xa0\x80"));       // a UTF-16 surrogate
    CHECK(refused(rule, "ab\xe2\x82"));         // truncated
    CHECK(dsr::rectify::code_points("añ李😀") == 4);
}

TEST_CASE("pattern: ECMAScript, matched against the whole stored value") {
    auto rule = rule_of(RectifyType::postcode);
    rule.pattern = "[A-Z][0-9]{2} [A-Z0-9]{4}";  // Eircode
    CHECK(accepted_text(rule, "d02 x285") == "D02 X285");
    CHECK(check_value(rule, "D02 X2856").problem == "does not match the column's pattern");
    auto text = rule_of(RectifyType::text);
    text.pattern = "[a-z]+";
    CHECK(refused(text, "abc1"));  // a partial match is not enough
}

TEST_CASE("checked_value throws a usage error naming the field, not the value") {
    auto rule = rule_of(RectifyType::email);
    try {
        dsr::rectify::checked_value(rule, "customers.email", "secret-person-at-example");
        FAIL("accepted a malformed email");
    } catch (const dsr::Error& e) {
        CHECK(e.status() == dsr::ExitStatus::usage);
        CHECK(std::string(e.what()) == "customers.email: not a valid email address");
    }
}

TEST_CASE("value_hash: keyed, equal for equal values, never the value") {
    dsr::crypto::SecretBytes a(32), b(32);
    std::memset(a.data(), 1, 32);
    std::memset(b.data(), 2, 32);
    auto h = dsr::jobs::value_hash(a, Value(std::string("ana@example.com")));
    REQUIRE(h);
    CHECK(h->size() == 64);
    CHECK(h == dsr::jobs::value_hash(a, Value(std::string("ana@example.com"))));
    CHECK(h != dsr::jobs::value_hash(b, Value(std::string("ana@example.com"))));
    CHECK(h != dsr::jobs::value_hash(a, Value(std::string("ana@example.org"))));
    // The same number stored as INTEGER or REAL is the same value.
    CHECK(dsr::jobs::value_hash(a, Value(std::int64_t{97})) == dsr::jobs::value_hash(a, Value(97.0)));
    CHECK(dsr::jobs::value_hash(a, Value(82.5)) == dsr::jobs::value_hash(a, Value(std::string("82.5"))));
    CHECK_FALSE(dsr::jobs::value_hash(a, Value()));
}

TEST_CASE("parse_set and check_changes refuse before anything is read") {
    using dsr::jobs::parse_set;
    auto spec = parse_set("customers.first_name=Ana=Maria.x");
    CHECK(spec.table == "customers");
    CHECK(spec.column == "first_name");
    CHECK(spec.value == "Ana=Maria.x");
    CHECK(parse_set("customers.first_name=").value.empty());
    for (const char* bad : {"customers.first_name", "first_name=Ana", "=Ana", ".first_name=Ana", "customers.=Ana",
                            "a.b.c=1"})
        CHECK_THROWS_AS(parse_set(bad), dsr::Error);
    try {
        parse_set("ana@example.com");
    } catch (const dsr::Error& e) {
        CHECK(std::string(e.what()).find("ana@") == std::string::npos);
    }

    auto loaded = dsr::policy::load_policy_file(std::string(DSR_SOURCE_DIR) + "/policies/shop.yaml");
    REQUIRE(loaded.policy);
    const auto& policy = *loaded.policy;
    auto status_of = [&](std::vector<dsr::jobs::SetSpec> specs) -> std::string {
        try {
            dsr::jobs::check_changes(policy, "shop", specs);
            return "ok";
        } catch (const dsr::Error& e) {
            CHECK(e.status() == dsr::ExitStatus::usage);
            return e.what();
        }
    };
    auto changes = dsr::jobs::check_changes(
        policy, "shop", {{"customers", "email", " Ana@Example.COM "}, {"body_measurements", "chest_cm", "97.5"}});
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].identity == "email");
    CHECK(std::get<std::string>(changes[0].value) == "ana@example.com");
    CHECK(changes[1].identity.empty());
    CHECK(std::get<double>(changes[1].value) == 97.5);
    CHECK(dsr::jobs::check_changes(policy, "shop", {{"orders", "email", "x@example.org"}})[0].identity == "email");

    CHECK(status_of({{"customers", "created_at", "2020-01-01"}}).find("not rectifiable") != std::string::npos);
    CHECK(status_of({{"customers", "created_at", "2020-01-01"}}).find("customers.first_name") != std::string::npos);
    CHECK(status_of({{"customers", "id", "7"}}).find("key") != std::string::npos);
    CHECK(status_of({{"orders", "customer_id", "7"}}).find("foreign key") != std::string::npos);
    CHECK(status_of({{"nosuch", "x", "1"}}).find("not a table") != std::string::npos);
    CHECK(status_of({{"ana@example", "com", "1"}}).find("ana@") == std::string::npos);
    CHECK(status_of({{"customers", "first_name", "A"}, {"customers", "first_name", "B"}}).find("set twice") !=
          std::string::npos);
    CHECK(status_of({{"customers", "email", "a@example.org"}, {"orders", "email", "b@example.org"}})
              .find("both carry the identity 'email'") != std::string::npos);
    CHECK(status_of({{"body_measurements", "chest_cm", "1000"}}) == "body_measurements.chest_cm: above the maximum of 250");
}
