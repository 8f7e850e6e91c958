#include "db/sqlite/sqlite_job_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/error.h"

namespace dsr::db {

namespace {

std::string holder_of(int fd) {
    char text[128] = {};
    ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
    std::string holder(text, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    return holder.empty() ? "another process" : holder;
}

}  // namespace

SqliteJobLock::SqliteJobLock(const std::string& database_path, std::string_view job)
    : path_(database_path + ".dsr-" + std::string(job) + ".lock") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw Error(ExitStatus::io, path_ + ": cannot create the " + std::string(job) + " lock file: " + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int err = errno;
        std::string holder = err == EWOULDBLOCK ? holder_of(fd_) : "";
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK)
            throw Error(ExitStatus::database_busy, "another dsr " + std::string(job) + " (" + holder + ") is running on " +
                                                       database_path + "; nothing was done");
        throw Error(ExitStatus::io, path_ + ": cannot lock: " + std::strerror(err));
    }
    // Who holds it, for the message a second purge prints; not personal data.
    std::time_t now = std::time(nullptr);
    char when[32];
    std::tm parts{};
    ::gmtime_r(&now, &parts);
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &parts);
    std::string holder = "pid " + std::to_string(::getpid()) + ", since " + when + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] auto written = ::pwrite(fd_, holder.data(), holder.size(), 0);
    }
}

SqliteJobLock::~SqliteJobLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace dsr::db
