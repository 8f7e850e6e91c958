#include "util/spool_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "util/atomic_file.h"
#include "util/error.h"

namespace dsr {

namespace {

[[noreturn]] void fail_scratch(const std::string& dir, const char* doing) {
    throw Error(ExitStatus::io, dir + ": " + doing + ": " + std::strerror(errno));
}

}  // namespace

SpoolFile::SpoolFile(const std::string& dir) : dir_(dir) {
    fd_ = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL)) {
        // Filesystems without O_TMPFILE: a named file, unlinked at once.
        std::string pattern = dir + "/.dsr-spool-XXXXXX";
        fd_ = ::mkstemp(pattern.data());
        if (fd_ >= 0) ::unlink(pattern.c_str());
    }
    if (fd_ < 0) fail_scratch(dir, "cannot create a scratch file");
}

SpoolFile::~SpoolFile() {
    if (fd_ >= 0) ::close(fd_);
}

SpoolFile::SpoolFile(SpoolFile&& other) noexcept : fd_(other.fd_), dir_(std::move(other.dir_)) { other.fd_ = -1; }

void SpoolFile::write(std::string_view bytes) {
    if (!write_all(fd_, bytes)) fail_scratch(dir_, "cannot write a scratch file");
}

void SpoolFile::copy_to(ByteSink& out) const {
    std::vector<char> buffer(64 * 1024);
    off_t offset = 0;
    for (;;) {
        ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_scratch(dir_, "cannot read a scratch file");
        if (n == 0) return;
        out.write(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        offset += n;
    }
}

std::string SpoolFile::path() const { return "/proc/self/fd/" + std::to_string(fd_); }

}  // namespace dsr
