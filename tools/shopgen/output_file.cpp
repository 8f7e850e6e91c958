#include "output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <vector>

namespace shopgen {

std::string errno_text() { return std::strerror(errno); }

std::string directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

namespace {

// SQLite keeps a hot journal or WAL under these names; a stale one next to a
// freshly renamed database would be "recovered" into it and corrupt it.
constexpr const char* kSidecars[] = {"-journal", "-wal", "-shm"};

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

void fsync_path(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + errno_text());
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    // Some file systems cannot sync directories; the data itself is synced.
    if (rc != 0 && !(flags & O_DIRECTORY && (saved == EINVAL || saved == EBADF)))
        throw std::runtime_error("cannot sync " + path + ": " + std::strerror(saved));
}

// The signal handler may only use async-signal-safe calls, so the paths it
// removes are prepared in static buffers beforehand.
char g_temp[4096];
char g_temp_journal[4096 + 16];
volatile std::sig_atomic_t g_armed = 0;

extern "C" void remove_temp_and_die(int sig) {
    if (g_armed) {
        ::unlink(g_temp);
        ::unlink(g_temp_journal);
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void arm(const std::string& temp) {
    const std::string journal = temp + "-journal";
    if (temp.size() >= sizeof g_temp || journal.size() >= sizeof g_temp_journal) return;
    std::memcpy(g_temp, temp.c_str(), temp.size() + 1);
    std::memcpy(g_temp_journal, journal.c_str(), journal.size() + 1);
    g_armed = 1;
    struct sigaction sa {};
    sa.sa_handler = remove_temp_and_die;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(sig, &sa, nullptr);
}

void disarm() { g_armed = 0; }

}  // namespace

OutputFile::OutputFile(std::string target, bool overwrite)
    : target_(std::move(target)), overwrite_(overwrite) {
    struct stat st {};
    if (::stat(target_.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw UsageError(target_ + " is a directory");
    if (!overwrite_) {
        if (exists(target_)) throw UsageError(target_ + " already exists (use --force to replace it)");
        for (const char* suffix : kSidecars)
            if (exists(target_ + suffix))
                throw UsageError("stale " + target_ + suffix + " exists (remove it or use --force)");
    }

    const std::string dir = directory_of(target_);
    const auto slash = target_.rfind('/');
    const std::string base = slash == std::string::npos ? target_ : target_.substr(slash + 1);
    std::string pattern = dir + "/." + base + ".tmp-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const int fd = ::mkstemp(buf.data());
    if (fd < 0) throw std::runtime_error("cannot create a temporary file in " + dir + ": " + errno_text());
    temp_ = buf.data();
    // mkstemp makes the file private; a demo database gets the permissions
    // any newly created file would (as sqlite3 would create it).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    // Closed before SQLite opens the file: closing any descriptor of a file
    // drops the POSIX locks SQLite holds on it.
    ::close(fd);
    arm(temp_);
}

OutputFile::~OutputFile() {
    if (committed_) return;
    disarm();
    ::unlink(temp_.c_str());
    ::unlink((temp_ + "-journal").c_str());
}

void move_into_place(const std::string& temp, const std::string& target, bool overwrite) {
    if (overwrite) {
        if (::rename(temp.c_str(), target.c_str()) != 0)
            throw std::runtime_error("cannot rename " + temp + " to " + target + ": " + errno_text());
    } else if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_NOREPLACE) != 0) {
        if (errno == EEXIST) throw UsageError(target + " already exists (use --force to replace it)");
        if (errno != EINVAL && errno != ENOSYS)
            throw std::runtime_error("cannot rename " + temp + " to " + target + ": " + errno_text());
        // File systems without RENAME_NOREPLACE: link() refuses to clobber too.
        if (::link(temp.c_str(), target.c_str()) != 0) {
            if (errno == EEXIST) throw UsageError(target + " already exists (use --force to replace it)");
            throw std::runtime_error("cannot create " + target + ": " + errno_text());
        }
        ::unlink(temp.c_str());
    }
}

void OutputFile::commit() {
    fsync_path(temp_, O_RDONLY);
    if (overwrite_)
        for (const char* suffix : kSidecars) ::unlink((target_ + suffix).c_str());
    // The target may have appeared while we were generating.
    move_into_place(temp_, target_, overwrite_);
    committed_ = true;
    disarm();
    fsync_path(directory_of(target_), O_RDONLY | O_DIRECTORY);
}

}  // namespace shopgen
