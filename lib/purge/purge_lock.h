#pragma once
// One purge per database at a time. Two purges would not corrupt anything
// (every batch checks its conditions again inside its own transaction) but
// they would fight for the write lock and double the load on a live shop, so
// the second one stops at once and says who holds the lock. The lock is an
// flock(2) on a file beside the database, released by the kernel when the
// holder exits however it exits, so a killed purge never leaves it stale.

#include <string>

namespace dsr::purge {

class PurgeLock {
public:
    /// Takes the lock for the SQLite database at `database_path`, creating
    /// `<database_path>.dsr-purge.lock` (mode 0600) if needed. Throws
    /// dsr::Error(database_busy) naming the holder's pid and start time when
    /// another process holds it, dsr::Error(io) when the file cannot be made.
    explicit PurgeLock(const std::string& database_path);
    ~PurgeLock();
    PurgeLock(const PurgeLock&) = delete;
    PurgeLock& operator=(const PurgeLock&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace dsr::purge
