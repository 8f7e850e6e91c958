// Tests for lib/policy/yaml_tree.h: the owned YAML tree, its positions, and
// everything it refuses (anchors, aliases, tags, duplicate keys, non-scalar
// keys, deep nesting, oversized or non-UTF-8 input, several documents).

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <string>
#include <string_view>

#include "diagnostic_print.h"
#include "policy/yaml_tree.h"

namespace {

using namespace dsr::policy;

/// The tree of `text`, which must parse.
YamlNode tree(std::string_view text) {
    auto result = parse_yaml(text);
    REQUIRE_MESSAGE(result.errors.empty(), result.errors.front());
    REQUIRE(result.root);
    return *result.root;
}

/// The first error for `text`, which must not parse.
Diagnostic first_error(std::string_view text) {
    auto result = parse_yaml(text);
    CHECK_FALSE(result.root);
    REQUIRE_FALSE(result.errors.empty());
    return result.errors.front();
}

using dsr::test::at;

bool mentions(const Diagnostic& d, std::string_view text) { return d.message.find(text) != std::string::npos; }

/// `depth` block mappings, each nested in the one before: `k0:\n  k1:\n    k2:` …
std::string nested_block_maps(int depth) {
    std::string text;
    for (int i = 0; i < depth; ++i) text += std::string(2 * i, ' ') + "k" + std::to_string(i) + ":\n";
    return text;
}

}  // namespace

