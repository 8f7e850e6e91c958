// Fuzzes what `dsr policy check` does with a policy file: the YAML tree,
// the loader and its validation, the check against a live schema (the demo
// shop's plus tables with awkward names) and the reports that print the
// result. The input is the policy text.
//
// Checked beyond "no crash, no leak, no undefined behaviour":
//  - loading reports problems, never throws;
//  - a policy comes back exactly when there are no errors, the errors are
//    in file order, at real positions, and about Reader::max_errors of
//    them at most;
//  - the checks against the schema and the reports (JSON and text, the
//    link graph as text and DOT) do not throw, and the JSON serialises:
//    nlohmann::json throws on invalid UTF-8, which a message quoting part
//    of a name cut in the middle of a character would be.

#include <memory>
#include <string>

#include "db/database.h"
#include "fuzz_support.h"
#include "jobs/policy_check.h"
#include "policy/loader.h"
#include "policy/reader.h"
#include "report/graph_render.h"
#include "report/policy_check_report.h"
#include "report/report.h"
#include "shop_fixture.h"

namespace {

using namespace dsr;

const db::Schema& shop_schema() {
    static const db::Schema schema = [] {
        db::OpenOptions options;
        auto db = db::open_database(fuzz::make_shop_db("policy_loader.db", false), options);
        return db->read_schema();
    }();
    return schema;
}

std::string dump(const nlohmann::ordered_json& json) {
    try {
        return json.dump();
    } catch (const nlohmann::json::exception& e) {
        fuzz::fail(__FILE__, __LINE__, "json.dump()", e.what());
    }
}

void check_errors(std::string_view text, const std::vector<policy::Diagnostic>& errors) {
    // The limit, its "too many errors" note, and the syntax error that
    // stopped yaml-cpp, which the tree adds after its own capped list: what
    // matters is that a hostile policy's report stays small.
    FUZZ_CHECK(errors.size() <= policy::Reader::max_errors + 2, "more errors than the reader's limit");
    int lines = 1;
    for (char c : text) lines += c == '\n';
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto& where = errors[i].where;
        FUZZ_CHECK(where.line >= 1 && where.column >= 1, "a diagnostic without a position: " + errors[i].message);
        // yaml-cpp counts a CR alone as a line break too, so the bound is loose.
        FUZZ_CHECK(where.line <= lines + static_cast<int>(text.size()) + 1, "a diagnostic past the end: " + errors[i].message);
        FUZZ_CHECK(!errors[i].message.empty(), "a diagnostic with no message");
        if (i > 0) {
            const auto& before = errors[i - 1].where;
            FUZZ_CHECK(before.line < where.line || (before.line == where.line && before.column <= where.column),
                       "diagnostics out of file order");
        }
        policy::format_diagnostic("fuzz.yaml", errors[i]);
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    shop_schema();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    policy::LoadResult loaded;
    try {
        loaded = policy::load_policy_text(text, "fuzz.yaml");
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__, __LINE__, "load_policy_text does not throw", e.what());
    }
    FUZZ_CHECK(loaded.policy.has_value() == loaded.errors.empty(), "a policy together with errors, or neither");
    check_errors(text, loaded.errors);

    report::Envelope envelope;
    envelope.command = "policy check";
    envelope.policy_path = "fuzz.yaml";
    envelope.policy_sha256 = loaded.sha256;
    if (!loaded.policy) {
        dump(report::policy_errors_json(envelope, loaded.errors));
        return 0;
    }
    const auto& policy = *loaded.policy;
    jobs::PolicyCheckResult result;
    try {
        jobs::check_policy_alone(policy, result);
        for (const auto& database : policy.databases) jobs::check_database(policy, database.name, shop_schema(), result);
    } catch (const std::exception& e) {
        fuzz::fail(__FILE__, __LINE__, "the policy checks do not throw", e.what());
    }
    envelope.status = result.errors.empty() ? "ok" : "invalid_policy";
    dump(report::policy_check_json(envelope, result));
    report::policy_check_text(envelope, result);
    report::link_graph_text(policy);
    report::link_graph_dot(policy);
    return 0;
}
