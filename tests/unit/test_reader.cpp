// Tests for lib/policy/reader.h: typed reads that record a diagnostic instead
// of throwing, and the "did you mean" suggestions behind every unknown name.

#include <doctest/doctest.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "diagnostic_print.h"
#include "policy/reader.h"
#include "policy/yaml_tree.h"

namespace {

using namespace dsr::policy;

/// The tree of `text`, which must parse.
YamlNode node(std::string_view text) {
    auto result = parse_yaml(text);
    REQUIRE_MESSAGE(result.errors.empty(), result.errors.front());
    REQUIRE(result.root);
    return *result.root;
}

using dsr::test::at;

enum class Colour { red, green, blue };
constexpr std::pair<std::string_view, Colour> colours[] = {
    {"red", Colour::red}, {"green", Colour::green}, {"blue", Colour::blue}};

}  // namespace

TEST_CASE("edit_distance") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("same", "same") == 0);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("sitting", "kitten") == 3);
    CHECK(edit_distance("flaw", "lawn") == 2);
    CHECK(edit_distance("key", "kee") == 1);       // substitution
    CHECK(edit_distance("colums", "columns") == 1);  // insertion
    CHECK(edit_distance("columnss", "columns") == 1);  // deletion
    CHECK(edit_distance("gdpr", "gdrp") == 2);     // a transposition is two edits (Levenshtein, not Damerau)
    CHECK(edit_distance("caf\xc3\xa9", "cafe") == 2);  // bytes, not characters
}

TEST_CASE("closest") {
    const std::vector<std::string_view> keys = {"version", "controller", "regime", "tables", "non_personal_tables"};

    SUBCASE("a likely typo gets a suggestion") {
        CHECK(closest("regim", keys) == std::optional<std::string_view>("regime"));
        CHECK(closest("tabels", keys) == std::optional<std::string_view>("tables"));
        CHECK(closest("non_personal_table", keys) == std::optional<std::string_view>("non_personal_tables"));
        CHECK(closest("controler", keys) == std::optional<std::string_view>("controller"));
    }
    SUBCASE("an exact match is its own closest") {
        CHECK(closest("tables", keys) == std::optional<std::string_view>("tables"));
    }
    SUBCASE("a different word gets none") {
        CHECK_FALSE(closest("owner", keys));
        CHECK_FALSE(closest("xyz", {"abc"}));
    }
    SUBCASE("nothing to choose from") {
        CHECK_FALSE(closest("anything", {}));
    }
    SUBCASE("the limit is a third of the length, at least 1 and at most 3 edits") {
        CHECK(closest("abcd", {"abce"}));                  // 4 chars: 1 edit allowed
        CHECK_FALSE(closest("abcd", {"abef"}));
        CHECK(closest("abcdef", {"abcdxy"}));              // 6 chars: 2 edits
        CHECK_FALSE(closest("abcdef", {"abcxyz"}));
        CHECK(closest("abcdefghijkl", {"abcdefghiXYZ"}));  // 12 chars: 4 would be a third, capped at 3
        CHECK_FALSE(closest("abcdefghijkl", {"abcdefghWXYZ"}));
    }
    SUBCASE("a renamed column that keeps its old name as its first word") {
        CHECK(closest("phone", {"email", "phone_number"}) == std::optional<std::string_view>("phone_number"));
        CHECK(closest("phone_number", {"email", "phone"}) == std::optional<std::string_view>("phone"));
        CHECK_FALSE(closest("phone", {"phones_list"}));  // a longer word, not the same first word
    }
    SUBCASE("the nearest wins; on a tie, the first") {
        CHECK(closest("tablez", {"tables", "tablez_x"}) == std::optional<std::string_view>("tables"));
        CHECK(closest("cat", {"bat", "hat"}) == std::optional<std::string_view>("bat"));
    }
}

TEST_CASE("Reader::is_map") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("m: {a: 1}\ns: text\nl: [1]\nn:\nlast: 1\n");
    CHECK(r.is_map(*root.find("m"), "m"));
    CHECK(errors.empty());

    CHECK_FALSE(r.is_map(*root.find("s"), "the thing"));
    CHECK_FALSE(r.is_map(*root.find("l"), "the thing"));
    CHECK_FALSE(r.is_map(*root.find("n"), "the thing"));
    REQUIRE(errors.size() == 3);
    CHECK(at(errors[0].where) == "2:4");
    CHECK(errors[0].message == "expected a mapping for the thing, found a scalar");
    CHECK(at(errors[1].where) == "3:4");
    CHECK(errors[1].message == "expected a mapping for the thing, found a list");
    CHECK(errors[2].message == "expected a mapping for the thing, found nothing");
}

