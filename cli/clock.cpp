#include "cli/clock.h"

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

#include "util/error.h"

namespace dsr::cli {

std::chrono::system_clock::time_point now() {
    const char* fixed = std::getenv("DSR_NOW");
    if (!fixed || !*fixed) return std::chrono::system_clock::now();
    std::tm parts{};
    const char* end = strptime(fixed, "%Y-%m-%dT%H:%M:%SZ", &parts);
    if (!end || *end) {
        parts = {};
        end = strptime(fixed, "%Y-%m-%d", &parts);
    }
    if (!end || *end)
        throw Error(ExitStatus::usage, std::string("DSR_NOW='") + fixed + "' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

}  // namespace dsr::cli
