#include "state/state_store.h"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iterator>

#include "state/migrations.h"
#include "db/sqlite/sqlite_error.h"
#include "util/error.h"

namespace dsr::state {

namespace {

/// Creates the file with mode 0600 before SQLite opens it, so the state is
/// never readable by others, whatever the umask.
void create_private_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST)
        throw Error(ExitStatus::io, path + ": cannot create state store: " + std::strerror(errno));
    if (fd >= 0) ::close(fd);
}

}  // namespace

StateStore::StateStore(const std::string& path, const StateOptions& options) : path_(path) {
    std::error_code ec;
    bool exists = std::filesystem::exists(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error(ExitStatus::database, path + ": cannot open state store: " + ec.message());
    if (!exists && !options.create) throw Error(ExitStatus::database, path + ": state store does not exist");
    if (!exists) create_private_file(path);
    try {
        // NOMUTEX: one thread uses the store (purge's reader thread has a
        // shop connection of its own), so SQLite need not lock every call;
        // that locking was an eighth of `audit verify`'s reading thread.
        db_ = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                                                 static_cast<int>(options.busy_timeout.count()));
        db_->exec("PRAGMA journal_mode = WAL");
        db_->exec("PRAGMA synchronous = FULL");
        db_->exec("PRAGMA foreign_keys = ON");
        // The write lock is taken up front so two dsr processes migrating at
        // once serialise here instead of failing half way.
        SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
        int version = db_->execAndGet("PRAGMA user_version").getInt();
        constexpr int known = static_cast<int>(std::size(migrations));
        if (version > known)
            throw Error(ExitStatus::database, path + ": state store has schema version " + std::to_string(version) +
                                                  ", newer than this dsr understands (" + std::to_string(known) + ")");
        for (int v = version; v < known; ++v) {
            db_->exec(std::string(migrations[v]));
            db_->exec("PRAGMA user_version = " + std::to_string(v + 1));
        }
        tx.commit();
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, path, "cannot open state store");
    }
}

StateStore::~StateStore() = default;

int StateStore::schema_version() const { return db_->execAndGet("PRAGMA user_version").getInt(); }

bool StateStore::in_transaction() { return sqlite3_get_autocommit(db_->getHandle()) == 0; }

StateTransaction::StateTransaction(StateStore& store) : store_(store) {
    if (store_.in_transaction()) return;  // joins the caller's
    try {
        store_.db().exec("BEGIN IMMEDIATE");
        open_ = true;
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot start a write transaction on the state store");
    }
}

StateTransaction::~StateTransaction() {
    if (!open_) return;
    try {
        store_.db().exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
        // SQLite rolled back already (e.g. after SQLITE_FULL): nothing is left to undo.
    }
}

void StateTransaction::commit() {
    if (!open_) return;
    try {
        store_.db().exec("COMMIT");
        open_ = false;
    } catch (const SQLite::Exception& e) {
        db::throw_sqlite_error(e, store_.path(), "cannot commit to the state store");
    }
}

std::string next_numbered_id(StateStore& store, const std::string& table, const std::string& prefix) {
    SQLite::Statement last(store.db(), "SELECT coalesce(max(CAST(substr(id, " + std::to_string(prefix.size() + 1) +
                                           ") AS INTEGER)), 0) FROM " + table + " WHERE id LIKE ?");
    last.bind(1, prefix + "%");
    last.executeStep();
    char number[32];
    std::snprintf(number, sizeof number, "%06lld", static_cast<long long>(last.getColumn(0).getInt64() + 1));
    return prefix + number;
}

std::string resolve_state_path(const std::string& state_option, const std::string& policy_path,
                               const std::string& policy_state_key) {
    if (!state_option.empty()) return state_option;
    std::filesystem::path dir = std::filesystem::path(policy_path).parent_path();
    if (!policy_state_key.empty()) {
        std::filesystem::path key = policy_state_key;
        return (key.is_absolute() ? key : dir / key).lexically_normal().string();
    }
    return (dir / "dsr-state.db").lexically_normal().string();
}

}  // namespace dsr::state
