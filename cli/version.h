#pragma once
// What `dsr --version` prints: enough for a bug report to say which build
// and which libraries it ran with.

#include <string>

namespace dsr::cli {

/// Two lines: dsr's version and commit, then the libraries' versions.
std::string version_text();

}  // namespace dsr::cli
