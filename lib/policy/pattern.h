#pragma once
// Rectify patterns (dsr-policy(5), `rectify: pattern:`): compiled the same
// way where the policy loads and where a new value is matched.

#include <cstddef>
#include <regex>
#include <string>

namespace dsr::policy {

/// The longest pattern a policy may give; real ones (a postcode, a phone
/// number) are tens of bytes. std::regex compiles by recursive descent, so a
/// pattern of thousands of nested groups would overflow the stack.
inline constexpr std::size_t max_pattern_bytes = 1000;

/// Compiles `pattern` as ECMAScript. With libstdc++ it asks for the
/// breadth-first matcher (`__polynomial`): its time grows with pattern size
/// times input length, and its stack does not grow with the input. The
/// default matcher recurses once per character (a value of some ten
/// thousand characters overflows the stack) and backtracks exponentially on
/// patterns such as (a*)*b. The price: back-references (\1) are refused.
/// Throws std::regex_error.
std::regex compile_pattern(const std::string& pattern);

}  // namespace dsr::policy
