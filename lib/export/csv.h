#pragma once
// CSV for the portable copy (`dsr export --format csv`): RFC 4180, which is
// what spreadsheets and every CSV library read. One table per file; its
// header record is the column names.
//
// CSV has no NULL: NULL, an empty string and an empty BLOB all become an
// empty field. The JSON export keeps that difference; the CSV one cannot.
//
// A spreadsheet opening a CSV file runs a field that starts with = + - @ as a
// formula, and a formula can fetch URLs or start programs ("CSV injection").
// Files written for staff to open, the breach notify list, neutralise such
// fields; the portable copy keeps the subject's data exactly.

#include <string>
#include <string_view>
#include <vector>

#include "db/database.h"

namespace dsr::exporting {

/// What a text field that a spreadsheet would run as a formula becomes.
enum class Formulas {
    verbatim,     ///< written as it is
    neutralised,  ///< prefixed with an apostrophe, which spreadsheets show as text and do not run (OWASP's advice)
};

/// Whether a spreadsheet would read the field as a formula: it starts with =, @, a tab or a CR, or with + or -
/// and holds more than a number or a telephone number can (digits, spaces and "()+-./"), which no formula that
/// calls a function can do without. "+44 20 7946 0958" and "-12.5" are therefore left as they are.
bool reads_as_formula(std::string_view field);

/// One CSV record (RFC 4180): fields separated by commas, quoted with "..." when they contain a comma, quote, CR or LF
/// (or leading/trailing space), quotes doubled, record ended by CRLF.
/// A record of a single empty field is written `""` so that it is not an empty line, which readers skip; no fields
/// at all give that empty line.
std::string csv_record(const std::vector<std::string>& fields, Formulas formulas = Formulas::verbatim);

/// A database value as CSV text: NULL → empty field, integers in decimal, reals with the shortest text that reads
/// back to the same double (std::to_chars: "0.1", "-0", "1e+300", "inf", "nan"), text as is (UTF-8 bytes
/// untouched), BLOB → standard base64 with padding.
std::string csv_field(const db::Value& value);

/// Appends the record csv_record makes of the values' csv_field texts, the same bytes, without building a string
/// per field (an export writes millions of them). Numbers are never formulas; text and BLOBs (base64 may start
/// with +) are neutralised when asked.
void append_csv_record(std::string& out, const std::vector<db::Value>& values,
                       Formulas formulas = Formulas::verbatim);

}  // namespace dsr::exporting
