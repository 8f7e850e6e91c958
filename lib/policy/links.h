#pragma once
// Structural checks on how tables link to the subject. They need only the
// policy, so the loader runs them before any database is opened.

#include <string>
#include <vector>

#include "policy/model.h"

namespace dsr::policy {

struct LinkCycle {
    Position where;    ///< the link that closes the cycle
    std::string path;  ///< e.g. "a -> b -> a"
};

/// Cycles among foreign-key links (a table referencing itself counts).
std::vector<LinkCycle> find_link_cycles(const Policy& policy);

/// Tables with no chain of links to an identity: no job could find their rows.
std::vector<const Table*> unreachable_tables(const Policy& policy);

}  // namespace dsr::policy
