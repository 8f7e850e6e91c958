#include "jobs/purge.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "erase/mask_sql.h"
#include "erase/row_masker.h"
#include "policy/periods.h"
#include "purge/index_order.h"
#include "purge/retention_rules.h"
#include "util/error.h"

namespace dsr::jobs {

namespace {

using namespace std::chrono;
using purge::SqlCondition;

/// A half-open walk over the key: (after, up_to]. Unset ends are open.
struct KeyRange {
    std::optional<db::Value> after;
    std::optional<db::Value> up_to;
};

SqlCondition range_condition(const db::Database& db, const std::string& alias, const std::string& key,
                             const KeyRange& range) {
    std::vector<SqlCondition> parts;
    const std::string column = alias + "." + db.quote(key);
    if (range.after) parts.push_back({column + " > ?", {*range.after}});
    if (range.up_to) parts.push_back({column + " <= ?", {*range.up_to}});
    return purge::all_of(parts);
}

std::optional<std::int64_t> as_integer(const std::optional<db::Value>& v) {
    if (!v) return std::nullopt;
    if (const auto* i = std::get_if<std::int64_t>(&*v)) return *i;
    return std::nullopt;
}

/// What becomes of an expired row, as its read judged it.
/// `masked`: in masked form already, as the read found it (known only
/// when the masks are SQL; otherwise `mask` means either).
enum class Fate : unsigned char { keep, remove, mask, masked };

/// A stretch of keys this many times the expired rows read is sparse.
constexpr double sparse_stretch = 4.0;

/// How many keys there are from `first` to `last`, both counted, where
/// both are integers.
std::optional<double> keys_spanned(const std::optional<db::Value>& first, const std::optional<db::Value>& last) {
    auto low = as_integer(first), high = as_integer(last);
    if (!low || !high) return std::nullopt;
    return static_cast<double>(*high - *low + 1);
}

/// Whether rows read (integer keys, in key order) fill at least half of the
/// keys they span: only then can a span of them be written in the order of
/// a scattered index (purge/index_order.h). Where expired rows are few among
/// many, each lies on a table page of its own in either order, and key
/// order keeps a parent's rows together in the indexes that follow the key
/// (order_items and payments at 1,000,000 customers: 2.6 and 1.4 s in key
/// order, 4.9 and 3.6 s in index order).
bool dense(const std::vector<db::Value>& keys) {
    if (keys.empty()) return false;
    auto spanned = keys_spanned(keys.front(), keys.back());
    return spanned && *spanned <= 2.0 * static_cast<double>(keys.size());
}

/// Rows to write in one transaction: a slice of a ReadAhead, in key order
/// or in the order of a scattered index (purge/index_order.h).
struct Batch {
    std::size_t rows = 0;
    std::size_t to_mask = 0;
    std::size_t already_masked = 0;
    std::optional<db::Value> first, last;
    std::vector<db::Value> deletable;  ///< keys of the rows to delete
    /// Taken in the order of a scattered index: its rows are not all those
    /// of a stretch of keys, so they are deleted by their keys.
    bool in_index_order = false;

    /// Few expired rows spread over a long stretch of keys (integer
    /// keys only): the delete is then asked by their keys, so its time,
    /// which the batch size follows, is the rows', not the stretch's.
    /// A table whose expiry lies in a parent (order_items by its order)
    /// otherwise probes the parent for every row of the stretch, with
    /// the write lock held.
    bool sparse() const {
        auto spanned = keys_spanned(first, last);
        return spanned && *spanned > sparse_stretch * static_cast<double>(rows);
    }

    /// Deleted by the keys of its deletable rows rather than over its
    /// stretch of keys.
    bool by_keys() const { return in_index_order || sparse(); }
};

/// The next expired rows of a table in key order, read many batches at a
/// time, and what the read found (counted when the rows are taken, so rows
/// read ahead of a stop count nowhere).
struct ReadAhead {
    std::vector<db::Value> keys;
    std::vector<Fate> fates;
    std::size_t held = 0;
    std::size_t kept_as_parent = 0;
    std::vector<std::size_t> kept_by;  ///< per blocker of the table's rules
    /// Per row, its value of the column of the index that batches in key
    /// order would scatter over (purge/index_order.h); empty when they
    /// would not, or the database's deletes leave indexes alone.
    std::vector<db::Value> index_values;

