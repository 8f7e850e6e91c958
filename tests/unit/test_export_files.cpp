// Tests for lib/export/csv.h and lib/export/zip_archive.h, the pieces of
// `dsr export --format csv`: CSV as RFC 4180 readers (Python's csv module)
// parse it back, and zip archives that libarchive and Python's zipfile both
// read back byte for byte, including when the output fails part-way.

#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "export/csv.h"
#include "export/zip_archive.h"
#include "command_helpers.h"
#include "temp_dir.h"
#include "util/error.h"

namespace {

using namespace dsr::exporting;
using dsr::ExitStatus;
using dsr::db::Blob;
using dsr::db::Value;
using dsr::test::TempDir;
using dsr::test::output_of;
using dsr::test::random_bytes;
using dsr::test::read_file;
using dsr::test::shell_quoted;

Blob blob_of(std::string_view bytes) { return Blob{std::vector<unsigned char>(bytes.begin(), bytes.end())}; }

/// Appends to a file, counting bytes and remembering the largest single write.
class FileSink : public dsr::ByteSink {
public:
    explicit FileSink(const std::string& path) : out_(path, std::ios::binary) {}
    void write(std::string_view bytes) override {
        out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out_.flush();
        if (!out_) throw dsr::Error(ExitStatus::io, "test sink: cannot write");
        total += bytes.size();
        largest_write = std::max(largest_write, bytes.size());
    }
    std::size_t total = 0;
    std::size_t largest_write = 0;

private:
    std::ofstream out_;
};

/// Accepts `limit` bytes, then throws as a full disk would; counts what it is offered afterwards.
class FailingSink : public dsr::ByteSink {
public:
    explicit FailingSink(std::size_t limit) : limit_(limit) {}
    void write(std::string_view bytes) override {
        if (failed) {
            ++writes_after_failure;
            return;
        }
        if (accepted + bytes.size() > limit_) {
            failed = true;
            throw dsr::Error(ExitStatus::io, "test sink: disk full");
        }
        accepted += bytes.size();
    }
    std::size_t accepted = 0;
    bool failed = false;
    int writes_after_failure = 0;

private:
    std::size_t limit_;
};

/// The entries of a zip as libarchive's reader sees them.
struct ReadEntry {
    std::string bytes;
    int perm = 0;
    std::int64_t mtime = 0;
};

/// libarchive's reader converts names to the locale's charset, and the tests run in the C locale, which has no 王.
class Utf8Locale {
public:
    Utf8Locale() : previous_(std::setlocale(LC_CTYPE, nullptr)) { REQUIRE(std::setlocale(LC_CTYPE, "C.UTF-8")); }
    ~Utf8Locale() { std::setlocale(LC_CTYPE, previous_.c_str()); }

private:
    std::string previous_;
};

std::map<std::string, ReadEntry> read_with_libarchive(const std::string& path) {
    Utf8Locale locale;
    std::map<std::string, ReadEntry> entries;
    struct archive* reader = archive_read_new();
    archive_read_support_format_zip(reader);
    REQUIRE(archive_read_open_filename(reader, path.c_str(), 10240) == ARCHIVE_OK);
    struct archive_entry* entry = nullptr;
    int status = ARCHIVE_OK;
    while ((status = archive_read_next_header(reader, &entry)) == ARCHIVE_OK) {
        const char* name = archive_entry_pathname_utf8(entry);
        REQUIRE(name != nullptr);
        ReadEntry& read = entries[name];
        read.perm = archive_entry_perm(entry);
        read.mtime = archive_entry_mtime(entry);
        char buffer[65536];
        la_ssize_t n = 0;
        while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0) read.bytes.append(buffer, std::size_t(n));
        CHECK(n == 0);
    }
    CHECK(status == ARCHIVE_EOF);
    archive_read_free(reader);
    return entries;
}

/// The entries of a zip as Python's zipfile sees them (after testzip(), which checks every CRC).
std::map<std::string, std::string> read_with_python(const std::string& path, const TempDir& dir) {
    std::string script =
        "import json, sys, zipfile\n"
        "z = zipfile.ZipFile(sys.argv[1])\n"
        "assert z.testzip() is None\n"
        "names = []\n"
        "for i, info in enumerate(z.infolist()):\n"
        "    open(sys.argv[2] + '/' + str(i), 'wb').write(z.read(info))\n"
        "    names.append(info.filename)\n"
        "print(json.dumps(names))\n";
    std::string script_path = dir.write("read_zip.py", script);
    std::string out_dir = dir.file("python");
    std::filesystem::create_directory(out_dir);
    auto names = nlohmann::json::parse(output_of("python3 " + shell_quoted(script_path) + " " + shell_quoted(path) +
                                                 " " + shell_quoted(out_dir)));
    std::map<std::string, std::string> entries;
    for (std::size_t i = 0; i < names.size(); ++i)
        entries[names[i].get<std::string>()] = read_file(dir.file("python/" + std::to_string(i)));
    return entries;
}

