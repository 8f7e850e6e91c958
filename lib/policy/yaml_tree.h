#pragma once
// A small, owned tree of the YAML a policy is written in, built from
// yaml-cpp's parser events rather than YAML::Node. Building it ourselves lets
// us refuse what a policy never needs and what can hurt: anchors and aliases
// (billion-laughs expansion), tags, duplicate keys (yaml-cpp keeps the last
// silently), non-scalar keys, deep nesting, several documents, oversized or
// non-UTF-8 input. Every node keeps its position for error messages.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/diagnostic.h"

namespace dsr::policy {

struct YamlNode {
    enum class Kind { null, scalar, sequence, map };

    Kind kind = Kind::null;
    Position where;
    std::string value;                                  ///< scalar text
    std::vector<YamlNode> items;                        ///< sequence items
    std::vector<std::pair<YamlNode, YamlNode>> entries; ///< map entries in file order (keys are scalars)

    // The destructor is defined in yaml_tree.cpp: clang, with libstdc++,
    // instantiates std::pair<YamlNode, YamlNode> to ask whether YamlNode is
    // default-constructible, which needs its destructor, which an inline one
    // defines through ~vector of that same, still incomplete, pair.
    YamlNode() = default;
    YamlNode(const YamlNode&) = default;
    YamlNode(YamlNode&&) noexcept = default;
    YamlNode& operator=(const YamlNode&) = default;
    YamlNode& operator=(YamlNode&&) noexcept = default;
    ~YamlNode();

    /// The value under `key` in a map, or nullptr.
    const YamlNode* find(std::string_view key) const;
    bool is_null() const { return kind == Kind::null; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_map() const { return kind == Kind::map; }
};

std::string_view kind_name(YamlNode::Kind kind);

/// Limits that keep a hostile policy from costing more than a moment.
inline constexpr std::size_t max_policy_bytes = 1024 * 1024;
inline constexpr int max_policy_depth = 32;
/// Keys, values, lists and mappings together. The demo shop's policy has
/// some 2,000; a megabyte of `[a,a,a,…]` would have 500,000, a hundred bytes
/// of tree each.
inline constexpr std::size_t max_policy_nodes = 250000;

struct YamlParseResult {
    std::optional<YamlNode> root;  ///< absent when errors is not empty
    std::vector<Diagnostic> errors;
};

YamlParseResult parse_yaml(std::string_view text);

}  // namespace dsr::policy
