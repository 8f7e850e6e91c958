#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "jobs/access.h"
#include "policy/model.h"
#include "report/report.h"

namespace dsr::report {

/// Who the report is about, without saying it: the pseudonym and how they were named.
struct SubjectRef {
    std::string pseudonym;
    std::string identity_kind;
    std::size_t registered_matches = 0;
};

/// The access report: per table the subject's rows with each column's
/// category, purposes, lawful basis and source, plus the Art. 15(1) items
/// (purposes, recipients and transfers, retention, rights, controller).
nlohmann::ordered_json access_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                                   const jobs::AccessResult& result);
/// The same for the person it is about: grouped by category, in words.
std::string access_text(const policy::Policy& policy, const jobs::AccessResult& result);

/// A database value as JSON: numbers, strings, null, or {"base64": …} for bytes.
nlohmann::ordered_json value_json(const db::Value& value);

}  // namespace dsr::report
