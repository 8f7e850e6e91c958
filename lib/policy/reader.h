#pragma once
// Typed reads from a YamlNode that record a Diagnostic instead of throwing,
// so one pass over a policy reports every problem it has.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/yaml_tree.h"

namespace dsr::policy {

class Reader {
public:
    explicit Reader(std::vector<Diagnostic>& errors) : errors_(errors) {}

    /// A hostile policy could hold millions of mistakes; past this many the
    /// rest are dropped, so reporting costs a moment, not minutes.
    static constexpr std::size_t max_errors = 100;

    /// Records a diagnostic, up to max_errors, then one "too many errors" note.
    void error(Position where, std::string message);
    bool full() const { return errors_.size() >= max_errors; }

    /// True if `node` is a mapping; records "expected a mapping for CONTEXT" otherwise.
    bool is_map(const YamlNode& node, std::string_view context);
    bool is_sequence(const YamlNode& node, std::string_view context);

    /// Records an error for each key not in `allowed`, suggesting the closest allowed key.
    void only_keys(const YamlNode& map, std::initializer_list<std::string_view> allowed, std::string_view context);

    /// The value under `key`, recording "missing required key" when absent.
    const YamlNode* required(const YamlNode& map, std::string_view key, std::string_view context);

    std::optional<std::string> text(const YamlNode& node, std::string_view context);
    std::optional<bool> boolean(const YamlNode& node, std::string_view context);
    std::optional<std::int64_t> integer(const YamlNode& node, std::string_view context);
    std::optional<double> number(const YamlNode& node, std::string_view context);
    /// A list of scalars; a single scalar is accepted as a list of one.
    std::vector<std::pair<std::string, Position>> names(const YamlNode& node, std::string_view context);

    /// One of `choices` (as written in the policy), returned as its index.
    template <typename Enum, std::size_t N>
    std::optional<Enum> choice(const YamlNode& node, const std::pair<std::string_view, Enum> (&choices)[N],
                               std::string_view context) {
        auto value = text(node, context);
        if (!value) return std::nullopt;
        std::vector<std::string_view> names;
        for (const auto& [name, e] : choices) {
            if (name == *value) return e;
            names.push_back(name);
        }
        unknown(node.where, *value, context, names);
        return std::nullopt;
    }

    /// Records "unknown CONTEXT 'VALUE' (expected one of: …); did you mean '…'?"
    void unknown(Position where, std::string_view value, std::string_view context,
                 const std::vector<std::string_view>& known);

private:
    std::vector<Diagnostic>& errors_;
};

/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The closest of `known` to `value` when it is close enough to be a likely typo.
std::optional<std::string_view> closest(std::string_view value, const std::vector<std::string_view>& known);

}  // namespace dsr::policy
