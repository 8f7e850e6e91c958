#pragma once
// The consent reports: a grant or withdrawal (what was recorded, the state
// before and after, the mirror, whom to tell), a subject's standing and
// history per purpose, and the list of subjects in one state; as JSON
// (dsr-report(7)) and as text. Pseudonyms, names of the policy and counts
// only — except the list with identities, a mailing job's export, which is
// the one consent output that carries values.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "jobs/consent.h"
#include "policy/model.h"
#include "report/report.h"

namespace dsr::report {

nlohmann::ordered_json consent_change_json(const Envelope& envelope, const policy::Policy& policy,
                                           const SubjectRef& subject, const std::string& request_id,
                                           std::int64_t intent_seq, const jobs::ChangeResult& result);

std::string consent_change_text(const policy::Policy& policy, const jobs::ChangeResult& result, bool dry_run);

nlohmann::ordered_json consent_show_json(const Envelope& envelope, const policy::Policy& policy,
                                         const SubjectRef& subject, const std::string& request_id,
                                         std::int64_t intent_seq, const jobs::ShowResult& result);

std::string consent_show_text(const policy::Policy& policy, const jobs::ShowResult& result);

/// What `consent list` was asked for, to say so in its report.
struct ListQuery {
    const policy::ConsentPurpose* purpose = nullptr;
    consent::Action state = consent::Action::granted;
    std::string identity_kind;  ///< empty: pseudonyms
};

nlohmann::ordered_json consent_list_json(const Envelope& envelope, const ListQuery& query,
                                         const jobs::ListResult& result);

/// One JSON object per line: {"pseudonym": …} or {"<identity kind>": …}.
std::string consent_list_lines(const ListQuery& query, const jobs::ListResult& result);

/// One name per line and nothing else, for a pipe into a mailing job.
std::string consent_list_text(const jobs::ListResult& result);

}  // namespace dsr::report
