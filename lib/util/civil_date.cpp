#include "util/civil_date.h"

#include <cstdio>
#include <fstream>
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

std::optional<std::int64_t> parse_utc_time(std::string_view text) {
    if (auto date = parse_date(text)) return sys_days(*date).time_since_epoch() / seconds(1);
    static const std::regex form("([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z");
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_match(text.begin(), text.end(), m, form)) return std::nullopt;
    auto date = parse_date(m[1].str());
    int h = std::stoi(m[2].str()), min = std::stoi(m[3].str()), s = std::stoi(m[4].str());
    if (!date || h > 23 || min > 59 || s > 59) return std::nullopt;
    return (sys_days(*date) + hours(h) + minutes(min) + seconds(s)).time_since_epoch() / seconds(1);
}

bool is_known_time_zone(const std::string& zone) {
    if (zone == "UTC") return true;
    // A name, not a path: no escaping the zone database.
    if (zone.empty() || zone.starts_with("/") || zone.find("..") != std::string::npos ||
        zone.find('\0') != std::string::npos)
        return false;
    // A zone file, not one of the tables beside them (zone.tab,
    // leap-seconds.list, ...): glibc reads those as UTC without a word.
    std::ifstream file("/usr/share/zoneinfo/" + zone, std::ios::binary);
    char magic[4] = {};
    return file.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "TZif";
}

}  // namespace dsr
