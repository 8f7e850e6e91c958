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

void refuse_existing(const std::string& path) {
    // symlink_status: a link is refused too, even one pointing nowhere.
    if (std::filesystem::exists(std::filesystem::symlink_status(path))) {
        errno = EEXIST;
        fail(path, "refusing to overwrite an existing file without --force");
    }
}

}  // namespace

bool write_all(int fd, std::string_view bytes) {
    const char* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    return true;
}

AtomicFile::AtomicFile(const std::string& path, unsigned mode, bool replace) : path_(path), replace_(replace) {
    std::filesystem::path target(path);
    dir_ = target.parent_path().empty() ? "." : target.parent_path().string();
    if (!replace_) refuse_existing(path_);
    std::string pattern = dir_ + "/." + target.filename().string() + ".tmp-XXXXXX";
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) fail(path_, "cannot create a temporary file");
    temp_path_ = pattern;
    if (::fchmod(fd_, mode) != 0) fail(path_, "cannot set the file mode");
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_path_.empty()) ::unlink(temp_path_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
    if (committed_) throw Error(ExitStatus::failure, path_ + ": write after commit");
    if (!write_all(fd_, bytes)) fail(path_, "cannot write");
}

void AtomicFile::commit() {
    if (::fsync(fd_) != 0) fail(path_, "cannot sync");
    if (::close(fd_) != 0) {
        fd_ = -1;
        fail(path_, "cannot close");
    }
    fd_ = -1;
    // link() fails if the target appeared meanwhile; rename() replaces it.
    if (replace_) {
        if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail(path_, "cannot rename into place");
        committed_ = true;
    } else {
        if (::link(temp_path_.c_str(), path_.c_str()) != 0) fail(path_, "cannot move into place");
        committed_ = true;
        ::unlink(temp_path_.c_str());
    }
    int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);  // makes the rename itself durable
        ::close(dir_fd);
    }
}

void write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace) {
    AtomicFile file(path, mode, replace);
    file.write(bytes);
    file.commit();
}

}  // namespace dsr
