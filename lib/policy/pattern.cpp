#include "policy/pattern.h"

namespace dsr::policy {

std::regex compile_pattern(const std::string& pattern) {
#if defined(__GLIBCXX__)
    return std::regex(pattern, std::regex::ECMAScript | std::regex_constants::__polynomial);
#else
    return std::regex(pattern, std::regex::ECMAScript);
#endif
}

}  // namespace dsr::policy
