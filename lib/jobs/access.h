#pragma once
// `dsr access`: everything held about one subject (GDPR Art. 15), read with
// one set-based statement per table.

#include <string>
#include <vector>

#include "db/database.h"
#include "graph/subject_rows.h"
#include "policy/model.h"

namespace dsr::jobs {

struct AccessTable {
    const policy::Table* table = nullptr;
    std::vector<std::string> columns;            ///< the key, then the personal columns
    std::vector<std::vector<db::Value>> rows;
};

struct AccessResult {
    std::vector<AccessTable> tables;  ///< policy order; tables with no rows included
    std::size_t total_rows = 0;
};

/// Reads the subject's rows from every table of the policy that lives in `database_name`.
AccessResult read_subject_data(db::Database& db, const std::string& database_name, const policy::Policy& policy,
                               const graph::SubjectMatch& match);

}  // namespace dsr::jobs