    /// The `rows` rows from `at`, in key order.
    Batch batch(std::size_t at, std::size_t rows) const {
        Batch b;
        for (std::size_t i = at; i < at + rows; ++i) add(b, i);
        return b;
    }

    /// The rows at `positions`, ascending, taken in index order.
    Batch batch_of(const std::vector<std::size_t>& positions) const {
        Batch b;
        b.in_index_order = true;
        for (auto i : positions) add(b, i);
        return b;
    }

private:
    void add(Batch& b, std::size_t i) const {
        if (b.rows++ == 0) b.first = keys[i];
        b.last = keys[i];
        if (fates[i] == Fate::remove) b.deletable.push_back(keys[i]);
        else if (fates[i] == Fate::mask) ++b.to_mask;
        else if (fates[i] == Fate::masked) ++b.already_masked;
    }
};

/// Reads every table's expired rows ahead of the writes, in the order the
/// walks take them, on the second connection and a thread of its own,
/// with at most `max_rows` rows read and not yet taken (and one read under
/// way). Each read starts after the last key of the read before it, not
/// after the last batch written, so the reader waits for nothing but that
/// bound; and a table's reads do not depend on how far the tables before it
/// have got, as a referring row this run deletes never keeps a row
/// (purge/retention_rules.h), deleted yet or not. So a table whose rows are
/// slow to find (orders, each probed for referring rows) is read while an
/// earlier table's slow writes run (shipments' masks), where reading beside
/// its own writes only would leave each table's first read waited for.
class ReadPipeline {
public:
    /// One table's reads: the keys after `after`, `window` rows a read,
    /// until a read comes back short.
    struct TableReads {
        std::optional<db::Value> after;
        std::size_t window = 0;
        std::function<ReadAhead(db::Database&, const std::optional<db::Value>&)> read;
    };

    ReadPipeline(db::Database& reader, std::vector<TableReads> tables, std::size_t max_rows)
        : reader_(reader), tables_(std::move(tables)), max_rows_(max_rows), thread_([this] { run(); }) {}

    /// Stops after the read under way, which is dropped.
    ~ReadPipeline() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    ReadPipeline(const ReadPipeline&) = delete;
    ReadPipeline& operator=(const ReadPipeline&) = delete;

    /// The next read of table `index` (of those given), once it is read.
    /// Rethrows what a read threw.
    ReadAhead take(std::size_t index) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !ready_.empty() || failure_; });
        if (ready_.empty()) std::rethrow_exception(failure_);
        if (ready_.front().first != index)
            throw Error(ExitStatus::failure, "purge: a table's rows were taken out of the order they were read");
        auto ahead = std::move(ready_.front().second);
        ready_.pop_front();
        ready_rows_ -= ahead.keys.size();
        lock.unlock();
        changed_.notify_all();
        return ahead;
    }

private:
    void run() {
        try {
            for (std::size_t i = 0; i < tables_.size(); ++i) {
                auto after = tables_[i].after;
                while (true) {
                    {
                        std::unique_lock lock(mutex_);
                        changed_.wait(lock, [&] { return stopping_ || ready_rows_ < max_rows_; });
                        if (stopping_) return;
                    }
                    auto ahead = tables_[i].read(reader_, after);
                    const bool last = ahead.keys.size() < tables_[i].window;
                    if (!last) after = ahead.keys.back();
                    {
                        std::lock_guard lock(mutex_);
                        ready_rows_ += ahead.keys.size();
                        ready_.emplace_back(i, std::move(ahead));
                    }
                    changed_.notify_all();
                    if (last) break;
                }
            }
        } catch (...) {
            {
                std::lock_guard lock(mutex_);
                failure_ = std::current_exception();
            }
            changed_.notify_all();
        }
    }

    db::Database& reader_;
    const std::vector<TableReads> tables_;
    const std::size_t max_rows_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::pair<std::size_t, ReadAhead>> ready_;  ///< table index, its next read
    std::size_t ready_rows_ = 0;
    std::exception_ptr failure_;
    bool stopping_ = false;
    std::thread thread_;  ///< last: starts once the rest is set
};

