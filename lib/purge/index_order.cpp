#include "purge/index_order.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace dsr::purge {

namespace {

/// SQLite's order of values of different kinds: null, numbers (integers and
/// reals compared by value), text, bytes.
int kind_rank(const db::Value& v) {
    switch (v.index()) {
        case 0: return 0;
        case 1:
        case 2: return 1;
        case 3: return 2;
        default: return 3;
    }
}

double as_number(const db::Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    return std::get<double>(v);
}

bool index_less(const db::Value& a, const db::Value& b) {
    const int ka = kind_rank(a), kb = kind_rank(b);
    if (ka != kb) return ka < kb;
    switch (ka) {
        case 0: return false;
        case 1:
            if (a.index() == 1 && b.index() == 1) return std::get<std::int64_t>(a) < std::get<std::int64_t>(b);
            return as_number(a) < as_number(b);
        case 2: return std::get<std::string>(a) < std::get<std::string>(b);
        default: return std::get<db::Blob>(a).bytes < std::get<db::Blob>(b).bytes;
    }
}

/// Bytes an index entry of the value takes, roughly: the value and the row's key.
double entry_width(const db::Value& v) {
    constexpr double key_bytes = 8;
    if (const auto* s = std::get_if<std::string>(&v)) return key_bytes + static_cast<double>(s->size());
    if (const auto* b = std::get_if<db::Blob>(&v)) return key_bytes + static_cast<double>(b->bytes.size());
    if (v.index() == 0) return key_bytes + 1;
    return key_bytes + 8;
}

/// The share of rows, in key order, whose value lies far from the row
/// before's in the column's order, and the mean width of its entries.
struct Scatter {
    double share = 0;
    double width = 0;
};

Scatter scatter_of(const std::vector<db::Value>& column) {
    const std::size_t n = column.size();
    Scatter s;
    if (n < 2) return s;
    std::vector<std::size_t> all(n);
    std::iota(all.begin(), all.end(), std::size_t{0});
    const auto sorted = index_order(column, std::move(all));
    // Equal values share a rank, so rows of one customer count as together.
    std::vector<std::size_t> rank(n);
    std::size_t r = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && index_less(column[sorted[i - 1]], column[sorted[i]])) r = i;
        rank[sorted[i]] = r;
    }
    const auto far = std::max(1LL, static_cast<long long>(n / 100));
    std::size_t scattered = 0;
    double width = 0;
    for (std::size_t i = 0; i < n; ++i) {
        width += entry_width(column[i]);
        if (i > 0 && std::llabs(static_cast<long long>(rank[i]) - static_cast<long long>(rank[i - 1])) > far)
            ++scattered;
    }
    s.share = static_cast<double>(scattered) / static_cast<double>(n - 1);
    s.width = width / static_cast<double>(n);
    return s;
}

}  // namespace

std::vector<std::string> index_leading_columns(const db::TableInfo& table, const std::string& key) {
    std::vector<std::string> out;
    for (const auto& index : table.indexes) {
        if (index.columns.empty()) continue;
        const auto& first = index.columns.front();
        // An expression index names no column of the table.
        if (first == key || !table.find_column(first)) continue;
        if (std::find(out.begin(), out.end(), first) == out.end()) out.push_back(first);
    }
    return out;
}

std::vector<std::size_t> index_order(const std::vector<db::Value>& column, std::vector<std::size_t> positions) {
    std::stable_sort(positions.begin(), positions.end(),
                     [&](std::size_t a, std::size_t b) { return index_less(column[a], column[b]); });
    return positions;
}

std::size_t first_span(std::size_t rows) {
    const std::size_t spans = std::max<std::size_t>(1, (rows + index_order_span_rows - 1) / index_order_span_rows);
    return (rows + spans - 1) / spans;
}

std::size_t next_slice(std::size_t rows, std::size_t asked) {
    const std::size_t most = std::max<std::size_t>(asked, 1);
    const std::size_t slices = (rows + most - 1) / most;
    return (rows + slices - 1) / slices;
}

std::optional<std::size_t> scattered_index_column(const std::vector<std::vector<db::Value>>& columns) {
    constexpr double least_share = 0.25;
    std::optional<std::size_t> best;
    if (columns.empty() || columns.front().size() < index_order_least_rows) return best;
    double best_score = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        const auto s = scatter_of(columns[c]);
        if (s.share < least_share) continue;
        const double score = s.share * s.width;
        if (!best || score > best_score) {
            best = c;
            best_score = score;
        }
    }
    return best;
}

}  // namespace dsr::purge
