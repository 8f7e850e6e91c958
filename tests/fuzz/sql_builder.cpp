// Fuzzes the SQL dsr builds from a policy. The input is a policy; one that
// loads and that `dsr policy check` finds no error in against the fuzz shop
// (shop_fixture.h) is run through the jobs that write SQL, on a database
// holding a few rows: the subject graph, access, export (JSON and CSV),
// the erasure plan and the erasure itself, and purge (a dry run, the real
// run, and a dry run after it). Nothing is kept: the input runs inside one
// transaction that is rolled back, the jobs' own transactions becoming
// savepoints in it.
//
// Every statement a job sends is first prepared on a second connection to
// the same schema under an authorizer (sqlite3_set_authorizer), and it is a
// finding when a statement
//  - reads a column the policy does not declare (key, links, personal or
//    non-personal columns, masks, timestamps, identities, consent mirrors,
//    breach contacts), other than a foreign key the schema declares, which
//    erasure follows to see what a deletion would do. Erasure and purge may
//    read every column of a declared table: the plan's digest covers whole
//    rows (erase/erasure_plan.cpp), and the rows go anyway; what access and
//    export read, which leaves dsr, is held to the declared columns;
//  - updates a column the policy does not let it change (masks, consent
//    mirrors) or deletes from a table it does not declare, other than what
//    the database's own ON DELETE actions do, which the plan reports;
//    inserts, or does anything else to the schema or the connection
//    (PRAGMA, ATTACH, CREATE, …), or calls load_extension;
//  - does not prepare, holds more than one statement, or has another
//    number of parameters than values bound;
//  - holds a value of the shop's rows spelled out (values are bound, never
//    spliced).
// An empty identity value (what `phone=n/a` normalises to) matches no one,
// though the shop has a customer with an empty phone.
// And beyond the SQL: the jobs throw nothing but dsr::Error, and never
// ExitStatus::failure (an internal error) for a policy the check passed; the JSON
// export parses and the CSV export is a zip of CSV files; the real erasure
// carries out the plan shown for the same rows (same digest) and its own
// verification passes; a real purge changes what its dry run said, and
// leaves nothing for a second run to change.
//
// DSR_FUZZ_VERBOSE=1 prints why a policy was not run (load or check
// errors) and each dsr::Error a job ended with.

#include <archive.h>
#include <archive_entry.h>
#include <sqlite3.h>

#include <chrono>
#include <clocale>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/pseudonym.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "fuzz_support.h"
#include "jobs/access.h"
#include "jobs/erase.h"
#include "jobs/export.h"
#include "jobs/policy_check.h"
#include "jobs/purge.h"
#include "policy/loader.h"
#include "purge/purge_cursors.h"
#include "shop_fixture.h"
#include "state/state_store.h"
#include "util/byte_sink.h"
#include "util/error.h"

