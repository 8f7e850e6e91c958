// The database is built under a temporary name next to --out and renamed
// into place only when complete, so an interrupted run never leaves a
// half-written shop where a reader expects a whole one.
#pragma once

#include <stdexcept>
#include <string>

namespace shopgen {

// A refusal the user can fix by changing the command line (exit status 2).
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// strerror(errno), for messages.
std::string errno_text();

// The directory part of `path`: "." when there is none, "/" for the root.
std::string directory_of(const std::string& path);

// Renames the finished `temp` to `target`. Without `overwrite`, an existing
// target (even one that appeared meanwhile) is a UsageError, never clobbered.
void move_into_place(const std::string& temp, const std::string& target, bool overwrite);

class OutputFile {
public:
    // Checks that `target` may be written (UsageError if it exists and
    // overwrite is false) and creates an empty temporary file beside it.
    OutputFile(std::string target, bool overwrite);
    // Removes the temporary file unless commit() succeeded.
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    const std::string& temp_path() const { return temp_; }

    // Flushes the finished temporary file to disk and renames it to the
    // target. Call only after every handle on the temporary file is closed.
    void commit();

private:
    std::string target_;
    std::string temp_;
    bool overwrite_;
    bool committed_ = false;
};

}  // namespace shopgen
