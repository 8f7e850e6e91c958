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

}  // namespace dsr