constexpr std::int64_t mtime = 1'700'000'000;  // 2023-11-14T22:13:20Z

}  // namespace

TEST_CASE("CSV record quoting (RFC 4180)") {
    CHECK(csv_record({"a", "b", "c"}) == "a,b,c\r\n");
    CHECK(csv_record({"a,b"}) == "\"a,b\"\r\n");
    CHECK(csv_record({"say \"hi\""}) == "\"say \"\"hi\"\"\"\r\n");
    CHECK(csv_record({"\""}) == "\"\"\"\"\r\n");
    CHECK(csv_record({"line\rbreak", "x"}) == "\"line\rbreak\",x\r\n");
    CHECK(csv_record({"line\nbreak", "x"}) == "\"line\nbreak\",x\r\n");
    CHECK(csv_record({"12 High St\r\nFlat 3", "x"}) == "\"12 High St\r\nFlat 3\",x\r\n");
    CHECK(csv_record({" leading", "trailing ", "in side"}) == "\" leading\",\"trailing \",in side\r\n");
    CHECK(csv_record({"", "", ""}) == ",,\r\n");
    CHECK(csv_record({"a", ""}) == "a,\r\n");
    SUBCASE("a lone empty field is not an empty line") { CHECK(csv_record({""}) == "\"\"\r\n"); }
    SUBCASE("UTF-8 is left untouched") {
        CHECK(csv_record({"Nguyễn Thị Minh Khai", "王秀英", "Zoë"}) == "Nguyễn Thị Minh Khai,王秀英,Zoë\r\n");
        CHECK(csv_record({"王秀英, 北京"}) == "\"王秀英, 北京\"\r\n");
    }
    SUBCASE("tabs and semicolons need no quotes") { CHECK(csv_record({"a\tb", "c;d"}) == "a\tb,c;d\r\n"); }
}

