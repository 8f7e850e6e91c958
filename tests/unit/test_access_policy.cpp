// Tests for the policy key `disclose` of a category: built-in defaults, a
// policy's own categories, and errors at the right line:column.

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "policy/loader.h"

namespace {

using namespace dsr::policy;

// Line 1 is `version: 1`; the categories mapping starts on line 11.
constexpr std::string_view access_policy_text = R"(version: 1
controller:
  name: Example Shop
  contact: privacy@shop.example
regime: ccpa
databases:
  main:
    url: sqlite:shop.db
identities:
  email: {column: customers.email}
categories:
  security_answer:
    description: answers to security questions
    disclose: DISCLOSE
  gift_note:
    description: messages written on gift cards
purposes:
  account: {basis: contract, description: Running the account.}
tables:
  customers:
    key: id
    columns:
      email: {category: contact, purposes: [account], source: provided}
      answer: {category: security_answer, purposes: [account], source: provided}
      ssn: {category: government_id, purposes: [account], source: provided}
      note: {category: gift_note, purposes: [account], source: provided}
    retention: {column: created_at, keep: 1y}
    non_personal: [created_at]
)";

LoadResult load_with(std::string_view disclose) {
    std::string text(access_policy_text);
    text.replace(text.find("DISCLOSE"), 8, disclose);
    return load_policy_text(text, "test.yaml");
}

bool discloses(const Policy& p, std::string_view category) {
    const auto* c = p.find_category(category);
    REQUIRE_MESSAGE(c, "no category " << category);
    return c->disclose;
}

}  // namespace

TEST_CASE("category disclose") {
    SUBCASE("built-in government_id and credentials are withheld; the rest are shown") {
        auto result = load_with("true");
        REQUIRE_MESSAGE(result.errors.empty(), result.errors.front().message);
        const auto& p = *result.policy;
        CHECK_FALSE(discloses(p, "government_id"));
        CHECK_FALSE(discloses(p, "credentials"));
        CHECK(p.find_category("credentials")->builtin);
        CHECK(p.find_category("credentials")->sensitive);
        for (std::string_view shown : {"identity", "contact", "payment", "health", "biometric"}) {
            CAPTURE(shown);
            CHECK(discloses(p, shown));
        }
    }
    SUBCASE("a policy's own category: false withholds, true and absent show") {
        auto withheld = load_with("false");
        REQUIRE(withheld.policy);
        CHECK_FALSE(discloses(*withheld.policy, "security_answer"));
        CHECK(discloses(*withheld.policy, "gift_note"));
        auto shown = load_with("true");
        REQUIRE(shown.policy);
        CHECK(discloses(*shown.policy, "security_answer"));
    }
    SUBCASE("not a boolean: an error at the value") {
        for (std::string_view bad : {"no", "0", "[false]", "{x: 1}", "False"}) {
            CAPTURE(bad);
            auto result = load_with(bad);
            REQUIRE_FALSE(result.errors.empty());
            const auto& e = result.errors.front();
            CHECK(e.where.line == 14);
            CHECK(e.where.column == 15);
            CHECK(e.message.find("expected true or false for category 'security_answer' disclose") != std::string::npos);
        }
    }
    SUBCASE("a misspelt key is refused with a suggestion") {
        std::string text(access_policy_text);
        text.replace(text.find("disclose: DISCLOSE"), 18, "disclosed: false");
        auto result = load_policy_text(text, "test.yaml");
        REQUIRE_FALSE(result.errors.empty());
        CHECK(result.errors.front().where.line == 14);
        CHECK(result.errors.front().where.column == 5);
        CHECK(result.errors.front().message.find("did you mean 'disclose'?") != std::string::npos);
    }
}
