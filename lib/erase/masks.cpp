#include "erase/masks.h"

#include <sodium.h>

#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>

#include "crypto/pseudonym.h"

namespace dsr::erase {

namespace {

using namespace std::chrono;

// Pseudonym domains: a masked value must never equal the subject's own
// pseudonym in the state store (which would link the two), and a row tag
// must never equal a value's pseudonym.
constexpr std::string_view value_domain = "erasure-mask";
constexpr std::string_view row_value_domain = "erasure-mask-row";
constexpr std::string_view row_tag_domain = "erasure-row";

constexpr std::string_view pseudonym_prefix = "dsr-";
constexpr std::string_view email_suffix = "@erased.invalid";  // .invalid never resolves (RFC 2606)
constexpr std::size_t pseudonym_hex_digits = 32;
constexpr std::size_t row_tag_hex_digits = 16;
constexpr std::uint64_t bits62 = (std::uint64_t{1} << 62) - 1;
constexpr std::uint64_t bits52 = (std::uint64_t{1} << 52) - 1;
// Unix seconds beyond this are read as milliseconds (1e11 s is the year 5138).
constexpr std::int64_t largest_plausible_seconds = 100'000'000'000;

/// The bytes a value is pseudonymised from: the same text whatever table or
/// storage class it came from, so `5` and `'5'` join like the tables do.
std::string canonical(const db::Value& v) {
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char text[32];
        auto [end, ec] = std::to_chars(text, text + sizeof text, *d);
        return ec == std::errc() ? std::string(text, end) : std::to_string(*d);
    }
    if (const auto* b = std::get_if<db::Blob>(&v)) return std::string(b->bytes.begin(), b->bytes.end());
    return "";
}

/// Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
std::string framed(std::string_view part) { return std::to_string(part.size()) + ":" + std::string(part); }

std::array<unsigned char, 32> keyed_hash(const crypto::SecretBytes& key, std::string_view domain, std::string_view input) {
    std::array<unsigned char, 32> out{};
    crypto::from_hex(crypto::pseudonym(key, domain, input), out.data(), out.size());
    return out;
}

std::uint64_t first_bits(const std::array<unsigned char, 32>& hash, std::uint64_t mask) {
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n = (n << 8) | hash[static_cast<std::size_t>(i)];
    return n & mask;
}

std::string hex_text(const std::array<unsigned char, 32>& hash, std::size_t digits, bool email) {
    std::string text = std::string(pseudonym_prefix) + crypto::to_hex(hash.data(), hash.size()).substr(0, digits);
    return email ? text + std::string(email_suffix) : text;
}

/// A hash as a value of `like`'s storage class: text, a non-negative
/// integer, an exactly representable real, or bytes.
db::Value hash_value(const std::array<unsigned char, 32>& hash, const db::Value& like) {
    if (const auto* s = std::get_if<std::string>(&like))
        return hex_text(hash, pseudonym_hex_digits, s->find('@') != std::string::npos);
    if (std::holds_alternative<std::int64_t>(like)) return static_cast<std::int64_t>(first_bits(hash, bits62));
    if (std::holds_alternative<double>(like)) return static_cast<double>(first_bits(hash, bits52));
    return db::Blob{std::vector<unsigned char>(hash.begin(), hash.end())};
}

std::string row_tag(const crypto::SecretBytes& key, const RowRef& row) {
    return hex_text(keyed_hash(key, row_tag_domain, framed(row.table) + canonical(row.key)), row_tag_hex_digits, false);
}

/// What a mask writes when it cannot read the value (a "date" that is not
/// one): nothing personal, and never NULL where NULL is not allowed.
db::Value emptied(const ColumnShape& column, const db::Value& original) {
    if (!column.not_null) return std::monostate{};
    if (std::holds_alternative<std::int64_t>(original)) return std::int64_t{0};
    if (std::holds_alternative<double>(original)) return 0.0;
    if (std::holds_alternative<db::Blob>(original)) return db::Blob{};
    return std::string();
}

// --- ISO 8601 text: read, rewrite in the same shape -----------------------

/// A date or date-time as written, so it can be written back in the same
/// shape: "2015", "2015-03", "2015-03-04", "2015-03-04T10:11:12.5Z", …
struct IsoTime {
    int y = 0;
    unsigned m = 1, d = 1;
    int hh = 0, mm = 0, ss = 0;
    int parts = 1;              ///< 1 year, 2 year-month, 3 date
    char separator = 0;         ///< 'T' or ' ' when a time follows the date
    bool has_seconds = false;
    std::size_t fraction = 0;   ///< digits after the seconds' '.'
    std::string zone;           ///< "Z", "+02:00", … as written
};

bool digits_at(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

bool parse_zone(std::string_view rest, IsoTime& t) {
    if (rest.empty() || rest == "Z") {
        t.zone = std::string(rest);
        return true;
    }
    int h = 0, m = 0;
    if (rest[0] != '+' && rest[0] != '-') return false;
    // ±hh:mm, ±hhmm, or ±hh as PostgreSQL prints a whole-hour offset ("+00").
    bool ok = (rest.size() == 6 && rest[3] == ':' && digits_at(rest, 1, 2, h) && digits_at(rest, 4, 2, m)) ||
              (rest.size() == 5 && digits_at(rest, 1, 2, h) && digits_at(rest, 3, 2, m)) ||
              (rest.size() == 3 && digits_at(rest, 1, 2, h));
    if (!ok || h > 23 || m > 59) return false;
    t.zone = std::string(rest);
    return true;
}

bool parse_time(std::string_view s, std::size_t pos, IsoTime& t) {
    if (!digits_at(s, pos, 2, t.hh) || pos + 2 >= s.size() || s[pos + 2] != ':' || !digits_at(s, pos + 3, 2, t.mm))
        return false;
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
        if (!digits_at(s, pos + 1, 2, t.ss)) return false;
        t.has_seconds = true;
        pos += 3;
        if (pos < s.size() && s[pos] == '.') {
            std::size_t start = ++pos;
            while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
            t.fraction = pos - start;
            if (t.fraction == 0) return false;
        }
    }
    if (t.hh > 23 || t.mm > 59 || t.ss > 60) return false;
    return parse_zone(s.substr(pos), t);
}

std::optional<IsoTime> parse_iso(std::string_view s) {
    IsoTime t;
    int m = 0, d = 0;
    if (!digits_at(s, 0, 4, t.y)) return std::nullopt;
    if (s.size() == 4) return t;
    if (s[4] != '-' || !digits_at(s, 5, 2, m) || m < 1 || m > 12) return std::nullopt;
    t.m = static_cast<unsigned>(m);
    t.parts = 2;
    if (s.size() == 7) return t;
    if (s.size() < 10 || s[7] != '-' || !digits_at(s, 8, 2, d)) return std::nullopt;
    t.d = static_cast<unsigned>(d);
    t.parts = 3;
    if (!year_month_day{year{t.y}, month{t.m}, day{t.d}}.ok()) return std::nullopt;
    if (s.size() == 10) return t;
    if (s[10] != 'T' && s[10] != ' ') return std::nullopt;
    t.separator = s[10];
    if (!parse_time(s, 11, t)) return std::nullopt;
    return t;
}

std::string two(int n) { return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)}; }

