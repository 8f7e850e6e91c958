// `dsr audit show|verify|head`: read and check the tamper-evident audit log.

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "audit/audit_log.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/state_options.h"
#include "crypto/keys.h"
#include "util/civil_date.h"

namespace dsr::cli {

namespace {

nlohmann::ordered_json entry_json(const audit::AuditEntry& e) {
    nlohmann::ordered_json j = {{"seq", e.seq}, {"at", e.at}, {"command", e.command}, {"phase", e.phase}};
    j["request_id"] = e.request_id.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.request_id);
    j["subject"] = e.subject.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.subject);
    j["policy_sha256"] = e.policy_sha256.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(e.policy_sha256);
    j["dry_run"] = e.dry_run;
    j["summary"] = e.summary;
    j["refers_to"] = e.refers_to ? nlohmann::ordered_json(*e.refers_to) : nlohmann::ordered_json(nullptr);
    j["prev_hash"] = e.prev_hash;
    j["hash"] = e.hash;
    return j;
}

/// intent (a job began), done, failed: an intent with no outcome after it
/// is an interrupted job, which a reader should see first.
std::optional<Style> phase_style(const std::string& phase) {
    if (phase == "done") return Style::ok;
    if (phase == "failed") return Style::error;
    return Style::warning;
}

nlohmann::ordered_json head_json(const audit::SignedHead& h) {
    return {{"seq", h.seq}, {"hash", h.hash}, {"signed_at", h.signed_at}, {"public_key", h.public_key},
            {"signature", h.signature}};
}

struct ShowOptions {
    StateLocation location;
    std::string request_id;
    std::string since;
    Format format = Format::automatic;
};

ExitStatus run_show(const ShowOptions& o) {
    report::Envelope envelope;
    envelope.command = "audit show";
    try {
        // Compared as text with each entry's timestamp: anything but a date
        // would filter silently wrong.
        if (!o.since.empty() && !parse_date(o.since))
            throw Error(ExitStatus::usage, "--since: not a date YYYY-MM-DD");
        auto opened = open_state(o.location, o.format, envelope, false);
        if (!opened) return ExitStatus::invalid_policy;
        audit::AuditLog log(*opened->store);
        auto entries = log.entries({o.request_id, o.since});
        if (o.format == Format::jsonl) {
            // One entry per line, for auditors' tools; no envelope.
            for (const auto& e : entries) std::cout << entry_json(e).dump() << '\n';
            return ExitStatus::ok;
        }
        envelope.status = "ok";
        auto json = report::envelope_json(envelope);
        json["entries"] = nlohmann::ordered_json::array();
        report::TextTable table{{"SEQ", "AT", "COMMAND", "PHASE", "REQUEST", "SUBJECT", "NOTE"}, {}};
        for (const auto& e : entries) {
            json["entries"].push_back(entry_json(e));
            // A pseudonym's first 16 hex digits tell entries apart on a screen.
            table.rows.push_back({std::to_string(e.seq), e.at, e.command, e.phase, e.request_id,
                                  e.subject.empty() ? "" : e.subject.substr(0, 16) + "…",
                                  e.dry_run ? "dry run" : ""});
        }
        constexpr std::size_t phase_column = 3;
        print_listing(o.format, json, table, "the audit log is empty",
                      [&](std::size_t row, std::size_t column) -> std::optional<Style> {
                          if (column != phase_column) return std::nullopt;
                          return phase_style(entries[row].phase);
                      });
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

struct VerifyOptions {
    StateLocation location;
    std::string pubkey;
    std::string expect_head;
    Format format = Format::automatic;
};

/// A hex key, or a file holding one (audit-signing.pub).
std::array<unsigned char, 32> read_pubkey(const std::string& value) {
    std::array<unsigned char, 32> key{};
    if (crypto::from_hex(value, key.data(), key.size())) return key;
    std::ifstream in(value);
    std::string hex;
    if (in >> hex && crypto::from_hex(hex, key.data(), key.size())) return key;
    throw Error(ExitStatus::usage, "--pubkey: '" + value + "' is neither a hex Ed25519 public key nor a file holding one");
}

audit::SignedHead read_expected_head(const std::string& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) throw Error(ExitStatus::io, file + ": cannot read the expected head");
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("seq") || !j.contains("hash") || !j["seq"].is_number_integer() ||
        !j["hash"].is_string())
        throw Error(ExitStatus::usage, file + ": not a head written by 'dsr audit head'");
    audit::SignedHead head;
    head.seq = j["seq"].get<std::int64_t>();
    head.hash = j["hash"].get<std::string>();
    return head;
}

