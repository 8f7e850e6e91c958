#pragma once

#include <string>
#include <string_view>

#include "util/byte_sink.h"

namespace dsr {

/// A file that appears at `path` whole or not at all: bytes go to a temporary
/// file in the same directory, created with `mode`; commit() fsyncs it and
/// moves it into place, then fsyncs the directory. Destroyed uncommitted (an
/// error, an exception), it removes the temporary file, so a failed or
/// killed writer leaves nothing at `path` (a SIGKILL may leave the hidden
/// `.NAME.tmp-XXXXXX` beside it, never a partial `path`).
/// With `replace` false an existing `path` is an error, checked before any
/// byte is written and again at commit. Throws dsr::Error(io).
class AtomicFile : public ByteSink {
public:
    AtomicFile(const std::string& path, unsigned mode, bool replace);
    ~AtomicFile() override;
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    void write(std::string_view bytes) override;
    void commit();

private:
    std::string path_;
    std::string temp_path_;
    std::string dir_;
    bool replace_;
    int fd_ = -1;
    bool committed_ = false;
};

/// Writes `bytes` to `path` through an AtomicFile.
void write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace);

/// Writes all of `bytes` to `fd`, retrying short writes; false with errno set on failure.
bool write_all(int fd, std::string_view bytes);

}  // namespace dsr
