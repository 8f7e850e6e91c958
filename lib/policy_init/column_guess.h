#pragma once
// A guess at what one column holds, from its name, its table's name and what
// a sample of its values looks like. Every guess carries its reason, which
// the draft writes beside it for a person to review.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"
#include "policy_init/value_shapes.h"

namespace dsr::policy_init {

/// How a column's sampled values store points in time, as a policy's
/// retention `format` names them (dsr-policy(5), Timestamps).
enum class TimeFormat { iso8601, unix_seconds, unix_millis, native };
std::string_view to_string(TimeFormat format);

/// What a sample of a column's values suggests. It holds counts and
/// verdicts only: the values are dropped once weighed.
struct ValueEvidence {
    std::size_t sampled = 0;             ///< non-null values read
    std::optional<ValueShape> shape;     ///< set when most sampled values have it
    std::size_t shape_matches = 0;       ///< how many of them do
    std::optional<TimeFormat> time_format;  ///< set when most values read as times
};

/// Weighs sampled values: a shape or time format counts when at least four
/// in five of the non-null values have it. Text is classified; integers are
/// checked as Unix times and (13 to 19 digits) as card numbers; reals and
/// bytes count as sampled only.
ValueEvidence weigh_values(const std::vector<db::Value>& values, int current_year);

/// The words of an identifier, lower case: split at `_`, `-`, spaces, dots
/// and camelCase humps, with acronyms kept whole (`IPAddress` -> ip, address;
/// `customerID` -> customer, id).
std::vector<std::string> identifier_words(std::string_view name);

/// The category a column name suggests (policy check's list, plus the
/// names of a shop's address, body-measurement, loyalty, marketing and
/// message columns), with the word that suggested it.
struct NameHint {
    std::string category;
    std::string word;
};
std::optional<NameHint> category_from_name(std::string_view column);
/// The category a table's name suggests for columns that say nothing
/// themselves (`orders` -> purchase_history, `web_sessions` -> online_identifier).
std::optional<NameHint> category_from_table(std::string_view table);

/// True for a column that records a point in time: a time format in its
/// values, a native date/time type, or a name such as `placed_at` or
/// `createdOn` (dates of birth are not: they are data, not events).
bool is_timestamp_column(const db::ColumnInfo& column, const ValueEvidence& evidence);

/// The identity kind a column can name a subject by: "email" or "phone".
std::optional<std::string> identity_kind(const db::ColumnInfo& column, const ValueEvidence& evidence);

/// Used when nothing suggests a category: a category the draft declares, so
/// the policy loads, and whose name says it still has to be chosen.
inline constexpr std::string_view unreviewed_category = "unreviewed";

struct ColumnGuess {
    std::string category;
    std::string source;       ///< "provided" or "observed"
    std::string reason;       ///< "from …": why, for the `# REVIEW:` comment; counts, never values
    bool from_values = false; ///< the sample decided the category
    bool from_name = false;   ///< the column's own name suggested a category
};

/// Values outrank names (a column called `notes` full of email addresses
/// holds contact data), the column's name outranks its table's, and with
/// nothing to go on the category is `unreviewed`.
ColumnGuess guess_column(std::string_view table, const db::ColumnInfo& column, const ValueEvidence& evidence);

}  // namespace dsr::policy_init
