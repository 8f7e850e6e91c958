#include <doctest/doctest.h>

#include "report/text_table.h"

using dsr::report::display_width;
using dsr::report::TextTable;

TEST_CASE("display_width") {
    CHECK(display_width("") == 0);
    CHECK(display_width("abc") == 3);
    CHECK(display_width("406ca85b…") == 9);  // "…" is three bytes, one character
    CHECK(display_width("Zoë") == 3);
}

TEST_CASE("TextTable::render") {
    TextTable table{{"ID", "STATUS", "NOTE"}, {{"R-1", "open", ""}, {"R-10", "closed", "dry run"}}};

    SUBCASE("columns line up and no line ends in a space") {
        CHECK(table.render() ==
              "ID    STATUS  NOTE\n"
              "R-1   open\n"
              "R-10  closed  dry run\n");
    }
    SUBCASE("widths count characters, not bytes") {
        TextTable t{{"SUBJECT", "AT"}, {{"ab…", "1"}, {"abcd", "2"}}};
        CHECK(t.render() ==
              "SUBJECT  AT\n"
              "ab…      1\n"
              "abcd     2\n");
    }
    SUBCASE("decoration wraps the cell, not its padding, and skips empty cells") {
        std::size_t calls = 0;
        auto text = table.render([&](std::size_t row, std::size_t column, const std::string& cell) {
            ++calls;
            return row == 1 && column == 1 ? "<" + cell + ">" : cell;
        });
        CHECK(text ==
              "ID    STATUS  NOTE\n"
              "R-1   open\n"
              "R-10  <closed>  dry run\n");
        CHECK(calls == 8);  // 3 headings, 2 + 3 non-empty cells
    }
    SUBCASE("a table with no rows is its heading") {
        CHECK(TextTable{{"A", "B"}, {}}.render() == "A  B\n");
    }
}
