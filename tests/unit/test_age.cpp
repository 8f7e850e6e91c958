// Tests for lib/crypto/age.h: what AgeEncryptor writes must open with the real
// `age` binary (the format's reference implementation), for every chunk
// boundary case, for several recipients and for a passphrase; and malformed
// recipients and passphrase files are refused with the documented statuses.

#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "command_helpers.h"
#include "temp_dir.h"
#include "util/error.h"

namespace {

using namespace dsr::crypto;
using dsr::ExitStatus;
using dsr::test::TempDir;
using dsr::test::output_of;
using dsr::test::random_bytes;
using dsr::test::read_file;
using dsr::test::shell_quoted;

class StringSink : public dsr::ByteSink {
public:
    void write(std::string_view bytes) override { bytes_.append(bytes); }
    const std::string& bytes() const { return bytes_; }

private:
    std::string bytes_;
};

/// Runs `command` under /bin/sh; its exit status (-1 if it did not exit normally).
int run(const std::string& command) {
    int status = std::system(command.c_str());
    return (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
}

/// A new age identity in `dir`/`name`; returns its "age1..." recipient.
std::string new_identity(const TempDir& dir, const std::string& name) {
    REQUIRE(run("age-keygen -o " + shell_quoted(dir.file(name)) + " 2>/dev/null") == 0);
    auto recipient = output_of("age-keygen -y " + shell_quoted(dir.file(name)));
    while (!recipient.empty() && recipient.back() == '\n') recipient.pop_back();
    return recipient;
}


/// Writes `plaintext` in pieces of awkward sizes, so pieces straddle chunk boundaries.
void write_in_pieces(AgeEncryptor& encryptor, std::string_view plaintext) {
    static constexpr std::size_t sizes[] = {1, 7, 4093, 65535, 65537, 100, 3};
    for (std::size_t i = 0; !plaintext.empty(); ++i) {
        std::size_t take = std::min(sizes[i % std::size(sizes)], plaintext.size());
        encryptor.write(plaintext.substr(0, take));
        plaintext.remove_prefix(take);
    }
}

std::string encrypt_to(const std::vector<std::string>& recipients, std::string_view plaintext) {
    StringSink sink;
    auto encryptor = AgeEncryptor::to_recipients(recipients, sink);
    write_in_pieces(*encryptor, plaintext);
    encryptor->finish();
    return sink.bytes();
}

/// Decrypts `ciphertext` with `age -d -i identity`; the plaintext, or nullopt when age fails.
/// Every failure tested here (wrong identity, damaged one-chunk file) must leave no plaintext;
/// age streams, so a long file damaged late would leave its earlier chunks.
std::optional<std::string> age_decrypt(const TempDir& dir, const std::string& identity, const std::string& ciphertext) {
    std::string in = dir.write("in.age", ciphertext);
    std::string out = dir.file("out");
    int status = run("age -d -i " + shell_quoted(dir.file(identity)) + " " + shell_quoted(in) + " > " +
                     shell_quoted(out) + " 2>" + shell_quoted(dir.file("age.err")));
    std::string plaintext = read_file(out);
    std::filesystem::remove(out);
    if (status == 0) return plaintext;
    CHECK(plaintext.empty());
    return std::nullopt;
}

/// The length of an age file's header: up to and including the MAC line.
std::size_t header_length(const std::string& file) {
    std::size_t mac_line = file.find("\n--- ");
    REQUIRE(mac_line != std::string::npos);
    return file.find('\n', mac_line + 1) + 1;
}

SecretBytes secret_of(std::string_view text) {
    SecretBytes secret(text.size());
    std::memcpy(secret.data(), text.data(), text.size());
    return secret;
}

std::string text_of(const SecretBytes& secret) {
    return std::string(reinterpret_cast<const char*>(secret.data()), secret.size());
}

template <class F>
std::optional<ExitStatus> error_status(F action) {
    try {
        action();
    } catch (const dsr::Error& e) {
        return e.status();
    }
    return std::nullopt;
}

// Bech32 strings built with the BIP 173 reference code. Each has a valid checksum
// (except where the point is the checksum), so each case tests what it names.
constexpr const char* key_1_to_32 = "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqmwn7f2";

}  // namespace

TEST_CASE("age: X25519 files open with the real age, at every chunk boundary") {
    TempDir dir;
    std::string recipient = new_identity(dir, "key.txt");
    REQUIRE(recipient.starts_with("age1"));
    constexpr std::size_t chunk = 64 * 1024;
    for (std::size_t size :
         {std::size_t{0}, std::size_t{1}, chunk - 1, chunk, chunk + 1, 2 * chunk, std::size_t{300 * 1024 + 7}}) {
        CAPTURE(size);
        std::string plaintext = random_bytes(size, static_cast<unsigned>(size));
        std::string file = encrypt_to({recipient}, plaintext);
        CHECK(file.starts_with("age-encryption.org/v1\n-> X25519 "));
        // Header, 16-byte nonce, then one tag per chunk: a full last chunk gets no empty chunk after it.
        std::size_t chunks = size == 0 ? 1 : (size + chunk - 1) / chunk;
        CHECK(file.size() == header_length(file) + 16 + size + 16 * chunks);
        auto decrypted = age_decrypt(dir, "key.txt", file);
        REQUIRE(decrypted.has_value());
        CHECK(*decrypted == plaintext);
    }
}

TEST_CASE("age: each of two recipients can decrypt, a third cannot") {
    TempDir dir;
    std::string a = new_identity(dir, "a.txt");
    std::string b = new_identity(dir, "b.txt");
    new_identity(dir, "c.txt");
    std::string plaintext = random_bytes(100000, 7);
    std::string file = encrypt_to({a, b}, plaintext);
    std::string header = file.substr(0, header_length(file));
    CHECK(header.find("-> X25519 ") != header.rfind("-> X25519 "));
    CHECK(age_decrypt(dir, "a.txt", file) == plaintext);
    CHECK(age_decrypt(dir, "b.txt", file) == plaintext);
    CHECK_FALSE(age_decrypt(dir, "c.txt", file).has_value());
}

TEST_CASE("age: a tampered file is refused by the real age") {
    TempDir dir;
    std::string recipient = new_identity(dir, "key.txt");
    std::string file = encrypt_to({recipient}, "personal data");
    std::string flipped_payload = file;
    flipped_payload.back() = static_cast<char>(flipped_payload.back() ^ 1);
    CHECK_FALSE(age_decrypt(dir, "key.txt", flipped_payload).has_value());
    std::string truncated = file.substr(0, header_length(file) + 16);  // as if finish() never ran
    CHECK_FALSE(age_decrypt(dir, "key.txt", truncated).has_value());
}

TEST_CASE("age: passphrase files open with the real age through a pseudo-terminal") {
    // age reads a passphrase only from a terminal; script(1) gives it one and feeds it our stdin.
    TempDir dir;
    std::string plaintext = random_bytes(70000, 3);
    StringSink sink;
    auto encryptor = AgeEncryptor::with_passphrase(secret_of("correct horse"), sink, 10);
    write_in_pieces(*encryptor, plaintext);
    encryptor->finish();
    const std::string& file = sink.bytes();
    std::size_t stanza_end = file.find('\n', std::string("age-encryption.org/v1\n").size());
    std::string stanza = file.substr(0, stanza_end);
    CHECK(stanza.starts_with("age-encryption.org/v1\n-> scrypt "));
    CHECK(stanza.ends_with(" 10"));
    CHECK(stanza.size() == std::string("age-encryption.org/v1\n-> scrypt  10").size() + 22);  // 16-byte salt
    CHECK(file.find("\n-> ", stanza_end) == std::string::npos);  // scrypt must be the only stanza
    std::string in = dir.write("in.age", file);

    auto decrypt_with = [&](const std::string& passphrase) {
        std::string out = dir.file("out");
        std::filesystem::remove(out);
        std::string typed = dir.write("typed", passphrase + "\n");
        std::string age = "age -d -o " + shell_quoted(out) + " " + shell_quoted(in);
        int status = run("timeout 60 script -qec " + shell_quoted(age) + " /dev/null < " + shell_quoted(typed) + " > " +
                         shell_quoted(dir.file("tty.log")));
        std::string decrypted = read_file(out);  // "" when age created no file
        return std::make_pair(status, decrypted);
    };
    auto [status, decrypted] = decrypt_with("correct horse");
    CHECK(status == 0);
    CHECK(decrypted == plaintext);
    auto [wrong_status, wrong_output] = decrypt_with("wrong horse");
    CHECK(wrong_status != 0);
    CHECK(wrong_output.empty());
}

TEST_CASE("age: malformed recipients are usage errors, and nothing is written") {
    std::vector<std::pair<const char*, std::string>> cases = {
        {"empty", ""},
        {"another key type", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDz"},
        {"wrong HRP", "agf1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqnn238p"},
        {"bad checksum", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqmwn7f3"},
        {"31-byte key", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7ru28p0lr"},
        {"33-byte key", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7ruszzxrc4t3"},
        {"non-zero padding", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7ruspxc8t5c"},
        {"mixed case", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqmwN7f2"},
        {"upper case (age refuses it too)", "AGE1QYPQXPQ9QCRSSZG2PVXQ6RS0ZQG3YYC5Z5TPWXQERGD3C8G7RUSQMWN7F2"},
        {"character outside Bech32", "age1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqmwnbf2"},
        {"trailing space", std::string(key_1_to_32) + " "},
        {"low-order point (all zero)", "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq5cu47z"},
    };
    for (const auto& one_case : cases) {
        // (named references, not a structured binding: clang 14 cannot capture those)
        const auto& what = one_case.first;
        const auto& recipient = one_case.second;
        CAPTURE(what);
        StringSink sink;
        // Placed after a good recipient: a bad one anywhere fails the whole list.
        std::vector<std::string> recipients = {key_1_to_32, recipient};
        CHECK(error_status([&] { AgeEncryptor::to_recipients(recipients, sink); }) == ExitStatus::usage);
        CHECK(sink.bytes().empty());
    }
    SUBCASE("the message names the recipient") {
        StringSink sink;
        try {
            AgeEncryptor::to_recipients({"agf1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5z5tpwxqergd3c8g7rusqnn238p"}, sink);
            FAIL("no error");
        } catch (const dsr::Error& e) {
            CHECK(std::string(e.what()).find("agf1qypqx") != std::string::npos);
        }
    }
    SUBCASE("no recipients at all") {
        StringSink sink;
        CHECK(error_status([&] { AgeEncryptor::to_recipients({}, sink); }) == ExitStatus::usage);
    }
    SUBCASE("the reference vector itself is accepted") {
        StringSink sink;
        CHECK_NOTHROW(AgeEncryptor::to_recipients({key_1_to_32}, sink)->finish());
    }
}

TEST_CASE("age: passphrase and work factor are checked") {
    StringSink sink;
    CHECK(error_status([&] { AgeEncryptor::with_passphrase(SecretBytes(0), sink, 10); }) == ExitStatus::usage);
    CHECK(error_status([&] { AgeEncryptor::with_passphrase(secret_of("x"), sink, 0); }) == ExitStatus::usage);
    CHECK(error_status([&] { AgeEncryptor::with_passphrase(secret_of("x"), sink, 23); }) == ExitStatus::usage);
    CHECK(sink.bytes().empty());
}

TEST_CASE("age: scrypt without the memory its work factor needs fails, saying how much, and writes nothing") {
    // As on a machine that cannot spare 4 GiB: the address space may grow by 1 GiB at most, so scrypt's
    // mmap of 2^22 KiB (work factor 22, r = 8) fails, and nothing else the test does comes near the limit.
    std::ifstream statm("/proc/self/statm");
    std::uint64_t pages = 0;
    REQUIRE(static_cast<bool>(statm >> pages));
    const std::uint64_t in_use = pages * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
    rlimit before{};
    REQUIRE(getrlimit(RLIMIT_AS, &before) == 0);
    rlimit lowered = before;
    lowered.rlim_cur = std::min<rlim_t>(before.rlim_cur, in_use + (rlim_t{1} << 30));
    REQUIRE(setrlimit(RLIMIT_AS, &lowered) == 0);
    StringSink sink;
    std::optional<dsr::Error> failure;
    try {
        AgeEncryptor::with_passphrase(secret_of("correct horse"), sink, 22);
    } catch (const dsr::Error& e) {
        failure = e;
    }
    REQUIRE(setrlimit(RLIMIT_AS, &before) == 0);
    REQUIRE(failure);
    CHECK(failure->status() == ExitStatus::failure);
    CHECK(std::string(failure->what()) == "scrypt failed (work factor 22 needs 4194304 KiB of memory)");
    CHECK(sink.bytes().empty());
}

TEST_CASE("age: finish is called once, and nothing is written after it") {
    StringSink sink;
    auto encryptor = AgeEncryptor::to_recipients({key_1_to_32}, sink);
    encryptor->write("abc");
    encryptor->finish();
    std::size_t written = sink.bytes().size();
    CHECK_THROWS_AS(encryptor->write("more"), dsr::Error);
    CHECK_THROWS_AS(encryptor->write(""), dsr::Error);
    CHECK_THROWS_AS(encryptor->finish(), dsr::Error);
    CHECK(sink.bytes().size() == written);
}

TEST_CASE("age: read_passphrase_file takes the first line") {
    TempDir dir;
    CHECK(text_of(read_passphrase_file(dir.write("lf", "secret\n"))) == "secret");
    CHECK(text_of(read_passphrase_file(dir.write("crlf", "secret\r\nsecond line\r\n"))) == "secret");
    CHECK(text_of(read_passphrase_file(dir.write("bare", "secret"))) == "secret");
    CHECK(text_of(read_passphrase_file(dir.write("spaces", " two words \n"))) == " two words ");
    CHECK(text_of(read_passphrase_file(dir.write("lone-cr", "secret\r"))) == "secret\r");  // only \r\n is a newline
    CHECK(text_of(read_passphrase_file(dir.write("longest", std::string(4096, 'x') + "\r\n"))).size() == 4096);
    CHECK(error_status([&] { read_passphrase_file(dir.write("too-long", std::string(4097, 'x'))); }) ==
          ExitStatus::usage);
    CHECK(error_status([&] { read_passphrase_file(dir.write("empty", "")); }) == ExitStatus::usage);
    CHECK(error_status([&] { read_passphrase_file(dir.write("empty-line", "\nsecret\n")); }) == ExitStatus::usage);
    CHECK(error_status([&] { read_passphrase_file(dir.write("empty-crlf", "\r\n")); }) == ExitStatus::usage);
    std::string missing = dir.file("missing");
    CHECK(error_status([&] { read_passphrase_file(missing); }) == ExitStatus::io);
    CHECK(error_status([&] { read_passphrase_file(dir.path().string()); }) == ExitStatus::io);  // a directory
    try {
        read_passphrase_file(missing);
    } catch (const dsr::Error& e) {
        CHECK(std::string(e.what()).starts_with(missing + ": "));
    }
}
