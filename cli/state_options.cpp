#include "cli/state_options.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "cli/progress.h"
#include "crypto/keys.h"
#include "state/state_store.h"
#include "util/error.h"

namespace dsr::cli {

CLI::Option* add_policy_option(CLI::App& command, std::string& policy) {
    return command.add_option("--policy", policy, "Policy file (YAML)")->envname("DSR_POLICY")->group("Input");
}

void add_verbose_option(CLI::App& command, bool& verbose) {
    command.add_flag("-v,--verbose", verbose, "Print each database statement's SQL and time to stderr (never values)")
        ->group("Output");
}

db::StatementObserver statement_printer(bool verbose) {
    if (!verbose) return {};
    return [](std::string_view sql, std::chrono::microseconds took) {
        // One line a statement, whatever the SQL's own line breaks.
        std::string line;
        line.reserve(sql.size());
        for (char c : sql) {
            bool space = c == '\n' || c == '\t' || c == ' ';
            if (!space) line += c;
            else if (!line.empty() && line.back() != ' ') line += ' ';
        }
        char ms[32];
        std::snprintf(ms, sizeof ms, "%9.3f ms  ", static_cast<double>(took.count()) / 1000.0);
        // A purge reads on a second thread (jobs/purge.h): one line at a time.
        static std::mutex printing;
        std::lock_guard lock(printing);
        clear_progress_line();
        std::cerr << "dsr: sql " << ms << line << '\n';
    };
}

std::string database_option_help(const std::string& what) {
    return what + ": sqlite:PATH, a file path, postgresql://… or a libpq keyword string";
}

void add_state_options(CLI::App& command, StateLocation& location, bool policy_required) {
    auto* policy = add_policy_option(command, location.policy);
    if (policy_required) policy->required();
    command.add_option("--state", location.state, "State store file (default: the policy's state: key, else dsr-state.db beside the policy)")
        ->envname("DSR_STATE")
        ->group("State");
    command.add_option("--keys", location.keys, "Key directory (default: $DSR_KEYS, else dsr-keys beside the state store)")
        ->group("State");
    command.add_option("--busy-timeout", location.busy_timeout_ms, "Milliseconds to wait for a locked database or state store")
        ->default_val(5000)
        ->check(CLI::Range(0, 3600000))
        ->group("State");
}

void add_statement_timeout_option(CLI::App& command, int& statement_timeout_ms) {
    command
        .add_option("--statement-timeout", statement_timeout_ms,
                    "PostgreSQL: milliseconds any one statement may run before it is cancelled (exit 11); "
                    "0, the default, sets no limit")
        ->default_val(0)
        ->check(CLI::Range(0, 86400000))
        ->group("State");
}

std::string state_path(const StateLocation& location, const std::string& policy_state_key) {
    if (location.state.empty() && location.policy.empty())
        throw Error(ExitStatus::usage, "give --state FILE or --policy FILE to find the state store");
    return state::resolve_state_path(location.state, location.policy, policy_state_key);
}

std::optional<OpenedState> open_state(const StateLocation& location, Format format, report::Envelope& envelope,
                                      bool create) {
    OpenedState opened;
    envelope.policy_path = location.policy;
    if (!location.policy.empty()) {
        opened.policy = load_policy_or_report(location.policy, format, envelope);
        if (!opened.policy) return std::nullopt;
    }
    std::string file = state_path(location, opened.policy ? opened.policy->state : "");
    opened.store = std::make_unique<state::StateStore>(
        file, state::StateOptions{std::chrono::milliseconds(location.busy_timeout_ms), create});
    return opened;
}

std::string keys_dir(const StateLocation& location, const std::string& state_file, std::string& how) {
    return crypto::resolve_keys_dir(location.keys, std::getenv("DSR_KEYS"), state_file, how);
}

}  // namespace dsr::cli
