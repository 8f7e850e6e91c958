#pragma once
// What a single database value looks like: pure classifiers, no database and
// no policy. `dsr policy init` runs them over a sample of each column; only
// the verdicts leave this module, never the values.

#include <optional>
#include <string_view>

namespace dsr::policy_init {

/// A kind of personal value recognisable by its shape alone.
enum class ValueShape { email, phone, ipv4, ipv6, birth_date, postcode, card_number };

/// For a person: "email addresses", "phone numbers", …
std::string_view describe(ValueShape shape);
/// The built-in policy category (dsr-policy(5)) a column of such values gets.
std::string_view category_of(ValueShape shape);

/// `local@domain.tld`: one @, no spaces, a dot in the domain, a letter TLD.
bool is_email(std::string_view text);
/// An international (+CC…), trunk-prefixed (0…) or separated number of 7 to
/// 15 digits (E.164's limit); not a date, not a bare count.
bool is_phone(std::string_view text);
/// Dotted-quad IPv4, as inet_pton(3) reads it.
bool is_ipv4(std::string_view text);
/// IPv6 in any form inet_pton(3) reads (`::1`, `2001:db8::7`, …).
bool is_ipv6(std::string_view text);
/// A date without a time of day (YYYY-MM-DD, DD/MM/YYYY, DD.MM.YYYY) whose
/// year makes its owner 14 to 110 years old in `current_year`: timestamps
/// (which have a time) and recent dates (orders, shipments) are not births.
bool is_birth_date(std::string_view text, int current_year);
/// A postcode in a format of a country with many online shoppers: UK,
/// Ireland (Eircode), US ZIP, Canada, the Netherlands, Poland, Sweden,
/// Portugal, and the 5- and 6-digit codes of most of Europe and Asia.
/// Four bare digits (also a card's last four, a year, a PIN) are not.
bool is_postcode(std::string_view text);
/// The Luhn (mod 10) check of ISO/IEC 7812 over a string of digits only;
/// false for an empty string or any non-digit.
bool luhn_valid(std::string_view digits);
/// 13 to 19 digits (spaces or dashes between groups allowed), a card
/// network's first digit (2-6), and a valid Luhn check digit.
bool is_card_number(std::string_view text);

/// The first shape `text` has, tried from the most specific (email, IP,
/// card) to the least (postcode); nullopt for none. Texts longer than any
/// of the shapes (free text) are not examined.
std::optional<ValueShape> shape_of(std::string_view text, int current_year);

/// ISO 8601 date or date-time text (`2026-11-01`, `2026-11-01T08:30:00Z`,
/// `2026-11-01 08:30:00+01:00`), for suggesting a retention `format`.
bool is_iso8601_time(std::string_view text);

}  // namespace dsr::policy_init
