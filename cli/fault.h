#pragma once
// DSR_FAULT, the testing aid of dsr(1) (ENVIRONMENT): the one place that
// reads it. `K` kills a write job after its K-th data-changing statement;
// `write:N`, `full:N`, `sync:N` and `malloc:N` (each with an optional `+`:
// from the N-th on) make SQLite's N-th write, sync or allocation fail, for
// every command, through db::install_sqlite_fault.

#include <optional>

#include "db/sqlite/fault_vfs.h"

namespace dsr::cli {

struct FaultSpec {
    std::optional<int> kill_after_statements;
    std::optional<db::SqliteFault> sqlite;
};

/// DSR_FAULT parsed; both empty when it is unset or empty. A malformed value
/// is dsr::Error(usage).
FaultSpec fault_spec();

/// Installs the SQLite fault DSR_FAULT asks for, if any, and has the counts
/// printed on stderr at exit (`dsr: fault: counted …`), so a test can size
/// its sweep. The first thing main does: SQLite's allocator can be replaced
/// only before SQLite is first used.
void install_faults();

}  // namespace dsr::cli
