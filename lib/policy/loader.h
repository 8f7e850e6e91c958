#pragma once
// Reads a policy file into a typed Policy. All problems are collected, then
// reported together, before any database connection opens.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/diagnostic.h"
#include "policy/model.h"

namespace dsr::policy {

struct LoadResult {
    std::optional<Policy> policy;     ///< set only when errors is empty
    std::vector<Diagnostic> errors;   ///< in file order
    std::string sha256;               ///< of the file's bytes; empty if it could not be read
};

/// Parses and validates policy text; `path` is used for Policy::path only.
LoadResult load_policy_text(std::string_view text, const std::string& path);

/// Reads the file and calls load_policy_text. An unreadable file is reported
/// as a diagnostic at 1:1 so the caller has one path for every failure.
LoadResult load_policy_file(const std::string& path);

/// Parses `10y`, `18m`, `90d`, `36h`: a positive whole number and one unit.
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace dsr::policy
