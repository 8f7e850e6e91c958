#include "util/shared_library.h"

#include <dlfcn.h>

#include "util/error.h"

namespace dsr {

void* load_shared_library(const char* soname, const std::string& needed_for) {
    void* library = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr)
        throw Error(ExitStatus::failure, needed_for + ": cannot load " + soname + ": " + ::dlerror());
    return library;
}

void* shared_library_symbol(void* library, const char* soname, const char* name) {
    void* symbol = ::dlsym(library, name);
    if (symbol == nullptr) throw Error(ExitStatus::failure, std::string(soname) + " has no " + name);
    return symbol;
}

}  // namespace dsr
