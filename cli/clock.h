#pragma once

#include <chrono>

namespace dsr::cli {

/// The current time, or DSR_NOW when set (a testing aid documented in dsr(1)):
/// `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDTHH:MM:SSZ`. A malformed value
/// is dsr::Error(usage), never silently ignored.
std::chrono::system_clock::time_point now();

}  // namespace dsr::cli
