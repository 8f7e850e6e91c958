#include "audit/audit_log.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sodium.h>

#include <array>
#include <future>
#include <tuple>
#include <optional>

#include "report/report.h"
#include "db/sqlite/sqlite_error.h"
#include "util/error.h"

namespace dsr::audit {

namespace {

constexpr std::string_view entry_domain = "dsr-audit-entry-v1";
constexpr std::string_view head_domain = "dsr-audit-head-v1";
const std::string genesis_hash(64, '0');

/// Length-prefixed fields make the hash input unambiguous: no two different
/// entries encode to the same bytes, whatever their fields contain.
class Hasher {
public:
    Hasher() { crypto_generichash_init(&state_, nullptr, 0, 32); }
    void add(std::string_view field) {
        std::array<unsigned char, 8> length{};
        std::uint64_t n = field.size();
        for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(n >> (8 * i));
        crypto_generichash_update(&state_, length.data(), length.size());
        crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(field.data()), field.size());
    }
    std::string hex() {
        std::array<unsigned char, 32> out{};
        crypto_generichash_final(&state_, out.data(), out.size());
        return crypto::to_hex(out.data(), out.size());
    }

private:
    crypto_generichash_state state_{};
};

/// The summary as stored: keys sorted, no whitespace, so it hashes the same on every read.
std::string canonical_summary(const nlohmann::ordered_json& summary) {
    return nlohmann::json(summary).dump();
}

std::string entry_hash(const AuditEntry& e, const std::string& summary_text) {
    Hasher h;
    h.add(entry_domain);
    h.add(e.prev_hash);
    h.add(std::to_string(e.seq));
    h.add(e.at);
    h.add(e.command);
    h.add(e.phase);
    h.add(e.request_id);
    h.add(e.subject);
    h.add(e.policy_sha256);
    h.add(e.dry_run ? "1" : "0");
    h.add(summary_text);
    h.add(e.refers_to ? std::to_string(*e.refers_to) : "");
    return h.hex();
}

/// What a head signature covers: the domain, the sequence number and the hash.
std::string head_message(std::int64_t seq, const std::string& hash) {
    return std::string(head_domain) + "\n" + std::to_string(seq) + "\n" + hash;
}

constexpr const char* entry_columns =
    "seq, at, command, phase, request_id, subject, policy_sha256, dry_run, summary, refers_to, prev_hash, hash";

/// Reads one row selected with entry_columns; `summary_text` gets the stored JSON text.
AuditEntry read_entry(SQLite::Statement& row, std::string& summary_text) {
    AuditEntry e;
    e.seq = row.getColumn(0).getInt64();
    e.at = row.getColumn(1).getString();
    e.command = row.getColumn(2).getString();
    e.phase = row.getColumn(3).getString();
    e.request_id = row.getColumn(4).isNull() ? "" : row.getColumn(4).getString();
    e.subject = row.getColumn(5).isNull() ? "" : row.getColumn(5).getString();
    e.policy_sha256 = row.getColumn(6).isNull() ? "" : row.getColumn(6).getString();
    e.dry_run = row.getColumn(7).getInt() != 0;
    summary_text = row.getColumn(8).getString();
    if (!row.getColumn(9).isNull()) e.refers_to = row.getColumn(9).getInt64();
    e.prev_hash = row.getColumn(10).getString();
    e.hash = row.getColumn(11).getString();
    return e;
}

void bind_optional(SQLite::Statement& s, int index, const std::string& value) {
    if (value.empty())
        s.bind(index);
    else
        s.bind(index, value);
}

/// A problem `audit verify` found. At one sequence number the checks run in
/// the order of Check, and the first problem is the one at the lowest
/// sequence number, then the lowest Check: the order a single walk would
/// find them in.
struct Problem {
    enum class Check { place, link, hash, head_signature, head_match };
    std::int64_t seq = 0;
    Check check = Check::place;
    std::string text;
    bool before(const Problem& other) const { return std::tie(seq, check) < std::tie(other.seq, other.check); }
};

void keep_first(std::optional<Problem>& first, std::optional<Problem> found) {
    if (found && (!first || found->before(*first))) first = std::move(found);
}

/// Entries and heads read from the log whose hashes and signatures are still
/// to be computed: the costly part of verify, which a second thread does
/// for one chunk while the next is read.
struct VerifyChunk {
    struct Entry {
        AuditEntry entry;
        std::string summary_text;
    };
    struct Head {
        std::int64_t seq = 0;
        std::string hash, public_key, signature;
    };
    std::vector<Entry> entries;
    std::vector<Head> heads;
};

/// Entries read before a chunk goes to the second thread (some 3 MB).
constexpr std::size_t verify_chunk_entries = 4096;

/// The chunk's first problem of the Check::hash and Check::head_signature kinds.
std::optional<Problem> first_crypto_problem(const VerifyChunk& chunk, const std::array<unsigned char, 32>& public_key) {
    std::optional<Problem> first;
    for (const auto& [e, summary_text] : chunk.entries)
        if (entry_hash(e, summary_text) != e.hash) {
            // The stored summary text is hashed as stored: re-serialising could hide an edit.
            first = Problem{e.seq, Problem::Check::hash,
                            "entry " + std::to_string(e.seq) + " was changed after it was written"};
            break;
        }
    const std::string key_hex = crypto::to_hex(public_key.data(), public_key.size());
    for (const auto& head : chunk.heads) {
        if (first && first->seq < head.seq) break;
        std::array<unsigned char, crypto_sign_BYTES> signature{};
        bool ok = head.public_key == key_hex && crypto::from_hex(head.signature, signature.data(), signature.size());
        std::string message = head_message(head.seq, head.hash);
        if (ok)
            ok = crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(message.data()),
                                             message.size(), public_key.data()) == 0;
        if (!ok) {
            keep_first(first, Problem{head.seq, Problem::Check::head_signature,
                                      "the signed head at entry " + std::to_string(head.seq) +
                                          " has no valid signature by this key"});
            break;
        }
    }
    return first;
}

}  // namespace

