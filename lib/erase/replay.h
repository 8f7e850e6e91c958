#pragma once
// Re-applying erasures after a backup is restored (`dsr erase
// --replay-since DATE`). The erasure ledger holds only pseudonyms, never a
// raw identity, so the subjects are found again the only way the key
// allows: every value of every column that carries the recorded identity
// kind is normalised and pseudonymised, and compared with the ledger's.

#include <optional>
#include <string>
#include <vector>

#include "crypto/secret.h"
#include "db/database.h"
#include "erase/erasure_ledger.h"
#include "policy/model.h"

namespace dsr::erase {

/// A ledger entry and, when the restored database still holds the subject,
/// the identity to erase them by again. The value exists only in memory,
/// for the erasure itself; it is never written anywhere.
struct ReplayTarget {
    LedgerEntry entry;
    std::string kind;  ///< the identity kind the subject was erased by
    std::optional<std::string> normalized_value;
};

/// The latest erasure of each subject recorded on or after `since`
/// (YYYY-MM-DD, UTC), in the order they were first recorded.
std::vector<LedgerEntry> erasures_since(state::StateStore& store, const std::string& since);

/// Finds each entry's subject in `db`: one scan of each identity column
/// (distinct values), whatever the number of entries.
std::vector<ReplayTarget> find_erased_subjects(db::Database& db, const policy::Policy& policy,
                                               const std::string& database_name, const crypto::SecretBytes& key,
                                               const std::vector<LedgerEntry>& entries);

}  // namespace dsr::erase