std::string format_iso(const IsoTime& t) {
    char year_text[8];
    std::snprintf(year_text, sizeof year_text, "%04d", t.y);
    std::string out = year_text;
    if (t.parts >= 2) out += "-" + two(static_cast<int>(t.m));
    if (t.parts >= 3) out += "-" + two(static_cast<int>(t.d));
    if (t.separator) {
        out += t.separator + two(t.hh) + ":" + two(t.mm);
        if (t.has_seconds) out += ":" + two(t.ss);
        if (t.fraction) out += "." + std::string(t.fraction, '0');
        out += t.zone;
    } else if (t.parts == 3) {
        out += t.zone;
    }
    return out;
}

/// Start of the year (or month) of `t`, in `t`'s shape.
IsoTime truncated(IsoTime t, policy::Generalization to) {
    if (to == policy::Generalization::year) t.m = 1;
    t.d = 1;
    t.hh = t.mm = t.ss = 0;
    return t;
}

// --- Unix times ------------------------------------------------------------

bool is_millis(std::int64_t v, const ColumnShape& column) {
    if (column.time_format == policy::TimeFormat::unix_millis) return true;
    if (column.time_format) return false;
    return v >= largest_plausible_seconds || v <= -largest_plausible_seconds;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::int64_t start_of(std::int64_t seconds, policy::Generalization to) {
    year_month_day date{floor<days>(sys_seconds{std::chrono::seconds{seconds}})};
    year_month_day first{date.year(), to == policy::Generalization::year ? January : date.month(), day{1}};
    return sys_seconds(sys_days(first)).time_since_epoch().count();
}

db::Value generalize_unix(std::int64_t v, const ColumnShape& column, policy::Generalization to) {
    if (is_millis(v, column)) return start_of(floor_div(v, 1000), to) * 1000;
    return start_of(v, to);
}

// --- prefixes --------------------------------------------------------------

std::string trim(std::string_view s) {
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

/// The first `n` characters (UTF-8 code points, never half of one).
std::string text_prefix(std::string_view s, int n) {
    std::string t = trim(s);
    std::size_t end = 0;
    for (int count = 0; end < t.size() && count < n; ++count) {
        ++end;
        while (end < t.size() && (static_cast<unsigned char>(t[end]) & 0xC0) == 0x80) ++end;
    }
    return trim(t.substr(0, end));
}

/// An integer postcode keeps its first `n` digits and its size: 94107 -> 94100.
std::int64_t integer_prefix(std::int64_t v, int n) {
    std::uint64_t magnitude = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    std::string digits = std::to_string(magnitude);
    for (std::size_t i = static_cast<std::size_t>(n); i < digits.size(); ++i) digits[i] = '0';
    auto kept = static_cast<std::int64_t>(std::stoull(digits));
    return v < 0 ? -kept : kept;
}

// --- the methods -----------------------------------------------------------

db::Value generalized(const policy::Mask& mask, const ColumnShape& column, const db::Value& original) {
    if (mask.generalize == policy::Generalization::prefix) {
        if (const auto* s = std::get_if<std::string>(&original)) return text_prefix(*s, mask.prefix_length);
        if (const auto* i = std::get_if<std::int64_t>(&original)) return integer_prefix(*i, mask.prefix_length);
        return emptied(column, original);
    }
    if (const auto* s = std::get_if<std::string>(&original)) {
        auto t = parse_iso(*s);
        return t ? db::Value(format_iso(truncated(*t, mask.generalize))) : emptied(column, original);
    }
    if (const auto* i = std::get_if<std::int64_t>(&original)) return generalize_unix(*i, column, mask.generalize);
    return emptied(column, original);
}

/// The redaction text in the column's type: "0" is the integer 0 in an
/// integer column; text that is no number there becomes NULL (or 0).
db::Value redacted(const policy::Mask& mask, const ColumnShape& column, const db::Value& original) {
    const std::string& text = mask.redact_text;
    if (std::holds_alternative<std::int64_t>(original)) {
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
        if (ec == std::errc() && end == text.data() + text.size()) return n;
        return emptied(column, original);
    }
    if (std::holds_alternative<double>(original)) {
        char* end = nullptr;
        double d = std::strtod(text.c_str(), &end);
        if (!text.empty() && end == text.c_str() + text.size()) return d;
        return emptied(column, original);
    }
    if (std::holds_alternative<db::Blob>(original)) return db::Blob{std::vector<unsigned char>(text.begin(), text.end())};
    return text;
}

std::string random_hex(std::size_t digits) {
    std::array<unsigned char, 32> bytes{};
    randombytes_buf(bytes.data(), bytes.size());
    return crypto::to_hex(bytes.data(), bytes.size()).substr(0, digits);
}

std::uint64_t random_u64() {
    std::uint64_t n = 0;
    randombytes_buf(&n, sizeof n);
    return n;
}

/// A random moment between 1970 and 2038, written in `t`'s shape.
std::string random_date_like(IsoTime t) {
    sys_seconds moment{std::chrono::seconds{randombytes_uniform(0x7FFFFFFF)}};
    year_month_day date{floor<days>(moment)};
    hh_mm_ss time{moment - floor<days>(moment)};
    t.y = static_cast<int>(date.year());
    t.m = static_cast<unsigned>(date.month());
    t.d = static_cast<unsigned>(date.day());
    t.hh = static_cast<int>(time.hours().count());
    t.mm = static_cast<int>(time.minutes().count());
    t.ss = static_cast<int>(time.seconds().count());
    return format_iso(t);
}

db::Value random_of(const ColumnShape& column, const db::Value& original) {
    if (const auto* s = std::get_if<std::string>(&original)) {
        if (auto t = parse_iso(*s)) return random_date_like(*t);
        std::string text = std::string(pseudonym_prefix) + random_hex(pseudonym_hex_digits);
        return s->find('@') != std::string::npos ? text + std::string(email_suffix) : text;
    }
    if (const auto* i = std::get_if<std::int64_t>(&original)) {
        // A time stays a plausible time; a UNIQUE number needs more bits than 31 to stay unique.
        if (column.unique) return static_cast<std::int64_t>(random_u64() & bits62);
        auto n = static_cast<std::int64_t>(randombytes_uniform(0x7FFFFFFF));
        return is_millis(*i, column) ? n * 1000 : n;
    }
    if (std::holds_alternative<double>(original)) return static_cast<double>(random_u64() & bits52) / static_cast<double>(bits52 + 1);
    const auto& bytes = std::get<db::Blob>(original).bytes;
    db::Blob out{std::vector<unsigned char>(bytes.size())};
    if (!out.bytes.empty()) randombytes_buf(out.bytes.data(), out.bytes.size());
    return out;
}

/// A redacted or generalised value made unique to its row, for UNIQUE columns.
db::Value made_unique(const db::Value& base, const crypto::SecretBytes& key, const RowRef& row) {
    if (const auto* s = std::get_if<std::string>(&base)) return *s + " " + row_tag(key, row);
    if (std::holds_alternative<std::monostate>(base)) return base;  // NULLs never collide
    return hash_value(keyed_hash(key, row_tag_domain, framed(row.table) + canonical(row.key)), base);
}

/// `dsr-` and exactly `digits` lower-case hex digits at the start of `s`; returns what follows.
std::optional<std::string_view> after_tag(std::string_view s, std::size_t digits) {
    if (!s.starts_with(pseudonym_prefix) || s.size() < pseudonym_prefix.size() + digits) return std::nullopt;
    s.remove_prefix(pseudonym_prefix.size());
    for (std::size_t i = 0; i < digits; ++i)
        if (!std::isdigit(static_cast<unsigned char>(s[i])) && (s[i] < 'a' || s[i] > 'f')) return std::nullopt;
    return s.substr(digits);
}

bool has_pseudonym_shape(std::string_view s) {
    auto rest = after_tag(s, pseudonym_hex_digits);
    return rest && (rest->empty() || *rest == email_suffix);
}

/// "TEXT dsr-0123456789abcdef": a redaction made unique to its row.
bool is_unique_redaction(std::string_view s, const std::string& text) {
    if (!s.starts_with(text + " ")) return false;
    auto rest = after_tag(s.substr(text.size() + 1), row_tag_hex_digits);
    return rest && rest->empty();
}

}  // namespace

std::string pseudonym_text(std::string_view original, const crypto::SecretBytes& key) {
    return hex_text(keyed_hash(key, value_domain, original), pseudonym_hex_digits,
                    original.find('@') != std::string_view::npos);
}

db::Value row_pseudonym(const db::Value& original, const crypto::SecretBytes& key, const RowRef& row) {
    if (std::holds_alternative<std::monostate>(original)) return original;
    return hash_value(keyed_hash(key, row_value_domain, framed(row.table) + framed(canonical(row.key)) + canonical(original)),
                      original);
}

db::Value mask_value(const policy::Mask& mask, const ColumnShape& column, const db::Value& original,
                     const crypto::SecretBytes& key, const RowRef& row) {
    if (std::holds_alternative<std::monostate>(original)) return original;
    switch (mask.method) {
        case policy::MaskMethod::null: return std::monostate{};
        case policy::MaskMethod::pseudonymize:
            return hash_value(keyed_hash(key, value_domain, canonical(original)), original);
        case policy::MaskMethod::redact: {
            auto v = redacted(mask, column, original);
            return column.unique ? made_unique(v, key, row) : v;
        }
        case policy::MaskMethod::generalize: {
            auto v = generalized(mask, column, original);
            return column.unique ? made_unique(v, key, row) : v;
        }
        case policy::MaskMethod::random: break;  // returned below: a return after the switch would be dead code
    }
    return random_of(column, original);
}

std::optional<bool> in_masked_form(const policy::Mask& mask, const ColumnShape& column, const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return true;
    const auto* text = std::get_if<std::string>(&value);
    switch (mask.method) {
        case policy::MaskMethod::null: return false;
        case policy::MaskMethod::pseudonymize:
            if (text) return has_pseudonym_shape(*text);
            return std::nullopt;
        case policy::MaskMethod::redact:
            if (!column.unique) return redacted(mask, column, value) == value;
            if (text) return is_unique_redaction(*text, mask.redact_text);
            return std::nullopt;
        case policy::MaskMethod::generalize:
            if (!column.unique) return generalized(mask, column, value) == value;
            return std::nullopt;
        case policy::MaskMethod::random: break;  // returned below: a return after the switch would be dead code
    }
    return std::nullopt;
}

bool recognisable(const policy::Mask& mask, const ColumnShape& column) {
    switch (mask.method) {
        case policy::MaskMethod::null: return true;
        case policy::MaskMethod::pseudonymize: return column.type == db::TypeClass::text;
        case policy::MaskMethod::redact: return !column.unique || column.type == db::TypeClass::text;
        case policy::MaskMethod::generalize: return !column.unique;
        case policy::MaskMethod::random: break;  // returned below: a return after the switch would be dead code
    }
    return false;
}

}  // namespace dsr::erase
