#include "jobs/databases.h"

#include <filesystem>

#include "db/database.h"

namespace dsr::jobs {

std::string database_url(const policy::Policy& policy, const policy::DatabaseRef& database,
                         const std::optional<std::string>& db_override) {
    if (database.is_default && db_override) return *db_override;
    if (!database.url.starts_with("sqlite:")) return database.url;
    std::filesystem::path path = database.url.substr(7);
    if (path.is_absolute()) return database.url;
    return "sqlite:" + (std::filesystem::path(policy.path).parent_path() / path).lexically_normal().string();
}

std::string canonical_location(const std::string& url) {
    std::string path = sqlite_path(url);
    if (path.empty()) return url;
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
    return "sqlite:" + (ec ? std::filesystem::absolute(path).lexically_normal() : canonical).string();
}

std::string sqlite_path(const std::string& url) {
    if (url.starts_with("sqlite:")) return url.substr(7);
    if (db::is_postgresql_url(url) || url.find("://") != std::string::npos) return "";
    return url;
}

}  // namespace dsr::jobs