/// One table's walk: batches over the key, each read, then written in its
/// own transaction.
class TableWalk {
public:
    TableWalk(db::Database& db, const policy::Policy& policy, const purge::TableRules& rules,
              const db::TableInfo* table_info, purge::PurgeCursors* cursors, erase::RowMasker& masker,
              const PurgeSettings& settings, TablePurge& counts, std::size_t& run_batches)
        : db_(db), policy_(policy), rules_(rules), cursors_(cursors), masker_(masker), settings_(settings),
          counts_(counts), key_(rules.table->key),
          batch_sizer_(settings.batch_size, settings.reader ? purge_lock_target_beside_reads : purge_lock_target),
          index_order_sizer_(settings.batch_size, purge_lock_target),
          run_batches_(run_batches),
          mask_sql_(rules.mask_action ? erase::mask_sql(db, *rules.table, rules.masks, rules.alias) : std::nullopt),
          read_from_(db.quote_table(rules.table->name) + " AS " + rules.alias),
          read_key_(rules.alias + "." + db.quote(key_)),
          index_columns_(index_columns(db, rules, table_info)) {}

    /// Expired rows a read asks for; a shorter read is the table's last.
    std::size_t window() const { return window_; }

    /// Reads the next window of expired rows after `after` on `conn`, and
    /// what each will become. Reads only, outside any transaction: the
    /// write lock is not held. Touches nothing of the walk's, so it may run
    /// on another thread while batches are written.
    ReadAhead read(db::Database& conn, const std::optional<db::Value>& after) const {
        return run_read(conn, read_query(after));
    }

    using OnBatch = std::function<void(const std::optional<db::Value>&)>;

    /// Walks from the key after `after` to the end, or until
    /// settings.should_stop says stop: returns false then. `next_read`
    /// gives the next read after a key (read() on this walk's connection,
    /// or taken from a ReadPipeline); `on_batch` runs after each batch
    /// with the key the walk has reached.
    bool walk(std::optional<db::Value> after,
              const std::function<ReadAhead(const std::optional<db::Value>&)>& next_read, const OnBatch& on_batch) {
        std::optional<db::Value> walked_to = std::move(after);
        while (true) {
            if (stop_asked()) return false;
            // With a second connection these rows were read while earlier
            // ones were written, so they are judged a little earlier; every
            // write checks each condition again.
            auto ahead = next_read(walked_to);
            take_counts(ahead);
            const bool more = ahead.keys.size() == window_;
            for (std::size_t at = 0; at < ahead.keys.size();) {
                if (at > 0 && stop_asked()) return false;
                if (!ahead.index_values.empty()) {
                    if (!write_span(ahead, at, walked_to, on_batch)) return false;
                    continue;
                }
                const std::size_t asked = batch_sizer_.rows();
                auto batch = ahead.batch(at, std::min(asked, ahead.keys.size() - at));
                at += batch.rows;
                write(KeyRange{walked_to, batch.last}, batch, asked);
                walked_to = batch.last;
                batch_written(walked_to, on_batch);
            }
            if (!more) return true;
        }
    }

private:
    /// Writes the span of rows from `at` (purge/index_order.h): a few
    /// batches' rows in key order, each batch a slice of them in the order
    /// of the scattered index. The walk is past the span only when its last
    /// batch is written: a run stopped inside it reads the span's remaining
    /// rows again. False when a stop was asked.
    bool write_span(const ReadAhead& ahead, std::size_t& at, std::optional<db::Value>& walked_to,
                    const OnBatch& on_batch) {
        const std::size_t span = purge::first_span(ahead.keys.size() - at);
        std::vector<std::size_t> positions(span);
        std::iota(positions.begin(), positions.end(), at);
        positions = purge::index_order(ahead.index_values, std::move(positions));
        for (std::size_t done = 0; done < span;) {
            if (done > 0 && stop_asked()) return false;
            const std::size_t asked = index_order_sizer_.rows();
            const auto from = positions.begin() + static_cast<std::ptrdiff_t>(done);
            done += purge::next_slice(span - done, asked);
            std::vector<std::size_t> slice(from, positions.begin() + static_cast<std::ptrdiff_t>(done));
            std::sort(slice.begin(), slice.end());
            auto batch = ahead.batch_of(slice);
            write(KeyRange{walked_to, ahead.keys[at + span - 1]}, batch, asked);
            if (done == span) walked_to = ahead.keys[at + span - 1];
            batch_written(walked_to, on_batch);
        }
        at += span;
        return true;
    }

