#include "jobs/databases.h"

#include <filesystem>

namespace dsr::jobs {

std::string database_url(const policy::Policy& policy, const policy::DatabaseRef& database,
                         const std::optional<std::string>& db_override) {
    if (database.is_default && db_override) return *db_override;
    if (!database.url.starts_with("sqlite:")) return database.url;
    std::filesystem::path path = database.url.substr(7);
    if (path.is_absolute()) return database.url;
    return "sqlite:" + (std::filesystem::path(policy.path).parent_path() / path).lexically_normal().string();
}

}  // namespace dsr::jobs
