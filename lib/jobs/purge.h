#pragma once
// `dsr purge`: retention enforced (GDPR Art. 5(1)(e), CCPA § 1798.100(a)(3),
// PIPL Art. 19) on a live shop. Each table with a retention rule is walked
// in primary-key order, children before parents (erase/erasure_order.h), in
// batches: a read outside any transaction finds the next expired rows by
// keyset (`key > last AND expired ORDER BY key LIMIT n`, never a scan from
// the start), many batches at a time, then one short write transaction a
// batch deletes or masks them with every condition checked again
// (purge/retention_rules.h). The write lock is held for that transaction
// only, and its longest hold is measured. A cursor saved after each commit
// lets the next run continue. Where a delete rewrites every index of its
// table inside the transaction (SQLite) and the rows read lie scattered over
// one of them, a span of them is written in that index's order instead, the
// cursor following span by span (purge/index_order.h). Where the database
// lets a second connection
// read while the first writes (PostgreSQL), every table's rows are read
// there, on a second thread, in the order they are written and up to
// read_ahead_rows ahead, while the batches already read are written.

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crypto/secret.h"
#include "db/database.h"
#include "jobs/erase.h"
#include "policy/model.h"
#include "purge/purge_cursors.h"

namespace dsr::jobs {

/// The most rows a batch takes unless --batch-size says otherwise. Batches
/// start smaller (first_purge_batch) and grow only while their lock holds
/// stay short, so this is a ceiling, not the usual size.
inline constexpr std::size_t default_purge_batch = 10000;

/// Expired rows read ahead at a time (or the batch size, when larger):
/// reading costs no lock, and a large read lets the database find sparse
/// expired rows with one join instead of a probe per row.
inline constexpr std::size_t purge_read_rows = 50000;

/// With a second connection, the most expired rows read ahead of the
/// writes, over every table: 41 bytes a row held (its key as a db::Value
/// and a byte for its fate), so about 20 MB at most. The more, the earlier a
/// table whose rows are slow to find is read beside an earlier table's slow
/// writes (shipments' masks before orders at 1,000,000 customers: the
/// tables between them hold some 370,000 expired rows).
inline constexpr std::size_t purge_read_ahead_rows = 500000;

/// Each table's first batch takes at most this many rows, so the first
/// lock hold of a table whose rows are slow to change stays short too.
inline constexpr std::size_t first_purge_batch = 250;

/// Batches are sized to hold the write lock about this long: after each
/// write the next batch of its table is scaled by purge_lock_target / the
/// hold just measured, at most doubled and at least halved, between
/// min_purge_batch and the ceiling. A commit costs a fixed time (its
/// fsyncs) whatever its size, so aiming at a share of the bound rather than
/// shrinking batches below that cost keeps commits few on a slow disk and
/// locks under purge_lock_bound on any machine.
inline constexpr std::chrono::milliseconds purge_lock_target{50};
inline constexpr std::chrono::milliseconds purge_lock_bound{100};
inline constexpr std::size_t min_purge_batch = 50;

/// The target while the rows are read beside the writes
/// (PurgeSettings::reader): a batch's time varies more with a large read
/// running beside it (PostgreSQL, 1,000,000 customers, 2 cores: batches of
/// a 45 ms pace held the lock 105 and 113 ms as orders' read ran), so this
/// leaves the bound two and a half times the target. A PostgreSQL commit
/// costs about a millisecond, so the smaller batches cost little: paired
/// runs took 22.1 and 26.0 s against 22.2 and 25.3 with the 50 ms target.
inline constexpr std::chrono::milliseconds purge_lock_target_beside_reads{40};

/// A batch size after a write that held the lock for `held` with `rows`
/// rows asked for: the rule above, aiming at `target`.
std::size_t next_purge_batch(std::size_t rows, std::chrono::microseconds held, std::size_t ceiling,
                             std::chrono::milliseconds target = purge_lock_target);

/// One table's batch sizes: the first at most first_purge_batch rows, each
/// next by next_purge_batch at the pace (lock time a row) of the slower of
/// the last two writes. One write that ran fast (its rows cheap, the machine
/// quiet for a moment) would otherwise double the next, which then holds the
/// lock twice the target when the pace comes back (order_items at 1,000,000
/// customers on PostgreSQL: 49 ms, 24 ms, then 48 and 109 ms for the same rows).
class PurgeBatchSizer {
public:
    explicit PurgeBatchSizer(std::size_t ceiling, std::chrono::milliseconds target = purge_lock_target)
        : ceiling_(ceiling), target_(target), rows_(std::min(ceiling, first_purge_batch)) {}
    /// The next batch's rows.
    std::size_t rows() const { return rows_; }
    /// A write of `rows` rows, of the `asked` this batch could take, held
    /// the lock for `held`. The pace is per row written: the last batch of a
    /// read can be short, and sized by its hold alone the next would double
    /// and hold the lock twice the target (shipments: 115 ms).
    void wrote(std::size_t asked, std::size_t rows, std::chrono::microseconds held);

private:
    std::size_t ceiling_;
    std::chrono::milliseconds target_;
    std::size_t rows_;
    double last_pace_ = 0;  ///< µs a row of the write before; 0 before the first
};

struct TablePurge {
    const policy::Table* table = nullptr;
    std::int64_t expired_before = 0;  ///< Unix seconds: rows with an earlier retention timestamp have expired
    std::size_t examined = 0;         ///< expired rows looked at
    std::size_t deleted = 0;
    std::size_t masked = 0;
    std::size_t already_masked = 0;   ///< expired, masked by an earlier run: nothing to change
    std::size_t held = 0;             ///< left because the erasure hold still runs
    std::size_t kept_as_parent = 0;   ///< left because rows this run keeps refer to them
    std::vector<std::pair<std::string, std::size_t>> kept_for;  ///< referring table, rows it keeps
    std::size_t batches = 0;
    std::chrono::microseconds longest_lock{0};  ///< the longest write transaction
    std::chrono::milliseconds elapsed{0};
    bool resumed = false;   ///< started where an earlier run's cursor stopped
    bool complete = false;  ///< walked to its end in this run, or by an earlier run of this cycle
    /// Walked to its end by an earlier run that stopped before finishing
    /// the others; not walked again until every table is done.
    bool finished_earlier = false;
};

/// Progress after each batch, for a progress bar.
struct PurgeProgress {
    const policy::Table* table = nullptr;
    std::size_t examined = 0;  ///< expired rows looked at so far, all tables
    std::size_t changed = 0;   ///< deleted or masked so far, all tables
    /// Share of the tables' key ranges walked, 0–1; none when a key is not an integer.
    std::optional<double> fraction;
};

struct PurgeSettings {
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now();  ///< dates retention
    std::string only_table;  ///< empty: every table with a retention rule
    std::size_t batch_size = default_purge_batch;
    /// Expired rows read at a time, or batch_size when larger.
    std::size_t read_rows = purge_read_rows;
    /// With a reader: expired rows read and not yet taken to be written, at
    /// most, besides the read under way (so at least one read's rows).
    std::size_t read_ahead_rows = purge_read_ahead_rows;
    bool dry_run = false;
    /// Asked between batches, never before the run's first: true stops the
    /// run there (--max-duration, a signal).
    std::function<bool()> should_stop;
    std::function<void(const PurgeProgress&)> on_progress;
    /// A second connection to the same database, read-only, or null. When
    /// given, every table's expired rows are read on it, ahead of the
    /// writes on the first, while the rows read before are written: a
    /// database that finds rows slowly (a join to the parent for
    /// order_items) then costs the walk little.
    /// Only for a database whose readers do not hold up a commit
    /// (Database::reads_beside_writes).
    db::Database* reader = nullptr;
};

struct PurgeOutcome {
    std::vector<TablePurge> tables;  ///< in the order purged
    bool complete = false;           ///< every table walked to its end
    bool residue_removed = false;    ///< the WAL was emptied into the file after the last commit (never on PostgreSQL)
    std::string residue_problem;     ///< why not, when rows changed and it was not

    std::size_t examined() const;
    std::size_t changed() const;  ///< deleted and masked
};

/// Refuses (dsr::Error(usage)) a --table that is not in the policy or has no retention rule.
void check_purge_table(const policy::Policy& policy, const std::string& table);

/// The tables a purge of `database_name` walks: those with a retention rule,
/// or only `only_table` (checked by check_purge_table).
std::vector<const policy::Table*> tables_to_purge(const policy::Policy& policy, const ErasureSetup& setup,
                                                  const std::string& only_table);

/// Purges one database. `cursors` is null for a dry run, which reads only.
/// Fills `out` as batches commit, so when a batch fails (database busy past
/// the timeout, disk full …) and this throws, `out` says what the committed
/// batches did.
void run_purge(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
               purge::PurgeCursors* cursors, const crypto::SecretBytes& key, const PurgeSettings& settings,
               PurgeOutcome& out);

}  // namespace dsr::jobs
