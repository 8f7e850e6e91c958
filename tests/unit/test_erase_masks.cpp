// Tests for lib/erase/masks.h: every mask keeps its column's type and shape
// (integers stay integers, dates stay dates in the same text or Unix unit),
// NOT NULL never gets NULL, UNIQUE columns get unique values, pseudonyms are
// equal for equal inputs in any table, and a masked value is recognised so a
// second erasure leaves it alone.

#include <doctest/doctest.h>

#include <cstring>
#include <regex>
#include <set>
#include <string>

#include "crypto/pseudonym.h"
#include "erase/masks.h"

namespace {

using dsr::db::Value;
using dsr::erase::ColumnShape;
using dsr::erase::in_masked_form;
using dsr::erase::mask_value;
using dsr::erase::RowRef;
using dsr::policy::Generalization;
using dsr::policy::Mask;
using dsr::policy::MaskMethod;

dsr::crypto::SecretBytes key_of(unsigned char fill) {
    dsr::crypto::SecretBytes key(dsr::crypto::pseudonym_key_bytes);
    std::memset(key.data(), fill, key.size());
    return key;
}

const dsr::crypto::SecretBytes& test_key() {
    static auto key = key_of(7);
    return key;
}

Mask mask_of(MaskMethod method) {
    Mask m;
    m.column = "c";
    m.method = method;
    return m;
}

Mask generalize_to(Generalization to, int length = 3) {
    Mask m = mask_of(MaskMethod::generalize);
    m.generalize = to;
    m.prefix_length = length;
    return m;
}

Mask redact_with(const std::string& text) {
    Mask m = mask_of(MaskMethod::redact);
    m.redact_text = text;
    return m;
}

Value masked(const Mask& mask, const Value& original, ColumnShape column = {}, std::int64_t row = 1,
            std::string_view table = "t") {
    Value key = row;
    return mask_value(mask, column, original, test_key(), RowRef{table, key});
}

std::string text_of(const Value& v) {
    REQUIRE(std::holds_alternative<std::string>(v));
    return std::get<std::string>(v);
}

std::int64_t int_of(const Value& v) {
    REQUIRE(std::holds_alternative<std::int64_t>(v));
    return std::get<std::int64_t>(v);
}

bool is_null(const Value& v) { return std::holds_alternative<std::monostate>(v); }

ColumnShape not_null() {
    ColumnShape c;
    c.not_null = true;
    return c;
}

ColumnShape unique() {
    ColumnShape c;
    c.unique = true;
    c.not_null = true;
    return c;
}

}  // namespace

TEST_CASE("mask_value: NULL stays NULL under every mask") {
    for (auto method : {MaskMethod::null, MaskMethod::redact, MaskMethod::pseudonymize, MaskMethod::generalize,
                        MaskMethod::random})
        CHECK(is_null(masked(mask_of(method), Value{})));
}

TEST_CASE("mask_value: null") {
    CHECK(is_null(masked(mask_of(MaskMethod::null), std::string("+353 1 555 0100"))));
    CHECK(is_null(masked(mask_of(MaskMethod::null), std::int64_t{42})));
}