namespace {

using namespace dsr;

// ---- what a policy lets statements touch ------------------------------------

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Allowed {
    std::map<std::string, std::set<std::string>> read;    ///< table -> columns (lower case: SQLite's names fold)
    std::map<std::string, std::set<std::string>> update;  ///< table -> columns
    std::set<std::string> tables;                         ///< declared: may be deleted from, counted
    std::map<std::string, std::set<std::string>> foreign_keys;  ///< columns of the schema's foreign keys, both ends
    /// What the database does on its own when a parent row goes (ON DELETE
    /// SET NULL, SET DEFAULT, CASCADE): SQLite asks the authorizer about
    /// those actions too. The erasure plan reports them.
    std::map<std::string, std::set<std::string>> set_by_foreign_key;
    std::set<std::string> cascaded_to;

    void declare(const std::string& table, const std::string& column) {
        tables.insert(lower(table));
        read[lower(table)].insert(lower(column));
    }
    void writable(const std::string& table, const std::string& column) {
        declare(table, column);
        update[lower(table)].insert(lower(column));
    }
};

Allowed allowed_by(const policy::Policy& policy, const db::Schema& schema) {
    Allowed a;
    for (const auto& t : policy.tables) {
        a.declare(t.name, t.key);
        for (const auto& c : t.columns) a.declare(t.name, c.name);
        for (const auto& c : t.non_personal) a.declare(t.name, c);
        for (const auto& l : t.links) {
            a.declare(t.name, l.column);
            if (l.is_foreign_key()) a.declare(l.parent_table, l.parent_column);
        }
        auto timestamp = [&](const policy::Timestamp& ts) { a.declare(ts.table.empty() ? t.name : ts.table, ts.column); };
        if (t.erasure) {
            for (const auto& m : t.erasure->masks) a.writable(t.name, m.column);
            if (t.erasure->hold) timestamp(t.erasure->hold->timestamp);
        }
        if (t.retention) timestamp(t.retention->timestamp);
    }
    for (const auto& id : policy.identities) a.declare(id.table, id.column);
    for (const auto& c : policy.consent)
        if (c.mirror) a.writable(c.mirror->table, c.mirror->column);
    for (const auto& n : policy.breach.notify) a.declare(n.table, n.column);
    for (const auto& t : schema.tables)
        for (const auto& fk : t.foreign_keys) {
            a.foreign_keys[lower(t.name)].insert(lower(fk.from_column));
            if (fk.on_delete == "SET NULL" || fk.on_delete == "SET DEFAULT")
                a.set_by_foreign_key[lower(t.name)].insert(lower(fk.from_column));
            if (fk.on_delete == "CASCADE") a.cascaded_to.insert(lower(t.name));
            const auto* parent = schema.find_table(fk.to_table);
            std::string to = fk.to_column;
            if (to.empty() && parent)
                for (const auto& c : parent->columns)
                    if (c.leads_primary_key) to = c.name;
            a.foreign_keys[lower(fk.to_table)].insert(lower(to));
        }
    return a;
}

// ---- the authorizer ---------------------------------------------------------------

struct Authorizer {
    const Allowed* allowed = nullptr;
    const std::string* sql = nullptr;
    std::set<std::string> rowid_names = {"rowid", "_rowid_", "oid"};

    [[noreturn]] void refuse(const std::string& what) const {
        fuzz::fail(__FILE__, __LINE__, "statement touches only what the policy declares", what + "\n  in: " + *sql);
    }

    /// Erasure and purge read every column of a declared table's rows they
    /// act on, into the plan's digest (erase/erasure_plan.cpp says why);
    /// what reaches a report or an export (access, export) reads only the
    /// columns declared.
    bool whole_rows = false;

    static bool contains(const std::map<std::string, std::set<std::string>>& columns, const std::string& table,
                         const std::string& column) {
        auto it = columns.find(lower(table));
        return it != columns.end() && it->second.contains(lower(column));
    }

    bool may_read(const std::string& table, const std::string& column) const {
        auto t = lower(table), c = lower(column);
        if (auto it = allowed->read.find(t); it != allowed->read.end())
            if (whole_rows || it->second.contains(c) || rowid_names.contains(c) || c.empty()) return true;
        if (auto it = allowed->foreign_keys.find(t); it != allowed->foreign_keys.end())
            if (it->second.contains(c) || c.empty()) return true;
        return false;
    }

    int decide(int action, const char* a1, const char* a2) const {
        std::string s1 = a1 ? a1 : "", s2 = a2 ? a2 : "";
        switch (action) {
            case SQLITE_SELECT:
            case SQLITE_RECURSIVE:
            case SQLITE_TRANSACTION:
            case SQLITE_SAVEPOINT: return SQLITE_OK;
            case SQLITE_FUNCTION:
                if (lower(s2) == "load_extension") refuse("calls load_extension");
                return SQLITE_OK;
            case SQLITE_READ:
                if (!may_read(s1, s2)) refuse("reads " + s1 + "." + s2 + ", which the policy does not declare");
                return SQLITE_OK;
            case SQLITE_UPDATE:
                if (!contains(allowed->update, s1, s2) && !contains(allowed->set_by_foreign_key, s1, s2))
                    refuse("updates " + s1 + "." + s2 + ", which the policy does not let it change");
                return SQLITE_OK;
            case SQLITE_DELETE:
                if (!allowed->tables.contains(lower(s1)) && !allowed->cascaded_to.contains(lower(s1)))
                    refuse("deletes from " + s1 + ", which the policy does not declare");
                return SQLITE_OK;
            default: refuse("action " + std::to_string(action) + " (" + s1 + ", " + s2 + ")");
        }
    }