TEST_CASE("Reader::is_sequence") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("l: [1]\nm: {a: 1}\n");
    CHECK(r.is_sequence(*root.find("l"), "l"));
    CHECK(errors.empty());
    CHECK_FALSE(r.is_sequence(*root.find("m"), "purposes"));
    REQUIRE(errors.size() == 1);
    CHECK(at(errors[0].where) == "2:4");
    CHECK(errors[0].message == "expected a list for purposes, found a mapping");
}

TEST_CASE("Reader::only_keys") {
    std::vector<Diagnostic> errors;
    Reader r(errors);

    SUBCASE("allowed keys pass") {
        r.only_keys(node("key: 1\nvalue: 2\n"), {"key", "value"}, "the item");
        CHECK(errors.empty());
    }
    SUBCASE("each unknown key is reported at the key, with a suggestion when close") {
        r.only_keys(node("key: 1\nvalu: 2\nowner: 3\n"), {"key", "value"}, "the item");
        REQUIRE(errors.size() == 2);
        CHECK(at(errors[0].where) == "2:1");
        CHECK(errors[0].message ==
              "unknown key in the item: 'valu' (expected one of: key, value); did you mean 'value'?");
        CHECK(at(errors[1].where) == "3:1");
        CHECK(errors[1].message == "unknown key in the item: 'owner' (expected one of: key, value)");
    }
}

TEST_CASE("Reader::required") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto map = node("# comment\n  a: 1\n  b: 2\n");
    const auto* a = r.required(map, "a", "the item");
    REQUIRE(a);
    CHECK(a->value == "1");
    CHECK(errors.empty());

    CHECK(r.required(map, "c", "the item") == nullptr);
    REQUIRE(errors.size() == 1);
    CHECK(at(errors[0].where) == "2:3");  // the mapping, which starts at its first key
    CHECK(errors[0].message == "missing required key 'c' in the item");
}

TEST_CASE("Reader::text") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("s: hello\nq: '42'\nl: [a]\nn:\nlast: 1\n");
    CHECK(r.text(*root.find("s"), "s") == "hello");
    CHECK(r.text(*root.find("q"), "q") == "42");
    CHECK(errors.empty());

    CHECK_FALSE(r.text(*root.find("l"), "controller name"));
    CHECK_FALSE(r.text(*root.find("n"), "state"));
    REQUIRE(errors.size() == 2);
    CHECK(at(errors[0].where) == "3:4");
    CHECK(errors[0].message == "expected a string for controller name, found a list");
    CHECK(errors[1].message == "expected a string for state, found nothing");
}

TEST_CASE("Reader::boolean") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("t: true\nf: false\nyes: yes\nT: True\none: 1\nl: [true]\n");
    CHECK(r.boolean(*root.find("t"), "t") == true);
    CHECK(r.boolean(*root.find("f"), "f") == false);
    CHECK(errors.empty());

    // Only the two YAML 1.2 core spellings: `yes`, `True` and `1` are mistakes worth a message.
    for (const char* key : {"yes", "T", "one", "l"}) {
        CAPTURE(key);
        CHECK_FALSE(r.boolean(*root.find(key), "default"));
    }
    REQUIRE(errors.size() == 4);
    CHECK(at(errors[0].where) == "3:6");
    CHECK(errors[0].message == "expected true or false for default");
}

TEST_CASE("Reader::integer") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("a: 42\nb: -7\nc: '1'\nd: 1.5\ne: 0x10\nf: 12abc\ng: 99999999999999999999\nh: [1]\ni: ''\n");
    CHECK(r.integer(*root.find("a"), "a") == 42);
    CHECK(r.integer(*root.find("b"), "b") == -7);
    CHECK(r.integer(*root.find("c"), "c") == 1);
    CHECK(errors.empty());

    for (const char* key : {"d", "e", "f", "g", "h", "i"}) {
        CAPTURE(key);
        CHECK_FALSE(r.integer(*root.find(key), "version"));
    }
    REQUIRE(errors.size() == 6);
    CHECK(at(errors[0].where) == "4:4");
    CHECK(errors[0].message == "expected a whole number for version");
}

TEST_CASE("Reader::number") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("a: 1.5\nb: -2\nc: 1e3\nd: abc\ne: 1.5cm\nf: ''\ng: [1]\n");
    CHECK(r.number(*root.find("a"), "a") == 1.5);
    CHECK(r.number(*root.find("b"), "b") == -2.0);
    CHECK(r.number(*root.find("c"), "c") == 1000.0);
    CHECK(errors.empty());

    for (const char* key : {"d", "e", "f", "g"}) {
        CAPTURE(key);
        CHECK_FALSE(r.number(*root.find(key), "min"));
    }
    REQUIRE(errors.size() == 4);
    CHECK(at(errors[0].where) == "4:4");
    CHECK(errors[0].message == "expected a number for min");
}

