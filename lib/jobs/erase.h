#pragma once
// `dsr erase`: the right to erasure (GDPR Art. 17, CCPA right to delete,
// PIPL Art. 47) for one subject. The policy is checked against the live
// schema first; the plan (erase/erasure_plan.h) is computed from the subject
// graph; the real run computes it again inside one write transaction, runs
// it (erase/apply.h), commits, removes the residue of erased values from the
// database file and its write-ahead log, and verifies the result.

#include <chrono>
#include <optional>
#include <string>

#include "crypto/secret.h"
#include "db/database.h"
#include "erase/apply.h"
#include "erase/erasure_order.h"
#include "erase/erasure_plan.h"
#include "graph/subject_rows.h"
#include "policy/model.h"
#include "util/error.h"

namespace dsr::jobs {

/// The schema and the erasure order of one database.
struct ErasureSetup {
    std::string database_name;
    db::Schema schema;
    erase::ErasureOrder order;
};

/// Reads the schema and orders the tables. A policy that `dsr policy check`
/// reports errors for (an unknown column, a null mask on a NOT NULL column,
/// …) is dsr::Error(invalid_policy) before anything else happens.
ErasureSetup prepare_erasure(db::Database& db, const policy::Policy& policy, const std::string& database_name);

/// Who to erase, as named on the command line (value already normalised).
struct EraseTarget {
    std::string kind;
    std::string normalized_value;
};

/// The subject's rows as erasure sees them: those the identity finds, and
/// those an earlier erasure left masked. More than one registered subject is
/// dsr::Error(ambiguous_subject).
graph::SubjectMatch find_for_erasure(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
                                     const EraseTarget& target);

struct EraseOutcome {
    graph::SubjectMatch match;
    erase::ErasurePlan plan;
    bool applied = false;          ///< committed (false for a dry run)
    std::size_t statements = 0;    ///< data-changing statements run, the commit not counted
    /// The WAL was emptied into the file after the commit; nullopt where the
    /// backend has no such step (db::Database::remove_residue: PostgreSQL).
    std::optional<bool> residue_removed;
    std::string residue_problem;   ///< why not, when it was not
    /// Committed, but a copy of erased values may remain that dsr could have removed.
    bool residue_left() const { return applied && residue_removed == false; }
    erase::Verification verification;
};

/// The dry run: the plan for `match`, read only.
EraseOutcome plan_erasure(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
                          const crypto::SecretBytes& key, const graph::SubjectMatch& match,
                          std::chrono::system_clock::time_point now);

/// The rows changed between the plan a person saw (or a plan file) and the
/// real run: a usage error of its own type, so a caller can say which plan.
class PlanChanged : public Error {
public:
    PlanChanged()
        : Error(ExitStatus::usage, "the subject's rows changed after the plan was shown; nothing was changed "
                                   "(run the command again to see the new plan)") {}
};

/// The real run, in one write transaction taken before the subject is looked
/// up again. `expected_digest`, when not empty, is the digest of the plan an
/// operator confirmed: if the rows changed since, nothing is done and
/// PlanChanged says so. Any failure before the commit rolls back.
EraseOutcome run_erasure(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
                         const crypto::SecretBytes& key, const EraseTarget& target,
                         std::chrono::system_clock::time_point now, const std::string& expected_digest);

}  // namespace dsr::jobs
