#include "util/civil_date.h"

#include <cstdio>
#include <filesystem>
#include <regex>

namespace dsr {

using namespace std::chrono;

std::optional<CivilDate> parse_date(std::string_view text) {
    static const std::regex form("([0-9]{4})-([0-9]{2})-([0-9]{2})");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(text.begin(), text.end(), m, form)) return std::nullopt;
    CivilDate d{year{std::stoi(m[1].str())}, month{static_cast<unsigned>(std::stoi(m[2].str()))},
                day{static_cast<unsigned>(std::stoi(m[3].str()))}};
    if (!d.ok()) return std::nullopt;
    return d;
}

std::string format_date(CivilDate date) {
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
    return text;
}

bool is_known_time_zone(const std::string& zone) {
    if (zone == "UTC") return true;
    // A name, not a path: no escaping the zone database.
    if (zone.empty() || zone.starts_with("/") || zone.find("..") != std::string::npos) return false;
    return std::filesystem::is_regular_file("/usr/share/zoneinfo/" + zone);
}

}  // namespace dsr
