#pragma once
// What leaked, as the operator names it for `dsr breach assess`: whole
// tables or chosen columns, optionally only the rows whose timestamp falls in
// a window. Checked against the policy before any statement runs, and kept
// with the incident (as JSON) so a later notify list reads the same rows.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "policy/model.h"

namespace dsr::breach {

struct ScopedTable {
    const policy::Table* table = nullptr;
    /// The exposed personal columns; all of the table's when `whole_table`.
    std::vector<const policy::Column*> columns;
    bool whole_table = false;
    /// The column the time window reads (the retention timestamp, or the
    /// one --time-column names); unset without a window.
    std::optional<policy::Timestamp> time_column;
};

struct Scope {
    std::vector<ScopedTable> tables;   ///< in the order first named
    std::optional<std::int64_t> since;  ///< Unix seconds, inclusive
    std::optional<std::int64_t> until;  ///< Unix seconds, exclusive
    bool windowed() const { return since || until; }
};

/// What the command line says, before it is checked.
struct ScopeRequest {
    std::vector<std::string> scopes;        ///< TABLE or TABLE.COL[,COL…]
    std::string since;                       ///< empty, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ
    std::string until;
    std::vector<std::string> time_columns;   ///< TABLE.COLUMN[:FORMAT]
};

/// Checks the request against the policy: unknown tables and columns are
/// usage errors with a "did you mean"; a window needs a timestamp for every
/// scoped table. Throws dsr::Error(usage).
Scope resolve_scope(const policy::Policy& policy, const ScopeRequest& request);

/// The request form of a resolved scope, as an incident keeps it.
nlohmann::ordered_json scope_json(const Scope& scope);
/// Reads scope_json() back against (possibly a later version of) the policy.
Scope scope_from_json(const policy::Policy& policy, const nlohmann::json& json);

}  // namespace dsr::breach
