#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "jobs/access.h"
#include "policy/model.h"
#include "report/report.h"

namespace dsr::report {

/// The access report: per table the subject's rows with each column's
/// category, purposes, lawful basis and source, each row's retention (and
/// hold) end, plus the Art. 15(1) items (purposes, categories, sources,
/// recipients and transfers, retention, rights, how to complain,
/// controller), with the headings in the regime's own terms and the CCPA
/// look-back when one applied. Withheld columns show {"withheld": true}.
nlohmann::ordered_json access_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                                   const jobs::AccessResult& result);
/// The same for the person it is about: grouped by category, in words.
std::string access_text(const policy::Policy& policy, const jobs::AccessResult& result);

/// The report when nothing is held (status not_found), for JSON and text:
/// `result` says whether a look-back limited the search.
nlohmann::ordered_json access_not_found_json(const Envelope& envelope, const policy::Policy& policy,
                                             const SubjectRef& subject, const jobs::AccessResult& result);
std::string access_not_found_text(const policy::Policy& policy, const jobs::AccessResult& result);

/// A database value as JSON: numbers, strings, null, or {"base64": …} for bytes.
nlohmann::ordered_json value_json(const db::Value& value);

/// A database value for a person to read: text as it is, numbers in their
/// shortest exact form (0.1, 1e+300), "(none)" for NULL, and bytes as
/// "(N bytes)" with their base64 when short.
std::string value_text(const db::Value& value);

/// The shortest decimal text that reads back as exactly `d`.
std::string shortest_real(double d);

}  // namespace dsr::report
