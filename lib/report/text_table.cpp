#include "report/text_table.h"

#include <algorithm>

namespace dsr::report {

std::size_t display_width(const std::string& text) {
    // Every byte but a UTF-8 continuation byte (10xxxxxx) starts a character.
    return static_cast<std::size_t>(std::count_if(
        text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string TextTable::render(const Decorate& decorate) const {
    std::vector<std::size_t> widths(headings.size(), 0);
    auto measure = [&](const std::vector<std::string>& cells) {
        for (std::size_t c = 0; c < cells.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], display_width(cells[c]));
    };
    measure(headings);
    for (const auto& row : rows) measure(row);

    std::string out;
    auto line = [&](const std::vector<std::string>& cells, std::size_t row) {
        std::string text;
        for (std::size_t c = 0; c < widths.size(); ++c) {
            const std::string cell = c < cells.size() ? cells[c] : std::string();
            if (c > 0) text += "  ";
            text += decorate && !cell.empty() ? decorate(row, c, cell) : cell;
            // Padding outside the decoration, so colour codes never count as width.
            text.append(widths[c] - display_width(cell), ' ');
        }
        // The last column's padding, or empty optional columns at the end.
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out += text + '\n';
    };
    line(headings, static_cast<std::size_t>(-1));
    for (std::size_t r = 0; r < rows.size(); ++r) line(rows[r], r);
    return out;
}

}  // namespace dsr::report
