#pragma once
// The published exit codes of dsr (documented in dsr(1), EXIT STATUS).
// Values never change once released: cron jobs and scripts depend on them.

namespace dsr {

enum class ExitStatus : int {
    ok = 0,
    failure = 1,            ///< internal or unclassified error
    usage = 2,              ///< bad command line
    invalid_policy = 3,     ///< the policy does not load or does not match the database
    subject_not_found = 4,
    ambiguous_subject = 5,  ///< an identity matched more than one subject
    database = 6,           ///< the database could not be opened or a statement failed
    partial = 7,            ///< done, but held data remained
    findings = 8,           ///< `--strict` and the check produced findings
    overdue = 9,            ///< `request list --overdue` found overdue requests
    audit_failed = 10,      ///< the audit log does not verify
    database_busy = 11,     ///< a lock was not obtained within the busy timeout
    io = 12,                ///< a file could not be read or written (disk full, permissions)
    missing_key = 13,       ///< a key file is missing, unreadable or malformed
    more_to_do = 14,        ///< `purge` stopped (--max-duration, a signal) with work left; the next run continues
};

/// The exit status of a batch is its worst subject's: done, done with held
/// rows, nothing found, ambiguous, then any error (which keeps the first seen).
inline ExitStatus worse_of(ExitStatus worst_so_far, ExitStatus next) {
    auto severity = [](ExitStatus status) {
        switch (status) {
            case ExitStatus::ok: return 0;
            case ExitStatus::partial: return 1;
            case ExitStatus::subject_not_found: return 2;
            case ExitStatus::ambiguous_subject: return 3;
            default: return 4;
        }
    };
    return severity(next) > severity(worst_so_far) ? next : worst_so_far;
}

}  // namespace dsr