TEST_CASE("mask_value: pseudonymize") {
    auto p = mask_of(MaskMethod::pseudonymize);
    SUBCASE("equal inputs give equal outputs in any table and row") {
        CHECK(masked(p, std::string("ana@example.com"), {}, 1, "customers") ==
              masked(p, std::string("ana@example.com"), {}, 99, "orders"));
        CHECK(masked(p, std::string("ana@example.com")) != masked(p, std::string("bob@example.com")));
    }
    SUBCASE("an email stays an address that can never be delivered") {
        auto v = text_of(masked(p, std::string("ana@example.com")));
        CHECK(std::regex_match(v, std::regex("dsr-[0-9a-f]{32}@erased\\.invalid")));
        CHECK(text_of(masked(p, std::string("Ana Lopez"))).find('@') == std::string::npos);
        CHECK(v == dsr::erase::pseudonym_text("ana@example.com", test_key()));
    }
    SUBCASE("keyed: another installation's key gives another pseudonym") {
        auto other = key_of(8);
        Value row = std::int64_t{1};
        CHECK(mask_value(p, {}, std::string("ana@example.com"), other, RowRef{"t", row}) !=
              masked(p, std::string("ana@example.com")));
    }
    SUBCASE("not the subject's own pseudonym in the state store") {
        auto v = text_of(masked(p, std::string("ana@example.com")));
        CHECK(v.find(dsr::crypto::pseudonym(test_key(), "email", "ana@example.com").substr(0, 32)) == std::string::npos);
    }
    SUBCASE("an integer stays a non-negative integer; a real stays a real; bytes stay bytes") {
        CHECK(int_of(masked(p, std::int64_t{123456})) >= 0);
        CHECK(masked(p, std::int64_t{123456}) == masked(p, std::int64_t{123456}));
        CHECK(std::holds_alternative<double>(masked(p, 1.5)));
        CHECK(std::holds_alternative<dsr::db::Blob>(masked(p, dsr::db::Blob{{1, 2, 3}})));
    }
    SUBCASE("recognised as masked, so a second erasure leaves it") {
        auto v = masked(p, std::string("ana@example.com"));
        CHECK(in_masked_form(p, {}, v) == true);
        CHECK(in_masked_form(p, {}, std::string("ana@example.com")) == false);
        CHECK(in_masked_form(p, {}, std::string("dsr-XYZ")) == false);
        CHECK_FALSE(in_masked_form(p, {}, std::int64_t{5}).has_value());
    }
    SUBCASE("a row pseudonym differs from the plain one and between rows") {
        Value original = std::string("ana@example.com");
        Value one = std::int64_t{1}, two = std::int64_t{2};
        auto a = dsr::erase::row_pseudonym(original, test_key(), RowRef{"customers", one});
        auto b = dsr::erase::row_pseudonym(original, test_key(), RowRef{"customers", two});
        CHECK(a != b);
        CHECK(a != masked(p, original));
        CHECK(in_masked_form(p, {}, a) == true);
    }
}

TEST_CASE("mask_value: redact") {
    SUBCASE("text") {
        CHECK(masked(redact_with("[erased]"), std::string("Ana")) == Value(std::string("[erased]")));
        CHECK(in_masked_form(redact_with("[erased]"), {}, std::string("[erased]")) == true);
        CHECK(in_masked_form(redact_with("[erased]"), {}, std::string("Ana")) == false);
    }
    SUBCASE("an integer column gets an integer") {
        CHECK(masked(redact_with("0"), std::int64_t{1}, not_null()) == Value(std::int64_t{0}));
        CHECK(masked(redact_with("[erased]"), std::int64_t{7}, not_null()) == Value(std::int64_t{0}));
        CHECK(is_null(masked(redact_with("[erased]"), std::int64_t{7})));
        CHECK(in_masked_form(redact_with("0"), not_null(), std::int64_t{0}) == true);
        CHECK(in_masked_form(redact_with("0"), not_null(), std::int64_t{1}) == false);
    }
    SUBCASE("a real column gets a real") {
        CHECK(masked(redact_with("0.5"), 81.5, not_null()) == Value(0.5));
        CHECK(masked(redact_with("x"), 81.5, not_null()) == Value(0.0));
    }
    SUBCASE("a UNIQUE column gets a value unique to its row, still recognised") {
        auto a = text_of(masked(redact_with("[erased]"), std::string("ana"), unique(), 1));
        auto b = text_of(masked(redact_with("[erased]"), std::string("bob"), unique(), 2));
        CHECK(a != b);
        CHECK(a.starts_with("[erased] dsr-"));
        CHECK(in_masked_form(redact_with("[erased]"), unique(), a) == true);
        CHECK(in_masked_form(redact_with("[erased]"), unique(), std::string("[erased]")) == false);
        CHECK(int_of(masked(redact_with("0"), std::int64_t{5}, unique(), 1)) !=
              int_of(masked(redact_with("0"), std::int64_t{6}, unique(), 2)));
    }
}