    /// After each batch, with the last key before which every row is written.
    void batch_written(const std::optional<db::Value>& walked_to, const OnBatch& on_batch) {
        ++counts_.batches;
        ++run_batches_;
        if (!walked_to) return;  // inside the table's first span
        // Saved after every batch, so a killed run continues here. Where
        // a shop's writer polls for the lock (SQLite's busy handler), the
        // save's wait for the disk is the pause in which it gets the lock;
        // where waiters are woken at the commit, nothing needs the wait
        // (PostgreSQL, 1,000,000 customers: 0.9 ms a batch, 0.8 s a run).
        if (cursors_)
            cursors_->save(rules_.table->name, *walked_to, policy_.sha256, settings_.now,
                           db_.wakes_lock_waiters() ? purge::PurgeCursors::Sync::deferred
                                                    : purge::PurgeCursors::Sync::durable);
        on_batch(walked_to);
    }

    /// The columns leading the table's indexes, quoted with the alias, where
    /// a batch may be written in the order of one (purge/index_order.h):
    /// the database's deletes write its indexes, and every batch only
    /// deletes (a mask is written over a stretch of keys).
    static std::vector<std::string> index_columns(db::Database& db, const purge::TableRules& rules,
                                                  const db::TableInfo* table_info) {
        std::vector<std::string> out;
        if (!db.deletes_write_indexes() || rules.mask_action || !table_info) return out;
        for (const auto& c : purge::index_leading_columns(*table_info, rules.table->key))
            out.push_back(rules.alias + "." + db.quote(c));
        return out;
    }

    /// Not before the run's first batch: a run stopped at once (or with
    /// --max-duration 0s) still gets on with the work.
    bool stop_asked() const { return run_batches_ > 0 && settings_.should_stop && settings_.should_stop(); }

    /// Writes one batch in its own transaction, or only counts it (a dry
    /// run, or nothing left to change).
    void write(const KeyRange& range, const Batch& batch, std::size_t asked) {
        counts_.already_masked += batch.already_masked;
        if (settings_.dry_run) {
            counts_.deleted += batch.deletable.size();
            if (mask_sql_) counts_.masked += batch.to_mask;
            else if (batch.to_mask > 0) count_masks(mask_changes(range));
            return;
        }
        // Rows masked by an earlier run need no write lock at all.
        bool mask_work = batch.to_mask > 0;
        std::size_t unchanged = 0;
        if (mask_work && !mask_sql_) {
            auto changes = mask_changes(range);
            mask_work = !changes.rows.empty();
            unchanged = changes.unchanged;
        }
        if (!batch.deletable.empty() || mask_work) write_batch(range, batch, asked);  // counts the masks itself
        else counts_.already_masked += unchanged;
    }

    /// A read's SQL and its values.
    struct ReadQuery {
        std::string sql;
        std::vector<db::Value> params;
    };

    /// The read of the next window of expired rows after `after` and what
    /// each will become. Read many batches at once because what a read costs
    /// is mostly finding the rows: where expired rows are few among many
    /// (the items of the rare expired orders), a batch-sized read walks the
    /// key index probing the parent for each row, where a larger one lets
    /// PostgreSQL hash the expired parents once (order_items at 1,000,000
    /// customers: 6.9 s of reads down to 1.8).
    ReadQuery read_query(const std::optional<db::Value>& after) const {
        // Only the identifiers quoted in the constructor: quoting asks the
        // writing connection, which another thread may be using.
        const std::string& table = read_from_;
        const std::string& key = read_key_;
        auto where = after ? purge::all_of({{key + " > ?", {*after}}, rules_.expired}) : rules_.expired;
        std::vector<SqlCondition> fate{rules_.held, rules_.delete_due};
        for (const auto& b : rules_.blockers) fate.push_back(b.refers);
        if (mask_sql_) fate.push_back(mask_sql_->changes);
        std::string fate_sql;
        std::vector<db::Value> fate_params;
        for (const auto& c : fate) {
            fate_sql += ", " + c.sql;
            fate_params.insert(fate_params.end(), c.params.begin(), c.params.end());
        }
        for (const auto& c : index_columns_) fate_sql += ", " + c;  // last in the row: run_read takes them from the end
        ReadQuery read;
        auto append = [&](const std::vector<db::Value>& more) {
            read.params.insert(read.params.end(), more.begin(), more.end());
        };
        const std::string limit = " ORDER BY " + key + " LIMIT ?";
        const db::Value window_rows = static_cast<std::int64_t>(window_);
        if (rules_.fate_asks_other_tables) {
            // The rows are chosen first, and what becomes of each is asked
            // of those rows only. Asked in the query that chooses them,
            // PostgreSQL plans the other tables' EXISTS for every expired row
            // of the table (its estimate before the LIMIT) and hashes the
            // whole referring table each read: 120 ms a read of orders at
            // 200,000 customers, where probing the chosen rows takes a few.
            // The chosen rows keep the table's alias, so the conditions read
            // them as written. Without subqueries this would only copy rows.
            read.sql = "WITH dsr_batch AS MATERIALIZED (SELECT * FROM " + table + " WHERE " + where.sql + limit +
                       ") SELECT " + key + fate_sql + " FROM dsr_batch AS " + rules_.alias + " ORDER BY " + key;
            append(where.params);
            read.params.push_back(window_rows);
            append(fate_params);
        } else {
            read.sql = "SELECT " + key + fate_sql + " FROM " + table + " WHERE " + where.sql + limit;
            append(fate_params);
            append(where.params);
            read.params.push_back(window_rows);
        }
        return read;
    }

