#pragma once
// Libraries dsr loads when a command first needs them rather than linking:
// every library linked into dsr is mapped, relocated and initialised on
// every start, `dsr --help` included, while libarchive (zip exports) and
// libcrypto (export digests) serve one command each. Callers list the
// functions they use and check the prototypes against the library's headers.

#include <string>

namespace dsr {

/// dlopen()s `soname` (kept for the process's life); throws dsr::Error
/// naming `needed_for` when the library is missing.
void* load_shared_library(const char* soname, const std::string& needed_for);

/// The address of `name` in a library from load_shared_library; throws when
/// the library has no such symbol (a wrong or too old library).
void* shared_library_symbol(void* library, const char* soname, const char* name);

}  // namespace dsr
