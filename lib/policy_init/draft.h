#pragma once
// Schema + value evidence -> the text of a draft policy (dsr-policy(5)),
// with a `# REVIEW:` comment on every guess. The draft loads, and passes
// `dsr policy check` against the same database with findings only: what it
// cannot know (purposes, retention periods, the controller) it leaves as
// findings and comments for a person to decide.

#include <cstddef>
#include <string>

#include "db/schema.h"
#include "policy_init/sampler.h"

namespace dsr::policy_init {

struct DraftOptions {
    /// The draft's `databases: main: url:` (sqlite:PATH or postgresql://…).
    std::string database_url;
    /// When set, a `# REVIEW:` note beside the url (e.g. it could not be written as a URI).
    std::string database_url_review;
};

/// What a draft holds, for the report: counts only.
struct DraftSummary {
    std::size_t database_tables = 0;
    std::size_t drafted_tables = 0;       ///< under `tables:`
    std::size_t unlinked_tables = 0;      ///< personal-looking, no link found: left commented out
    std::size_t non_personal_tables = 0;  ///< under `non_personal_tables:`
    std::size_t personal_columns = 0;
    std::size_t columns_from_values = 0;  ///< whose category the sampled values decided
    std::size_t unreviewed_columns = 0;   ///< with nothing to suggest a category
    std::size_t identities = 0;
    std::size_t links = 0;
    std::size_t guessed_links = 0;        ///< references inferred from column names, no foreign key declared
    std::size_t review_items = 0;         ///< `# REVIEW:` comments in the text
    std::string subject_table;
};

struct Draft {
    std::string yaml;
    DraftSummary summary;
};

/// Drafts a policy for `schema`. Throws dsr::Error(failure) when the schema
/// has no table with a key to name a person's row by.
Draft draft_policy(const db::Schema& schema, const SchemaEvidence& evidence, const DraftOptions& options);

/// `name` as a YAML scalar: plain when that reads back as the same string,
/// else double-quoted with escapes.
std::string yaml_scalar(std::string_view name);

}  // namespace dsr::policy_init