TEST_CASE("parse_yaml") {
    SUBCASE("builds mappings, lists and scalars, keeping file order and positions") {
        auto root = tree("name: shop\n"
                         "tags: [a, b]\n"
                         "nested:\n"
                         "  key: value\n"
                         "  list:\n"
                         "    - x\n"
                         "    - y\n"
                         "quoted: \"null\"\n");
        REQUIRE(root.is_map());
        CHECK(at(root.where) == "1:1");
        REQUIRE(root.entries.size() == 4);
        CHECK(root.entries[0].first.value == "name");
        CHECK(root.entries[1].first.value == "tags");
        CHECK(root.entries[2].first.value == "nested");
        CHECK(root.entries[3].first.value == "quoted");
        CHECK(at(root.entries[2].first.where) == "3:1");

        const auto* name = root.find("name");
        REQUIRE(name);
        CHECK(name->is_scalar());
        CHECK(name->value == "shop");
        CHECK(at(name->where) == "1:7");

        const auto* tags = root.find("tags");
        REQUIRE(tags);
        REQUIRE(tags->is_sequence());
        CHECK(at(tags->where) == "2:7");
        REQUIRE(tags->items.size() == 2);
        CHECK(tags->items[1].value == "b");
        CHECK(at(tags->items[1].where) == "2:11");

        const auto* nested = root.find("nested");
        REQUIRE(nested);
        REQUIRE(nested->is_map());
        CHECK(at(nested->where) == "4:3");
        const auto* list = nested->find("list");
        REQUIRE(list);
        REQUIRE(list->is_sequence());
        CHECK(at(list->where) == "6:5");
        REQUIRE(list->items.size() == 2);
        CHECK(list->items[0].value == "x");
        CHECK(at(list->items[0].where) == "6:7");

        // A quoted "null" is text, not a null node.
        const auto* quoted = root.find("quoted");
        REQUIRE(quoted);
        CHECK(quoted->is_scalar());
        CHECK(quoted->value == "null");
    }
    SUBCASE("plain null spellings and empty values are null nodes") {
        auto root = tree("a: ~\nb: null\nc:\nd: Null\ne: '~'\n");
        CHECK(root.find("a")->is_null());
        CHECK(root.find("b")->is_null());
        CHECK(root.find("c")->is_null());
        CHECK(root.find("d")->is_null());
        CHECK(root.find("e")->is_scalar());
    }
    SUBCASE("YamlNode::find") {
        auto root = tree("a: 1\nb: 2\n");
        REQUIRE(root.find("b"));
        CHECK(root.find("b")->value == "2");
        CHECK(root.find("c") == nullptr);
        CHECK(root.find("a")->find("a") == nullptr);  // not a mapping: nothing to find
    }
    SUBCASE("a document that is a single scalar or list") {
        CHECK(tree("just text\n").is_scalar());
        CHECK(tree("[1, 2]\n").is_sequence());
    }

    SUBCASE("duplicate key") {
        auto d = first_error("a: 1\nb: 2\na: 3\n");
        CHECK(at(d.where) == "3:1");
        CHECK(d.message == "duplicate key 'a' (first defined at line 1)");
    }
    SUBCASE("duplicate key, once quoted") {
        CHECK(at(first_error("a: 1\n\"a\": 2\n").where) == "2:1");
    }
    SUBCASE("duplicate key in a flow mapping") {
        auto d = first_error("m: {x: 1, y: 2, x: 3}\n");
        CHECK(at(d.where) == "1:17");
        CHECK(mentions(d, "duplicate key 'x'"));
    }
    SUBCASE("the same key in different mappings is fine") {
        auto root = tree("a: {k: 1}\nb: {k: 2}\n");
        CHECK(root.find("b")->find("k")->value == "2");
    }
    SUBCASE("a list as a key") {
        auto d = first_error("[a, b]: c\n");
        CHECK(at(d.where) == "1:1");
        CHECK(d.message == "a mapping key must be a plain name, not a list");
    }
    SUBCASE("a mapping as a key") {
        auto d = first_error("? {a: b}\n: c\n");
        CHECK(at(d.where) == "1:3");
        CHECK(d.message == "a mapping key must be a plain name, not a mapping");
    }
    SUBCASE("an empty key") {
        auto d = first_error(": c\n");
        CHECK(at(d.where) == "1:1");
        CHECK(d.message == "a mapping key must be a plain name, not nothing");
    }

    SUBCASE("anchors on scalars, lists, mappings and empty values") {
        auto result = parse_yaml("a: &s 1\nb: &l [1]\nc: &m {k: v}\nd: &n\n");
        REQUIRE(result.errors.size() == 4);
        CHECK(at(result.errors[0].where) == "1:4");
        CHECK(at(result.errors[1].where) == "2:4");
        CHECK(at(result.errors[2].where) == "3:4");
        CHECK(at(result.errors[3].where) == "4:4");
        for (const auto& d : result.errors)
            CHECK(d.message == "anchors (&name) are not allowed in a policy; write the value out");
    }
    SUBCASE("an alias") {
        auto result = parse_yaml("a: &x 1\nb: *x\n");
        REQUIRE(result.errors.size() == 2);
        CHECK(at(result.errors[1].where) == "2:4");
        CHECK(result.errors[1].message == "aliases (*name) are not allowed in a policy; write the value out");
    }
    SUBCASE("an alias to an anchor never defined") {
        auto d = first_error("a: *nowhere\n");
        CHECK(at(d.where) == "1:4");
        CHECK(mentions(d, "YAML syntax error: the referenced anchor is not defined"));
    }
    SUBCASE("tags") {
        auto python = first_error("a: !!python/object:os.system echo\n");
        CHECK(at(python.where) == "1:4");
        CHECK(python.message == "tags (tag:yaml.org,2002:python/object:os.system) are not allowed in a policy");
        CHECK(mentions(first_error("a: !!str 1\n"), "tags (tag:yaml.org,2002:str)"));
        CHECK(mentions(first_error("a: !local x\n"), "tags (!local)"));
        CHECK(mentions(first_error("a: !!seq [1]\n"), "tags (tag:yaml.org,2002:seq)"));
        CHECK(mentions(first_error("a: !!map {k: v}\n"), "tags (tag:yaml.org,2002:map)"));
        CHECK(mentions(first_error("a: !!null ~\n"), "tags (tag:yaml.org,2002:null)"));
    }
    SUBCASE("the non-specific tag '!' is what quoting means, and allowed") {
        CHECK(tree("a: ! text\n").find("a")->value == "text");
        CHECK(tree("a: 'text'\n").find("a")->value == "text");
    }

    SUBCASE("nesting: 32 levels of lists are allowed, 33 are not") {
        CHECK(tree(std::string(32, '[') + std::string(32, ']')).is_sequence());
        auto d = first_error(std::string(33, '[') + std::string(33, ']'));
        CHECK(at(d.where) == "1:33");
        CHECK(d.message == "nesting deeper than " + std::to_string(max_policy_depth) + " levels");
    }
    SUBCASE("nesting: 32 levels of block mappings are allowed, 33 are not") {
        CHECK(tree(nested_block_maps(32)).is_map());
        auto d = first_error(nested_block_maps(33));
        CHECK(at(d.where) == "33:65");  // the 33rd mapping starts at its key, `k32`
        CHECK(mentions(d, "nesting deeper than 32 levels"));
    }
    SUBCASE("nesting: deep enough to trip yaml-cpp's own guard, reported once, ours, and parsing stops there") {
        auto result = parse_yaml(std::string(10000, '[') + std::string(10000, ']'));
        REQUIRE(result.errors.size() == 1);
        CHECK(at(result.errors[0].where) == "1:33");
        CHECK(result.errors[0].message == "nesting deeper than 32 levels");
    }

    SUBCASE("size: the limit is allowed, one byte more is not") {
        std::string text = "a: " + std::string(max_policy_bytes - 4, 'x') + "\n";
        REQUIRE(text.size() == max_policy_bytes);
        CHECK(tree(text).find("a")->value.size() == max_policy_bytes - 4);

        auto d = first_error(text + "\n");
        CHECK(at(d.where) == "1:1");
        CHECK(d.message == "policy is " + std::to_string(max_policy_bytes + 1) + " bytes; the limit is " +
                               std::to_string(max_policy_bytes));
    }

    SUBCASE("UTF-8: well-formed text of every length is kept as written") {
        auto root = tree("a: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\n");
        CHECK(root.find("a")->value == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf");
    }
    SUBCASE("UTF-8: a byte-order mark is allowed") {
        CHECK(tree("\xef\xbb\xbf" "a: 1\n").find("a")->value == "1");
    }
    SUBCASE("UTF-8: ill-formed sequences are reported at their first byte") {
        struct Case {
            const char* name;
            const char* bytes;
        };
        const Case cases[] = {
            {"a lone continuation byte", "\x80"},
            {"0xFF", "\xff"},
            {"an overlong '/'", "\xc0\xaf"},
            {"an overlong three-byte form", "\xe0\x80\xaf"},
            {"a UTF-16 surrogate", "\xed\xa0\x80"},
            {"a code point past U+10FFFF", "\xf4\x90\x80\x80"},
            {"a five-byte lead", "\xf8\x88\x80\x80\x80"},
            {"a sequence cut short by ASCII", "\xe2\x82x"},
            {"a sequence cut short by the end", "\xe2\x82"},
        };
        for (const auto& c : cases) {
            CAPTURE(c.name);
            auto d = first_error(std::string("a: b\nc: ") + c.bytes);
            CHECK(at(d.where) == "2:4");
            CHECK(d.message == "invalid UTF-8 byte sequence");
        }
    }
    SUBCASE("UTF-8: columns count bytes, as yaml-cpp's do") {
        CHECK(at(first_error("a: \xc3\xa9\xff\n").where) == "1:6");
        CHECK(at(first_error("{\xc3\xa9: 1, b: 2, b: 3}\n").where) == "1:15");
    }

    SUBCASE("empty input, blank lines and comments are an empty policy") {
        for (std::string_view text : {"", "\n\n", "   \n", "# only a comment\n", "---\n"}) {
            CAPTURE(text);
            auto result = parse_yaml(text);
            if (text == "---\n") {
                // An explicit, empty document is a null root, for the loader to refuse as "not a mapping".
                REQUIRE(result.root);
                CHECK(result.root->is_null());
                continue;
            }
            REQUIRE(result.errors.size() == 1);
            CHECK(at(result.errors[0].where) == "1:1");
            CHECK(result.errors[0].message == "policy is empty");
        }
    }
    SUBCASE("document markers around one document are fine") {
        CHECK(tree("---\na: 1\n...\n").find("a")->value == "1");
    }
    SUBCASE("a second document") {
        auto d = first_error("a: 1\n---\nb: 2\n");
        CHECK(at(d.where) == "3:1");
        CHECK(d.message == "a policy is one YAML document; found a second one");
    }
    SUBCASE("syntax errors carry yaml-cpp's position and message") {
        auto unclosed = first_error("a: [1, 2\n");
        CHECK(at(unclosed.where) == "2:1");
        CHECK(unclosed.message == "YAML syntax error: end of sequence flow not found");

        auto value_after_value = first_error("a: b: c\n");
        CHECK(at(value_after_value.where) == "1:5");
        CHECK(value_after_value.message == "YAML syntax error: illegal map value");
    }
    SUBCASE("every refusal in a document is reported, not just the first") {
        auto result = parse_yaml("a: &x 1\nb: !!str 2\nc: 3\nc: 4\n");
        REQUIRE(result.errors.size() == 3);
        CHECK(mentions(result.errors[0], "anchors"));
        CHECK(mentions(result.errors[1], "tags"));
        CHECK(mentions(result.errors[2], "duplicate key 'c'"));
        CHECK_FALSE(result.root);
    }
}

TEST_CASE("kind_name") {
    CHECK(kind_name(YamlNode::Kind::null) == "nothing");
    CHECK(kind_name(YamlNode::Kind::scalar) == "a scalar");
    CHECK(kind_name(YamlNode::Kind::sequence) == "a list");
    CHECK(kind_name(YamlNode::Kind::map) == "a mapping");
}

// Regression: duplicate keys were found by comparing each key with every
// earlier one, so a 1 MiB mapping of 128,854 distinct keys took 39 s.
// A guard against that hang, generous for sanitizer builds. (110,000 keys
// and their values, within max_policy_nodes.)
TEST_CASE("parse_yaml: a mapping of 110,000 distinct keys parses at once") {
    std::string text;
    for (int i = 0; i < 110000; ++i) text += "k" + std::to_string(i) + ":\n";
    auto start = std::chrono::steady_clock::now();
    auto result = parse_yaml(text);
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE(result.root);
    CHECK(result.root->entries.size() > 100000);
    CHECK_MESSAGE(elapsed.count() < 5.0, "took " << elapsed.count() << " s");
}

TEST_CASE("parse_yaml: a list of more than max_policy_nodes values is refused, parsing stops there") {
    std::string text = "x: [";
    for (std::size_t i = 0; i < max_policy_nodes; ++i) text += "a,";
    text += "a]\n";
    auto result = parse_yaml(text);
    REQUIRE(result.errors.size() == 1);
    CHECK(result.errors[0].message == "more than " + std::to_string(max_policy_nodes) + " keys and values; a policy is far smaller");
}
