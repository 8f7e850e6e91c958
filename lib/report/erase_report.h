#pragma once
// The erase report: the plan or what was done, per table in erasure order,
// the holds and when they end, cascades, the verification and the
// recipients to notify; as JSON (dsr-report(7)) and as text for the operator.
// Counts, dates and names only: never a value.

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "erase/erasure_ledger.h"
#include "erase/erasure_plan.h"
#include "jobs/erase.h"
#include "policy/model.h"
#include "report/access_report.h"
#include "report/report.h"
#include "util/exit_status.h"

namespace dsr::report {

/// How an erase run ended, for the report, the audit entry and the exit status.
struct EraseEnding {
    ExitStatus status = ExitStatus::ok;
    std::string name;  ///< the report's status
    std::optional<erase::LedgerEntry> previous;  ///< an earlier erasure, when nothing is found now
    std::optional<std::int64_t> completes;       ///< an interrupted attempt this run completes
    std::optional<std::int64_t> ledger_seq;
};

nlohmann::ordered_json erase_json(const Envelope& envelope, const policy::Policy& policy, const SubjectRef& subject,
                                  const std::string& request_id, std::int64_t intent_seq,
                                  const jobs::EraseOutcome& outcome, const EraseEnding& ending);

std::string erase_text(const policy::Policy& policy, bool dry_run, const jobs::EraseOutcome& outcome,
                       const EraseEnding& ending);

/// The plan as a table for a terminal, with holds, kept parents and cascades in words.
std::string erase_plan_text(const policy::Policy& policy, const erase::ErasurePlan& plan);

/// Recipients that received any category the plan erases or masks (GDPR Art. 19).
nlohmann::ordered_json recipients_to_notify(const policy::Policy& policy, const erase::ErasurePlan& plan);

}  // namespace dsr::report
