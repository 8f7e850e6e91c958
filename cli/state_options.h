#pragma once
// Options shared by every command that uses dsr's state store and keys.

#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "db/database.h"
#include "policy/model.h"
#include "state/state_store.h"

namespace dsr::cli {

struct StateLocation {
    std::string policy;  ///< may be empty when --state is given
    std::string state;
    std::string keys;
    int busy_timeout_ms = 5000;
    int statement_timeout_ms = 0;  ///< PostgreSQL only; 0: no limit
    bool verbose = false;          ///< -v: each statement's SQL and time on stderr
};

// Where the policy, the database and the state are: a flag, else its
// environment variable (CLI11's envname), else the policy's own setting.

/// Adds --policy, or $DSR_POLICY.
CLI::Option* add_policy_option(CLI::App& command, std::string& policy);

std::string database_option_help(const std::string& what);

/// Adds -v,--verbose: each statement on the shop's database, its SQL and
/// time, on stderr (never a value: parameters are bound, not spliced).
void add_verbose_option(CLI::App& command, bool& verbose);

/// The options of a command that opens the shop's database: --db (or
/// $DSR_DB, which overrides the policy's default database) and -v.
/// `Target`: a std::string, or a std::optional<std::string> where unset means the policy's.
template <class Target>
CLI::Option* add_database_option(CLI::App& command, Target& db, bool& verbose,
                                 const std::string& what = "The policy's default database") {
    add_verbose_option(command, verbose);
    return command.add_option("--db", db, database_option_help(what))->envname("DSR_DB")->group("Input");
}

/// What -v installs on a connection (db::OpenOptions::on_statement): a line
/// per statement on stderr; nothing when `verbose` is false.
db::StatementObserver statement_printer(bool verbose);

/// Adds --policy (required or not), --state ($DSR_STATE), --keys and --busy-timeout to `command`.
void add_state_options(CLI::App& command, StateLocation& location, bool policy_required);

/// Adds --statement-timeout, for commands that run statements on the shop's database.
void add_statement_timeout_option(CLI::App& command, int& statement_timeout_ms);

/// The state file: --state, else the policy's `state:` key, else beside the
/// policy. `policy_state_key` is the loaded policy's key, or empty.
/// Throws dsr::Error(usage) when neither --state nor --policy was given.
std::string state_path(const StateLocation& location, const std::string& policy_state_key);

/// A command's view of its state: the policy (when --policy was given) and the open store.
struct OpenedState {
    std::optional<policy::Policy> policy;
    std::unique_ptr<state::StateStore> store;
};

/// Loads the policy if given (an invalid one is reported and yields nullopt,
/// exit invalid_policy), then opens the state store; `create` false makes a
/// missing store an error. Fills envelope.policy_*.
std::optional<OpenedState> open_state(const StateLocation& location, Format format, report::Envelope& envelope,
                                      bool create);

/// The key directory (--keys, DSR_KEYS, beside the state) and, in `how`, how it was chosen.
std::string keys_dir(const StateLocation& location, const std::string& state_file, std::string& how);

}  // namespace dsr::cli
