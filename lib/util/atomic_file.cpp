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

/// Refuses, before a byte is written, a target that can never become the
/// file: an empty name, a directory, a path the system cannot look up (a
/// name too long, a parent that is a file); and an existing file unless
/// `replace`. The non-throwing std::filesystem calls: their exceptions would
/// reach the user as an internal error.
void check_target(const std::string& path, bool replace) {
    if (path.empty() || path.back() == '/') throw Error(ExitStatus::usage, "'" + path + "': not a file name");
    std::error_code ec;
    // symlink_status: a link is refused too, even one pointing nowhere.
    auto status = std::filesystem::symlink_status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error(ExitStatus::io, path + ": cannot write here: " + ec.message());
    if (std::filesystem::is_directory(std::filesystem::status(path, ec)))
        throw Error(ExitStatus::io, path + ": is a directory; name a file");
    if (!replace && std::filesystem::exists(status)) {
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
    hidden_prefix_ = dir_ + "/." + target.filename().string() + ".tmp-";
    check_target(path_, replace_);
    // Unnamed until commit links it (O_TMPFILE, named through /proc): a
    // writer killed half way leaves no file at all, where a named temporary
    // would keep the personal data written so far beside the output.
    const bool linkable = ::access("/proc/self/fd", X_OK) == 0;
    if (linkable) fd_ = ::open(dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (!linkable || (fd_ < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))) {
        // No /proc, or a filesystem without O_TMPFILE: a hidden named file,
        // which a SIGKILL can leave behind.
        std::string pattern = hidden_prefix_ + "XXXXXX";
        fd_ = ::mkstemp(pattern.data());
        if (fd_ >= 0) temp_path_ = pattern;
    }
    if (fd_ < 0) fail(path_, "cannot create a temporary file");
    if (::fchmod(fd_, mode) != 0) {
        const int error = errno;  // no destructor runs for a constructor that throws
        ::close(fd_);
        if (!temp_path_.empty()) ::unlink(temp_path_.c_str());
        errno = error;
        fail(path_, "cannot set the file mode");
    }
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
    if (temp_path_.empty() && !replace_) {
        // linkat() fails, as link() below does, if path_ appeared meanwhile.
        if (!link_descriptor(path_)) fail(path_, "cannot move into place");
        committed_ = true;
    } else if (temp_path_.empty()) {
        // linkat() cannot replace a file: the whole file gets a hidden name,
        // which rename() below moves over path_.
        for (int attempt = 0; attempt < 100 && temp_path_.empty(); ++attempt) {
            std::string name = hidden_prefix_ + std::to_string(::getpid()) + "-" + std::to_string(attempt);
            if (link_descriptor(name)) temp_path_ = name;
            else if (errno != EEXIST) break;
        }
        if (temp_path_.empty()) fail(path_, "cannot name the file");
    }
    if (::close(fd_) != 0) {
        fd_ = -1;
        fail(path_, "cannot close");
    }
    fd_ = -1;
    if (!committed_) {
        // link() fails if the target appeared meanwhile; rename() replaces it.
        if (replace_) {
            if (::rename(temp_path_.c_str(), path_.c_str()) != 0) fail(path_, "cannot rename into place");
            committed_ = true;
        } else {
            if (::link(temp_path_.c_str(), path_.c_str()) != 0) fail(path_, "cannot move into place");
            committed_ = true;
            ::unlink(temp_path_.c_str());
        }
    }
    int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);  // makes the new name itself durable
        ::close(dir_fd);
    }
}

bool AtomicFile::link_descriptor(const std::string& name) const {
    const std::string self = "/proc/self/fd/" + std::to_string(fd_);
    return ::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0;
}

void write_file_atomically(const std::string& path, std::string_view bytes, unsigned mode, bool replace) {
    AtomicFile file(path, mode, replace);
    file.write(bytes);
    file.commit();
}

}  // namespace dsr
