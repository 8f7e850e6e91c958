#pragma once
// The names a policy may use for each enumeration, in the order documented in
// dsr-policy(5). The loader parses with them and to_string() prints with
// them, so a name can never be read one way and written another.

#include <string_view>
#include <utility>

#include "policy/model.h"

namespace dsr::policy {

inline constexpr std::pair<std::string_view, Regime> regimes[] = {
    {"gdpr", Regime::gdpr}, {"ccpa", Regime::ccpa}, {"pipl", Regime::pipl}};
inline constexpr std::pair<std::string_view, LawfulBasis> bases[] = {
    {"consent", LawfulBasis::consent},
    {"contract", LawfulBasis::contract},
    {"legal_obligation", LawfulBasis::legal_obligation},
    {"vital_interests", LawfulBasis::vital_interests},
    {"public_task", LawfulBasis::public_task},
    {"legitimate_interest", LawfulBasis::legitimate_interest}};
inline constexpr std::pair<std::string_view, RecipientRole> roles[] = {
    {"processor", RecipientRole::processor},
    {"third_party", RecipientRole::third_party},
    {"controller", RecipientRole::controller},
    {"joint_controller", RecipientRole::joint_controller}};
inline constexpr std::pair<std::string_view, Source> sources[] = {
    {"provided", Source::provided}, {"observed", Source::observed}, {"derived", Source::derived}};
inline constexpr std::pair<std::string_view, TimeFormat> time_formats[] = {
    {"iso8601", TimeFormat::iso8601},
    {"unix_seconds", TimeFormat::unix_seconds},
    {"unix_millis", TimeFormat::unix_millis},
    {"native", TimeFormat::native}};
inline constexpr std::pair<std::string_view, ErasureAction> actions[] = {
    {"delete", ErasureAction::delete_rows}, {"mask", ErasureAction::mask}};
inline constexpr std::pair<std::string_view, MaskMethod> mask_methods[] = {
    {"null", MaskMethod::null},
    {"redact", MaskMethod::redact},
    {"pseudonymize", MaskMethod::pseudonymize},
    {"generalize", MaskMethod::generalize},
    {"random", MaskMethod::random}};
inline constexpr std::pair<std::string_view, Generalization> generalizations[] = {
    {"year", Generalization::year}, {"month", Generalization::month}, {"prefix", Generalization::prefix}};
inline constexpr std::pair<std::string_view, IdentityNormalization> normalizations[] = {
    {"none", IdentityNormalization::none},
    {"email", IdentityNormalization::email},
    {"phone", IdentityNormalization::phone}};
inline constexpr std::pair<std::string_view, RectifyType> rectify_types[] = {
    {"text", RectifyType::text},       {"email", RectifyType::email},     {"phone", RectifyType::phone},
    {"date", RectifyType::date},       {"integer", RectifyType::integer}, {"decimal", RectifyType::decimal},
    {"postcode", RectifyType::postcode}, {"country", RectifyType::country}, {"choice", RectifyType::choice}};
inline constexpr std::pair<std::string_view, ConsentKind> consent_kinds[] = {
    {"opt_in", ConsentKind::opt_in}, {"opt_out", ConsentKind::opt_out}};


/// The name of `e` in `choices`, or "?" for a value not listed.
template <typename Enum, std::size_t N>
constexpr std::string_view name_in(const std::pair<std::string_view, Enum> (&choices)[N], Enum e) {
    for (const auto& [name, value] : choices)
        if (value == e) return name;
    return "?";
}

}  // namespace dsr::policy
