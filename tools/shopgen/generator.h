// Generates the rows of the demo shop and hands them to a ShopWriter.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "ground_truth.h"
#include "shop_writer.h"

namespace shopgen {

struct GeneratorOptions {
    std::int64_t customers = 1000;
    std::uint64_t seed = 1;
    // Midnight UTC of --now, in Unix seconds. Every generated instant is
    // earlier than this and no earlier than twelve years before it.
    std::int64_t now = 0;
    // With N > 0, one more registered customer (id customers + 1) holding N
    // personal rows in all, written after every other row: a subject with a
    // very large history, for benchmarks of dsr export. 0: no such customer.
    std::int64_t heavy_subject_rows = 0;
    // --canary: marks every name, e-mail address, street line and city
    // (see with_canary in people.h); empty: none.
    std::string canary;
};

// Upper bound for --customers: phone numbers are unique per customer only up
// to this many (seven scrambled digits).
constexpr std::int64_t kMaxCustomers = 10'000'000;

// Upper bound for heavy_subject_rows; a billion rows make a shop of some 150 GB.
constexpr std::int64_t kMaxHeavySubjectRows = 1'000'000'000;

// The heavy subject's customer id when there is one, else 0.
inline std::int64_t heavy_subject_id(const GeneratorOptions& options) {
    return options.heavy_subject_rows > 0 ? options.customers + 1 : 0;
}

// Called now and then with the number of customers written so far.
using ProgressFn = std::function<void(std::int64_t done, std::int64_t total)>;

// With a ground truth, the keys of the chosen customers' rows are noted in it
// as they are written; the shop itself is the same either way.
void generate_shop(const GeneratorOptions& options, ShopWriter& writer, const ProgressFn& progress,
                   GroundTruth* truth = nullptr);

}  // namespace shopgen
