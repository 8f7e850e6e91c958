#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "jobs/policy_check.h"
#include "report/report.h"

namespace dsr::report {

nlohmann::ordered_json policy_check_json(const Envelope& envelope, const jobs::PolicyCheckResult& result);
std::string policy_check_text(const Envelope& envelope, const jobs::PolicyCheckResult& result);

}  // namespace dsr::report
