#include "policy/model.h"

#include <algorithm>

namespace dsr::policy {

namespace {
template <typename T, typename Member>
const T* find_by(const std::vector<T>& items, Member member, std::string_view name) {
    auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.*member == name; });
    return it == items.end() ? nullptr : &*it;
}
}  // namespace

const Column* Table::find_column(std::string_view column_name) const { return find_by(columns, &Column::name, column_name); }
const Table* Policy::find_table(std::string_view name) const { return find_by(tables, &Table::name, name); }
const Identity* Policy::find_identity(std::string_view kind) const { return find_by(identities, &Identity::kind, kind); }
const Purpose* Policy::find_purpose(std::string_view name) const { return find_by(purposes, &Purpose::name, name); }
const Category* Policy::find_category(std::string_view name) const { return find_by(categories, &Category::name, name); }

const DatabaseRef* Policy::default_database() const {
    auto it = std::find_if(databases.begin(), databases.end(), [](const DatabaseRef& db) { return db.is_default; });
    return it == databases.end() ? nullptr : &*it;
}

std::string_view to_string(Regime r) {
    switch (r) {
        case Regime::gdpr: return "gdpr";
        case Regime::ccpa: return "ccpa";
        case Regime::pipl: return "pipl";
    }
    return "?";
}

std::string_view to_string(LawfulBasis b) {
    switch (b) {
        case LawfulBasis::consent: return "consent";
        case LawfulBasis::contract: return "contract";
        case LawfulBasis::legal_obligation: return "legal_obligation";
        case LawfulBasis::vital_interests: return "vital_interests";
        case LawfulBasis::public_task: return "public_task";
        case LawfulBasis::legitimate_interest: return "legitimate_interest";
    }
    return "?";
}

std::string_view to_string(RecipientRole r) {
    switch (r) {
        case RecipientRole::processor: return "processor";
        case RecipientRole::third_party: return "third_party";
        case RecipientRole::controller: return "controller";
        case RecipientRole::joint_controller: return "joint_controller";
    }
    return "?";
}

std::string_view to_string(Source s) {
    switch (s) {
        case Source::provided: return "provided";
        case Source::observed: return "observed";
        case Source::derived: return "derived";
    }
    return "?";
}

std::string_view to_string(TimeFormat f) {
    switch (f) {
        case TimeFormat::iso8601: return "iso8601";
        case TimeFormat::unix_seconds: return "unix_seconds";
        case TimeFormat::unix_millis: return "unix_millis";
        case TimeFormat::native: return "native";
    }
    return "?";
}

std::string_view to_string(ErasureAction a) {
    switch (a) {
        case ErasureAction::delete_rows: return "delete";
        case ErasureAction::mask: return "mask";
    }
    return "?";
}

std::string_view to_string(MaskMethod m) {
    switch (m) {
        case MaskMethod::null: return "null";
        case MaskMethod::redact: return "redact";
        case MaskMethod::pseudonymize: return "pseudonymize";
        case MaskMethod::generalize: return "generalize";
        case MaskMethod::random: return "random";
    }
    return "?";
}

}  // namespace dsr::policy
