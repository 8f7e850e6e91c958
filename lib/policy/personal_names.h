#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace dsr::policy {

/// If a column's name suggests personal data (email, phone, name, address,
/// ip, birth, dob, ssn, passport, lat/long, …), the category it suggests.
/// Names are split on `_`, `-` and camelCase so `customerEmail` and
/// `customer_email` both match on the word `email`, while `emailed_count`
/// does not match on a substring.
std::optional<std::string> suggested_category(std::string_view column_name);

}  // namespace dsr::policy
