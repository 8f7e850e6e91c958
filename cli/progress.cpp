#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <utility>

#include "cli/terminal.h"

namespace dsr::cli {

using namespace std::chrono;

namespace {

/// The line being drawn, for clear_progress_line(); one at a time.
ProgressLine* active_line = nullptr;

std::string clock_text(double seconds_left) {
    auto s = static_cast<long long>(seconds_left + 0.5);
    char text[32];
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

/// A line longer than the terminal wraps, and \r then redraws only its last
/// part: cut it to the width (bytes; the labels are ASCII).
std::string fit_to_terminal(std::string line) {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 && line.size() >= size.ws_col)
        line.resize(size.ws_col - 1);
    return line;
}

}  // namespace

bool progress_wanted(const std::string& progress_option, bool quiet) {
    if (quiet || progress_option == "never") return false;
    return progress_option == "always" || is_terminal(STDERR_FILENO);
}

std::string thousands(std::size_t n) {
    std::string digits = std::to_string(n), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

ProgressState subjects_progress(std::string what, std::size_t done, std::size_t total, std::size_t failed,
                                const std::string& failed_label) {
    return {.what = std::move(what),
            .done = done,
            .total = total,
            .fraction = std::nullopt,
            .unit = "subjects",
            .detail = failed ? thousands(failed) + " " + failed_label : ""};
}

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled) {
    if (enabled_) active_line = this;
}

ProgressLine::~ProgressLine() {
    // Left by an exception: the error that follows gets a line of its own.
    abandon();
    if (active_line == this) active_line = nullptr;
}

std::string ProgressLine::render(const ProgressState& s) const {
    double elapsed = duration<double>(steady_clock::now() - start_).count();
    std::optional<double> fraction = s.fraction;
    if (!fraction && s.total && *s.total > 0) fraction = static_cast<double>(s.done) / static_cast<double>(*s.total);
    std::string line = s.what + ": " + thousands(s.done);
    if (s.total)
        line += " / " + thousands(*s.total);
    else if (fraction && *fraction > 0.001)
        line += " / ~" + thousands(static_cast<std::size_t>(static_cast<double>(s.done) / *fraction));
    if (!s.unit.empty()) line += " " + s.unit;
    if (fraction) line += ", " + std::to_string(static_cast<int>(*fraction * 100)) + "%";
    if (!s.detail.empty()) line += ", " + s.detail;
    if (elapsed > 0.5)
        line += ", " + thousands(static_cast<std::size_t>(static_cast<double>(s.done) / elapsed)) + " " +
                (s.unit.empty() ? std::string("/s") : s.unit + "/s");
    if (fraction && *fraction > 0.01 && *fraction < 1 && elapsed > 1)
        line += ", ETA " + clock_text(elapsed * (1 - *fraction) / *fraction);
    else if (fraction && *fraction >= 1)
        line += ", " + clock_text(elapsed);
    return line;
}

void ProgressLine::draw(const std::string& line) {
    std::cerr << "\r\033[K" << fit_to_terminal(line) << std::flush;
    drawn_ = ever_drawn_ = true;
    last_draw_ = steady_clock::now();
}

void ProgressLine::update(const ProgressState& state) {
    if (!enabled_) return;
    last_state_ = state;
    if (drawn_ && steady_clock::now() - last_draw_ < milliseconds(100)) return;
    draw(render(state));
}

void ProgressLine::note(const std::string& text) {
    if (!enabled_) return;
    last_state_.reset();
    draw(text);
}

void ProgressLine::clear() {
    if (!drawn_) return;
    std::cerr << "\r\033[K" << std::flush;
    drawn_ = false;
}

void ProgressLine::end(const std::string& final_text) {
    if (!enabled_ || !ever_drawn_) return;
    if (!final_text.empty())
        draw(final_text);
    else if (last_state_)
        draw(render(*last_state_));
    if (drawn_) std::cerr << '\n' << std::flush;
    drawn_ = ever_drawn_ = false;
}

void ProgressLine::abandon() {
    if (!drawn_) return;
    std::cerr << '\n' << std::flush;
    drawn_ = ever_drawn_ = false;
}

void clear_progress_line() {
    if (active_line) active_line->clear();
}

}  // namespace dsr::cli
