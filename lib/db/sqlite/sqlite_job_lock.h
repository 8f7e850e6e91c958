#pragma once
// The SQLite side of Database::lock_job: an flock(2) on a file beside the
// database, released by the kernel when the holder exits however it exits,
// so a killed job never leaves it stale. The file names its holder for the
// message a second run prints.

#include <string>
#include <string_view>

#include "db/database.h"

namespace dsr::db {

class SqliteJobLock final : public JobLock {
public:
    /// Takes the lock on `<database_path>.dsr-<job>.lock` (mode 0600,
    /// created if needed). Throws dsr::Error(database_busy) naming the
    /// holder's pid and start time when another process holds it,
    /// dsr::Error(io) when the file cannot be made.
    SqliteJobLock(const std::string& database_path, std::string_view job);
    ~SqliteJobLock() override;
    SqliteJobLock(const SqliteJobLock&) = delete;
    SqliteJobLock& operator=(const SqliteJobLock&) = delete;

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace dsr::db
