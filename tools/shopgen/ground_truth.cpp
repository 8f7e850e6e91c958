#include "ground_truth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "output_file.h"

namespace shopgen {
namespace {

// In schema order, which is also the order of the JSON file. A row type
// whose table is missing here is refused by TruthSubject::add, so a new
// personal table cannot silently fall out of the ground truth.
constexpr std::array<std::string_view, 12> kPersonalTables = {
    "customers", "addresses", "body_measurements", "orders",         "order_items",       "payments",
    "shipments", "returns",   "support_tickets",   "loyalty_ledger", "newsletter_events", "web_sessions",
};

Id parse_customer_id(std::string_view item, Id max_id) {
    Id id = 0;
    const char* end = item.data() + item.size();
    const auto [ptr, error] = std::from_chars(item.data(), end, id);
    if (item.empty() || error != std::errc{} || ptr != end || id < 1 || id > max_id)
        throw UsageError("--ground-truth-customers: '" + std::string(item) +
                         "' is not a customer id from 1 to " + std::to_string(max_id));
    return id;
}

// Removes the temporary file unless it was renamed into place.
class TempFile {
public:
    explicit TempFile(const std::string& target) {
        std::string pattern = directory_of(target) + "/.ground-truth.tmp-XXXXXX";
        fd_ = ::mkstemp(pattern.data());  // mode 0600, whatever the umask
        if (fd_ < 0)
            throw std::runtime_error("cannot create a temporary file in " + directory_of(target) + ": " +
                                     errno_text());
        path_ = pattern;
    }
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    void write_and_close(const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error("cannot write " + path_ + ": " + errno_text());
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd_) != 0) throw std::runtime_error("cannot sync " + path_ + ": " + errno_text());
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) throw std::runtime_error("cannot close " + path_ + ": " + errno_text());
    }

    void rename_to(const std::string& target, bool overwrite) {
        move_into_place(path_, target, overwrite);
        path_.clear();
    }

private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace

void TruthSubject::add(std::string_view table, Id key) {
    const auto it = tables.find(table);
    if (it == tables.end()) throw std::logic_error("ground truth: unknown table " + std::string(table));
    it->second.push_back(key);
}

GroundTruth::GroundTruth(const std::set<Id>& customers) {
    for (Id id : customers) {
        TruthSubject& s = subjects_.emplace_back();
        s.customer_id = id;
        for (std::string_view t : kPersonalTables) s.tables[t];
    }
}

TruthSubject* GroundTruth::find(Id customer_id) {
    const auto it = std::lower_bound(subjects_.begin(), subjects_.end(), customer_id,
                                     [](const TruthSubject& s, Id id) { return s.customer_id < id; });
    return it != subjects_.end() && it->customer_id == customer_id ? &*it : nullptr;
}

// One table per line: small enough to read, and diffs of two runs line up.
std::string GroundTruth::json() const {
    using nlohmann::json;
    std::string out = "{\"subjects\": [";
    for (std::size_t i = 0; i < subjects_.size(); ++i) {
        const TruthSubject& s = subjects_[i];
        out += i == 0 ? "\n" : ",\n";
        out += "  {\"customer_id\": " + std::to_string(s.customer_id) +
               ", \"email\": " + json(s.email).dump() + ", \"tables\": {";
        for (std::size_t t = 0; t < kPersonalTables.size(); ++t) {
            const std::string_view name = kPersonalTables[t];
            out += t == 0 ? "\n" : ",\n";
            out += "    " + json(name).dump() + ": " + json(s.tables.at(name)).dump();
        }
        out += "\n  }}";
    }
    out += "\n]}\n";
    return out;
}

std::set<Id> parse_customer_list(std::string_view text, Id max_id) {
    std::set<Id> ids;
    std::size_t pos = 0;
    while (true) {
        const std::size_t comma = text.find(',', pos);
        const std::string_view item = text.substr(pos, comma == std::string_view::npos ? comma : comma - pos);
        if (!ids.insert(parse_customer_id(item, max_id)).second)
            throw UsageError("--ground-truth-customers: " + std::string(item) + " is listed twice");
        if (comma == std::string_view::npos) return ids;
        pos = comma + 1;
    }
}

void write_private_file(const std::string& path, const std::string& text, bool overwrite) {
    TempFile temp(path);
    temp.write_and_close(text);
    temp.rename_to(path, overwrite);
}

}  // namespace shopgen
