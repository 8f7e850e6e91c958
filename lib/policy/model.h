#pragma once
// The typed policy: what one merchant declared about its personal data.
// Everything downstream (checker, graph, jobs) reads these structs; nothing
// outside lib/policy/ sees YAML.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dsr::policy {

/// A position in the policy file, 1-based, for error messages.
struct Position {
    int line = 0;
    int column = 0;
};

enum class Regime { gdpr, ccpa, pipl };
enum class LawfulBasis { consent, contract, legal_obligation, vital_interests, public_task, legitimate_interest };
enum class RecipientRole { processor, third_party, controller, joint_controller };
/// Portability (Art. 20) covers `provided` and `observed`, not `derived`.
enum class Source { provided, observed, derived };
enum class TimeFormat { iso8601, unix_seconds, unix_millis, native };
enum class ErasureAction { delete_rows, mask };
enum class MaskMethod { null, redact, pseudonymize, generalize, random };
enum class Generalization { year, month, prefix };
enum class IdentityNormalization { none, email, phone };
enum class RectifyType { text, email, phone, date, integer, decimal, postcode, country, choice };
/// opt_in: no consent until it is granted (GDPR Art. 4(11), 7). opt_out: the
/// subject counts as consenting until they withdraw (CCPA "do not sell or
/// share", § 1798.120): the purpose may rest on any lawful basis.
enum class ConsentKind { opt_in, opt_out };

/// A span of time written `10y`, `18m`, `90d` or `36h`.
struct Duration {
    enum class Unit { hours, days, months, years };
    std::int64_t count = 0;
    Unit unit = Unit::days;
    std::string text;  ///< as written, for reports
};

struct Controller {
    std::string name;
    std::string contact;
    std::string timezone = "UTC";  ///< request deadlines are dates in this zone
};

struct DatabaseRef {
    std::string name;
    std::string url;   ///< `sqlite:PATH` (relative to the policy file) or later `postgresql://…`
    bool is_default = false;
    Position where;
};

/// A way a person can be named on the command line, e.g. `email=…`.
struct Identity {
    std::string kind;    ///< the name used in `--subject KIND=VALUE`
    std::string table;   ///< root table whose rows are the registered subjects
    std::string column;
    IdentityNormalization normalize = IdentityNormalization::none;
    Position where;
};

struct Category {
    std::string name;
    std::string description;
    bool sensitive = false;  ///< special/sensitive data (body measurements, payment, …)
    bool builtin = false;
    /// False for data whose disclosure would itself put the subject at risk
    /// (government ID numbers, passwords, security answers: CCPA regulations
    /// § 7024(d) forbid disclosing them). Access reports say such a column
    /// is held, never its value; the value is not even read.
    bool disclose = true;
};

struct Purpose {
    std::string name;
    LawfulBasis basis = LawfulBasis::contract;
    std::string description;
    Position where;
};

struct Recipient {
    std::string id;
    std::string name;
    RecipientRole role = RecipientRole::processor;
    std::string country;  ///< ISO 3166-1 alpha-2
    std::vector<std::string> categories;
    std::vector<std::string> purposes;
    std::string safeguards;  ///< transfer mechanism for third countries, free text
    Position where;
};

struct RectifyRule {
    RectifyType type = RectifyType::text;
    std::optional<std::string> pattern;      ///< ECMAScript regex the new value must match
    std::vector<std::string> choices;        ///< for type `choice`
    std::optional<std::int64_t> max_length;
    std::optional<double> min;
    std::optional<double> max;
};

struct Column {
    std::string name;
    std::string category;
    std::vector<std::string> purposes;
    Source source = Source::provided;
    std::optional<RectifyRule> rectify;  ///< absent: the column cannot be rectified through dsr
    Position where;
};

/// How a table's rows are tied to a subject. Exactly one of `references`
/// (a foreign key to a table already linked) or `identity` (the column holds
/// an identity value, e.g. a guest order's email) is set.
struct Link {
    std::string column;
    std::string parent_table;   ///< set for foreign-key links
    std::string parent_column;  ///< set for foreign-key links
    std::string identity;       ///< set for identity links
    Position where;

    bool is_foreign_key() const { return !parent_table.empty(); }
};

struct Mask {
    std::string column;
    MaskMethod method = MaskMethod::null;
    std::string redact_text = "[erased]";
    Generalization generalize = Generalization::year;
    int prefix_length = 3;
    Position where;
};

/// A column holding a point in time, and how it is stored. It may live in a
/// parent table the table links to (`orders.placed_at` for order items, which
/// have no date of their own but must be kept as long as their order).
struct Timestamp {
    std::string table;  ///< empty: the table's own column; else a direct foreign-key parent
    std::string column;
    TimeFormat format = TimeFormat::iso8601;
    Position where;
};

/// Keeps rows (masked) instead of deleting them, until `keep` after `timestamp`.
struct Hold {
    std::string purpose;  ///< names the legal reason, e.g. tax_records
    Timestamp timestamp;
    Duration keep;
    Position where;
};

