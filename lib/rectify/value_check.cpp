#include "rectify/value_check.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <regex>

#include "crypto/pseudonym.h"
#include "policy/pattern.h"
#include "util/civil_date.h"
#include "util/error.h"

namespace dsr::rectify {

namespace {

using policy::RectifyRule;
using policy::RectifyType;

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_alnum(char c) { return ascii_digit(c) || ascii_alpha(c); }
bool non_ascii(char c) { return static_cast<unsigned char>(c) >= 0x80; }
char ascii_upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_upper);
    return out;
}

/// A bound from the policy as a person writes it: 30, 0.5, -2.
std::string number_text(double d) {
    std::array<char, 64> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), d);
    if (ec != std::errc()) return std::to_string(d);
    return std::string(buffer.data(), end);
}

CheckOutcome refuse(std::string problem) { return {std::nullopt, std::move(problem)}; }

// --- email ---------------------------------------------------------------

/// The characters of an unquoted local part (RFC 5322 atext, and dots);
/// UTF-8 beyond ASCII is allowed (RFC 6531, internationalised addresses).
bool local_char(char c) {
    static constexpr std::string_view specials = "!#$%&'*+/=?^_`{|}~-.";
    return ascii_alnum(c) || non_ascii(c) || specials.find(c) != std::string_view::npos;
}

/// A domain of at least two labels (no IP literals, no bare hosts: mail to
/// a shop's customer goes to a public domain), each label 1..63 letters,
/// digits, hyphens or non-ASCII (IDN) characters, not starting or ending
/// with a hyphen; the top-level label is not all digits.
bool valid_domain(std::string_view domain) {
    if (domain.empty() || domain.size() > 253) return false;
    std::size_t labels = 0;
    std::string_view last;
    while (true) {
        auto dot = domain.find('.');
        std::string_view label = domain.substr(0, dot);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!ascii_alnum(c) && c != '-' && !non_ascii(c)) return false;
        ++labels;
        last = label;
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
    }
    if (labels < 2 || last.size() < 2) return false;
    return !std::all_of(last.begin(), last.end(), ascii_digit);
}

CheckOutcome check_email(std::string_view text) {
    // The same canonical form as the email identity, so a rectified email
    // is found again by `--subject email=…` however it was typed.
    std::string value = crypto::normalize_identity(text, policy::IdentityNormalization::email);
    const auto problem = "not a valid email address";
    if (value.size() > 254) return refuse(problem);
    auto at = value.find('@');
    if (at == std::string::npos || value.find('@', at + 1) != std::string::npos) return refuse(problem);
    std::string_view local = std::string_view(value).substr(0, at);
    std::string_view domain = std::string_view(value).substr(at + 1);
    if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return refuse(problem);
    if (!std::all_of(local.begin(), local.end(), local_char)) return refuse(problem);
    if (!valid_domain(domain)) return refuse(problem);
    return {db::Value(std::move(value)), {}};
}

// --- phone ---------------------------------------------------------------

CheckOutcome check_phone(std::string_view text) {
    const auto problem = "not a phone number in international form (+ or 00, the country code, at most 15 digits)";
    // Only what people write between digits: spaces, dashes, dots, slashes
    // and brackets; a letter or a second + is a mistake, not punctuation.
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (ascii_digit(c) || c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' || c == ')') continue;
        if (c == '+' && i == 0) continue;
        return refuse(problem);
    }
    if (!text.starts_with("+") && !text.starts_with("00")) return refuse(problem);
    // The phone identity's own normalisation, so the subject stays findable.
    std::string value = crypto::normalize_identity(text, policy::IdentityNormalization::phone);
    std::string_view digits = std::string_view(value).substr(1);
    // E.164: a country code (never starting with 0) and at most 15 digits in
    // all; fewer than 7 is no subscriber number anywhere.
    if (digits.size() < 7 || digits.size() > 15 || digits.front() == '0') return refuse(problem);
    return {db::Value(std::move(value)), {}};
}

// --- numbers -------------------------------------------------------------

