#include "cli/terminal.h"

#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <regex>

namespace dsr::cli {

namespace {

ColorMode chosen_mode = ColorMode::automatic;

bool environment_allows_color() {
    // https://no-color.org: any non-empty value turns colour off.
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color && *no_color) return false;
    // No TERM at all (cron, systemd) is as unknown as "dumb".
    const char* term = std::getenv("TERM");
    return term && *term && std::strcmp(term, "dumb") != 0;
}

const char* sgr(Style style) {
    switch (style) {
        case Style::ok: return "\033[32m";
        case Style::warning: return "\033[33m";
        case Style::error: return "\033[1;31m";
        case Style::heading: return "\033[1m";
    }
    return "";
}

bool starts_with(const std::string& line, const char* prefix) { return line.rfind(prefix, 0) == 0; }

/// The closing line of a checking report: "2 errors, 1 finding: findings".
const std::regex& summary_line() {
    static const std::regex re(R"(^(\d+) (errors?), (\d+) (findings?): ([a-z_]+)$)");
    return re;
}

Style status_style(const std::string& status) {
    if (status == "ok") return Style::ok;
    if (status == "findings" || status == "partial" || status == "incomplete" || status == "not_found")
        return Style::warning;
    return Style::error;
}

std::string paint_line(const std::string& line) {
    for (auto [prefix, style] : {std::pair{"error:", Style::error},
                                 std::pair{"finding:", Style::warning},
                                 std::pair{"warning:", Style::warning},
                                 std::pair{"Dry run:", Style::warning},
                                 std::pair{"Verified:", Style::ok},
                                 std::pair{"Residue NOT removed:", Style::error}})
        if (starts_with(line, prefix))
            return paint(prefix, style, true) + line.substr(std::strlen(prefix));
    if (starts_with(line, "Stopped by ")) return paint(line, Style::warning, true);
    std::smatch m;
    // (the digit test first: std::regex is slow, and access reports are long)
    if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0])) &&
        std::regex_match(line, m, summary_line())) {
        auto count = [](const std::string& n, const std::string& noun, Style style) {
            return n == "0" ? n + " " + noun : paint(n + " " + noun, style, true);
        };
        return count(m[1], m[2], Style::error) + ", " + count(m[3], m[4], Style::warning) + ": " +
               paint(m[5], status_style(m[5]), true);
    }
    // A table's column headings.
    if (starts_with(line, "  table ")) return paint(line, Style::heading, true);
    // A heading: an unindented line introducing what follows.
    if (!line.empty() && line.back() == ':' && line.front() != ' ') return paint(line, Style::heading, true);
    return line;
}

}  // namespace

bool is_terminal(int fd) { return ::isatty(fd) == 1; }

void set_color_mode(ColorMode mode) { chosen_mode = mode; }

bool color_enabled(int fd) {
    switch (chosen_mode) {
        case ColorMode::always: return true;
        case ColorMode::never: return false;
        case ColorMode::automatic: return is_terminal(fd) && environment_allows_color();
    }
    return false;
}

std::string paint(const std::string& text, Style style, bool enabled) {
    if (!enabled || text.empty()) return text;
    return sgr(style) + text + "\033[0m";
}

std::string paint_report(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 64);
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        out += paint_line(text.substr(at, end - at));
        if (end < text.size()) out += '\n';
        at = end + 1;
    }
    return out;
}

}  // namespace dsr::cli
