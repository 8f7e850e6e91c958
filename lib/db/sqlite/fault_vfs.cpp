#include "db/sqlite/fault_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>

#include "util/error.h"

namespace dsr::db {

namespace {
// (A named namespace inside: the unity build shares one anonymous namespace
// among several files, and names such as `state` or `File` are common.)
namespace fault_vfs {

SqliteFault fault;
FaultNotice notice = nullptr;
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs vfs{};
sqlite3_mem_methods real_memory{};
sqlite3_mem_methods memory{};
std::atomic<std::int64_t> writes{0};
std::atomic<std::int64_t> syncs{0};
std::atomic<std::int64_t> allocations{0};
std::atomic<std::int64_t> injected{0};
/// Set once the VFS is in place: SQLite's own start-up, which registering
/// it sets off, is not the command's and is neither counted nor failed.
std::atomic<bool> armed{false};

const char* name_of(SqliteFault::Kind kind) {
    switch (kind) {
        case SqliteFault::Kind::write: return "write";
        case SqliteFault::Kind::full: return "write (disk full)";
        case SqliteFault::Kind::sync: return "sync";
        case SqliteFault::Kind::malloc: return "allocation";
    }
    return "call";
}

/// Counts one call and says whether it is to fail. Runs inside SQLite's
/// allocator, so it allocates nothing: the notice is formatted on the stack.
bool fails(std::atomic<std::int64_t>& counter, bool counted_kind) {
    if (!armed.load(std::memory_order_relaxed)) return false;
    const std::int64_t n = ++counter;
    if (!counted_kind || !(n == fault.at || (fault.persistent && n > fault.at))) return false;
    if (injected.fetch_add(1) == 0) {
        char line[160];
        int length = std::snprintf(line, sizeof line, "dsr: fault: injected: SQLite's %s %lld fails%s\n",
                                   name_of(fault.kind), static_cast<long long>(n),
                                   fault.persistent ? ", and every one after it" : "");
        if (length > 0 && notice) notice(line, std::min<std::size_t>(static_cast<std::size_t>(length), sizeof line - 1));
    }
    return true;
}

bool is(SqliteFault::Kind kind) { return fault.kind == kind; }

// --- memory -------------------------------------------------------------------------

void* fault_malloc(int bytes) {
    if (fails(allocations, is(SqliteFault::Kind::malloc))) return nullptr;
    return real_memory.xMalloc(bytes);
}

void* fault_realloc(void* old, int bytes) {
    // A failed realloc leaves the old block to its owner, as realloc(3) does.
    if (fails(allocations, is(SqliteFault::Kind::malloc))) return nullptr;
    return real_memory.xRealloc(old, bytes);
}

// --- files ----------------------------------------------------------------------------

/// Our file, with the real VFS's file right behind it in the same block
/// (szOsFile below makes SQLite allocate room for both).
struct FaultFile {
    sqlite3_file base;
    sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* file) { return reinterpret_cast<FaultFile*>(file)->real; }
const sqlite3_io_methods& real_methods(sqlite3_file* file) { return *real_of(file)->pMethods; }

int file_close(sqlite3_file* file) { return real_methods(file).xClose(real_of(file)); }
int file_read(sqlite3_file* file, void* buffer, int amount, sqlite3_int64 offset) {
    return real_methods(file).xRead(real_of(file), buffer, amount, offset);
}
int file_write(sqlite3_file* file, const void* buffer, int amount, sqlite3_int64 offset) {
    bool write_fault = is(SqliteFault::Kind::write) || is(SqliteFault::Kind::full);
    if (fails(writes, write_fault)) return is(SqliteFault::Kind::full) ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    return real_methods(file).xWrite(real_of(file), buffer, amount, offset);
}
int file_truncate(sqlite3_file* file, sqlite3_int64 size) { return real_methods(file).xTruncate(real_of(file), size); }
int file_sync(sqlite3_file* file, int flags) {
    if (fails(syncs, is(SqliteFault::Kind::sync))) return SQLITE_IOERR_FSYNC;
    return real_methods(file).xSync(real_of(file), flags);
}
int file_size(sqlite3_file* file, sqlite3_int64* size) { return real_methods(file).xFileSize(real_of(file), size); }
int file_lock(sqlite3_file* file, int level) { return real_methods(file).xLock(real_of(file), level); }
int file_unlock(sqlite3_file* file, int level) { return real_methods(file).xUnlock(real_of(file), level); }
int file_check_reserved_lock(sqlite3_file* file, int* out) {
    return real_methods(file).xCheckReservedLock(real_of(file), out);
}
int file_control(sqlite3_file* file, int op, void* arg) { return real_methods(file).xFileControl(real_of(file), op, arg); }
int file_sector_size(sqlite3_file* file) { return real_methods(file).xSectorSize(real_of(file)); }
int file_device_characteristics(sqlite3_file* file) {
    return real_methods(file).xDeviceCharacteristics(real_of(file));
}
int file_shm_map(sqlite3_file* file, int region, int size, int extend, void volatile** out) {
    return real_methods(file).xShmMap(real_of(file), region, size, extend, out);
}
int file_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
    return real_methods(file).xShmLock(real_of(file), offset, n, flags);
}
void file_shm_barrier(sqlite3_file* file) { real_methods(file).xShmBarrier(real_of(file)); }
int file_shm_unmap(sqlite3_file* file, int delete_flag) { return real_methods(file).xShmUnmap(real_of(file), delete_flag); }
int file_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    return real_methods(file).xFetch(real_of(file), offset, amount, out);
}
int file_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    return real_methods(file).xUnfetch(real_of(file), offset, page);
}

