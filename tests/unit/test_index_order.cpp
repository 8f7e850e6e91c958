// Tests for lib/purge/index_order.h: which index's order a purge writes a
// table's batches in, the order it sorts values in, and how spans and
// batches are cut.

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "purge/index_order.h"

namespace {

using dsr::db::Value;

std::vector<Value> integers(const std::vector<std::int64_t>& numbers) {
    return {numbers.begin(), numbers.end()};
}

/// 0..n-1 in key order, or in an order unrelated to it (a permutation by a
/// multiplier prime to n).
std::vector<std::int64_t> sequence(std::int64_t n, std::int64_t multiplier = 1) {
    std::vector<std::int64_t> out;
    for (std::int64_t i = 0; i < n; ++i) out.push_back(i * multiplier % n);
    return out;
}

}  // namespace

TEST_CASE("index_leading_columns: each index's first column but the key's, once, and no expression") {
    dsr::db::TableInfo table;
    table.name = "sessions";
    for (const char* name : {"id", "customer_id", "started_at"}) {
        dsr::db::ColumnInfo column;
        column.name = name;
        table.columns.push_back(column);
    }
    table.indexes = {{"by_id", {"id", "customer_id"}, false},
                     {"by_customer", {"customer_id"}, false},
                     {"by_customer_time", {"customer_id", "started_at"}, false},
                     {"by_expression", {}, false},
                     {"by_time", {"started_at"}, true}};
    CHECK(dsr::purge::index_leading_columns(table, "id") == std::vector<std::string>{"customer_id", "started_at"});
}

TEST_CASE("index_order: null, numbers by value, text, bytes; equal values keep the order given") {
    std::vector<Value> column{std::string("b"), std::int64_t{3}, std::monostate{}, 2.5,
                              dsr::db::Blob{{1}}, std::string("a"), std::int64_t{3}};
    CHECK(dsr::purge::index_order(column, {0, 1, 2, 3, 4, 5, 6}) == std::vector<std::size_t>{2, 3, 1, 6, 5, 0, 4});
    CHECK(dsr::purge::index_order(column, {6, 1}) == std::vector<std::size_t>{6, 1});
}

TEST_CASE("scattered_index_column: the index key order scatters over, weighed by its entries' width") {
    const auto aligned = integers(sequence(1000));
    const auto scattered = integers(sequence(1000, 7919));

    SUBCASE("values that follow the key: none") {
        CHECK_FALSE(dsr::purge::scattered_index_column({aligned}));
    }
    SUBCASE("one column that does not: that one") {
        CHECK(dsr::purge::scattered_index_column({aligned, scattered}) == 1);
    }
    SUBCASE("rows of one value lie together: a customer's ten rows scatter as one") {
        std::vector<std::int64_t> grouped;
        for (auto v : sequence(100, 37))
            for (int i = 0; i < 10; ++i) grouped.push_back(v);
        CHECK_FALSE(dsr::purge::scattered_index_column({integers(grouped)}));
    }
    SUBCASE("two scattered columns: the wider entries (an email beside a time)") {
        std::vector<Value> emails;
        for (auto v : sequence(1000, 7907)) emails.emplace_back("customer-" + std::to_string(v) + "@example.com");
        CHECK(dsr::purge::scattered_index_column({scattered, emails}) == 1);
        CHECK(dsr::purge::scattered_index_column({emails, scattered}) == 0);
    }
    SUBCASE("fewer rows than index_order_least_rows, or no column: none") {
        CHECK(dsr::purge::scattered_index_column({integers(sequence(dsr::purge::index_order_least_rows, 7919))}) == 0);
        CHECK_FALSE(dsr::purge::scattered_index_column({integers(sequence(dsr::purge::index_order_least_rows - 1, 7919))}));
        CHECK_FALSE(dsr::purge::scattered_index_column({{}}));
        CHECK_FALSE(dsr::purge::scattered_index_column({}));
    }
}

TEST_CASE("first_span and next_slice: spans of about index_order_span_rows, batches of at most the size asked, even") {
    using dsr::purge::first_span;
    using dsr::purge::next_slice;
    constexpr auto span = dsr::purge::index_order_span_rows;
    CHECK(first_span(50000) == (50000 + 2) / 3);  // three spans of 16,667 (the last 16,666)
    CHECK(first_span(span) == span);
    CHECK(first_span(span + 1) == (span + 2) / 2);
    CHECK(first_span(10) == 10);
    CHECK(next_slice(16667, 3000) == 2778);  // six batches
    CHECK(next_slice(1000, 3000) == 1000);   // the rest, though fewer than asked
    CHECK(next_slice(1000, 400) == 334);     // three batches, none over the size asked
    CHECK(next_slice(1499, 1000) == 750);    // not one of 1,499
    CHECK(next_slice(7, 0) == 1);
}
