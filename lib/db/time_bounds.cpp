#include "db/time_bounds.h"

#include <chrono>

#include "util/civil_date.h"

namespace dsr::db {

std::string iso8601_text_bound(std::int64_t cutoff) {
    using namespace std::chrono;
    sys_seconds latest_local{seconds{cutoff} + hours{16}};
    return format_date(CivilDate{floor<days>(latest_local) + days{1}});
}

}  // namespace dsr::db