struct Erasure {
    ErasureAction action = ErasureAction::delete_rows;
    /// Columns masked when the action is `mask`, and while a hold keeps a row.
    std::vector<Mask> masks;
    std::optional<Hold> hold;
    Position where;
};

struct Retention {
    Timestamp timestamp;
    Duration keep;
    ErasureAction action = ErasureAction::delete_rows;  ///< `mask` uses the erasure masks
    /// With `mask`: when the masked row is finally deleted, counted from the
    /// same timestamp (a shipment loses its address after 2 years and goes
    /// with its order after 10). Without it a masked row stays for good, and
    /// so does every row it refers to.
    std::optional<Duration> delete_after;
    Position where;
};

struct Table {
    std::string name;
    std::string database;  ///< name in Policy::databases
    std::string key;       ///< primary-key column
    std::vector<Link> links;
    std::vector<Column> columns;
    std::vector<std::string> non_personal;  ///< columns declared not personal (silences findings)
    std::optional<Erasure> erasure;
    std::optional<Retention> retention;
    Position where;

    bool root = false;  ///< some identity names this table: its rows are registered subjects

    const Column* find_column(std::string_view column_name) const;
};

/// Mirrors a consent purpose into a merchant column, e.g. customers.marketing_opt_in.
struct ConsentMirror {
    std::string table;
    std::string column;
    std::string granted_value = "1";
    std::string withdrawn_value = "0";
};

struct ConsentPurpose {
    std::string name;     ///< the purpose it covers
    ConsentKind kind = ConsentKind::opt_in;
    /// Consent asked for on its own, apart from any other (PIPL Art. 29 for
    /// sensitive data, Art. 39 for a transfer abroad); only for opt_in.
    bool separate = false;
    std::optional<ConsentMirror> mirror;
    Position where;
};

/// A request deadline written `30 days` or `15 business days`.
struct RequestDeadline {
    int count = 0;
    bool business_days = false;
    std::string text;
};

/// How the request ledger counts deadlines for this merchant.
struct RequestSettings {
    /// For a regime that sets no number of days (PIPL: "in a timely manner").
    std::optional<RequestDeadline> deadline;
    /// Dates (YYYY-MM-DD) that business-day counts skip, besides weekends.
    std::vector<std::string> holidays;
};

/// A contact column a breach notify list may contain (`breach: notify:`).
struct NotifyColumn {
    std::string table;  ///< a root table
    std::string column;
    Position where;
};

/// What `dsr breach` needs beyond the rest of the policy.
struct BreachSettings {
    std::vector<NotifyColumn> notify;
};

struct Policy {
    std::string path;     ///< as given on the command line
    std::string sha256;   ///< of the file's bytes, hex
    int version = 1;
    Controller controller;
    Regime regime = Regime::gdpr;
    std::string state;    ///< state store path, empty: beside the policy
    std::vector<DatabaseRef> databases;
    std::vector<Identity> identities;
    std::vector<Category> categories;  ///< built-ins first, then the policy's own
    std::vector<Purpose> purposes;
    std::vector<Recipient> recipients;
    std::vector<Table> tables;
    /// Tables reviewed and found to hold no personal data (silences findings).
    std::vector<std::string> non_personal_tables;
    std::vector<ConsentPurpose> consent;
    RequestSettings requests;
    BreachSettings breach;

    const Table* find_table(std::string_view name) const;
    const Identity* find_identity(std::string_view kind) const;
    const Purpose* find_purpose(std::string_view name) const;
    const Category* find_category(std::string_view name) const;
    const DatabaseRef* default_database() const;
};

/// Where the policy names `column` of `table` (its declaration, else a mask,
/// link or timestamp naming it), or the table itself when `column` is empty
/// or not named anywhere: for a problem found against the live database to
/// be reported at FILE:LINE:COL like a load error. {1, 1} for a table the
/// policy does not list.
Position position_of(const Policy& policy, std::string_view table, std::string_view column);

/// A recipient and which of the given categories it receives.
struct RecipientShare {
    const Recipient* recipient = nullptr;
    std::vector<std::string> categories;  ///< in the recipient's declared order
};

/// The recipients that receive any of `categories`, in policy order: whom to
/// notify of an erasure or a correction (GDPR Art. 19).
std::vector<RecipientShare> recipients_receiving(const Policy& policy, const std::set<std::string>& categories);

/// The recipients that receive data for `purpose`, in policy order: whom to
/// tell when consent to it is withdrawn. Each comes with the categories it
/// receives that the policy's columns hold for that purpose (all of its
/// categories when no column names the purpose, so none is left out).
std::vector<RecipientShare> recipients_for_purpose(const Policy& policy, std::string_view purpose);

// Names as written in the policy, for parsing and for reports.
std::string_view to_string(Regime);
std::string_view to_string(LawfulBasis);
std::string_view to_string(RecipientRole);
std::string_view to_string(Source);
std::string_view to_string(TimeFormat);
std::string_view to_string(ErasureAction);
std::string_view to_string(MaskMethod);
std::string_view to_string(ConsentKind);

}  // namespace dsr::policy
