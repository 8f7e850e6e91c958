// The keys of every personal row the generator wrote for a few chosen
// customers, noted at the moment each row is written. Tests compare dsr's
// answers with this: asking the finished database the same questions dsr
// asks would only test dsr against itself.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rows.h"

namespace shopgen {

struct TruthSubject {
    Id customer_id = 0;
    std::string email;
    // Every personal table is present, empty or not; keys in writing order.
    std::map<std::string_view, std::vector<Id>> tables;

    void add(std::string_view table, Id key);
};

class GroundTruth {
public:
    explicit GroundTruth(const std::set<Id>& customers);

    // The record to fill while customer_id's rows are written, or nullptr
    // when that customer was not chosen.
    TruthSubject* find(Id customer_id);

    // {"subjects":[{"customer_id":N,"email":"…","tables":{"customers":[N],…}},…]}
    std::string json() const;

private:
    std::vector<TruthSubject> subjects_;  // ascending customer_id
};

// Parses "1,17,250" (ascending or not, no duplicates) into customer ids in
// 1..max_id; throws UsageError naming the offending item.
std::set<Id> parse_customer_list(std::string_view text, Id max_id);

// Writes text to path with mode 0600, whatever the umask: the file names
// people by e-mail. Written under a temporary name and renamed, so a reader
// never sees half a file; an existing path is replaced only if overwrite.
void write_private_file(const std::string& path, const std::string& text, bool overwrite);

}  // namespace shopgen