AuditLog::AuditLog(state::StateStore& store) : store_(store) { crypto::ensure_sodium(); }

AuditEntry AuditLog::append(AuditEntry entry, std::chrono::system_clock::time_point when) {
    auto& db = store_.db();
    try {
        // The write lock (BEGIN IMMEDIATE) before reading the tail, so two
        // writers can never both chain onto the same previous entry. Inside
        // the caller's StateTransaction the entry commits with it.
        state::StateTransaction tx(store_);
        SQLite::Statement tail(db, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1");
        entry.seq = 1;
        entry.prev_hash = genesis_hash;
        if (tail.executeStep()) {
            entry.seq = tail.getColumn(0).getInt64() + 1;
            entry.prev_hash = tail.getColumn(1).getString();
        }
        tail.reset();
        entry.at = report::utc_iso8601(when);
        std::string summary_text = canonical_summary(entry.summary);
        entry.hash = entry_hash(entry, summary_text);

        SQLite::Statement insert(db, std::string("INSERT INTO audit_entries (") + entry_columns +
                                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        insert.bind(1, static_cast<std::int64_t>(entry.seq));
        insert.bind(2, entry.at);
        insert.bind(3, entry.command);
        insert.bind(4, entry.phase);
        bind_optional(insert, 5, entry.request_id);
        bind_optional(insert, 6, entry.subject);
        bind_optional(insert, 7, entry.policy_sha256);
        insert.bind(8, entry.dry_run ? 1 : 0);
        insert.bind(9, summary_text);
        if (entry.refers_to)
            insert.bind(10, static_cast<std::int64_t>(*entry.refers_to));
        else
            insert.bind(10);
        insert.bind(11, entry.prev_hash);
        insert.bind(12, entry.hash);
        insert.exec();
        tx.commit();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot append to the audit log");
    }
    return entry;
}

std::optional<SignedHead> AuditLog::sign_head(const crypto::Keys& keys, std::chrono::system_clock::time_point when) {
    auto& db = store_.db();
    try {
        state::StateTransaction tx(store_);
        SQLite::Statement tail(db, "SELECT seq, hash FROM audit_entries ORDER BY seq DESC LIMIT 1");
        if (!tail.executeStep()) return std::nullopt;
        SignedHead head;
        head.seq = tail.getColumn(0).getInt64();
        head.hash = tail.getColumn(1).getString();
        tail.reset();
        head.signed_at = report::utc_iso8601(when);
        head.public_key = crypto::to_hex(keys.signing_public_key.data(), keys.signing_public_key.size());
        std::string message = head_message(head.seq, head.hash);
        std::array<unsigned char, crypto_sign_BYTES> signature{};
        crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                             message.size(), keys.signing_secret_key.data());
        head.signature = crypto::to_hex(signature.data(), signature.size());

        SQLite::Statement insert(db,
                                 "INSERT OR REPLACE INTO audit_heads (seq, hash, signed_at, public_key, signature) "
                                 "VALUES (?, ?, ?, ?, ?)");
        insert.bind(1, static_cast<std::int64_t>(head.seq));
        insert.bind(2, head.hash);
        insert.bind(3, head.signed_at);
        insert.bind(4, head.public_key);
        insert.bind(5, head.signature);
        insert.exec();
        tx.commit();
        return head;
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot sign the audit head");
    }
}

std::optional<SignedHead> AuditLog::latest_head() {
    try {
        SQLite::Statement q(store_.db(),
                            "SELECT seq, hash, signed_at, public_key, signature FROM audit_heads ORDER BY seq DESC LIMIT 1");
        if (!q.executeStep()) return std::nullopt;
        return SignedHead{q.getColumn(0).getInt64(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                          q.getColumn(3).getString(), q.getColumn(4).getString()};
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the audit head");
    }
}

AuditEntry AuditLog::append_and_sign(AuditEntry entry, const crypto::Keys& keys,
                                     std::chrono::system_clock::time_point when) {
    // One commit for both: an entry committed without its head (the second
    // commit failing on a full disk) would read as appended without the key.
    state::StateTransaction tx(store_);
    entry = append(std::move(entry), when);
    sign_head(keys, when);
    tx.commit();
    return entry;
}

std::vector<AuditEntry> AuditLog::interrupted(const std::string& command, const std::string& subject) {
    // Conditions are added only when given, so the subject index serves a
    // job's check before it starts instead of a scan of the whole log.
    std::string where = " FROM audit_entries AS i WHERE phase = 'intent'";
    std::vector<std::string> params;
    if (!subject.empty()) {
        params.push_back(subject);
        where += " AND subject = ?" + std::to_string(params.size());
    }
    if (!command.empty()) {
        params.push_back(command);
        where += " AND command = ?" + std::to_string(params.size());
    }
    where += " AND NOT EXISTS (SELECT 1 FROM audit_entries AS c WHERE c.refers_to = i.seq AND "
             "c.phase IN ('done', 'failed')) ORDER BY seq";
    return select_entries(where, params);
}

std::vector<AuditEntry> AuditLog::entries(const AuditFilter& filter) {
    return select_entries(" FROM audit_entries WHERE (?1 = '' OR request_id = ?1) AND (?2 = '' OR at >= ?2) ORDER BY seq",
                          {filter.request_id, filter.since});
}

std::vector<AuditEntry> AuditLog::select_entries(const std::string& from_where, const std::vector<std::string>& params) {
    std::vector<AuditEntry> out;
    try {
        SQLite::Statement q(store_.db(), std::string("SELECT ") + entry_columns + from_where);
        for (std::size_t i = 0; i < params.size(); ++i) q.bind(static_cast<int>(i + 1), params[i]);
        std::string summary_text;
        while (q.executeStep()) {
            auto e = read_entry(q, summary_text);
            e.summary = nlohmann::ordered_json::parse(summary_text, nullptr, false);
            out.push_back(std::move(e));
        }
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the audit log");
    }
    return out;
}

VerifyResult AuditLog::verify(const std::array<unsigned char, 32>& public_key,
                              const std::optional<SignedHead>& expected_head) {
    // This thread reads entries and heads side by side in seq order and makes
    // the cheap checks (no gap, each entry links to the one before, each head
    // names the hash the chain holds at its seq); a second thread recomputes
    // the hashes and checks the signatures of one chunk while the next is
    // read (they were half of the time). Memory does not grow with the log:
    // one of single-subject jobs has a signed head for every entry.
    VerifyResult result;
    std::optional<Problem> first;
    std::int64_t heads_read = 0;
    std::int64_t last_seq = 0;     // of the entries read, while they are whole
    std::int64_t last_signed = 0;  // the newest head that names the chain's hash
    try {
        SQLite::Statement hq(store_.db(), "SELECT seq, hash, public_key, signature FROM audit_heads ORDER BY seq");
        bool more_heads = hq.executeStep();
        VerifyChunk chunk;
        std::future<std::optional<Problem>> in_flight;
        auto collect = [&] {
            if (in_flight.valid()) keep_first(first, in_flight.get());
        };
        auto hand_over = [&] {
            collect();
            in_flight = std::async(std::launch::async, [c = std::move(chunk), &public_key] {
                return first_crypto_problem(c, public_key);
            });
            chunk = {};
        };
        // The next head, into the chunk; `chain_hash` is the chain's hash at
        // its seq, nullptr when the log has no entry there.
        auto take_head = [&](const std::string* chain_hash) {
            VerifyChunk::Head head{hq.getColumn(0).getInt64(), hq.getColumn(1).getString(),
                                   hq.getColumn(2).getString(), hq.getColumn(3).getString()};
            ++heads_read;
            if (!chain_hash || *chain_hash != head.hash)
                keep_first(first, Problem{head.seq, Problem::Check::head_match,
                                          "the signed head at entry " + std::to_string(head.seq) +
                                              " does not match the log"});
            else
                last_signed = head.seq;
            chunk.heads.push_back(std::move(head));
            more_heads = hq.executeStep();
        };

        std::string expected_prev = genesis_hash;
        std::string expected_in_chain;  // the chain's hash at expected_head's seq
        SQLite::Statement q(store_.db(), std::string("SELECT ") + entry_columns + " FROM audit_entries ORDER BY seq");
        while (!first && q.executeStep()) {
            VerifyChunk::Entry read;
            read.entry = read_entry(q, read.summary_text);
            const AuditEntry& e = read.entry;
            ++result.entries;
            if (e.seq != last_seq + 1) {
                keep_first(first, Problem{last_seq + 1, Problem::Check::place,
                                          "entry " + std::to_string(last_seq + 1) + " is missing (next is " +
                                              std::to_string(e.seq) + ")"});
                break;
            }
            if (e.prev_hash != expected_prev) {
                keep_first(first, Problem{e.seq, Problem::Check::link,
                                          "entry " + std::to_string(e.seq) + " does not follow the entry before it"});
                break;
            }
            // The chain is whole up to here, so a head below e.seq (seq 0, say) has no entry.
            while (more_heads && hq.getColumn(0).getInt64() < e.seq) take_head(nullptr);
            // Whether e.hash is the entry's own is the second thread's check.
            if (more_heads && hq.getColumn(0).getInt64() == e.seq) take_head(&e.hash);
            if (expected_head && e.seq == expected_head->seq) expected_in_chain = e.hash;
            expected_prev = e.hash;
            last_seq = e.seq;
            chunk.entries.push_back(std::move(read));
            if (chunk.entries.size() == verify_chunk_entries) hand_over();
        }
        // Heads past the last entry sign entries that are no longer there.
        while (!first && more_heads) take_head(nullptr);
        hand_over();
        collect();

        if (!first && last_seq > last_signed)
            first = Problem{last_signed + 1, Problem::Check::place,
                            "entries " + std::to_string(last_signed + 1) + " to " + std::to_string(last_seq) +
                                " are not covered by a signed head"};
        if (!first && expected_head) {
            if (expected_head->seq > last_seq)
                first = Problem{last_seq + 1, Problem::Check::place,
                                "the log ends at entry " + std::to_string(last_seq) + " but the expected head is entry " +
                                    std::to_string(expected_head->seq) + ": its tail was removed"};
            else if (expected_in_chain != expected_head->hash)
                first = Problem{expected_head->seq, Problem::Check::place,
                                "entry " + std::to_string(expected_head->seq) +
                                    " is not the one the expected head recorded"};
        }
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the audit log");
    }
    result.heads_checked = heads_read;
    if (first) {
        result.ok = false;
        result.first_bad_seq = first->seq;
        result.problem = first->text;
    }
    return result;
}

}  // namespace dsr::audit
