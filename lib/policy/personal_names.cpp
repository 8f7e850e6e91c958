#include "policy/personal_names.h"

#include <cctype>
#include <map>
#include <vector>

namespace dsr::policy {

namespace {

std::vector<std::string> words_of(std::string_view name) {
    std::vector<std::string> words;
    std::string current;
    char previous = 0;
    for (char c : name) {
        bool boundary = c == '_' || c == '-' || c == ' ' || c == '.';
        bool camel = std::isupper(static_cast<unsigned char>(c)) && std::islower(static_cast<unsigned char>(previous));
        if ((boundary || camel) && !current.empty()) {
            words.push_back(current);
            current.clear();
        }
        if (!boundary) current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        previous = c;
    }
    if (!current.empty()) words.push_back(current);
    return words;
}

}  // namespace

std::optional<std::string> suggested_category(std::string_view column_name) {
    static const std::map<std::string, std::string> by_word = {
        {"email", "contact"},         {"mail", "contact"},          {"phone", "contact"},
        {"mobile", "contact"},        {"telephone", "contact"},     {"tel", "contact"},
        {"fax", "contact"},           {"name", "identity"},         {"firstname", "identity"},
        {"lastname", "identity"},     {"surname", "identity"},      {"fullname", "identity"},
        {"username", "online_identifier"}, {"address", "address"}, {"addr", "address"},
        {"street", "address"},        {"postcode", "address"},      {"zip", "address"},
        {"zipcode", "address"},       {"ip", "online_identifier"},  {"ipaddr", "online_identifier"},
        {"useragent", "online_identifier"}, {"agent", "online_identifier"}, {"cookie", "online_identifier"},
        {"device", "online_identifier"}, {"birth", "demographic"}, {"birthday", "demographic"},
        {"birthdate", "demographic"}, {"dob", "demographic"},       {"gender", "demographic"},
        {"ssn", "government_id"},     {"passport", "government_id"}, {"nationalid", "government_id"},
        {"taxid", "government_id"},   {"lat", "location"},          {"latitude", "location"},
        {"lng", "location"},          {"lon", "location"},          {"long", "location"},
        {"longitude", "location"},    {"geo", "location"},          {"gps", "location"},
        {"iban", "payment"},          {"card", "payment"},          {"pan", "payment"},
    };
    for (const auto& word : words_of(column_name)) {
        auto it = by_word.find(word);
        if (it != by_word.end()) return it->second;
    }
    return std::nullopt;
}

}  // namespace dsr::policy
