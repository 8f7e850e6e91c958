#pragma once
// A progress line on stderr for long work (purge, batch access and erase,
// dsr-shopgen): counts, share done, rate and time left, redrawn in place
// with \r at most ten times a second, and ended with a newline so whatever
// follows starts on a line of its own. Counts only: never a value.
//
// Shared by dsr and dsr-shopgen (tools/shopgen compiles this file and
// cli/terminal.cpp too), so it depends on nothing in lib/.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

namespace dsr::cli {

/// --progress auto|always|never with -q/--quiet: whether to draw. Quiet
/// wins over everything, --progress always included: a script that asks for
/// silence gets it. auto draws when stderr is a terminal.
bool progress_wanted(const std::string& progress_option, bool quiet);

/// Where the work stands.
struct ProgressState {
    std::string what;                   ///< "purge web_sessions", "access": the line's label
    std::size_t done = 0;               ///< units so far, since the line was made (the rate is of these)
    std::optional<std::size_t> total;   ///< units in all, when known
    std::optional<double> fraction;     ///< share done (0–1) when only estimated; else done/total
    std::string unit;                   ///< "subjects", "expired rows"
    std::string detail;                 ///< after the counts: "12 changed"
};

class ProgressLine {
public:
    explicit ProgressLine(bool enabled);
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;

    bool enabled() const { return enabled_; }

    /// Redraws, unless the last drawing was under 100 ms ago.
    void update(const ProgressState& state);
    /// A line without counts (a phase: "creating indexes").
    void note(const std::string& text);
    /// Erases the line so a message can take its place; the next update redraws.
    void clear();
    /// The final state (or `final_text`), then a newline. Nothing if nothing was drawn.
    void end(const std::string& final_text = "");
    /// On an error: a newline after whatever is drawn, so the error starts a line.
    void abandon();

private:
    void draw(const std::string& line);
    std::string render(const ProgressState& state) const;

    bool enabled_;
    bool drawn_ = false;  ///< something is on the line now
    bool ever_drawn_ = false;
    std::optional<ProgressState> last_state_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_draw_{};
};

/// Clears the progress line being drawn, if any, before a message on
/// stderr (print_error calls it), so the message is not glued to it.
void clear_progress_line();

/// 1234567 as "1,234,567".
std::string thousands(std::size_t n);

/// Where a batch of subjects stands (batch access, erase, consent):
/// `failed` of the `done` are counted in the detail as "N <failed_label>".
ProgressState subjects_progress(std::string what, std::size_t done, std::size_t total, std::size_t failed,
                                const std::string& failed_label);

}  // namespace dsr::cli