/// One table per io_methods version: SQLite calls the shared-memory and
/// memory-mapping methods only when the version says they exist, so ours
/// must claim no more than the real file's.
sqlite3_io_methods methods_of_version(int version) {
    return {version,
            file_close,
            file_read,
            file_write,
            file_truncate,
            file_sync,
            file_size,
            file_lock,
            file_unlock,
            file_check_reserved_lock,
            file_control,
            file_sector_size,
            file_device_characteristics,
            file_shm_map,        // version 2 on
            file_shm_lock,
            file_shm_barrier,
            file_shm_unmap,
            file_fetch,          // version 3 on
            file_unfetch};
}
const sqlite3_io_methods io_methods[3] = {methods_of_version(1), methods_of_version(2), methods_of_version(3)};

// --- the VFS: every call passed to the real one, with the real one as its VFS -----

int vfs_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    auto* ours = reinterpret_cast<FaultFile*>(file);
    ours->real = reinterpret_cast<sqlite3_file*>(ours + 1);
    ours->real->pMethods = nullptr;
    int rc = real_vfs->xOpen(real_vfs, name, ours->real, flags, out_flags);
    // SQLite closes a file whose methods are set, even after a failed open.
    const auto* real = ours->real->pMethods;
    ours->base.pMethods = real ? &io_methods[std::clamp(real->iVersion, 1, 3) - 1] : nullptr;
    return rc;
}
int vfs_delete(sqlite3_vfs*, const char* name, int sync_dir) { return real_vfs->xDelete(real_vfs, name, sync_dir); }
int vfs_access(sqlite3_vfs*, const char* name, int flags, int* out) {
    return real_vfs->xAccess(real_vfs, name, flags, out);
}
int vfs_full_pathname(sqlite3_vfs*, const char* name, int size, char* out) {
    return real_vfs->xFullPathname(real_vfs, name, size, out);
}
void* vfs_dl_open(sqlite3_vfs*, const char* name) { return real_vfs->xDlOpen(real_vfs, name); }
void vfs_dl_error(sqlite3_vfs*, int size, char* out) { real_vfs->xDlError(real_vfs, size, out); }
void (*vfs_dl_sym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
    return real_vfs->xDlSym(real_vfs, handle, symbol);
}
void vfs_dl_close(sqlite3_vfs*, void* handle) { real_vfs->xDlClose(real_vfs, handle); }
int vfs_randomness(sqlite3_vfs*, int size, char* out) { return real_vfs->xRandomness(real_vfs, size, out); }
int vfs_sleep(sqlite3_vfs*, int microseconds) { return real_vfs->xSleep(real_vfs, microseconds); }
int vfs_current_time(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int vfs_get_last_error(sqlite3_vfs*, int size, char* out) { return real_vfs->xGetLastError(real_vfs, size, out); }
int vfs_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) { return real_vfs->xCurrentTimeInt64(real_vfs, out); }
int vfs_set_system_call(sqlite3_vfs*, const char* name, sqlite3_syscall_ptr call) {
    return real_vfs->xSetSystemCall(real_vfs, name, call);
}
sqlite3_syscall_ptr vfs_get_system_call(sqlite3_vfs*, const char* name) {
    return real_vfs->xGetSystemCall(real_vfs, name);
}
const char* vfs_next_system_call(sqlite3_vfs*, const char* name) { return real_vfs->xNextSystemCall(real_vfs, name); }

