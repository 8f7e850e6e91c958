#pragma once
// The terminal, at the CLI's edge only: whether a stream is one, whether
// colour is wanted on it, and painting a word. lib/ renders plain text and
// never asks; the CLI decides here, once, for stdout (reports) and stderr
// (`dsr: error:` lines, progress).

#include <string>

namespace dsr::cli {

/// --color: auto (a terminal, TERM set and not "dumb", NO_COLOR unset or
/// empty), always (whatever NO_COLOR says), never.
enum class ColorMode { automatic, always, never };

/// What a painted word means; the colour follows from it.
enum class Style { ok, warning, error, heading };

bool is_terminal(int fd);

/// Set once from --color, before the command runs.
void set_color_mode(ColorMode mode);

/// Whether text written to `fd` (STDOUT_FILENO or STDERR_FILENO) is
/// coloured. JSON never is: callers colour text renderings only.
bool color_enabled(int fd);

/// `text` wrapped in the style's SGR sequence and a reset, or `text`
/// itself when `enabled` is false.
std::string paint(const std::string& text, Style style, bool enabled);

/// A text report with its status words and headings painted (a line that
/// starts with "error:", "finding:" or "warning:", an unindented line ending
/// in ':', the status after the last ": " of the closing summary). Only
/// whole words the report itself chose are wrapped: nothing else changes.
std::string paint_report(const std::string& text);

}  // namespace dsr::cli
