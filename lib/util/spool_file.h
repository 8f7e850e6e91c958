#pragma once

#include <string>
#include <string_view>

#include "util/byte_sink.h"

namespace dsr {

/// A scratch file with no name, for data written once and read back once
/// (an export's parts, whose sizes and hashes the manifest in front of them
/// must state). Created unlinked in `dir` (O_TMPFILE, else mkstemp + unlink)
/// with mode 0600, so it disappears when closed or when the process dies and
/// never leaves personal data behind. Memory use does not grow with its size.
class SpoolFile : public ByteSink {
public:
    explicit SpoolFile(const std::string& dir);
    ~SpoolFile() override;
    SpoolFile(SpoolFile&& other) noexcept;
    SpoolFile(const SpoolFile&) = delete;
    SpoolFile& operator=(const SpoolFile&) = delete;
    SpoolFile& operator=(SpoolFile&&) = delete;

    void write(std::string_view bytes) override;
    /// Sends the whole content, from the start, to `out` in 64 KiB pieces.
    void copy_to(ByteSink& out) const;
    /// A path that opens this file while it is open (/proc/self/fd/N), for libraries that want a path.
    std::string path() const;

private:
    int fd_ = -1;
    std::string dir_;
};

}  // namespace dsr
