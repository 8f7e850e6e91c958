#pragma once
// Shared by the backends' timestamp dialects.

#include <cstdint>
#include <string>

namespace dsr::db {

/// ISO 8601 text compares as text only within one offset, so a backend's
/// exact test parses the text. This bound, a date a day and 16 hours past
/// `cutoff` (Unix seconds), goes in front: `text < bound` is never wrong for
/// a time before the cutoff, and it lets an index on the column skip the
/// rows that are plainly too recent. (+14:00 is the largest offset in use,
/// but PostgreSQL reads offsets up to 15:59, hence 16.)
std::string iso8601_text_bound(std::int64_t cutoff);

}  // namespace dsr::db