    ReadAhead run_read(db::Database& conn, const ReadQuery& read) const {
        ReadAhead ahead;
        ahead.kept_by.assign(rules_.blockers.size(), 0);
        std::vector<std::vector<db::Value>> index_values(index_columns_.size());
        conn.query(read.sql, read.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
            auto flag = [&](std::size_t i) {
                const auto* v = std::get_if<std::int64_t>(&row[i]);
                return v && *v != 0;
            };
            ahead.keys.push_back(row[0]);
            Fate fate = Fate::keep;
            if (flag(1)) {
                ++ahead.held;
            } else {
                bool kept = false;
                if (flag(2))
                    for (std::size_t i = 0; i < rules_.blockers.size(); ++i)
                        if (flag(3 + i)) {
                            ++ahead.kept_by[i];
                            kept = true;
                        }
                if (flag(2) && !kept) fate = Fate::remove;
                else if (rules_.mask_action)  // counted as masked or already masked
                    fate = !mask_sql_ || flag(3 + rules_.blockers.size()) ? Fate::mask : Fate::masked;
                else ++ahead.kept_as_parent;
            }
            ahead.fates.push_back(fate);
            const std::size_t first_index_column = row.size() - index_values.size();
            for (std::size_t i = 0; i < index_values.size(); ++i) index_values[i].push_back(row[first_index_column + i]);
        });
        if (!index_values.empty() && dense(ahead.keys))
            if (auto scattered = purge::scattered_index_column(index_values))
                ahead.index_values = std::move(index_values[*scattered]);
        return ahead;
    }

    void take_counts(const ReadAhead& ahead) {
        counts_.examined += ahead.keys.size();
        counts_.held += ahead.held;
        counts_.kept_as_parent += ahead.kept_as_parent;
        for (std::size_t i = 0; i < ahead.kept_by.size(); ++i) add_kept_for(rules_.blockers[i].table, ahead.kept_by[i]);
    }

    void add_kept_for(const std::string& table, std::size_t rows) {
        if (rows == 0) return;
        auto it = std::find_if(counts_.kept_for.begin(), counts_.kept_for.end(),
                               [&](const auto& p) { return p.first == table; });
        if (it == counts_.kept_for.end()) counts_.kept_for.emplace_back(table, rows);
        else it->second += rows;
    }

    /// One short transaction: every condition is checked again inside it,
    /// so rows that changed since the read are judged as they are now.
    void write_batch(const KeyRange& range, const Batch& batch, std::size_t asked) {
        db_.begin();
        auto locked_at = steady_clock::now();
        try {
            delete_rows(range, batch);
            mask_rows(range);
            db_.commit();
        } catch (...) {
            db_.rollback();
            throw;
        }
        auto held = duration_cast<microseconds>(steady_clock::now() - locked_at);
        db_.checkpoint();  // after the lock is released; see OpenOptions::manual_checkpoints
        counts_.longest_lock = std::max(counts_.longest_lock, held);
        (batch.in_index_order ? index_order_sizer_ : batch_sizer_).wrote(asked, batch.rows, held);
    }

    /// Deletes what is deletable now: over the range, or, for a batch
    /// deleted by its keys (sparse, or in index order), among the rows its
    /// read found deletable (a row of the stretch that became deletable
    /// since then waits for the next cycle).
    void delete_rows(const KeyRange& range, const Batch& batch) {
        const std::string del = "DELETE FROM " + db_.quote_table(rules_.table->name) + " AS " + rules_.alias + " WHERE ";
        auto run = [&](const SqlCondition& rows) {
            auto where = purge::all_of({rows, rules_.deletable()});
            counts_.deleted += static_cast<std::size_t>(db_.execute(del + where.sql, where.params));
        };
        if (!batch.by_keys()) return run(range_condition(db_, rules_.alias, key_, range));
        const std::string key = rules_.alias + "." + db_.quote(key_);
        const auto& all = batch.deletable;
        for (std::size_t at = 0; at < all.size(); at += db::max_in_list) {
            std::vector<db::Value> keys(all.begin() + static_cast<std::ptrdiff_t>(at),
                                        all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), at + db::max_in_list)));
            run({key + " IN (" + db::placeholders(keys.size()) + ")", keys});
        }
    }

    struct MaskChanges {
        std::vector<std::pair<db::Value, std::vector<db::Value>>> rows;  ///< key, values to write
        std::size_t unchanged = 0;  ///< masked already
    };

    /// The expired rows of `range` to be masked, and the values each must hold.
    MaskChanges mask_changes(const KeyRange& range) {
        MaskChanges out;
        if (rules_.masks.empty()) return out;
        const std::string& a = rules_.alias;
        std::string columns = a + "." + db_.quote(key_);
        for (const auto& m : rules_.masks) columns += ", " + a + "." + db_.quote(m.column);
        auto where = purge::all_of({range_condition(db_, a, key_, range), rules_.maskable()});
        db_.query("SELECT " + columns + " FROM " + db_.quote_table(rules_.table->name) + " AS " + a + " WHERE " + where.sql,
                  where.params, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                      std::vector<db::Value> current(row.begin() + 1, row.end());
                      auto masked = masker_.masked_values(*rules_.table, rules_.masks, current, row[0]);
                      if (masked == current) ++out.unchanged;
                      else out.rows.emplace_back(row[0], std::move(masked));
                  });
        return out;
    }

    void count_masks(const MaskChanges& changes) {
        counts_.masked += changes.rows.size();
        counts_.already_masked += changes.unchanged;
    }

    /// Writes the masks, inside the batch's transaction.
    void mask_rows(const KeyRange& range) {
        if (mask_sql_) {
            auto where = purge::all_of(
                {range_condition(db_, rules_.alias, key_, range), rules_.maskable(), mask_sql_->changes});
            std::vector<db::Value> params = mask_sql_->assignment_params;
            params.insert(params.end(), where.params.begin(), where.params.end());
            counts_.masked += static_cast<std::size_t>(
                db_.execute("UPDATE " + db_.quote_table(rules_.table->name) + " AS " + rules_.alias + " SET " +
                                mask_sql_->assignments + " WHERE " + where.sql,
                            params));
            return;
        }
        auto changes = mask_changes(range);
        count_masks(changes);
        if (changes.rows.empty()) return;
        std::vector<std::string> columns;
        for (const auto& m : rules_.masks) columns.push_back(m.column);
        std::vector<std::vector<db::Value>> rows;
        rows.reserve(changes.rows.size());
        for (auto& [row_key, values] : changes.rows) {
            values.push_back(row_key);
            rows.push_back(std::move(values));
        }
        db_.update_by_key(rules_.table->name, key_, columns, rows);
    }

    db::Database& db_;
    const policy::Policy& policy_;
    const purge::TableRules& rules_;
    purge::PurgeCursors* cursors_;
    erase::RowMasker& masker_;
    const PurgeSettings& settings_;
    TablePurge& counts_;
    const std::string& key_;
    /// Expired rows a read asks for.
    const std::size_t window_ = std::max(settings_.read_rows, settings_.batch_size);
    PurgeBatchSizer batch_sizer_;  ///< the next batch's rows: adapts to the lock time
    /// The same for batches in index order, whose rows cost another time
    /// each than in key order: a table whose reads go from one order to the
    /// other would otherwise size a batch of one by the pace of the other.
    PurgeBatchSizer index_order_sizer_;
    std::size_t& run_batches_;  ///< batches of the whole run, every table
    /// The masks as SQL (erase/mask_sql.h), when they can be: then a batch
    /// is masked by one UPDATE, and its read says which rows need it.
    const std::optional<erase::MaskSql> mask_sql_;
    const std::string read_from_;  ///< the table quoted, with its alias
    const std::string read_key_;   ///< the key column quoted, with the alias
    /// Read with the rows, to judge which index key order scatters them over.
    const std::vector<std::string> index_columns_;
};

