#pragma once
// A temporary directory per test (ccache's style): removed when the test
// passes, kept when it fails so the files it wrote can be inspected.
//
// "Fails" means a doctest assertion failed while the directory existed, or an
// exception is unwinding through its destructor. doctest keeps its failure
// count private, so a listener counts failed assertions for us. A test marked
// `doctest::may_fail()` (a known bug) is not a failure, as doctest reports it,
// so its directory is removed too rather than left behind on every run.

#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dsr::test {

/// Failed (non-warning) assertions so far in this run.
inline std::atomic<long> failed_assertions{0};
/// Whether the running test case is marked `doctest::may_fail()`.
inline std::atomic<bool> running_test_may_fail{false};

/// A doctest listener: sees every assertion, counts the failed ones, reports nothing.
class FailureCounter : public doctest::IReporter {
public:
    explicit FailureCounter(const doctest::ContextOptions&) {}
    void log_assert(const doctest::AssertData& data) override {
        if (data.m_failed && (data.m_at & doctest::assertType::is_warn) == 0) ++failed_assertions;
    }
    void report_query(const doctest::QueryData&) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats&) override {}
    void test_case_start(const doctest::TestCaseData& test) override { running_test_may_fail = test.m_may_fail; }
    void test_case_reenter(const doctest::TestCaseData& test) override { running_test_may_fail = test.m_may_fail; }
    void test_case_end(const doctest::CurrentTestCaseStats&) override {}
    void test_case_exception(const doctest::TestCaseException&) override {}
    void subcase_start(const doctest::SubcaseSignature&) override {}
    void subcase_end() override {}
    void log_message(const doctest::MessageData&) override {}
    void test_case_skipped(const doctest::TestCaseData&) override {}
};

// Every file including this header registers the same (priority, name): doctest keeps one.
REGISTER_LISTENER("dsr_failure_counter", 1, FailureCounter);

class TempDir {
public:
    TempDir() : failures_at_start_(failed_assertions.load()), exceptions_at_start_(std::uncaught_exceptions()) {
        std::string name = (std::filesystem::temp_directory_path() / "dsr-test-XXXXXX").string();
        if (!mkdtemp(name.data())) throw std::runtime_error("cannot create a temporary directory from " + name);
        path_ = name;
    }

    ~TempDir() {
        bool failed =
            failed_assertions.load() != failures_at_start_ || std::uncaught_exceptions() > exceptions_at_start_;
        if (failed && !running_test_may_fail) {
            std::cerr << "temp_dir.h: test failed; kept " << path_.string() << "\n";
            return;
        }
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }

    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    /// The path of `name` inside the directory, as a string.
    std::string file(std::string_view name) const { return (path_ / name).string(); }

    /// Writes `content` to `name` inside the directory and returns its path.
    std::string write(std::string_view name, std::string_view content) const {
        std::string p = file(name);
        std::ofstream out(p, std::ios::binary);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        if (!out) throw std::runtime_error("cannot write " + p);
        return p;
    }

private:
    std::filesystem::path path_;
    long failures_at_start_;
    int exceptions_at_start_;
};

}  // namespace dsr::test
