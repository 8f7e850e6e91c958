#pragma once

#include <string>
#include <string_view>

#include "util/byte_sink.h"

namespace dsr {

/// A file that appears at `path` whole or not at all: bytes go to an unnamed
/// file in the same directory (O_TMPFILE), created with `mode`; commit()
/// fsyncs it and links it into place, then fsyncs the directory. A writer
/// that fails, throws or is killed leaves nothing behind. Where the system
/// has no O_TMPFILE (or no /proc to link through) the file is a hidden
/// `.NAME.tmp-XXXXXX` that an error removes but a SIGKILL may leave; never
/// a partial `path`. Replacing gives the whole file that hidden name for the
/// moment before rename() moves it over `path`.
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
    /// Links the open file, named or not, at `name`; false with errno set.
    bool link_descriptor(const std::string& name) const;

    std::string path_;
    std::string hidden_prefix_;  ///< `DIR/.NAME.tmp-`
    std::string temp_path_;      ///< the file's hidden name, if it has one
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
