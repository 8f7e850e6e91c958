#pragma once
// Injected SQLite failures, a testing aid (DSR_FAULT in dsr(1)): a write, a
// sync or a memory allocation that fails on the N-th call, to show that an
// I/O error, a full disk or a lack of memory at any point of a job leaves
// every database whole and ends in a published exit status. The front end
// parses the variable; the library never reads the environment.

#include <cstddef>
#include <cstdint>

namespace dsr::db {

struct SqliteFault {
    enum class Kind {
        write,   ///< the N-th xWrite fails with SQLITE_IOERR_WRITE (an I/O error)
        full,    ///< the N-th xWrite fails with SQLITE_FULL (what SQLite reports for ENOSPC)
        sync,    ///< the N-th xSync fails with SQLITE_IOERR_FSYNC
        malloc,  ///< SQLite's N-th allocation (malloc or realloc) returns NULL
    };
    Kind kind = Kind::write;
    std::int64_t at = 1;      ///< N, counted from 1
    bool persistent = false;  ///< every call from the N-th fails, not the N-th alone
};

/// What SQLite did in this process since the faults were installed; zero
/// counts when they were not.
struct SqliteFaultCounts {
    std::int64_t writes = 0;
    std::int64_t syncs = 0;
    std::int64_t allocations = 0;
    std::int64_t injected = 0;  ///< calls that were made to fail
};

/// Wraps SQLite's memory allocator and its default VFS, so that every
/// connection the process opens afterwards (the merchant's databases and the
/// state store alike) counts towards the one fault: a fault is a property of
/// the machine, not of one file. Must run before SQLite is first used, as
/// SQLITE_CONFIG_MALLOC is refused once SQLite is initialised; throws
/// dsr::Error(failure) otherwise.
///
/// `notice` is called once, at the first injected failure, with a line
/// saying which call failed, so a test can tell a run the fault did not
/// reach; printing it is the front end's business. It runs inside SQLite's
/// allocator, so it must not allocate.
using FaultNotice = void (*)(const char* line, std::size_t length);
void install_sqlite_fault(const SqliteFault& fault, FaultNotice notice);

SqliteFaultCounts sqlite_fault_counts();

}  // namespace dsr::db