ExitStatus run_verify(const VerifyOptions& o) {
    report::Envelope envelope;
    envelope.command = "audit verify";
    try {
        auto opened = open_state(o.location, o.format, envelope, false);
        if (!opened) return ExitStatus::invalid_policy;
        std::array<unsigned char, 32> key{};
        if (!o.pubkey.empty()) {
            key = read_pubkey(o.pubkey);
        } else {
            std::string how;
            key = crypto::load_public_key(keys_dir(o.location, opened->store->path(), how), how);
        }
        std::optional<audit::SignedHead> expected;
        if (!o.expect_head.empty()) expected = read_expected_head(o.expect_head);

        audit::AuditLog log(*opened->store);
        auto result = log.verify(key, expected);
        envelope.status = result.ok ? "ok" : "audit_failed";
        auto json = report::envelope_json(envelope);
        json["verified"] = result.ok;
        json["entries_checked"] = result.entries;
        json["heads_checked"] = result.heads_checked;
        json["first_bad_seq"] = result.first_bad_seq ? nlohmann::ordered_json(*result.first_bad_seq) : nlohmann::ordered_json(nullptr);
        json["problem"] = result.ok ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(result.problem);
        if (!result.ok) print_error("audit log does not verify at entry " + std::to_string(*result.first_bad_seq) + ": " + result.problem);
        print_report(o.format, json,
                     result.ok ? "audit log verified: " + std::to_string(result.entries) + " entries, " +
                                     std::to_string(result.heads_checked) + " signed heads\n"
                               : "audit log does NOT verify: first bad entry " + std::to_string(*result.first_bad_seq) + "\n");
        return result.ok ? ExitStatus::ok : ExitStatus::audit_failed;
    } catch (const Error& e) {
        return report_failure(o.format, envelope, e);
    }
}

struct HeadOptions {
    StateLocation location;
};

ExitStatus run_head(const HeadOptions& o) {
    report::Envelope envelope;
    envelope.command = "audit head";
    try {
        auto opened = open_state(o.location, Format::json, envelope, false);
        if (!opened) return ExitStatus::invalid_policy;
        auto head = audit::AuditLog(*opened->store).latest_head();
        if (!head) throw Error(ExitStatus::failure, opened->store->path() + ": the audit log has no signed head yet");
        std::cout << head_json(*head).dump() << '\n';
        return ExitStatus::ok;
    } catch (const Error& e) {
        return report_failure(Format::text, envelope, e);
    }
}

}  // namespace

void add_audit_commands(CLI::App* audit, Commands& commands) {
    audit->require_subcommand(1);

    auto show = std::make_shared<ShowOptions>();
    auto* show_cmd = audit->add_subcommand("show", "List audit entries");
    show_cmd->footer(
        "List audit entries: sequence, time, command, phase (intent, done, failed),\n"
        "request, subject pseudonym and per-table counts. Never data values.\n\n"
        "Examples:\n"
        "  dsr audit show --policy shop.yaml --request R-2026-000001\n"
        "  dsr audit show --state dsr-state.db --since 2026-11-01 --format jsonl");
    add_state_options(*show_cmd, show->location, false);
    show_cmd->add_option("--request", show->request_id, "Only entries of this request")->group("Filter");
    show_cmd->add_option("--since", show->since, "Only entries at or after this UTC date (YYYY-MM-DD)")->group("Filter");
    add_format_option(*show_cmd, show->format, /*with_jsonl=*/true);
    commands.push_back({show_cmd, [show] { return run_show(*show); }});

    auto verify = std::make_shared<VerifyOptions>();
    auto* verify_cmd = audit->add_subcommand("verify", "Recompute the hash chain and check every signed head");
    verify_cmd->footer(
        "Recompute the whole hash chain, check every signed head's signature and that it\n"
        "matches the chain at its sequence number, and that no entry follows the last\n"
        "signed head. With --expect-head, also check that a head saved earlier is still\n"
        "in the chain (a truncated log fails). Exit 10 when the log does not verify.\n\n"
        "Examples:\n"
        "  dsr audit verify --policy shop.yaml\n"
        "  dsr audit verify --state dsr-state.db --pubkey audit-signing.pub --expect-head saved-head.json");
    add_state_options(*verify_cmd, verify->location, false);
    verify_cmd->add_option("--pubkey", verify->pubkey, "Public key (hex, or a file holding it); default: the key directory's")
        ->group("Verify");
    verify_cmd->add_option("--expect-head", verify->expect_head, "File with a head saved earlier by 'dsr audit head'")
        ->group("Verify");
    add_format_option(*verify_cmd, verify->format);
    commands.push_back({verify_cmd, [verify] { return run_verify(*verify); }});

    auto head = std::make_shared<HeadOptions>();
    auto* head_cmd = audit->add_subcommand("head", "Print the newest signed head as one JSON line");
    head_cmd->footer(
        "Print the newest signed head (sequence, hash, signature) as one JSON line, to\n"
        "store somewhere the state's owner cannot rewrite; 'audit verify --expect-head'\n"
        "reads it back.\n\n"
        "Examples:\n"
        "  dsr audit head --policy shop.yaml >> /srv/audit-heads.jsonl\n"
        "  dsr audit head --state dsr-state.db > saved-head.json");
    add_state_options(*head_cmd, head->location, false);
    commands.push_back({head_cmd, [head] { return run_head(*head); }});
}

const TopLevelCommand audit_command{"audit", "Show and verify the tamper-evident audit log",
                                    add_audit_commands};

}  // namespace dsr::cli