TEST_CASE("mask_value: generalize dates") {
    auto year = generalize_to(Generalization::year);
    auto month = generalize_to(Generalization::month);
    SUBCASE("ISO 8601 text keeps its shape") {
        CHECK(masked(year, std::string("2015-03-04T10:11:12Z")) == Value(std::string("2015-01-01T00:00:00Z")));
        CHECK(masked(month, std::string("2015-03-04T10:11:12Z")) == Value(std::string("2015-03-01T00:00:00Z")));
        CHECK(masked(year, std::string("1984-07-19")) == Value(std::string("1984-01-01")));
        CHECK(masked(month, std::string("1984-07-19")) == Value(std::string("1984-07-01")));
        CHECK(masked(year, std::string("2015-03-04 10:11:12.345+02:00")) ==
              Value(std::string("2015-01-01 00:00:00.000+02:00")));
        CHECK(masked(year, std::string("2015-03-04T10:11")) == Value(std::string("2015-01-01T00:00")));
        // PostgreSQL prints timestamptz so, with the session's TimeZone UTC.
        CHECK(masked(month, std::string("2015-03-04 10:11:12+00")) == Value(std::string("2015-03-01 00:00:00+00")));
        CHECK(masked(year, std::string("2015-03")) == Value(std::string("2015-01")));
    }
    SUBCASE("Unix seconds and milliseconds stay in their unit") {
        // 2015-03-10T14:13:20Z
        CHECK(masked(year, std::int64_t{1426000000}) == Value(std::int64_t{1420070400}));
        CHECK(masked(month, std::int64_t{1426000000}) == Value(std::int64_t{1425168000}));
        CHECK(masked(year, std::int64_t{1426000000123}) == Value(std::int64_t{1420070400000}));
        ColumnShape millis;
        millis.time_format = dsr::policy::TimeFormat::unix_millis;
        CHECK(masked(year, std::int64_t{86400000}, millis) == Value(std::int64_t{0}));
        CHECK(masked(year, std::int64_t{-1}) == Value(std::int64_t{-31536000}));  // 1969-01-01
    }
    SUBCASE("already generalised: unchanged, and recognised") {
        CHECK(in_masked_form(year, {}, std::string("2015-01-01T00:00:00Z")) == true);
        CHECK(in_masked_form(year, {}, std::string("2015-01-02T00:00:00Z")) == false);
        CHECK(in_masked_form(year, {}, std::int64_t{1420070400}) == true);
    }
    SUBCASE("a value that is not a date is removed, never left, never NULL in NOT NULL") {
        CHECK(is_null(masked(year, std::string("soon"))));
        CHECK(masked(year, std::string("soon"), not_null()) == Value(std::string()));
        CHECK(is_null(masked(year, std::string("2015-02-30"))));
        CHECK(is_null(masked(year, std::string("2015-03-04X"))));
    }
}

TEST_CASE("mask_value: generalize to a prefix") {
    CHECK(masked(generalize_to(Generalization::prefix, 3), std::string("D02 X285")) == Value(std::string("D02")));
    CHECK(masked(generalize_to(Generalization::prefix, 4), std::string(" SW1A 1AA")) == Value(std::string("SW1A")));
    CHECK(masked(generalize_to(Generalization::prefix, 4), std::string("SW1 1AA")) == Value(std::string("SW1")));
    CHECK(masked(generalize_to(Generalization::prefix, 2), std::string("\xC3\x91" "and\xC3\xBA")) ==
          Value(std::string("\xC3\x91" "a")));
    CHECK(masked(generalize_to(Generalization::prefix, 3), std::int64_t{94107}) == Value(std::int64_t{94100}));
    CHECK(masked(generalize_to(Generalization::prefix, 3), std::int64_t{12}) == Value(std::int64_t{12}));
    CHECK(in_masked_form(generalize_to(Generalization::prefix, 3), {}, std::string("D02")) == true);
    CHECK(in_masked_form(generalize_to(Generalization::prefix, 3), {}, std::string("D02 X285")) == false);
}

