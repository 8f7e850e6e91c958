#include "policy_init/value_shapes.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <regex>
#include <string>

namespace dsr::policy_init {

namespace {

// Longer than any email (RFC 5321: 254), phone, address or card number:
// free text is not examined (and std::regex recurses per character).
constexpr std::size_t longest_shaped_value = 254;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trimmed(std::string_view text) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!text.empty() && space(text.front())) text.remove_prefix(1);
    while (!text.empty() && space(text.back())) text.remove_suffix(1);
    return text;
}

bool matches(std::string_view text, const std::regex& pattern) {
    return std::regex_match(text.begin(), text.end(), pattern);
}

bool real_date(int year, int month, int day) {
    using namespace std::chrono;
    return year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                          std::chrono::day{static_cast<unsigned>(day)}}
        .ok();
}

/// Year, month and day of a date-only text, in the orders people write them.
std::optional<std::array<int, 3>> date_only(std::string_view text) {
    static const std::regex iso(R"(^(\d{4})-(\d{2})-(\d{2})$)");
    static const std::regex day_first(R"(^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$)");
    std::match_results<std::string_view::const_iterator> m;
    auto number = [&](int i) { return std::stoi(std::string(m[i].first, m[i].second)); };
    if (std::regex_match(text.begin(), text.end(), m, iso)) {
        if (real_date(number(1), number(2), number(3))) return std::array{number(1), number(2), number(3)};
        return std::nullopt;
    }
    if (std::regex_match(text.begin(), text.end(), m, day_first)) {
        int year = number(3);
        // 03/04/1985 is the 3rd of April in Europe and March 4th in the US:
        // either reading makes a date of birth.
        if (real_date(year, number(2), number(1))) return std::array{year, number(2), number(1)};
        if (real_date(year, number(1), number(2))) return std::array{year, number(1), number(2)};
    }
    return std::nullopt;
}

}  // namespace

std::string_view describe(ValueShape shape) {
    switch (shape) {
        case ValueShape::email: return "email addresses";
        case ValueShape::phone: return "phone numbers";
        case ValueShape::ipv4: return "IP addresses (IPv4)";
        case ValueShape::ipv6: return "IP addresses (IPv6)";
        case ValueShape::birth_date: return "dates of birth";
        case ValueShape::postcode: return "postcodes";
        case ValueShape::card_number: return "payment card numbers (Luhn-valid)";
    }
    return "?";
}

std::string_view category_of(ValueShape shape) {
    switch (shape) {
        case ValueShape::email:
        case ValueShape::phone: return "contact";
        case ValueShape::ipv4:
        case ValueShape::ipv6: return "online_identifier";
        case ValueShape::birth_date: return "demographic";
        case ValueShape::postcode: return "address";
        case ValueShape::card_number: return "payment";
    }
    return "identity";
}

bool is_email(std::string_view text) {
    static const std::regex email(R"(^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,63}$)");
    text = trimmed(text);
    return text.size() <= longest_shaped_value && matches(text, email);
}

bool is_phone(std::string_view text) {
    text = trimmed(text);
    if (text.empty() || text.size() > 32 || date_only(text)) return false;
    static const std::regex phone(R"(^\+?[0-9 ().-]+$)");
    if (!matches(text, phone)) return false;
    auto digits = static_cast<std::size_t>(std::count_if(text.begin(), text.end(), is_digit));
    if (digits < 7 || digits > 15) return false;
    bool international = text.front() == '+' || text.starts_with("00");
    bool trunk = text.front() == '0' && digits >= 9 && digits <= 12;
    bool separated = digits >= 10 && (text.find_first_of(" ().-") != std::string_view::npos);
    return international || trunk || separated;
}

bool is_ipv4(std::string_view text) {
    text = trimmed(text);
    if (text.size() > 15) return false;
    unsigned char out[4];
    return inet_pton(AF_INET, std::string(text).c_str(), out) == 1;
}

bool is_ipv6(std::string_view text) {
    text = trimmed(text);
    if (text.size() > 45 || text.find(':') == std::string_view::npos) return false;
    unsigned char out[16];
    return inet_pton(AF_INET6, std::string(text).c_str(), out) == 1;
}

bool is_birth_date(std::string_view text, int current_year) {
    auto date = date_only(trimmed(text));
    if (!date) return false;
    int age = current_year - (*date)[0];
    return age >= 14 && age <= 110;
}

bool is_postcode(std::string_view text) {
    text = trimmed(text);
    if (text.size() < 5 || text.size() > 10) return false;
    std::string upper(text);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    static const std::array<std::regex, 9> formats = {
        std::regex(R"(^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$)"),  // UK
        std::regex(R"(^[A-Z][0-9][0-9W] ?[0-9A-Z]{4}$)"),          // Ireland (Eircode)
        std::regex(R"(^[0-9]{5}(-[0-9]{4})?$)"),                    // US ZIP, DE, FR, IT, ES, …
        std::regex(R"(^[0-9]{6}$)"),                                 // CN, VN, IN, RU, …
        std::regex(R"(^[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9]$)"),         // Canada
        std::regex(R"(^[0-9]{4} ?[A-Z]{2}$)"),                       // Netherlands
        std::regex(R"(^[0-9]{2}-[0-9]{3}$)"),                        // Poland
        std::regex(R"(^[0-9]{3} [0-9]{2}$)"),                        // Sweden
        std::regex(R"(^[0-9]{4}-[0-9]{3}$)"),                        // Portugal
    };
    return std::any_of(formats.begin(), formats.end(), [&](const std::regex& f) { return matches(upper, f); });
}

bool luhn_valid(std::string_view digits) {
    if (digits.empty()) return false;
    int sum = 0;
    bool twice = false;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (!is_digit(*it)) return false;
        int d = *it - '0';
        if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
        twice = !twice;
    }
    return sum % 10 == 0;
}

bool is_card_number(std::string_view text) {
    text = trimmed(text);
    if (text.size() > 23) return false;
    std::string digits;
    for (char c : text) {
        if (is_digit(c))
            digits += c;
        else if (c != ' ' && c != '-')
            return false;
    }
    if (digits.size() < 13 || digits.size() > 19 || digits.front() < '2' || digits.front() > '6') return false;
    // A run of one digit (0000…, 5555…) passes Luhn by accident, and is a placeholder.
    if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits.front(); })) return false;
    return luhn_valid(digits);
}

std::optional<ValueShape> shape_of(std::string_view text, int current_year) {
    if (text.size() > longest_shaped_value) return std::nullopt;
    if (is_email(text)) return ValueShape::email;
    if (is_ipv4(text)) return ValueShape::ipv4;
    if (is_ipv6(text)) return ValueShape::ipv6;
    if (is_card_number(text)) return ValueShape::card_number;
    if (is_birth_date(text, current_year)) return ValueShape::birth_date;
    if (is_phone(text)) return ValueShape::phone;
    if (is_postcode(text)) return ValueShape::postcode;
    return std::nullopt;
}

bool is_iso8601_time(std::string_view text) {
    static const std::regex iso(
        R"(^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$)");
    text = trimmed(text);
    return text.size() <= 40 && matches(text, iso);
}

}  // namespace dsr::policy_init