std::optional<std::string> range_problem(const RectifyRule& rule, double v) {
    if (rule.min && v < *rule.min) return "below the minimum of " + number_text(*rule.min);
    if (rule.max && v > *rule.max) return "above the maximum of " + number_text(*rule.max);
    return std::nullopt;
}

CheckOutcome check_integer(const RectifyRule& rule, std::string_view text) {
    const auto problem = "not a whole number";
    std::string_view digits = text;
    if (digits.starts_with("+")) digits.remove_prefix(1);
    std::string_view unsigned_part = digits.starts_with("-") ? digits.substr(1) : digits;
    if (unsigned_part.empty() || !std::all_of(unsigned_part.begin(), unsigned_part.end(), ascii_digit))
        return refuse(problem);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    if (ec != std::errc() || end != digits.data() + digits.size())
        return refuse("not a whole number in the range of a 64-bit integer");
    if (auto p = range_problem(rule, static_cast<double>(v))) return refuse(*p);
    return {db::Value(v), {}};
}

CheckOutcome check_decimal(const RectifyRule& rule, std::string_view text) {
    // Plain decimal notation only: no exponent, no "inf" or "nan", and a dot
    // as the separator ("82,5" is refused rather than guessed at).
    const auto problem = "not a decimal number (digits with an optional . and fraction)";
    std::string_view number = text;
    if (number.starts_with("+")) number.remove_prefix(1);
    std::string_view body = number.starts_with("-") ? number.substr(1) : number;
    auto dot = body.find('.');
    std::string_view whole = body.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view() : body.substr(dot + 1);
    bool digits_only = std::all_of(whole.begin(), whole.end(), ascii_digit) &&
                       std::all_of(fraction.begin(), fraction.end(), ascii_digit);
    if (!digits_only || (whole.empty() && fraction.empty())) return refuse(problem);
    double v = 0;
    auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v, std::chars_format::fixed);
    if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(v)) return refuse(problem);
    if (v == 0) v = 0;  // no negative zero in the database
    if (auto p = range_problem(rule, v)) return refuse(*p);
    return {db::Value(v), {}};
}

// --- places --------------------------------------------------------------

CheckOutcome check_postcode(std::string_view text) {
    // Upper case, and runs of blanks as one space: "d02  x285" is "D02 X285".
    std::string value;
    for (char c : text) {
        if (ascii_space(c)) {
            if (!value.empty() && value.back() != ' ') value += ' ';
            continue;
        }
        value += ascii_upper(c);
    }
    const auto problem = "not a postcode (2 to 10 letters, digits, spaces or hyphens, with at least one digit)";
    if (value.size() < 2 || value.size() > 10) return refuse(problem);
    if (!ascii_alnum(value.front()) || !ascii_alnum(value.back())) return refuse(problem);
    for (char c : value)
        if (!ascii_alnum(c) && c != ' ' && c != '-') return refuse(problem);
    if (std::none_of(value.begin(), value.end(), ascii_digit)) return refuse(problem);
    return {db::Value(std::move(value)), {}};
}

CheckOutcome check_country(std::string_view text) {
    std::string value = upper(text);
    if (!is_country_code(value)) return refuse("not an ISO 3166-1 alpha-2 country code (such as IE or US)");
    return {db::Value(std::move(value)), {}};
}

CheckOutcome check_choice(const RectifyRule& rule, std::string_view text) {
    if (std::find(rule.choices.begin(), rule.choices.end(), text) != rule.choices.end())
        return {db::Value(std::string(text)), {}};
    // The choices are the policy's, not personal data: listing them helps.
    std::string list;
    for (const auto& c : rule.choices) list += (list.empty() ? "" : ", ") + c;
    return refuse("not one of the allowed values (" + list + ")");
}

