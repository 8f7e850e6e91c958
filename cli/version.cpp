#include "cli/version.h"

#include <sodium.h>
#include <sqlite3.h>

// DSR_VERSION and DSR_YAML_CPP_VERSION are defined on this file alone
// (cli/CMakeLists.txt), dsr_git_commit in a generated file of its own: a new
// commit recompiles that one file, not the command files.

namespace dsr::cli {

extern const char* const dsr_git_commit;

std::string version_text() {
    // SQLite and libsodium as loaded at run time, which a distribution upgrade
    // may change under the same dsr; yaml-cpp has no run-time version call,
    // so the one found at build time, said to be so.
    return std::string("dsr ") + DSR_VERSION + " (commit " + dsr_git_commit + ")\n" + "SQLite " +
           sqlite3_libversion() + ", libsodium " + sodium_version_string() + ", yaml-cpp " + DSR_YAML_CPP_VERSION +
           " (build time)";
}

}  // namespace dsr::cli
