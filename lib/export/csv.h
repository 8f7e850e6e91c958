#pragma once
// CSV for the portable copy (`dsr export --format csv`): RFC 4180, which is
// what spreadsheets and every CSV library read. One table per file; its
// header record is the column names.
//
// CSV has no NULL: NULL, an empty string and an empty BLOB all become an
// empty field. The JSON export keeps that difference; the CSV one cannot.

#include <string>
#include <vector>

#include "db/database.h"

namespace dsr::exporting {

/// One CSV record (RFC 4180): fields separated by commas, quoted with "..." when they contain a comma, quote, CR or LF
/// (or leading/trailing space), quotes doubled, record ended by CRLF.
/// A record of a single empty field is written `""` so that it is not an empty line, which readers skip; no fields
/// at all give that empty line.
std::string csv_record(const std::vector<std::string>& fields);

/// A database value as CSV text: NULL → empty field, integers in decimal, reals with the shortest text that reads
/// back to the same double (std::to_chars: "0.1", "-0", "1e+300", "inf", "nan"), text as is (UTF-8 bytes
/// untouched), BLOB → standard base64 with padding.
std::string csv_field(const db::Value& value);

/// Appends the record csv_record makes of the values' csv_field texts, the same bytes, without building a string
/// per field (an export writes millions of them).
void append_csv_record(std::string& out, const std::vector<db::Value>& values);

}  // namespace dsr::exporting