bool has_control_characters(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

CheckOutcome check_type(const RectifyRule& rule, std::string_view text) {
    switch (rule.type) {
        case RectifyType::text: return {db::Value(std::string(text)), {}};
        case RectifyType::email: return check_email(text);
        case RectifyType::phone: return check_phone(text);
        case RectifyType::date: {
            auto date = parse_date(text);
            if (!date) return refuse("not a calendar date written YYYY-MM-DD");
            return {db::Value(format_date(*date)), {}};
        }
        case RectifyType::integer: return check_integer(rule, text);
        case RectifyType::decimal: return check_decimal(rule, text);
        case RectifyType::postcode: return check_postcode(text);
        case RectifyType::country: return check_country(text);
        case RectifyType::choice: return check_choice(rule, text);
    }
    return refuse("has an unknown rule type");
}

/// The text max_length and pattern look at: what will be stored, or for a
/// number the digits as typed (trimmed).
std::string stored_text(const db::Value& value, std::string_view trimmed) {
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return std::string(trimmed);
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto b = static_cast<unsigned char>(text[i]);
        std::size_t extra = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            extra = 1;
            cp = b & 0x1F;
        } else if ((b & 0xF0) == 0xE0) {
            extra = 2;
            cp = b & 0x0F;
        } else if ((b & 0xF8) == 0xF0) {
            extra = 3;
            cp = b & 0x07;
        } else {
            return false;
        }
        if (i + extra >= text.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= extra; ++k) {
            auto c = static_cast<unsigned char>(text[i + k]);
            if ((c & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (c & 0x3F);
        }
        static constexpr char32_t smallest[] = {0, 0x80, 0x800, 0x10000};
        if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += extra + 1;
    }
    return true;
}

std::size_t code_points(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

bool is_country_code(std::string_view code) {
    // Officially assigned ISO 3166-1 alpha-2 codes (249), sorted for binary search.
    static constexpr std::array<std::string_view, 249> codes = {
        "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB",
        "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY",
        "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX",
        "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK",
        "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS",
        "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR",
        "IS", "IT", "JE", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA",
        "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
        "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE",
        "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
        "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG",
        "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF",
        "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY",
        "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW"};
    return std::binary_search(codes.begin(), codes.end(), code);
}

std::string_view to_string(policy::RectifyType type) {
    switch (type) {
        case RectifyType::text: return "text";
        case RectifyType::email: return "email";
        case RectifyType::phone: return "phone";
        case RectifyType::date: return "date";
        case RectifyType::integer: return "integer";
        case RectifyType::decimal: return "decimal";
        case RectifyType::postcode: return "postcode";
        case RectifyType::country: return "country";
        case RectifyType::choice: return "choice";
    }
    return "text";
}

CheckOutcome check_value(const policy::RectifyRule& rule, std::string_view text) {
    if (!is_valid_utf8(text)) return refuse("not valid UTF-8 text");
    std::string_view trimmed = trim(text);
    // Rectification corrects a value; removing one is erasure's job.
    if (trimmed.empty()) return refuse("the new value is empty");
    // Control characters (line breaks, escapes) have no place in a field a
    // person reads back; they are refused rather than silently dropped.
    if (has_control_characters(trimmed)) return refuse("contains control characters (line breaks, tabs or escapes)");
    auto outcome = check_type(rule, trimmed);
    if (!outcome.ok()) return outcome;

    std::string stored = stored_text(*outcome.value, trimmed);
    if (rule.max_length && static_cast<std::int64_t>(code_points(stored)) > *rule.max_length)
        return refuse("longer than " + std::to_string(*rule.max_length) + " characters");
    if (rule.pattern) {
        try {
            // Compiled as the loader did; matched against the whole value.
            auto pattern = policy::compile_pattern(*rule.pattern);
            if (!std::regex_match(stored, pattern)) return refuse("does not match the column's pattern");
        } catch (const std::regex_error&) {
            // error_complexity / error_stack: a pathological pattern on this input.
            return refuse("the column's pattern could not be evaluated on the new value");
        }
    }
    return outcome;
}

db::Value checked_value(const policy::RectifyRule& rule, std::string_view field, std::string_view text) {
    auto outcome = check_value(rule, text);
    if (!outcome.ok()) throw Error(ExitStatus::usage, std::string(field) + ": " + outcome.problem);
    return std::move(*outcome.value);
}

}  // namespace dsr::rectify
