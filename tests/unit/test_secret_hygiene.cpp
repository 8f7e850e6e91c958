// Secrets stay private: keys others may read are refused, no core dump once
// a secret is in memory, and files dsr writes are its own (0600 whatever the
// umask; a link or a file at the target refused, never written through).

#include <doctest/doctest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/keys.h"
#include "crypto/secret.h"
#include "temp_dir.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace {

using namespace dsr;
namespace fs = std::filesystem;

std::string file_contents(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

unsigned mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

/// Restores the umask the test changed.
struct UmaskFor {
    explicit UmaskFor(mode_t mask) : old(::umask(mask)) {}
    ~UmaskFor() { ::umask(old); }
    mode_t old;
};

}  // namespace

TEST_CASE("a key file others may read is refused, as ssh refuses one") {
    test::TempDir dir;
    const std::string keys = dir.file("keys");
    crypto::generate_keys(keys, false);
    CHECK_NOTHROW(crypto::load_keys(keys, "test"));
    for (const char* name : {crypto::pseudonym_key_file, crypto::signing_key_file}) {
        const std::string file = (fs::path(keys) / name).string();
        for (mode_t mode : {0640, 0604, 0660}) {
            REQUIRE(::chmod(file.c_str(), mode) == 0);
            try {
                crypto::load_keys(keys, "test");
                FAIL("a key of mode " << std::oct << mode << " was accepted");
            } catch (const Error& e) {
                CHECK(e.status() == ExitStatus::missing_key);
                CHECK(std::string(e.what()).find("too open") != std::string::npos);
                CHECK(std::string(e.what()).find("chmod 600") != std::string::npos);
            }
        }
        REQUIRE(::chmod(file.c_str(), 0600) == 0);
        CHECK_NOTHROW(crypto::load_keys(keys, "test"));
        REQUIRE(::chmod(file.c_str(), 0400) == 0);  // read-only to its owner is fine
        CHECK_NOTHROW(crypto::load_keys(keys, "test"));
        REQUIRE(::chmod(file.c_str(), 0600) == 0);
    }
}

TEST_CASE("once a secret is in memory, the process dumps no core") {
    crypto::SecretBytes secret(32);
    rlimit core{};
    REQUIRE(::getrlimit(RLIMIT_CORE, &core) == 0);
    CHECK(core.rlim_cur == 0);
    CHECK(core.rlim_max == 0);
    CHECK(::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
}

TEST_CASE("written files are 0600 under umask 000; a link or a file at the target is refused") {
    test::TempDir dir;
    UmaskFor open_umask(0);
    const std::string file = dir.file("export.json");
    write_file_atomically(file, "{}", 0600, false);
    CHECK(mode_of(file) == 0600);

    SUBCASE("an existing file is refused and unchanged") {
        CHECK_THROWS_AS(write_file_atomically(file, "new", 0600, false), Error);
        CHECK(file_contents(file) == "{}");
    }
    SUBCASE("a link to another file is refused; with replace, the link is replaced, not written through") {
        const std::string target = dir.file("victim");
        { std::ofstream(target) << "precious"; }
        const std::string link = dir.file("link.json");
        fs::create_symlink(target, link);
        CHECK_THROWS_AS(write_file_atomically(link, "secret", 0600, false), Error);
        CHECK(file_contents(target) == "precious");
        write_file_atomically(link, "secret", 0600, true);
        CHECK(file_contents(target) == "precious");
        CHECK_FALSE(fs::is_symlink(link));
        CHECK(file_contents(link) == "secret");
        CHECK(mode_of(link) == 0600);
    }
    SUBCASE("a dangling link is refused, and nothing is created where it points") {
        const std::string nowhere = dir.file("nowhere");
        const std::string link = dir.file("dangling.json");
        fs::create_symlink(nowhere, link);
        try {
            write_file_atomically(link, "secret", 0600, false);
            FAIL("a dangling link was written through");
        } catch (const Error& e) {
            CHECK(e.status() == ExitStatus::io);
        }
        CHECK_FALSE(fs::exists(nowhere));
    }
}
