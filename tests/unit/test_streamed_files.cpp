// The sinks large outputs stream through: an atomic file that appears whole
// or not at all, a hashing pass-through, and an unnamed spool file.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/sha256.h"
#include "util/spool_file.h"

using dsr::test::TempDir;

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::size_t entries_in(const std::filesystem::path& dir) {
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

struct StringSink : dsr::ByteSink {
    std::string bytes;
    void write(std::string_view b) override { bytes += b; }
};

}  // namespace

TEST_CASE("AtomicFile appears only when committed, with its mode") {
    TempDir dir;
    auto path = dir.file("copy.json");
    {
        dsr::AtomicFile file(path, 0600, false);
        file.write("half");
        // Unnamed (O_TMPFILE, which the test directory's filesystem has):
        // a writer killed now would leave nothing, not even a hidden file.
        CHECK(entries_in(dir.path()) == 0);
        CHECK_FALSE(std::filesystem::exists(path));
    }
    CHECK(entries_in(dir.path()) == 0);  // abandoned: nothing left

    dsr::AtomicFile file(path, 0600, false);
    file.write("whole");
    file.commit();
    CHECK(read_all(path) == "whole");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("AtomicFile refuses an existing file unless replacing") {
    TempDir dir;
    auto path = dir.write("copy.json", "old");
    CHECK_THROWS_AS(dsr::AtomicFile(path, 0600, false), dsr::Error);
    CHECK(read_all(path) == "old");
    {
        dsr::AtomicFile file(path, 0640, true);
        file.write("new");
        CHECK(read_all(path) == "old");
        file.commit();
    }
    CHECK(read_all(path) == "new");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0640);
    CHECK(entries_in(dir.path()) == 1);  // the hidden name it had for the rename is gone

    // A file that appears at the path while the writer works is not replaced.
    auto late = dir.file("late.json");
    dsr::AtomicFile file(late, 0600, false);
    file.write("mine");
    std::ofstream(late) << "theirs";
    CHECK_THROWS_AS(file.commit(), dsr::Error);
    CHECK(read_all(late) == "theirs");
}

TEST_CASE("HashingSink passes bytes on and hashes them") {
    StringSink out;
    dsr::HashingSink hashing(out);
    hashing.write("The quick brown fox ");
    hashing.write("jumps over the lazy dog");
    CHECK(out.bytes == "The quick brown fox jumps over the lazy dog");
    CHECK(hashing.bytes_written() == out.bytes.size());
    CHECK(hashing.hex_digest() == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST_CASE("SpoolFile gives back what was written and leaves no name behind") {
    TempDir dir;
    dsr::SpoolFile spool(dir.path().string());
    std::string big(200 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 31);
    spool.write(big.substr(0, 1000));
    spool.write(big.substr(1000));
    CHECK(entries_in(dir.path()) == 0);
    StringSink out;
    spool.copy_to(out);
    CHECK(out.bytes == big);
    CHECK(read_all(spool.path()) == big);  // the /proc path opens it while it is open
}
