#include "erase/plan_file.h"

#include <set>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace dsr::erase {

namespace {

using nlohmann::ordered_json;

constexpr std::string_view plan_format = "dsr-erase-plan";
constexpr int plan_version = 1;

const char* const count_fields[] = {"matched", "deleted", "masked", "kept_under_hold", "kept_as_parent", "cascaded"};

std::size_t& count_field(PlannedTable& t, std::string_view name) {
    if (name == "matched") return t.matched;
    if (name == "deleted") return t.deleted;
    if (name == "masked") return t.masked;
    if (name == "kept_under_hold") return t.kept_under_hold;
    if (name == "kept_as_parent") return t.kept_as_parent;
    return t.cascaded;
}

std::size_t count_field(const PlannedTable& t, std::string_view name) {
    // Safe: the other overload only picks the member, it writes nothing.
    return count_field(const_cast<PlannedTable&>(t), name);
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool is_date(const std::string& s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

bool is_time(const std::string& s) {
    return s.size() == 20 && is_date(s.substr(0, 10)) && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z';
}

/// Reads one object's fields, refusing unknown and missing ones; errors name
/// the field's path in the file (never a value: the file may not be ours).
class Fields {
public:
    Fields(const nlohmann::json& object, std::string where, const std::string& name)
        : object_(object), where_(std::move(where)), name_(name) {
        if (!object_.is_object()) fail(where_, "is not a JSON object");
    }

    [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
        throw Error(ExitStatus::usage, name_ + ": not a valid dsr erase plan: " + field + " " + problem +
                                           "; nothing was changed (make a new plan with --dry-run --plan-out)");
    }

    const nlohmann::json& get(const std::string& key) {
        seen_.insert(key);
        auto it = object_.find(key);
        if (it == object_.end()) fail(path(key), "is missing");
        return *it;
    }

    std::string text(const std::string& key, bool (*form)(const std::string&) = nullptr, const char* form_name = "") {
        const auto& v = get(key);
        if (!v.is_string()) fail(path(key), "is not a string");
        auto s = v.get<std::string>();
        if (form && !form(s)) fail(path(key), std::string("is not ") + form_name);
        if (!form && s.empty()) fail(path(key), "is empty");
        return s;
    }

    std::size_t count(const std::string& key) {
        const auto& v = get(key);
        if (!v.is_number_unsigned()) fail(path(key), "is not a count (an integer of at least 0)");
        return v.get<std::size_t>();
    }

    /// Every field of the object was read: an unknown one is refused, not ignored.
    void done() const {
        for (const auto& [key, value] : object_.items())
            if (!seen_.contains(key)) fail(path(key), "is not a field of a plan");
    }

    std::string path(const std::string& key) const { return where_.empty() ? key : where_ + "." + key; }

private:
    const nlohmann::json& object_;
    std::string where_;
    const std::string& name_;
    std::set<std::string> seen_;
};

ordered_json counts_json(const PlannedTable& t) {
    ordered_json out = ordered_json::object();
    for (const char* f : count_fields) out[f] = count_field(t, f);
    return out;
}

PlannedTable totals_of(const std::vector<PlannedTable>& tables) {
    PlannedTable sum;
    for (const auto& t : tables)
        for (const char* f : count_fields) count_field(sum, f) += count_field(t, f);
    return sum;
}

}  // namespace

std::vector<PlannedTable> planned_tables(const ErasurePlan& plan) {
    std::vector<PlannedTable> out;
    for (const auto& tp : plan.tables) {
        PlannedTable t;
        t.table = tp.table->name;
        bool mask = tp.table->erasure && tp.table->erasure->action == policy::ErasureAction::mask;
        t.action = mask ? "mask" : "delete";
        t.matched = tp.matched;
        t.deleted = tp.deletes.size();
        t.masked = tp.masked;
        t.kept_under_hold = tp.held;
        t.kept_as_parent = tp.kept_as_parent;
        t.cascaded = tp.cascaded();
        out.push_back(std::move(t));
    }
    return out;
}

std::string plan_file_json(const PlanFile& plan) {
    ordered_json tables = ordered_json::array();
    for (const auto& t : plan.tables) {
        ordered_json row = {{"table", t.table}, {"action", t.action}};
        row.update(counts_json(t));
        tables.push_back(std::move(row));
    }
    ordered_json json = {{"format", plan_format},
                         {"version", plan_version},
                         {"made_at", plan.made_at},
                         {"as_of", plan.as_of},
                         {"policy", {{"path", plan.policy_path}, {"sha256", plan.policy_sha256}}},
                         {"subject", {{"pseudonym", plan.pseudonym}, {"identity_kind", plan.identity_kind}}},
                         {"database", {{"name", plan.database_name}, {"location", plan.database}}},
                         {"digest", plan.digest},
                         {"tables", tables},
                         {"totals", counts_json(totals_of(plan.tables))}};
    return json.dump(2) + "\n";
}

PlanFile parse_plan_file(std::string_view text, const std::string& name) {
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // The parser's message names a byte offset, not the text around it.
        throw Error(ExitStatus::usage, name + ": not a valid dsr erase plan: not JSON (" + std::string(e.what()) +
                                           "); nothing was changed");
    }
    PlanFile plan;
    Fields top(json, "", name);
    {
        const auto& format = top.get("format");
        if (format != plan_format) top.fail("format", "is not \"dsr-erase-plan\"");
        const auto& version = top.get("version");
        if (!version.is_number_integer() || version.get<std::int64_t>() != plan_version)
            top.fail("version", "is not 1, the only plan version this dsr reads");
    }
    plan.made_at = top.text("made_at", is_time, "a UTC time YYYY-MM-DDTHH:MM:SSZ");
    plan.as_of = top.text("as_of", is_date, "a date YYYY-MM-DD");
    Fields policy(top.get("policy"), "policy", name);
    plan.policy_path = policy.text("path");
    plan.policy_sha256 = policy.text("sha256", is_hex64, "64 lowercase hex digits");
    policy.done();
    Fields subject(top.get("subject"), "subject", name);
    plan.pseudonym = subject.text("pseudonym", is_hex64, "64 lowercase hex digits");
    plan.identity_kind = subject.text("identity_kind");
    subject.done();
    Fields database(top.get("database"), "database", name);
    plan.database_name = database.text("name");
    plan.database = database.text("location");
    database.done();
    plan.digest = top.text("digest", is_hex64, "64 lowercase hex digits");
    const auto& tables = top.get("tables");
    if (!tables.is_array()) top.fail("tables", "is not an array");
    for (std::size_t i = 0; i < tables.size(); ++i) {
        Fields row(tables[i], "tables[" + std::to_string(i) + "]", name);
        PlannedTable t;
        t.table = row.text("table");
        t.action = row.text("action");
        if (t.action != "delete" && t.action != "mask") row.fail(row.path("action"), "is neither delete nor mask");
        for (const char* f : count_fields) count_field(t, f) = row.count(f);
        if (t.deleted + t.kept_under_hold + t.kept_as_parent > t.matched || t.masked > t.matched)
            row.fail(row.path("matched"), "is less than the rows the table's other counts account for");
        row.done();
        plan.tables.push_back(std::move(t));
    }
    Fields totals(top.get("totals"), "totals", name);
    auto sum = totals_of(plan.tables);
    for (const char* f : count_fields)
        if (totals.count(f) != count_field(sum, f)) totals.fail(totals.path(f), "is not the sum over the tables");
    totals.done();
    top.done();
    return plan;
}

}  // namespace dsr::erase