/// Where the walk is in the key space of every table, for the progress bar.
class KeySpace {
public:
    void add(db::Database& db, const policy::Table& table) {
        std::optional<std::int64_t> low, high;
        db.query("SELECT min(" + db.quote(table.key) + "), max(" + db.quote(table.key) + ") FROM " + db.quote_table(table.name),
                 {}, [&](const std::vector<std::string>&, const std::vector<db::Value>& row) {
                     low = as_integer(row[0]);
                     high = as_integer(row[1]);
                 });
        Span span;
        if (low && high) {
            span.low = *low;
            span.size = static_cast<double>(*high - *low + 1);
        } else {
            integers_ = false;
        }
        spans_[table.name] = span;
        total_ += span.size;
    }
    /// The table's walk reached `key` (or its end, with no key). A resumed
    /// walk counts the part before its cursor as walked by earlier runs.
    void reached(const policy::Table& table, const std::optional<db::Value>& key) {
        auto& s = spans_[table.name];
        double at = s.size;
        if (auto k = as_integer(key)) at = std::clamp(static_cast<double>(*k - s.low + 1), 0.0, s.size);
        s.walked = at;
    }
    std::optional<double> fraction() const {
        if (!integers_ || total_ <= 0) return std::nullopt;
        double walked = 0;
        for (const auto& [name, s] : spans_) walked += s.walked;
        return std::clamp(walked / total_, 0.0, 1.0);
    }

private:
    struct Span {
        std::int64_t low = 0;
        double size = 0;
        double walked = 0;
    };
    std::map<std::string, Span> spans_;
    double total_ = 0;
    bool integers_ = true;
};

