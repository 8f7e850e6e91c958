#pragma once
// The text rendering of a listing (audit show, request list, breach list):
// a heading row in capitals, as ps(1) and ls -l line things up, then one row
// per record, each column as wide as its widest cell. lib/ renders it plain;
// the CLI may colour a cell through `decorate`, whose
// escape codes never count towards a column's width.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace dsr::report {

struct TextTable {
    std::vector<std::string> headings;
    std::vector<std::vector<std::string>> rows;  ///< each as many cells as headings

    /// Receives a non-empty cell and returns what to print in its place (the
    /// padding is added after it); `row` is npos for the heading row.
    using Decorate = std::function<std::string(std::size_t row, std::size_t column, const std::string& cell)>;

    /// Columns two spaces apart, no trailing spaces; widths count UTF-8
    /// characters, not bytes (a pseudonym ends in "…").
    std::string render(const Decorate& decorate = {}) const;
};

/// The number of characters (UTF-8 code points) in `text`.
std::size_t display_width(const std::string& text);

}  // namespace dsr::report