void check(int rc, const char* doing) {
    if (rc != SQLITE_OK)
        throw Error(ExitStatus::failure, std::string("DSR_FAULT: cannot ") + doing + ": " + sqlite3_errstr(rc) +
                                             " (SQLite was already in use)");
}

}  // namespace fault_vfs
}  // namespace

void install_sqlite_fault(const SqliteFault& wanted, FaultNotice on_first_failure) {
    using namespace fault_vfs;
    if (armed) throw Error(ExitStatus::failure, "DSR_FAULT: the SQLite faults are already installed");
    fault = wanted;
    notice = on_first_failure;

    // The allocator first: SQLite accepts it only before it initialises,
    // which sqlite3_vfs_find below does.
    check(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_memory), "read SQLite's allocator");
    memory = real_memory;
    memory.xMalloc = fault_malloc;
    memory.xRealloc = fault_realloc;
    check(sqlite3_config(SQLITE_CONFIG_MALLOC, &memory), "replace SQLite's allocator");

    real_vfs = sqlite3_vfs_find(nullptr);
    if (!real_vfs) throw Error(ExitStatus::failure, "DSR_FAULT: SQLite has no default VFS");
    vfs = *real_vfs;
    vfs.zName = "dsr-fault";
    vfs.pNext = nullptr;
    vfs.pAppData = nullptr;
    vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + real_vfs->szOsFile;
    vfs.xOpen = vfs_open;
    vfs.xDelete = vfs_delete;
    vfs.xAccess = vfs_access;
    vfs.xFullPathname = vfs_full_pathname;
    vfs.xDlOpen = real_vfs->xDlOpen ? vfs_dl_open : nullptr;
    vfs.xDlError = real_vfs->xDlError ? vfs_dl_error : nullptr;
    vfs.xDlSym = real_vfs->xDlSym ? vfs_dl_sym : nullptr;
    vfs.xDlClose = real_vfs->xDlClose ? vfs_dl_close : nullptr;
    vfs.xRandomness = vfs_randomness;
    vfs.xSleep = vfs_sleep;
    vfs.xCurrentTime = vfs_current_time;
    vfs.xGetLastError = real_vfs->xGetLastError ? vfs_get_last_error : nullptr;
    // The later members exist only from the version the real VFS declares.
    if (real_vfs->iVersion >= 2) vfs.xCurrentTimeInt64 = real_vfs->xCurrentTimeInt64 ? vfs_current_time_int64 : nullptr;
    if (real_vfs->iVersion >= 3) {
        vfs.xSetSystemCall = real_vfs->xSetSystemCall ? vfs_set_system_call : nullptr;
        vfs.xGetSystemCall = real_vfs->xGetSystemCall ? vfs_get_system_call : nullptr;
        vfs.xNextSystemCall = real_vfs->xNextSystemCall ? vfs_next_system_call : nullptr;
    }
    check(sqlite3_vfs_register(&vfs, /*makeDflt=*/1), "register the fault VFS");
    armed = true;
}

SqliteFaultCounts sqlite_fault_counts() {
    using namespace fault_vfs;
    return {writes.load(), syncs.load(), allocations.load(), injected.load()};
}

}  // namespace dsr::db