TEST_CASE("mask_value: random keeps the type") {
    auto r = mask_of(MaskMethod::random);
    CHECK(int_of(masked(r, std::int64_t{5})) >= 0);
    CHECK(std::holds_alternative<double>(masked(r, 0.25)));
    auto date = text_of(masked(r, std::string("1984-07-19")));
    CHECK(std::regex_match(date, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}")));
    auto moment = text_of(masked(r, std::string("2015-03-04T10:11:12Z")));
    CHECK(std::regex_match(moment, std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")));
    CHECK(text_of(masked(r, std::string("ana@example.com"))).ends_with("@erased.invalid"));
    auto bytes = masked(r, dsr::db::Blob{{1, 2, 3, 4, 5}});
    CHECK(std::get<dsr::db::Blob>(bytes).bytes.size() == 5);
    std::set<std::string> seen;
    for (int i = 0; i < 20; ++i) seen.insert(text_of(masked(r, std::string("secret"))));
    CHECK(seen.size() == 20);
    CHECK(!seen.contains("secret"));
    CHECK_FALSE(in_masked_form(r, {}, std::string("anything")).has_value());
}

TEST_CASE("mask_value: a generalisation of a value it cannot read removes it") {
    ColumnShape nullable;
    SUBCASE("a prefix of a real or of bytes") {
        auto prefix = generalize_to(Generalization::prefix, 2);
        CHECK(is_null(masked(prefix, 81.5, nullable)));
        CHECK(masked(prefix, 81.5, not_null()) == Value(0.0));
        CHECK(masked(prefix, dsr::db::Blob{{1, 2, 3}}, not_null()) == Value(dsr::db::Blob{}));
    }
    SUBCASE("a year of a real or of bytes") {
        auto year = generalize_to(Generalization::year);
        CHECK(is_null(masked(year, 1426000000.5, nullable)));
        CHECK(masked(year, 1426000000.5, not_null()) == Value(0.0));
        CHECK(masked(year, dsr::db::Blob{{'2', '0', '1', '5'}}, not_null()) == Value(dsr::db::Blob{}));
    }
    SUBCASE("a date whose time is cut short or malformed") {
        auto year = generalize_to(Generalization::year);
        for (std::string bad : {"2015-03-04T10", "2015-03-04T1x:11", "2015-03-04T10-11", "2015-03-04T10:1",
                                "2015-03-04T10:11:1", "2015-03-04T10:11:12.", "2015-03-04T24:00",
                                "2015-03-04T10:11+2", "2015-03-04T10:11+24:00", "2015-03-04T10:11~02:00"}) {
            CAPTURE(bad);
            CHECK(is_null(masked(year, bad)));
            // Not a date, so random gives it no date's shape either.
            CHECK(text_of(masked(mask_of(MaskMethod::random), bad)).starts_with("dsr-"));
        }
    }
}

TEST_CASE("row_pseudonym and a UNIQUE redaction of a row whose key is NULL") {
    // SQLite lets a non-INTEGER primary key hold NULL; such a row still gets values of its own.
    Value null_key, one = std::int64_t{1};
    Value original = std::string("ana@example.com");
    auto of_null = dsr::erase::row_pseudonym(original, test_key(), RowRef{"customers", null_key});
    CHECK(of_null == dsr::erase::row_pseudonym(original, test_key(), RowRef{"customers", null_key}));
    CHECK(of_null != dsr::erase::row_pseudonym(original, test_key(), RowRef{"customers", one}));
    CHECK(in_masked_form(mask_of(MaskMethod::pseudonymize), {}, of_null) == true);
    auto redacted = mask_value(redact_with("[erased]"), unique(), original, test_key(), RowRef{"customers", null_key});
    CHECK(text_of(redacted).starts_with("[erased] dsr-"));
    CHECK(redacted != mask_value(redact_with("[erased]"), unique(), original, test_key(), RowRef{"customers", one}));
}

TEST_CASE("in_masked_form and recognisable: what a UNIQUE column's masks can be told by") {
    ColumnShape unique_integer = unique();
    unique_integer.type = dsr::db::TypeClass::integer;
    auto redact = redact_with("0");
    auto year = generalize_to(Generalization::year);
    // A UNIQUE integer's redaction is a keyed hash of its row: no form to compare with.
    CHECK_FALSE(in_masked_form(redact, unique_integer, std::int64_t{0}).has_value());
    CHECK_FALSE(dsr::erase::recognisable(redact, unique_integer));
    CHECK(in_masked_form(redact_with("[erased]"), unique(), std::int64_t{0}) == std::nullopt);
    CHECK(dsr::erase::recognisable(redact_with("[erased]"), unique()));  // text: "[erased] dsr-<row tag>"
    // A UNIQUE column's generalisation carries its row's tag too.
    auto generalised = masked(year, std::string("2015-03-04"), unique());
    CHECK(text_of(generalised).starts_with("2015-01-01 dsr-"));
    CHECK_FALSE(in_masked_form(year, unique(), generalised).has_value());
    CHECK_FALSE(dsr::erase::recognisable(year, unique()));
    CHECK(dsr::erase::recognisable(year, ColumnShape{}));
    // null: any value but NULL is unmasked, whatever the column.
    CHECK(in_masked_form(mask_of(MaskMethod::null), unique_integer, std::int64_t{0}) == false);
    CHECK(dsr::erase::recognisable(mask_of(MaskMethod::null), unique_integer));
    CHECK(dsr::erase::recognisable(mask_of(MaskMethod::pseudonymize), ColumnShape{}));
    CHECK_FALSE(dsr::erase::recognisable(mask_of(MaskMethod::pseudonymize), unique_integer));
    CHECK_FALSE(dsr::erase::recognisable(mask_of(MaskMethod::random), ColumnShape{}));
}
