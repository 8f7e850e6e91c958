#pragma once

#include <string>
#include <string_view>

namespace dsr {

/// Writes `bytes` to `path` so that a crash leaves either the old file or the
/// new one, never a mix: a temporary file in the same directory, created with
/// `mode`, written, fsynced, renamed over `path`, then the directory fsynced.
/// With `replace` false an existing `path` is an error. Throws dsr::Error(io).
void write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace);

}  // namespace dsr
