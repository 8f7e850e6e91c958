#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "util/error.h"

namespace dsr {

namespace {

[[noreturn]] void fail(const std::string& path, const char* doing) {
    throw Error(ExitStatus::io, path + ": " + doing + ": " + std::strerror(errno));
}

/// Removes the temporary file unless the rename happened.
struct TempFile {
    std::string path;
    int fd = -1;
    bool keep = false;
    ~TempFile() {
        if (fd >= 0) ::close(fd);
        if (!keep) ::unlink(path.c_str());
    }
};

}  // namespace

void write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace) {
    std::filesystem::path target(path);
    std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
    if (!replace && std::filesystem::exists(target)) {
        errno = EEXIST;
        fail(path, "refusing to overwrite");
    }

    std::string pattern = dir + "/." + target.filename().string() + ".tmp-XXXXXX";
    TempFile tmp;
    tmp.fd = ::mkstemp(pattern.data());
    if (tmp.fd < 0) fail(path, "cannot create a temporary file");
    tmp.path = pattern;
    if (::fchmod(tmp.fd, mode) != 0) fail(path, "cannot set the file mode");

    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(tmp.fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, "cannot write");
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(tmp.fd) != 0) fail(path, "cannot sync");
    ::close(tmp.fd);
    tmp.fd = -1;

    // link() fails if the target appeared meanwhile; rename() replaces it.
    if (replace) {
        if (::rename(tmp.path.c_str(), path.c_str()) != 0) fail(path, "cannot rename into place");
    } else {
        if (::link(tmp.path.c_str(), path.c_str()) != 0) fail(path, "cannot move into place");
    }
    if (replace) tmp.keep = true;  // renamed: nothing left to remove

    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);  // makes the rename itself durable
        ::close(dir_fd);
    }
}

}  // namespace dsr
