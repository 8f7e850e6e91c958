#include "jobs/erase.h"

#include "jobs/policy_check.h"
#include "util/error.h"

namespace dsr::jobs {

namespace {

graph::SubjectMatch lookup(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
                           const EraseTarget& target) {
    auto match = graph::match_subject(db, policy, target.kind, target.normalized_value);
    erase::include_erased_rows(db, policy, key, match);
    return match;
}

}  // namespace

ErasureSetup prepare_erasure(db::Database& db, const policy::Policy& policy, const std::string& database_name) {
    ErasureSetup setup;
    setup.database_name = database_name;
    setup.schema = db.schema();  // read once a connection: SubjectJob::open has read it to check the policy
    PolicyCheckResult check;
    check_database(policy, database_name, setup.schema, check);
    if (!check.errors.empty())
        throw Error(ExitStatus::invalid_policy,
                    "the policy does not match the database (" + std::to_string(check.errors.size()) +
                        " errors; run dsr policy check): " + check.errors.front().message + "; nothing was changed");
    setup.order = erase::erasure_order(policy, database_name, setup.schema);
    return setup;
}

graph::SubjectMatch find_for_erasure(db::Database& db, const policy::Policy& policy, const crypto::SecretBytes& key,
                                     const EraseTarget& target) {
    auto match = lookup(db, policy, key, target);
    if (match.root_matches > 1)
        throw Error(ExitStatus::ambiguous_subject, "the identity matches " + std::to_string(match.root_matches) +
                                                       " registered subjects; nothing was changed");
    return match;
}

EraseOutcome plan_erasure(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
                          const crypto::SecretBytes& key, const graph::SubjectMatch& match,
                          std::chrono::system_clock::time_point now) {
    EraseOutcome out;
    out.match = match;
    out.plan = erase::make_plan(db, policy, setup.database_name, setup.schema, setup.order, match, key, {now});
    return out;
}

EraseOutcome run_erasure(db::Database& db, const policy::Policy& policy, const ErasureSetup& setup,
                         const crypto::SecretBytes& key, const EraseTarget& target,
                         std::chrono::system_clock::time_point now, const std::string& expected_digest) {
    EraseOutcome out;
    // The write lock comes first: nothing can change the subject's rows
    // between the plan and the statements that carry it out.
    db.begin();
    try {
        out.match = find_for_erasure(db, policy, key, target);
        graph::lock_subject(db, policy, out.match);
        out.plan = erase::make_plan(db, policy, setup.database_name, setup.schema, setup.order, out.match, key, {now});
        if (!expected_digest.empty() && out.plan.digest != expected_digest)
            throw PlanChanged();
        out.statements = erase::execute_plan(db, out.plan);
        db.commit();
    } catch (...) {
        db.rollback();
        throw;
    }
    out.applied = true;
    // Also on a run that changed nothing: a run killed after its commit left
    // the erased values in the write-ahead log, and this removes them.
    try {
        if (db.remove_residue()) out.residue_removed = true;
    } catch (const Error& e) {
        if (e.status() != ExitStatus::database_busy) throw;
        out.residue_removed = false;
        out.residue_problem = e.what();
    }
    // One read transaction for the whole check: every query sees the same
    // committed state, and the read lock is taken once, not per statement.
    db::ReadTransaction snapshot(db);
    out.verification = erase::verify_erasure(db, policy, out.plan, out.match, lookup(db, policy, key, target));
    return out;
}

}  // namespace dsr::jobs