TEST_CASE("CSV: fields a spreadsheet would run as formulas") {
    SUBCASE("what reads as a formula") {
        for (const char* formula : {"=1+1", "=HYPERLINK(\"http://x.test\",\"y\")", "@SUM(A1)", "+cmd|' /C calc'!A0",
                                    "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "+abc/def=", "-x"})
            CHECK_MESSAGE(reads_as_formula(formula), formula);
        for (const char* plain : {"", "ana@example.com", "+44 20 7946 0958", "+1 (555) 010-0100", "-12.5", "-", "a=b",
                                  " =1+1", "1+1"})
            CHECK_MESSAGE(!reads_as_formula(plain), plain);
    }
    SUBCASE("neutralised: an apostrophe first, then quoted as any field") {
        CHECK(csv_record({"=1+1", "@x", "ana@example.com"}, Formulas::neutralised) == "'=1+1,'@x,ana@example.com\r\n");
        CHECK(csv_record({"=SUM(A1,A2)"}, Formulas::neutralised) == "\"'=SUM(A1,A2)\"\r\n");
        CHECK(csv_record({"+44 20 7946 0958", "-1"}, Formulas::neutralised) == "+44 20 7946 0958,-1\r\n");
        std::string line;
        append_csv_record(line, {Value{std::string("=1+1")}, Value{std::int64_t{-5}}, Value{Blob{{0xfb, 0xef}}}},
                          Formulas::neutralised);
        CHECK(line == "'=1+1,-5,'++8=\r\n");  // base64 of fb ef is "++8="
    }
    SUBCASE("verbatim, the default: the portable copy keeps the data exactly") {
        CHECK(csv_record({"=1+1", "@x"}) == "=1+1,@x\r\n");
        std::string line;
        append_csv_record(line, {Value{std::string("=1+1")}});
        CHECK(line == "=1+1\r\n");
    }
}

TEST_CASE("CSV records read back by Python's csv module") {
    TempDir dir;
    std::vector<std::vector<std::string>> records = {
        {"id", "name", "note"},
        {"1", "Nguyễn Thị Minh Khai", "plain"},
        {"2", "王秀英", "comma, inside"},
        {"3", "O\"Brien", "quote \"inside\""},
        {"4", " padded ", "cr\ronly"},
        {"5", "", "lf\nonly and crlf\r\nboth"},
        {""},
        {"", "", ""},
    };
    std::string csv;
    for (const auto& record : records) csv += csv_record(record);
    std::string path = dir.write("records.csv", csv);
    std::string parsed = output_of(
        "python3 -c 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline=\"\", "
        "encoding=\"utf-8\")))))' " +
        shell_quoted(path));
    CHECK(nlohmann::json::parse(parsed) == nlohmann::json(records));
}

TEST_CASE("CSV field from each database value") {
    CHECK(csv_field(Value{}) == "");
    CHECK(csv_field(Value{std::string()}) == "");  // the same as NULL: CSV cannot tell them apart
    CHECK(csv_field(Value{std::int64_t{0}}) == "0");
    CHECK(csv_field(Value{std::int64_t{-42}}) == "-42");
    CHECK(csv_field(Value{std::numeric_limits<std::int64_t>::min()}) == "-9223372036854775808");
    CHECK(csv_field(Value{std::numeric_limits<std::int64_t>::max()}) == "9223372036854775807");
    CHECK(csv_field(Value{std::string("Nguyễn Thị Minh Khai")}) == "Nguyễn Thị Minh Khai");
    CHECK(csv_field(Value{std::string("a,\"b\"\r\n")}) == "a,\"b\"\r\n");  // quoting is csv_record's job

    SUBCASE("reals: shortest text that reads back exactly") {
        CHECK(csv_field(Value{0.1}) == "0.1");
        CHECK(csv_field(Value{-0.0}) == "-0");
        CHECK(csv_field(Value{1e300}) == "1e+300");
        CHECK(csv_field(Value{2.5}) == "2.5");
        CHECK(csv_field(Value{100.0}) == "100");
        for (double x : {1.0 / 3.0, 5e-324, std::numeric_limits<double>::max(), 123456.789, -0.000123}) {
            std::string text = csv_field(Value{x});
            CHECK(std::strtod(text.c_str(), nullptr) == x);
        }
        CHECK(csv_field(Value{std::numeric_limits<double>::infinity()}) == "inf");
        CHECK(csv_field(Value{-std::numeric_limits<double>::infinity()}) == "-inf");
        CHECK(csv_field(Value{std::nan("")}) == "nan");
    }

    SUBCASE("BLOBs: standard base64 with padding") {
        CHECK(csv_field(Value{Blob{}}) == "");
        CHECK(csv_field(Value{blob_of("M")}) == "TQ==");
        CHECK(csv_field(Value{blob_of("Ma")}) == "TWE=");
        CHECK(csv_field(Value{blob_of("Man")}) == "TWFu");
        CHECK(csv_field(Value{Blob{{0x00, 0xff, 0x10}}}) == "AP8Q");
        CHECK(csv_field(Value{Blob{{0xfb, 0xff}}}) == "+/8=");  // the standard alphabet, not the URL-safe one
    }
}

TEST_CASE("append_csv_record writes what csv_record writes of the csv_field texts") {
    const std::vector<std::vector<Value>> records = {
        {},
        {Value{}},
        {Value{std::string()}},
        {Value{Blob{}}},
        {Value{std::int64_t{0}}},
        {Value{0.0}},
        {Value{-2.5e-308}},
        {Value{blob_of("Ma")}},
        {Value{Blob{{0xfb, 0xff}}}},
        {Value{std::string(" edge")}},
        {Value{}, Value{}},
        {Value{std::string()}, Value{Blob{}}, Value{}},
        {Value{std::int64_t{-42}}, Value{1e300}, Value{std::string("a,\"b\"\r\n")}, Value{blob_of("Man")},
         Value{std::string("Nguyễn Thị Minh Khai")}, Value{}},
    };
    for (const auto& values : records) {
        std::vector<std::string> fields;
        for (const auto& v : values) fields.push_back(csv_field(v));
        std::string out = "before|";
        append_csv_record(out, values);
        CAPTURE(out);
        CHECK(out == "before|" + csv_record(fields));
    }
    std::string lone_empty;
    append_csv_record(lone_empty, {Value{Blob{}}});
    CHECK(lone_empty == "\"\"\r\n");  // not an empty line, which readers skip
}

TEST_CASE("zip archive: libarchive and Python read back every entry exactly") {
    TempDir dir;
    std::vector<std::pair<std::string, std::string>> entries = {
        {"customers.csv", random_bytes(3 * 1024 * 1024 + 12345, 7)},  // not a multiple of any block size
        {"manifest.json", "{\"subject\": \"Nguyễn Thị Minh Khai\"}\n"},
        {"王秀英/orders.csv", std::string(200000, 'x')},  // compressible, and a UTF-8 name
        {"empty.csv", ""},
    };
    std::string path = dir.file("export.zip");
    {
        FileSink sink(path);
        ZipArchive zip(sink);
        zip.add_file(entries[0].first, dir.write("spooled", entries[0].second), mtime);
        // Streamed, not held until finish: at most libarchive's buffers (64 KiB + one 10 KiB block) are pending.
        CHECK(sink.total + 80 * 1024 > entries[0].second.size());
        for (std::size_t i = 1; i < entries.size(); ++i) zip.add_bytes(entries[i].first, entries[i].second, mtime);
        zip.finish();
        CHECK(sink.largest_write <= 64 * 1024);
    }
    std::string archive = read_file(path);
    REQUIRE(archive.size() > 22);
    // No padding after the end-of-central-directory record (22 bytes, no comment).
    CHECK(archive.substr(archive.size() - 22, 4) == std::string("PK\x05\x06", 4));

    std::map<std::string, std::string> expected(entries.begin(), entries.end());
    auto read = read_with_libarchive(path);
    REQUIRE(read.size() == expected.size());
    for (const auto& entry : expected) {
        // (named references, not a structured binding: clang 14 cannot capture those)
        const auto& name = entry.first;
        const auto& bytes = entry.second;
        INFO("entry " << name);
        REQUIRE(read.count(name) == 1);
        CHECK(read[name].bytes == bytes);
        CHECK(read[name].perm == 0600);
        CHECK(read[name].mtime == mtime);
    }
    CHECK(read_with_python(path, dir) == expected);
}

TEST_CASE("zip archive: a failing sink makes the call throw its error, once and for all") {
    TempDir dir;
    std::string file_bytes = random_bytes(1024 * 1024, 11);
    std::string memory_bytes = random_bytes(100000, 12);  // incompressible: several blocks reach the sink
    std::string spooled = dir.write("spooled", file_bytes);
    auto write_all = [&](ZipArchive& zip, std::string& call) {
        call = "add_file";
        zip.add_file("customers.csv", spooled, mtime);
        call = "add_bytes";
        zip.add_bytes("orders.csv", memory_bytes, mtime);
        call = "finish";
        zip.finish();
    };

    // Where each call's bytes end in the sink, from a run that does not fail.
    std::size_t after_file = 0, after_bytes = 0, total = 0;
    {
        FileSink sink(dir.file("whole.zip"));
        ZipArchive zip(sink);
        zip.add_file("customers.csv", spooled, mtime);
        after_file = sink.total;
        zip.add_bytes("orders.csv", memory_bytes, mtime);
        after_bytes = sink.total;
        zip.finish();
        total = sink.total;
    }
    REQUIRE(after_file < after_bytes);
    REQUIRE(after_bytes < total);

    std::vector<std::pair<std::size_t, std::string>> cases = {
        {0, "add_file"},          {10, "add_file"},       {10240, "add_file"},    {after_file / 2, "add_file"},
        {after_file, "add_bytes"}, {after_bytes, "finish"}, {total - 1, "finish"},
    };
    for (const auto& one_case : cases) {
        // (named references, not a structured binding: clang 14 cannot capture those)
        const auto& limit = one_case.first;
        const auto& expected_call = one_case.second;
        INFO("sink fails after " << limit << " of " << total << " bytes");
        FailingSink sink(limit);
        ZipArchive zip(sink);
        std::string call;
        try {
            write_all(zip, call);
            FAIL("no exception");
        } catch (const dsr::Error& e) {
            CHECK(e.status() == ExitStatus::io);
            CHECK(std::string(e.what()) == "test sink: disk full");
        }
        CHECK(call == expected_call);
        CHECK(sink.failed);
        CHECK(sink.accepted <= limit);
        CHECK_THROWS_WITH_AS(zip.add_bytes("more.csv", "x", mtime), "test sink: disk full", dsr::Error);
        CHECK_THROWS_WITH_AS(zip.finish(), "test sink: disk full", dsr::Error);
        CHECK(sink.writes_after_failure == 0);
    }
}

TEST_CASE("zip archive: an unfinished archive gets no central directory") {
    TempDir dir;
    std::string path = dir.file("unfinished.zip");
    std::size_t before = 0;
    {
        FileSink sink(path);
        ZipArchive zip(sink);
        zip.add_bytes("a.csv", std::string(50000, 'a'), mtime);
        before = sink.total;
    }
    CHECK(read_file(path).size() == before);
}

TEST_CASE("zip archive: refusals") {
    TempDir dir;
    FileSink sink(dir.file("refusals.zip"));
    SUBCASE("a missing source file") {
        ZipArchive zip(sink);
        try {
            zip.add_file("a.csv", dir.file("missing"), mtime);
            FAIL("no exception");
        } catch (const dsr::Error& e) {
            CHECK(e.status() == ExitStatus::io);
            CHECK(std::string(e.what()).find("export archive: ") == 0);
        }
    }
    SUBCASE("names that would extract outside the target directory, or as a directory") {
        for (std::string name : {"", "/etc/passwd", "../x.csv", "a/../../x.csv", "..", "a\\b.csv", "x.csv/", "4////"}) {
            ZipArchive zip(sink);
            CHECK_THROWS_AS(zip.add_bytes(name, "x", mtime), dsr::Error);
        }
        ZipArchive zip(sink);
        CHECK_NOTHROW(zip.add_bytes("a..b/c.csv", "x", mtime));
    }
    SUBCASE("finish twice") {
        ZipArchive zip(sink);
        zip.finish();
        CHECK_THROWS_AS(zip.finish(), dsr::Error);
        CHECK_THROWS_AS(zip.add_bytes("late.csv", "x", mtime), dsr::Error);
    }
}

namespace {

/// Rewrites the file being archived the first time the archive's output reaches it: the entry's stated
/// size was taken before, so the file has changed while it was being archived.
class ChangingSink : public dsr::ByteSink {
public:
    ChangingSink(std::string path, std::function<void(const std::string&)> change)
        : path_(std::move(path)), change_(std::move(change)) {}
    void write(std::string_view bytes) override {
        if (!changed) change_(path_);
        changed = true;
        total += bytes.size();
    }
    bool changed = false;
    std::size_t total = 0;

private:
    std::string path_;
    std::function<void(const std::string&)> change_;
};

std::string archive_error(ZipArchive& zip, const std::string& source) {
    try {
        zip.add_file("customers.csv", source, mtime);
    } catch (const dsr::Error& e) {
        CHECK(e.status() == ExitStatus::io);
        return e.what();
    }
    return "no exception";
}

}  // namespace

TEST_CASE("zip archive: a file that changes size while it is archived is refused, and the archive stays broken") {
    TempDir dir;
    // Incompressible and many pieces long, so compressed bytes reach the sink before the file has been read.
    const std::string content = random_bytes(1024 * 1024, 12);
    SUBCASE("shrinks") {
        std::string source = dir.write("shrinking.csv", content);
        ChangingSink sink(source, [](const std::string& path) { std::filesystem::resize_file(path, 100); });
        ZipArchive zip(sink);
        CHECK(archive_error(zip, source) == "export archive: " + source + ": shrank while it was being archived");
        CHECK(sink.changed);
        CHECK_THROWS_AS(zip.finish(), dsr::Error);
    }
    SUBCASE("grows") {
        std::string source = dir.write("growing.csv", content);
        ChangingSink sink(source, [](const std::string& path) { std::ofstream(path, std::ios::app) << "more"; });
        ZipArchive zip(sink);
        CHECK(archive_error(zip, source) == "export archive: " + source + ": grew while it was being archived");
        CHECK(sink.changed);
        CHECK_THROWS_AS(zip.add_bytes("late.csv", "x", mtime), dsr::Error);
    }
    SUBCASE("unchanged: archived whole") {
        std::string source = dir.write("steady.csv", content);
        ChangingSink sink(source, [](const std::string&) {});
        ZipArchive zip(sink);
        CHECK(archive_error(zip, source) == "no exception");
        zip.finish();
        CHECK(sink.total > content.size());
    }
}

TEST_CASE("zip archive: a read error of the source file names the file and the error") {
    // Linux's /proc/self/mem says it is an empty regular file, and reading it where
    // nothing is mapped (its offset 0) fails with EIO, as a failing disk would.
    const std::string source = "/proc/self/mem";
    FailingSink sink(std::size_t{1} << 30);
    ZipArchive zip(sink);
    CHECK(archive_error(zip, source) == "export archive: " + source + ": cannot read: " + std::strerror(EIO));
    CHECK_THROWS_AS(zip.finish(), dsr::Error);
}
