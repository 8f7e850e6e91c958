#include "audit/audit_log.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sodium.h>

#include <array>
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
    VerifyResult result;
    auto fail = [&](std::int64_t seq, std::string problem) {
        if (!result.ok) return;  // keep the first problem
        result.ok = false;
        result.first_bad_seq = seq;
        result.problem = std::move(problem);
    };
    try {
        // Entries and heads are walked side by side in seq order, so memory
        // does not grow with the log: one of single-subject jobs (consent
        // changes from a web form, say) has a signed head for every entry.
        std::string expected_prev = genesis_hash;
        std::int64_t expected_seq = 1;
        std::int64_t last_signed = 0;
        std::string summary_text;
        SQLite::Statement hq(store_.db(), "SELECT seq, hash, public_key, signature FROM audit_heads ORDER BY seq");
        bool more_heads = hq.executeStep();
        const std::string key_hex = crypto::to_hex(public_key.data(), public_key.size());
        // A head's signature first, then that the chain has its hash at its
        // seq (`chain_hash`: nullptr when the log has no entry there).
        auto check_head = [&](const std::string* chain_hash) {
            const std::int64_t seq = hq.getColumn(0).getInt64();
            const std::string hash = hq.getColumn(1).getString();
            ++result.heads_checked;
            std::array<unsigned char, crypto_sign_BYTES> signature{};
            bool signature_ok = hq.getColumn(2).getString() == key_hex &&
                                crypto::from_hex(hq.getColumn(3).getString(), signature.data(), signature.size());
            std::string message = head_message(seq, hash);
            if (signature_ok)
                signature_ok = crypto_sign_verify_detached(signature.data(),
                                                           reinterpret_cast<const unsigned char*>(message.data()),
                                                           message.size(), public_key.data()) == 0;
            if (!signature_ok)
                fail(seq, "the signed head at entry " + std::to_string(seq) + " has no valid signature by this key");
            else if (!chain_hash || *chain_hash != hash)
                fail(seq, "the signed head at entry " + std::to_string(seq) + " does not match the log");
            else
                last_signed = seq;
            more_heads = hq.executeStep();
        };

        SQLite::Statement q(store_.db(), std::string("SELECT ") + entry_columns + " FROM audit_entries ORDER BY seq");
        std::string expected_in_chain;  // the chain's hash at expected_head's seq
        while (result.ok && q.executeStep()) {
            AuditEntry e = read_entry(q, summary_text);
            ++result.entries;
            if (e.seq != expected_seq) {
                fail(expected_seq, "entry " + std::to_string(expected_seq) + " is missing (next is " +
                                       std::to_string(e.seq) + ")");
                break;
            }
            if (e.prev_hash != expected_prev) {
                fail(e.seq, "entry " + std::to_string(e.seq) + " does not follow the entry before it");
                break;
            }
            // The stored summary text is hashed as stored: re-serialising could hide an edit.
            if (entry_hash(e, summary_text) != e.hash) {
                fail(e.seq, "entry " + std::to_string(e.seq) + " was changed after it was written");
                break;
            }
            // The chain is whole up to here, so a head below e.seq (seq 0, say) has no entry.
            while (result.ok && more_heads && hq.getColumn(0).getInt64() < e.seq) check_head(nullptr);
            if (result.ok && more_heads && hq.getColumn(0).getInt64() == e.seq) check_head(&e.hash);
            if (!result.ok) break;
            if (expected_head && e.seq == expected_head->seq) expected_in_chain = e.hash;
            expected_prev = e.hash;
            ++expected_seq;
        }
        std::int64_t last_seq = expected_seq - 1;
        // Heads past the last entry sign entries that are no longer there.
        while (result.ok && more_heads) check_head(nullptr);

        // Entries past the newest valid signature could have been appended by
        // anyone who can write the file: a job always signs when it ends.
        if (result.ok && last_seq > last_signed)
            fail(last_signed + 1, "entries " + std::to_string(last_signed + 1) + " to " + std::to_string(last_seq) +
                                      " are not covered by a signed head");
        if (result.ok && expected_head) {
            if (expected_head->seq > last_seq)
                fail(last_seq + 1, "the log ends at entry " + std::to_string(last_seq) + " but the expected head is entry " +
                                       std::to_string(expected_head->seq) + ": its tail was removed");
            else if (expected_in_chain != expected_head->hash)
                fail(expected_head->seq, "entry " + std::to_string(expected_head->seq) +
                                             " is not the one the expected head recorded");
        }
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot read the audit log");
    }
    return result;
}

}  // namespace dsr::audit
