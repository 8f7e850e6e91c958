// `dsr keygen`: create the pseudonymisation key and the audit signing key pair.

#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "crypto/keys.h"
#include "policy/loader.h"

namespace dsr::cli {

namespace {

struct KeygenOptions {
    std::string dir;
    StateLocation location;
    bool force = false;
    Format format = Format::automatic;
};

ExitStatus run_keygen(const KeygenOptions& options) {
    report::Envelope envelope;
    envelope.command = "keygen";
    envelope.policy_path = options.location.policy;
    try {
        std::string dir = options.dir;
        if (dir.empty()) {
            std::string policy_state;
            if (!options.location.policy.empty()) {
                auto policy = load_policy_or_report(options.location.policy, options.format, envelope);
                if (!policy) return ExitStatus::invalid_policy;
                policy_state = policy->state;
            }
            std::string how;
            std::string state_file = options.location.state.empty() && options.location.policy.empty()
                                         ? std::string("dsr-state.db")
                                         : state_path(options.location, policy_state);
            dir = keys_dir(options.location, state_file, how);
        }
        std::string public_key = crypto::generate_keys(dir, options.force);
        envelope.status = "ok";
        auto json = report::envelope_json(envelope);
        json["keys_dir"] = dir;
        json["public_key"] = public_key;
        print_report(options.format, json,
                     "keys written to " + dir + "\naudit signing public key: " + public_key +
                         "\nStore the public key elsewhere: 'dsr audit verify --pubkey' checks the log with it.\n");
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(options.format, envelope, e);
    }
}

}  // namespace

void add_keygen_command(CLI::App* cmd, Commands& commands) {
    auto options = std::make_shared<KeygenOptions>();
    cmd->footer(
        "Create the installation's keys: a 32-byte pseudonymisation key (subjects are\n"
        "stored and logged only as keyed BLAKE2b pseudonyms) and an Ed25519 key pair that\n"
        "signs the audit log's head. Files are mode 0600 in a 0700 directory, written\n"
        "atomically, and never replaced without --force.\n\n"
        "Examples:\n"
        "  dsr keygen --keys /etc/dsr/keys\n"
        "  DSR_KEYS=/etc/dsr/keys dsr keygen --format json | jq -r .public_key");
    cmd->add_option("--dir", options->dir, "Directory to create the keys in (default: as --keys, DSR_KEYS, then beside the state)")
        ->group("Keys");
    add_state_options(*cmd, options->location, false);
    cmd->add_flag("--force", options->force, "Replace existing keys (breaks every earlier pseudonym and signature)")
        ->group("Keys");
    add_format_option(*cmd, options->format);
    commands.push_back({cmd, [options] { return run_keygen(*options); }});
}

const TopLevelCommand keygen_command{"keygen", "Create the pseudonymisation key and the audit signing key pair",
                                     add_keygen_command};

}  // namespace dsr::cli
