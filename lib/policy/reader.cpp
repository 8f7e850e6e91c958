#include "policy/reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>

namespace dsr::policy {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::optional<std::string_view> closest(std::string_view value, const std::vector<std::string_view>& known) {
    // A third of the length, at least 1 and at most 3 edits, reads as a typo;
    // more than that is a different word and a suggestion would mislead.
    std::size_t limit = std::clamp<std::size_t>(value.size() / 3, 1, 3);
    std::optional<std::string_view> best;
    std::size_t best_distance = 0;
    for (auto candidate : known) {
        // The distance is at least the difference in length: a candidate
        // that far off cannot be the answer, and a hostile 1 MB name would
        // cost a million steps a candidate to find that out.
        auto gap = value.size() > candidate.size() ? value.size() - candidate.size() : candidate.size() - value.size();
        if (gap > limit) continue;
        auto d = edit_distance(value, candidate);
        if (!best || d < best_distance) {
            best = candidate;
            best_distance = d;
        }
    }
    if (best && best_distance <= limit) return best;
    // A renamed column often keeps its old name as its first word: phone -> phone_number.
    for (auto candidate : known) {
        if (candidate.starts_with(std::string(value) + "_") || value.starts_with(std::string(candidate) + "_"))
            return candidate;
    }
    return std::nullopt;
}

namespace {
std::string join(const std::vector<std::string_view>& names) {
    std::string out;
    for (auto n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}
}  // namespace

void Reader::error(Position where, std::string message) {
    if (errors_.size() > max_errors) return;
    if (errors_.size() == max_errors) {
        errors_.push_back({where, "too many errors; stopped after " + std::to_string(max_errors)});
        return;
    }
    errors_.push_back({where, clip_message(std::move(message))});
}

void Reader::unknown(Position where, std::string_view value, std::string_view context,
                     const std::vector<std::string_view>& known) {
    if (full()) {
        error(where, {});  // adds the "too many errors" note once; no suggestion search
        return;
    }
    std::string message = "unknown " + std::string(context) + " '" + std::string(value) + "'";
    if (known.empty()) {
        message += " (none are declared)";
    } else if (known.size() <= 12) {
        message += " (expected one of: " + join(known) + ")";
    }
    if (auto guess = closest(value, known)) message += "; did you mean '" + std::string(*guess) + "'?";
    error(where, std::move(message));
}

bool Reader::is_map(const YamlNode& node, std::string_view context) {
    if (node.is_map()) return true;
    error(node.where, "expected a mapping for " + std::string(context) + ", found " + std::string(kind_name(node.kind)));
    return false;
}

bool Reader::is_sequence(const YamlNode& node, std::string_view context) {
    if (node.is_sequence()) return true;
    error(node.where, "expected a list for " + std::string(context) + ", found " + std::string(kind_name(node.kind)));
    return false;
}

void Reader::only_keys(const YamlNode& map, std::initializer_list<std::string_view> allowed, std::string_view context) {
    std::vector<std::string_view> known(allowed);
    for (const auto& [key, value] : map.entries) {
        if (std::find(known.begin(), known.end(), key.value) == known.end())
            unknown(key.where, key.value, "key in " + std::string(context) + ":", known);
    }
}

const YamlNode* Reader::required(const YamlNode& map, std::string_view key, std::string_view context) {
    if (const auto* value = map.find(key)) return value;
    error(map.where, "missing required key '" + std::string(key) + "' in " + std::string(context));
    return nullptr;
}

std::optional<std::string> Reader::text(const YamlNode& node, std::string_view context) {
    if (node.is_scalar()) return node.value;
    error(node.where, "expected a string for " + std::string(context) + ", found " + std::string(kind_name(node.kind)));
    return std::nullopt;
}

std::optional<bool> Reader::boolean(const YamlNode& node, std::string_view context) {
    if (node.is_scalar()) {
        if (node.value == "true") return true;
        if (node.value == "false") return false;
    }
    error(node.where, "expected true or false for " + std::string(context));
    return std::nullopt;
}

std::optional<std::int64_t> Reader::integer(const YamlNode& node, std::string_view context) {
    if (node.is_scalar()) {
        std::int64_t value = 0;
        const auto& s = node.value;
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
        if (ec == std::errc{} && end == s.data() + s.size()) return value;
    }
    error(node.where, "expected a whole number for " + std::string(context));
    return std::nullopt;
}

std::optional<double> Reader::number(const YamlNode& node, std::string_view context) {
    // Decimal notation only: strtod alone would also take nan, inf and hex floats.
    static const std::regex decimal("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    if (node.is_scalar() && std::regex_match(node.value, decimal)) {
        double value = std::strtod(node.value.c_str(), nullptr);
        if (std::isfinite(value)) return value;
    }
    error(node.where, "expected a number for " + std::string(context));
    return std::nullopt;
}

std::vector<std::pair<std::string, Position>> Reader::names(const YamlNode& node, std::string_view context) {
    std::vector<std::pair<std::string, Position>> out;
    if (node.is_scalar()) {
        out.emplace_back(node.value, node.where);
        return out;
    }
    if (!is_sequence(node, context)) return out;
    for (const auto& item : node.items)
        if (auto value = text(item, context)) out.emplace_back(*value, item.where);
    return out;
}

}  // namespace dsr::policy
