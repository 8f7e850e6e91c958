#pragma once
// Which order a purge deletes a table's expired rows in, batch by batch.
//
// SQLite takes a deleted row's entries out of every index of the table inside
// the transaction, and its commit writes each page the transaction changed
// (to the rollback journal and back). Rows taken in key order lie together in
// the table, but in an index on a column whose values do not follow the key
// each lands on a page of its own: a batch of a few thousand sessions rewrites
// some two thousand pages of the index on their start time, and the next
// batch most of the same pages again (web_sessions at 1,000,000 customers:
// 95 % of the pages a batch wrote). Which column that is depends on how the
// shop wrote its rows: sessions written as they happen follow their time and
// scatter over customer_id; the demo shop writes them customer by customer.
//
// So for such a table a purge takes a span of some 24,000 of the rows it read
// in key order and deletes them in the order of the scattered index instead:
// each batch takes a slice of that index and rows from the span's stretch of
// the table, a few batches long, so a page of that index is rewritten about
// once a span rather than every few batches. The column is judged from the
// rows read, each read anew: a table whose indexes follow its key keeps key
// order, and so do expired rows that are few among many (jobs/purge.cpp,
// dense()).

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "db/schema.h"

namespace dsr::purge {

/// Rows of a span, about: read in key order, written in the order of a
/// scattered index. A batch of a span of n batches touches the table's
/// pages of the whole span and an n-th of the index's pages the span's rows
/// lie on (which are spread over the whole index), so the larger the span,
/// the thinner the slice of the index but the more table pages. For
/// sessions at 1,000,000 customers (25 rows a table page, 5,600 index pages
/// expired, 3,000 to 6,000 rows a batch) the two balance at 20,000 to
/// 30,000 rows.
inline constexpr std::size_t index_order_span_rows = 24000;

/// Fewer rows read than this are written in key order: they make a batch
/// or a few, and each batch would touch most of the same pages in either order.
inline constexpr std::size_t index_order_least_rows = 1000;

/// How to cut `rows` rows into spans of about index_order_span_rows: the
/// rows of the first span (the rest are cut the same way again).
std::size_t first_span(std::size_t rows);

/// How to cut a span's `rows` rows left into batches of at most `asked`
/// (the batch sizer's, so never a longer lock): the rows of the next batch,
/// all of them as even as can be.
std::size_t next_slice(std::size_t rows, std::size_t asked);

/// The column leading each index of `table` that does not lead with `key`,
/// once each: where deleting a row writes besides the table.
std::vector<std::string> index_leading_columns(const db::TableInfo& table, const std::string& key);

/// `positions` (of rows in `column`) ordered by their values as a
/// database's index keeps them (null, numbers, text, bytes); equal values
/// stay in the order given.
std::vector<std::size_t> index_order(const std::vector<db::Value>& column, std::vector<std::size_t> positions);

/// Of candidate columns, each given by its values for the same rows in key
/// order, the one whose index a batch of those rows taken in key order
/// would scatter over most, or none when every one keeps them together.
/// At least index_order_least_rows rows, each column's values as many.
/// A row is scattered from the one before it when their values lie more
/// than a hundredth of the rows apart in the column's order; the score is
/// the scattered share of rows times the width of an entry of the index
/// (value and key), and a column scores only if at least a quarter of its
/// rows are scattered.
std::optional<std::size_t> scattered_index_column(const std::vector<std::vector<db::Value>>& columns);

}  // namespace dsr::purge
