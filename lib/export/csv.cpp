#include "export/csv.h"

#include <array>
#include <charconv>
#include <string_view>
#include <system_error>

#include "crypto/secret.h"
#include "util/error.h"

namespace dsr::exporting {

namespace {

bool needs_quotes(std::string_view field) {
    if (field.empty()) return false;
    // Unquoted edge spaces are trimmed by some readers (Excel, skipinitialspace).
    if (field.front() == ' ' || field.back() == ' ') return true;
    return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

void append_quoted(std::string& out, std::string_view field) {
    out += '"';
    for (char c : field) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

void append_field(std::string& out, std::string_view field) {
    if (needs_quotes(field)) {
        append_quoted(out, field);
    } else {
        out += field;
    }
}

void append_text(std::string& out, std::string_view field, Formulas formulas) {
    if (formulas == Formulas::neutralised && reads_as_formula(field)) {
        append_field(out, "'" + std::string(field));
    } else {
        append_field(out, field);
    }
}

template <typename Number>
void append_number(std::string& out, Number value) {
    // Room for the longest shortest-form double, "-2.2250738585072014e-308".
    std::array<char, 32> buffer{};
    auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (error != std::errc()) throw Error(ExitStatus::failure, "csv: cannot format a number");
    out.append(buffer.data(), end);
}

template <typename Number>
std::string number_text(Number value) {
    std::string text;
    append_number(text, value);
    return text;
}

std::string base64(const std::vector<unsigned char>& bytes) { return crypto::to_base64(bytes.data(), bytes.size()); }

struct FieldText {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(std::int64_t value) const { return number_text(value); }
    std::string operator()(double value) const { return number_text(value); }
    std::string operator()(const std::string& value) const { return value; }
    std::string operator()(const db::Blob& value) const { return base64(value.bytes); }
};

/// csv_field(value) appended as append_text would append it.
struct AppendField {
    std::string& out;
    Formulas formulas;
    // Numbers never hold a comma, quote, line break or edge space.
    void operator()(std::monostate) const {}
    void operator()(std::int64_t value) const { append_number(out, value); }
    void operator()(double value) const { append_number(out, value); }
    void operator()(const std::string& value) const { append_text(out, value, formulas); }
    void operator()(const db::Blob& value) const { append_text(out, base64(value.bytes), formulas); }
};

bool empty_field(const db::Value& value) {
    if (std::holds_alternative<std::monostate>(value)) return true;
    if (const auto* text = std::get_if<std::string>(&value)) return text->empty();
    if (const auto* blob = std::get_if<db::Blob>(&value)) return blob->bytes.empty();
    return false;
}

}  // namespace

bool reads_as_formula(std::string_view field) {
    if (field.empty()) return false;
    switch (field.front()) {
        case '=':
        case '@':
        case '\t':
        case '\r': return true;
        case '+':
        case '-': return field.find_first_not_of("0123456789 ()+-./") != std::string_view::npos;
        default: return false;
    }
}

std::string csv_record(const std::vector<std::string>& fields, Formulas formulas) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        append_text(out, fields[i], formulas);
    }
    if (fields.size() == 1 && fields[0].empty()) out = "\"\"";
    out += "\r\n";
    return out;
}

std::string csv_field(const db::Value& value) { return std::visit(FieldText{}, value); }

void append_csv_record(std::string& out, const std::vector<db::Value>& values, Formulas formulas) {
    if (values.size() == 1 && empty_field(values[0])) {
        out += "\"\"\r\n";  // as csv_record writes a lone empty field
        return;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) out += ',';
        std::visit(AppendField{out, formulas}, values[i]);
    }
    out += "\r\n";
}

}  // namespace dsr::exporting