    static int callback(void* self, int action, const char* a1, const char* a2, const char*, const char*) {
        return static_cast<Authorizer*>(self)->decide(action, a1, a2);
    }
};

/// Values of the shop's rows that would show up in a statement spliced
/// rather than bound. None is a name of the schema or a word of SQL.
constexpr const char* row_values[] = {"example.com", "Lopez", "+35386", "tok_1", "Main St", "must never", "D02 X285",
                                      "Happy birthday", "Firefox", "192.0.2."};

// ---- the database the jobs see --------------------------------------------------

/// The fuzz shop as the jobs see it: every statement checked, then run by
/// the real SQLite backend inside the harness's transaction.
class CheckedDatabase final : public db::Database {
public:
    CheckedDatabase(std::unique_ptr<db::Database> inner, const std::string& schema_sql) : inner_(std::move(inner)) {
        if (sqlite3_open_v2(":memory:", &check_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) std::abort();
        char* error = nullptr;
        if (sqlite3_exec(check_, schema_sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK)
            fuzz::fail(__FILE__, __LINE__, "schema", error ? error : "");
        sqlite3_exec(check_, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
        sqlite3_set_authorizer(check_, &Authorizer::callback, &authorizer_);
    }
    ~CheckedDatabase() override { sqlite3_close(check_); }

    void set_policy(const Allowed* allowed) { authorizer_.allowed = allowed; }
    void read_whole_rows(bool whole) { authorizer_.whole_rows = whole; }

    /// The harness's own transaction, around all a job does.
    void begin_input() { inner_->begin(); }
    void end_input() {
        savepoints_ = 0;
        inner_->rollback();
    }
    void savepoint(const char* name) { inner_->execute(std::string("SAVEPOINT ") + name, {}); }
    void rollback_to(const char* name) {
        inner_->execute(std::string("ROLLBACK TO ") + name, {});
        inner_->execute(std::string("RELEASE ") + name, {});
    }

    std::string_view backend() const override { return inner_->backend(); }
    db::Schema read_schema() override { return inner_->read_schema(); }
    void query(const std::string& sql, const std::vector<db::Value>& params, const db::RowHandler& on_row) override {
        check(sql, params);
        inner_->query(sql, params, on_row);
    }
    std::string quote(std::string_view identifier) const override { return inner_->quote(identifier); }
    std::string quote_table(std::string_view table) const override { return inner_->quote_table(table); }
    std::string row_id() const override { return inner_->row_id(); }
    std::string unix_seconds_sql(const std::string& column, db::TimeStorage storage, db::TypeClass type) const override {
        return inner_->unix_seconds_sql(column, storage, type);
    }
    db::SqlCondition earlier_than_sql(const std::string& column, db::TimeStorage storage, db::TypeClass type,
                                      std::int64_t cutoff) const override {
        return inner_->earlier_than_sql(column, storage, type, cutoff);
    }
    std::optional<db::SqlMask> text_redact_sql(const std::string& column, const std::string& text,
                                               bool not_null) const override {
        return inner_->text_redact_sql(column, text, not_null);
    }
    std::optional<db::SqlMask> text_prefix_sql(const std::string& column, int characters, bool not_null) const override {
        return inner_->text_prefix_sql(column, characters, not_null);
    }
    std::int64_t execute(const std::string& sql, const std::vector<db::Value>& params) override {
        check(sql, params);
        return inner_->execute(sql, params);
    }
    // A job's transaction is a savepoint in the harness's; a read
    // transaction is already had, inside it.
    void begin() override {
        inner_->execute("SAVEPOINT job" + std::to_string(++savepoints_), {});
        kinds_.push_back(true);
    }
    void begin_read() override { kinds_.push_back(false); }
    void commit() override { end(false); }
    void rollback() noexcept override {
        try {
            end(true);
        } catch (...) {
            std::abort();
        }
    }
    void lock_rows(std::string_view, std::string_view, const std::vector<db::Value>&) override {}
    std::unique_ptr<db::JobLock> lock_job(std::string_view) override { return std::make_unique<db::JobLock>(); }
    bool remove_residue() override { return false; }
    void checkpoint() override {}

private:
    void end(bool undo) {
        if (kinds_.empty()) return;  // rollback() with nothing open does nothing
        bool write = kinds_.back();
        kinds_.pop_back();
        if (!write) return;
        std::string name = "job" + std::to_string(savepoints_--);
        if (undo) inner_->execute("ROLLBACK TO " + name, {});
        inner_->execute("RELEASE " + name, {});
    }

    void check(const std::string& sql, const std::vector<db::Value>& params) {
        for (const char* value : row_values)
            FUZZ_CHECK(sql.find(value) == std::string::npos, "a value spliced into SQL: " + sql);
        authorizer_.sql = &sql;
        sqlite3_stmt* statement = nullptr;
        const char* tail = nullptr;
        int rc = sqlite3_prepare_v2(check_, sql.c_str(), static_cast<int>(sql.size()), &statement, &tail);
        FUZZ_CHECK(rc == SQLITE_OK, std::string("a statement that does not prepare: ") + sqlite3_errmsg(check_) + "\n  in: " + sql);
        FUZZ_CHECK(statement, "an empty statement: " + sql);
        int parameters = sqlite3_bind_parameter_count(statement);
        sqlite3_finalize(statement);
        for (; tail && *tail; ++tail)
            FUZZ_CHECK(std::isspace(static_cast<unsigned char>(*tail)) || *tail == ';', "more than one statement: " + sql);
        FUZZ_CHECK(static_cast<std::size_t>(parameters) == params.size(),
                   std::to_string(parameters) + " parameters, " + std::to_string(params.size()) + " values: " + sql);
    }

    std::unique_ptr<db::Database> inner_;
    sqlite3* check_ = nullptr;
    Authorizer authorizer_;
    std::vector<bool> kinds_;  ///< open job transactions: write (a savepoint) or read
    int savepoints_ = 0;
};

// ---- the fixture -------------------------------------------------------------------

struct StringSink : ByteSink {
    std::string bytes;
    void write(std::string_view b) override { bytes.append(b); }
};

struct Fixture {
    std::string schema_sql = fuzz::read_source_file("tools/shopgen/schema.sql") +
                             fuzz::read_source_file("tools/shopgen/indexes.sql") + fuzz::hostile_tables_sql;
    std::string path = fuzz::make_shop_db("sql_builder.db", true);
    std::unique_ptr<CheckedDatabase> db;
    db::Schema schema;
    crypto::SecretBytes key{crypto::pseudonym_key_bytes};
    state::StateStore store{(fuzz::scratch_dir() / "state.db").string(), {}};
    std::chrono::system_clock::time_point now = std::chrono::sys_days{std::chrono::year{2026} / 11 / 20};

    Fixture() {
        db::OpenOptions options;
        options.read_only = false;
        db = std::make_unique<CheckedDatabase>(db::open_database(path, options), schema_sql);
        schema = db->read_schema();
        std::memset(key.data(), 5, key.size());
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

/// The subject being run, for DSR_FUZZ_VERBOSE=1, which prints every
/// dsr::Error a job ends with (they are not findings, but a harness whose
/// every input ends in one tests little).
std::string context;

/// Runs a job; dsr::Error is how a job says no (but for an internal error),
/// anything else is a finding.
template <typename F>
bool attempt(const char* what, F&& job) {
    try {
        job();
        return true;
    } catch (const Error& e) {
        if (std::getenv("DSR_FUZZ_VERBOSE"))
            std::fprintf(stderr, "%s (%s): dsr::Error %d: %s\n", what, context.c_str(), static_cast<int>(e.status()), e.what());
        // "Internal error" (exit 1) for a policy the check passed, on a
        // database in good health, is a bug: an export of a table named
        // `../x` once failed so, its file name refused by the archive.
        FUZZ_CHECK(e.status() != ExitStatus::failure, std::string(what) + " failed with an internal error: " + e.what());
        return false;
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__, __LINE__, what, std::string("threw something other than dsr::Error: ") + e.what());
    }
}

void check_csv_zip(const std::string& zip, const jobs::ExportResult& result) {
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    FUZZ_CHECK(archive_read_open_memory(a.get(), zip.data(), zip.size()) == ARCHIVE_OK, "the CSV export is not a zip");
    struct archive_entry* e = nullptr;
    std::size_t entries = 0;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        std::string name = archive_entry_pathname(e);
        std::string bytes;
        char buffer[8192];
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
        FUZZ_CHECK(n == 0, "a CSV export entry that does not read: " + name);
        ++entries;
        for (const auto& part : result.parts)
            if (part.name == name) {
                FUZZ_CHECK(part.bytes == bytes.size(), "a part's size is not its entry's: " + name);
                FUZZ_CHECK(bytes.ends_with("\r\n"), "a CSV part that does not end its last record: " + name);
            }
    }
    FUZZ_CHECK(entries == result.parts.size() + 1, "the CSV export is not the manifest and one file a part");
}

void run_erasures(const policy::Policy& policy, const jobs::ErasureSetup& setup, const std::string& kind,
                  const std::string& value, const graph::SubjectMatch& match) {
    auto& f = fixture();
    jobs::EraseOutcome plan;
    if (!attempt("plan_erasure", [&] { plan = jobs::plan_erasure(*f.db, policy, setup, f.key, match, f.now); })) return;
    f.db->savepoint("subject");
    attempt("run_erasure", [&] {
        auto done = jobs::run_erasure(*f.db, policy, setup, f.key, {kind, value}, f.now, "");
        FUZZ_CHECK(done.plan.digest == plan.plan.digest, "the erasure did other than the plan shown for the same rows");
        FUZZ_CHECK(done.verification.performed && done.verification.passed,
                   "an erasure that its own verification fails: " + std::to_string(done.verification.remaining) +
                       " rows remain");
    });
    f.db->rollback_to("subject");
}

void run_subject(const policy::Policy& policy, const std::string& database, const jobs::ErasureSetup& setup,
                 const std::string& kind, const std::string& raw_value) {
    auto& f = fixture();
    const auto* identity = policy.find_identity(kind);
    std::string value = crypto::normalize_identity(raw_value, identity->normalize);
    context = kind + "=" + value;
    graph::SubjectMatch match;
    if (!attempt("match_subject", [&] { match = graph::match_subject(*f.db, policy, kind, value); })) return;
    if (match.root_matches > 1) return;  // ambiguous: the CLI stops here

    attempt("access", [&] {
        jobs::AccessSettings settings;
        settings.now = f.now;
        auto result = jobs::read_subject_data(*f.db, database, policy, match, settings);
        for (const auto& t : result.tables)
            for (const auto& row : t.rows) FUZZ_CHECK(row.size() == t.columns.size(), "an access row of another width");
    });
    for (auto format : {jobs::ExportFormat::json, jobs::ExportFormat::csv}) {
        StringSink out;
        jobs::ExportSettings settings{format, "2026-11-20T00:00:00Z", 1795132800, fuzz::scratch_dir().string()};
        jobs::ExportResult result;
        if (!attempt("export", [&] { result = jobs::write_portable_copy(*f.db, database, policy, match, settings, out); }))
            continue;
        if (format == jobs::ExportFormat::json) {
            auto parsed = nlohmann::json::parse(out.bytes, nullptr, false);
            FUZZ_CHECK(!parsed.is_discarded(), "the JSON export does not parse");
            std::size_t rows = 0;
            for (const auto& [name, table] : parsed["tables"].items()) rows += table.size();
            FUZZ_CHECK(rows == result.total_rows, "the JSON export holds another number of rows than it says");
        } else {
            check_csv_zip(out.bytes, result);
        }
    }

    f.db->read_whole_rows(true);
    run_erasures(policy, setup, kind, value, match);
    f.db->read_whole_rows(false);
}

void run_purges(const policy::Policy& policy, const jobs::ErasureSetup& setup) {
    auto& f = fixture();
    jobs::PurgeSettings dry;
    dry.now = f.now;
    dry.dry_run = true;
    jobs::PurgeOutcome out;
    if (!attempt("purge --dry-run", [&] { jobs::run_purge(*f.db, policy, setup, nullptr, f.key, dry, out); })) return;
    purge::PurgeCursors cursors(f.store, "sqlite:" + f.path);
    jobs::PurgeSettings real;
    real.now = f.now;
    real.batch_size = 2;  // several batches, so cursors and batch bounds are exercised
    jobs::PurgeOutcome done;
    bool ran = attempt("purge", [&] { jobs::run_purge(*f.db, policy, setup, &cursors, f.key, real, done); });
    f.store.db().exec("DELETE FROM purge_cursors");
    if (!ran) return;
    FUZZ_CHECK(done.changed() == out.changed(), "purge changed other rows than its dry run said: " +
                                                    std::to_string(done.changed()) + " against " + std::to_string(out.changed()));
    jobs::PurgeOutcome again;
    attempt("purge --dry-run after purge", [&] { jobs::run_purge(*f.db, policy, setup, nullptr, f.key, dry, again); });
    FUZZ_CHECK(again.changed() == 0, "a purge left " + std::to_string(again.changed()) + " rows for the next run to change");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::setlocale(LC_ALL, "C.UTF-8");  // libarchive reads entry names in the locale's charset
    fixture();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto& f = fixture();
    auto loaded = policy::load_policy_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    if (!loaded.policy) {
        if (std::getenv("DSR_FUZZ_VERBOSE"))
            for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", policy::format_diagnostic("fuzz.yaml", e).c_str());
        return 0;
    }
    const auto& policy = *loaded.policy;
    const auto* database = policy.default_database();
    if (!database) return 0;
    for (const auto& t : policy.tables)
        if (t.database != database->name) return 0;  // the subject commands refuse such a policy
    jobs::PolicyCheckResult check;
    jobs::check_database(policy, database->name, f.schema, check);
    if (!check.errors.empty()) {
        if (std::getenv("DSR_FUZZ_VERBOSE"))
            for (const auto& e : check.errors) std::fprintf(stderr, "policy check: %s\n", e.message.c_str());
        return 0;
    }

    Allowed allowed = allowed_by(policy, f.schema);
    f.db->set_policy(&allowed);
    f.db->begin_input();
    jobs::ErasureSetup setup;
    if (attempt("prepare_erasure", [&] { setup = jobs::prepare_erasure(*f.db, policy, database->name); })) {
        // Each identity with the value of a registered subject, and an email
        // identity also with a guest's, known by orders and tickets only.
        std::size_t n = 0;
        for (const auto& id : policy.identities) {
            if (++n > 3) break;
            // An empty value is no one's, though a row holds an empty phone.
            attempt("match_subject", [&] {
                auto nobody = graph::match_subject(*f.db, policy, id.kind, "");
                FUZZ_CHECK(nobody.root_matches == 0 && nobody.identity_values.empty(), "an empty identity value matched");
            });
            std::string value;
            f.db->query("SELECT " + f.db->quote(id.column) + " FROM " + f.db->quote_table(id.table) + " WHERE " +
                            f.db->quote(id.column) + " <> '' ORDER BY 1 LIMIT 1",
                        {},
                        [&](const std::vector<std::string>&, const std::vector<db::Value>& row) { value = graph::value_text(row[0]); });
            if (!value.empty()) run_subject(policy, database->name, setup, id.kind, value);
            if (id.normalize == policy::IdentityNormalization::email)
                run_subject(policy, database->name, setup, id.kind, "Guest@Example.com");
        }
        context = "purge";
        f.db->read_whole_rows(true);
        run_purges(policy, setup);
        f.db->read_whole_rows(false);
    }
    f.db->end_input();
    f.db->set_policy(nullptr);
    return 0;
}