// Regression: std::strtod alone accepts nan, inf and hex floats; a rectify
// bound of `min: nan` would make every range comparison false.
TEST_CASE("Reader::number refuses nan") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    for (const char* text : {"min: nan\n", "min: inf\n", "min: 0x1p4\n", "min: 1e999\n"}) {
        auto root = node(text);
        CHECK_FALSE(r.number(*root.find("min"), "min"));
    }
    CHECK(errors.size() == 4);
}

TEST_CASE("Reader::names") {
    std::vector<Diagnostic> errors;
    Reader r(errors);

    SUBCASE("a list of names, each with its position") {
        auto names = r.names(*node("p: [account, tax]\n").find("p"), "purposes");
        REQUIRE(names.size() == 2);
        CHECK(names[0].first == "account");
        CHECK(at(names[0].second) == "1:5");
        CHECK(names[1].first == "tax");
        CHECK(at(names[1].second) == "1:14");
        CHECK(errors.empty());
    }
    SUBCASE("a single name is a list of one") {
        auto names = r.names(*node("p: account\n").find("p"), "purposes");
        REQUIRE(names.size() == 1);
        CHECK(names[0].first == "account");
        CHECK(errors.empty());
    }
    SUBCASE("an empty list") {
        CHECK(r.names(*node("p: []\n").find("p"), "purposes").empty());
        CHECK(errors.empty());
    }
    SUBCASE("a mapping is not a list") {
        CHECK(r.names(*node("p: {a: 1}\n").find("p"), "purposes").empty());
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message == "expected a list for purposes, found a mapping");
    }
    SUBCASE("items that are not names are reported and skipped") {
        auto names = r.names(*node("p: [a, [b], c]\n").find("p"), "purposes");
        REQUIRE(names.size() == 2);
        CHECK(names[1].first == "c");
        REQUIRE(errors.size() == 1);
        CHECK(at(errors[0].where) == "1:8");
        CHECK(errors[0].message == "expected a string for purposes, found a list");
    }
}

TEST_CASE("Reader::choice") {
    std::vector<Diagnostic> errors;
    Reader r(errors);
    auto root = node("a: green\nb: gren\nc: purple\nd: [red]\n");
    CHECK(r.choice(*root.find("a"), colours, "colour") == Colour::green);
    CHECK(errors.empty());

    CHECK_FALSE(r.choice(*root.find("b"), colours, "colour"));
    CHECK_FALSE(r.choice(*root.find("c"), colours, "colour"));
    CHECK_FALSE(r.choice(*root.find("d"), colours, "colour"));
    REQUIRE(errors.size() == 3);
    CHECK(at(errors[0].where) == "2:4");
    CHECK(errors[0].message == "unknown colour 'gren' (expected one of: red, green, blue); did you mean 'green'?");
    CHECK(errors[1].message == "unknown colour 'purple' (expected one of: red, green, blue)");
    CHECK(errors[2].message == "expected a string for colour, found a list");
}

TEST_CASE("Reader::unknown") {
    std::vector<Diagnostic> errors;
    Reader r(errors);

    SUBCASE("nothing declared") {
        r.unknown({3, 7}, "tax", "purpose", {});
        REQUIRE(errors.size() == 1);
        CHECK(at(errors[0].where) == "3:7");
        CHECK(errors[0].message == "unknown purpose 'tax' (none are declared)");
    }
    SUBCASE("up to 12 names are listed") {
        std::vector<std::string> storage;
        for (int i = 0; i < 12; ++i) storage.push_back("name" + std::to_string(i));
        std::vector<std::string_view> known(storage.begin(), storage.end());
        r.unknown({1, 1}, "nameX", "thing", known);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message.find("(expected one of: name0, name1,") != std::string::npos);
        CHECK(errors[0].message.find("name11)") != std::string::npos);
    }
    SUBCASE("more than 12 are not listed, but a suggestion still is") {
        std::vector<std::string> storage;
        for (int i = 0; i < 13; ++i) storage.push_back("category" + std::to_string(i));
        std::vector<std::string_view> known(storage.begin(), storage.end());
        r.unknown({1, 1}, "category12x", "category", known);
        REQUIRE(errors.size() == 1);
        CHECK(errors[0].message == "unknown category 'category12x'; did you mean 'category12'?");
    }
}