/// A table's walk with the rules it walks by.
struct PlannedWalk {
    PlannedWalk(purge::TableRules table_rules, TablePurge& table_counts, db::Database& db,
                const policy::Policy& policy, const db::TableInfo* table_info, purge::PurgeCursors* cursors,
                erase::RowMasker& masker, const PurgeSettings& settings, std::size_t& run_batches)
        : rules(std::move(table_rules)), counts(table_counts),
          walk(db, policy, rules, table_info, cursors, masker, settings, counts, run_batches) {}
    purge::TableRules rules;  ///< before walk, which keeps a reference
    TablePurge& counts;
    std::optional<db::Value> cursor;  ///< where an earlier run of this cycle stopped
    TableWalk walk;
};

}  // namespace

std::size_t next_purge_batch(std::size_t rows, microseconds held, std::size_t ceiling, milliseconds target) {
    const std::size_t floor_rows = std::min(min_purge_batch, ceiling);
    double scale = held.count() > 0 ? duration<double>(target) / duration<double>(held) : 2.0;
    scale = std::clamp(scale, 0.5, 2.0);
    auto next = static_cast<std::size_t>(static_cast<double>(std::max<std::size_t>(rows, 1)) * scale);
    return std::clamp(next, floor_rows, ceiling);
}

void PurgeBatchSizer::wrote(std::size_t asked, std::size_t rows, microseconds held) {
    const double pace = static_cast<double>(held.count()) / static_cast<double>(std::max<std::size_t>(rows, 1));
    const double slower = std::max(pace, last_pace_);
    last_pace_ = pace;
    rows_ = next_purge_batch(asked, microseconds(static_cast<std::int64_t>(slower * static_cast<double>(asked))), ceiling_,
                             target_);
}

std::size_t PurgeOutcome::examined() const {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.examined;
    return n;
}

std::size_t PurgeOutcome::changed() const {
    std::size_t n = 0;
    for (const auto& t : tables) n += t.deleted + t.masked;
    return n;
}

void check_purge_table(const policy::Policy& policy, const std::string& table) {
    const auto* t = policy.find_table(table);
    if (!t) throw Error(ExitStatus::usage, "--table: '" + table + "' is not a table of the policy");
    if (!t->retention) throw Error(ExitStatus::usage, "--table: table '" + table + "' has no retention rule");
}

std::vector<const policy::Table*> tables_to_purge(const policy::Policy& policy, const ErasureSetup& setup,
                                                  const std::string& only_table) {
    if (!only_table.empty()) check_purge_table(policy, only_table);
    std::vector<const policy::Table*> out;
    for (const auto& step : setup.order.steps) {
        const auto* t = step.table;
        if (!t->retention) continue;
        if (!only_table.empty() && t->name != only_table) continue;
        out.push_back(t);
    }
    return out;
}

