#pragma once
// Checks a new value for a rectifiable column against the column's rule
// (dsr-policy(5), `rectify`) before anything is written, and gives the form
// to store: typed (integer -> int64, decimal -> double, else text) and
// normalised (emails trimmed and lower-cased, phones reduced to + and
// digits, dates and country codes in their canonical form).
//
// A refusal says which rule failed, never the value: the value is someone's
// personal data, and messages reach terminals, logs and JSON reports.

#include <optional>
#include <string>
#include <string_view>

#include "db/database.h"
#include "policy/model.h"

namespace dsr::rectify {

/// The outcome of a check: the value to store, or why none can be.
struct CheckOutcome {
    std::optional<db::Value> value;  ///< set when the value passed every rule
    std::string problem;             ///< when refused: e.g. "not a valid email address" (never the value)

    bool ok() const { return value.has_value(); }
};

/// Checks `text` (as typed by the operator) against `rule`: first the rule's
/// type, then max_length (in Unicode code points of the normalised value),
/// then pattern (which must match the whole normalised value).
CheckOutcome check_value(const policy::RectifyRule& rule, std::string_view text);

/// check_value, throwing dsr::Error(usage) "FIELD: PROBLEM" on refusal;
/// `field` names the column, e.g. "customers.email".
db::Value checked_value(const policy::RectifyRule& rule, std::string_view field, std::string_view text);

/// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// The number of Unicode code points in valid UTF-8 `text`.
std::size_t code_points(std::string_view text);

/// Whether `code` is an officially assigned ISO 3166-1 alpha-2 code (upper case).
bool is_country_code(std::string_view code);

/// The name of a rule type as written in the policy, for messages.
std::string_view to_string(policy::RectifyType type);

}  // namespace dsr::rectify