void run_purge(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
               purge::PurgeCursors* cursors, const crypto::SecretBytes& key, const PurgeSettings& settings,
               PurgeOutcome& out) {
    if (settings.batch_size == 0) throw Error(ExitStatus::usage, "the batch size must be at least 1");
    const CivilDate today{floor<days>(settings.now)};
    auto tables = tables_to_purge(policy, setup, settings.only_table);
    std::set<std::string> purged;
    for (const auto* t : tables) purged.insert(t->name);
    purge::RetentionRules rules(db, policy, setup.order, today, purged);
    erase::RowMasker masker(db, setup.schema, key);

    KeySpace space;
    for (const auto* t : tables) space.add(db, *t);
    out.tables.clear();
    out.tables.reserve(tables.size());  // TableWalk keeps a reference to its entry
    out.complete = false;
    std::size_t run_batches = 0;
    // Every walk is set up before the first runs: their reads may all run
    // ahead of the writes (ReadPipeline).
    std::vector<std::unique_ptr<PlannedWalk>> walks;
    for (const auto* t : tables) {
        auto& counts = out.tables.emplace_back();
        counts.table = t;
        counts.expired_before = policy::expiry_cutoff(today, t->retention->keep);
        if (cursors && cursors->finished(t->name)) {
            counts.complete = counts.finished_earlier = true;
            space.reached(*t, std::nullopt);
            continue;
        }
        auto& planned = *walks.emplace_back(std::make_unique<PlannedWalk>(rules.rules_for(*t), counts, db, policy,
                                                                          setup.schema.find_table(t->name), cursors,
                                                                          masker, settings, run_batches));
        // Resumed: the rest of the table after the cursor. Rows before it
        // that expired since the cycle began wait for the next cycle.
        planned.cursor = cursors ? cursors->get(t->name) : std::nullopt;
    }
    // After the walks: destroyed first, it stops its thread before they go.
    std::optional<ReadPipeline> pipeline;
    if (settings.reader) {
        std::vector<ReadPipeline::TableReads> reads;
        for (const auto& planned : walks) {
            const auto& walk = planned->walk;
            reads.push_back({planned->cursor, walk.window(),
                             [&walk](db::Database& conn, const std::optional<db::Value>& after) {
                                 return walk.read(conn, after);
                             }});
        }
        pipeline.emplace(*settings.reader, std::move(reads), settings.read_ahead_rows);
    }
    bool stopped = false;
    for (std::size_t i = 0; i < walks.size(); ++i) {
        auto& planned = *walks[i];
        auto& counts = planned.counts;
        const auto& t = *counts.table;
        auto started = steady_clock::now();
        counts.resumed = planned.cursor.has_value();
        auto next_read = [&](const std::optional<db::Value>& after) {
            return pipeline ? pipeline->take(i) : planned.walk.read(db, after);
        };
        auto progress = [&](const std::optional<db::Value>& reached) {
            space.reached(t, reached);
            counts.elapsed = duration_cast<milliseconds>(steady_clock::now() - started);
            if (settings.on_progress) settings.on_progress({&t, out.examined(), out.changed(), space.fraction()});
        };
        bool done = planned.walk.walk(planned.cursor, next_read, progress);
        counts.elapsed = duration_cast<milliseconds>(steady_clock::now() - started);
        if (!done) {
            stopped = true;
            break;
        }
        progress(std::nullopt);
        counts.complete = true;
        if (cursors) cursors->mark_finished(t.name, policy.sha256, settings.now);
    }
    out.complete = !stopped;
    // Every table is done: the cycle ends, and the next run starts afresh.
    if (out.complete && cursors)
        for (const auto* t : tables) cursors->clear(t->name);
    if (!settings.dry_run) {
        // Deleted and overwritten values were zeroed in the file
        // (secure_delete); copies of the pages still sit in the WAL until
        // this. Done even when this run changed nothing, so a WAL an earlier
        // run could not empty (readers held it) is emptied now.
        try {
            out.residue_removed = db.remove_residue();
        } catch (const Error& e) {
            if (e.status() != ExitStatus::database_busy) throw;
            out.residue_problem = e.what();
        }
    }
}

}  // namespace dsr::jobs
