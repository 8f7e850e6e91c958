// Fuzzes the writers of `dsr export`: CSV records (export/csv.h), the zip
// archive they go in (export/zip_archive.h) and age encryption
// (crypto/age.h), each checked by reading its output back.
//
// The input is a list of operations, each a byte choosing what to do and
// the bytes it reads:
//  - CSV rows of values of every kind: the record append_csv_record writes
//    is the one csv_record writes of the csv_field texts, and an RFC 4180
//    reader gets those texts back (and numbers and BLOBs from them);
//  - zip entries with fuzzed names and contents: a name that unzip would
//    put outside its directory is refused, and so is one that is not UTF-8
//    (the archive flags every name as UTF-8); every entry added is read
//    back by libarchive with its name and bytes;
//  - a plaintext written in fuzzed pieces, crossing age's 64 KiB chunks,
//    encrypted to an X25519 recipient or a passphrase: the harness's own
//    age decrypter (the spec, not dsr's code) gets it back;
//  - a fuzzed "age1..." recipient: refused with a usage error or used.

#include <archive.h>
#include <archive_entry.h>
#include <sodium.h>

#include <array>
#include <charconv>
#include <clocale>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "crypto/age.h"
#include "crypto/secret.h"
#include "db/database.h"
#include "export/csv.h"
#include "export/zip_archive.h"
#include "fuzz_support.h"
#include "rectify/value_check.h"
#include "util/byte_sink.h"
#include "util/error.h"

namespace {

using namespace dsr;

struct StringSink : ByteSink {
    std::string bytes;
    void write(std::string_view b) override { bytes.append(b); }
};

// ---- CSV ----------------------------------------------------------------------

db::Value fuzzed_value(fuzz::Input& in) {
    switch (in.byte() % 5) {
        case 0: return std::monostate{};
        case 1: return static_cast<std::int64_t>(in.u64());
        case 2: {
            std::uint64_t bits = in.u64();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return d;
        }
        case 3: return std::string(in.text(40));
        default: {
            auto b = in.text(40);
            return db::Blob{std::vector<unsigned char>(b.begin(), b.end())};
        }
    }
}

/// RFC 4180 records back into fields; nullopt when the text is not CSV.
std::optional<std::vector<std::vector<std::string>>> read_csv(std::string_view text) {
    std::vector<std::vector<std::string>> records;
    std::size_t at = 0;
    while (at < text.size()) {
        std::vector<std::string> fields;
        if (text.substr(at, 2) == "\r\n") {  // an empty line: a record of no fields
            records.push_back(fields);
            at += 2;
            continue;
        }
        for (;;) {
            std::string field;
            if (at < text.size() && text[at] == '"') {
                ++at;
                for (;;) {
                    if (at >= text.size()) return std::nullopt;
                    if (text[at] == '"') {
                        if (at + 1 < text.size() && text[at + 1] == '"') {
                            field += '"';
                            at += 2;
                            continue;
                        }
                        ++at;
                        break;
                    }
                    field += text[at++];
                }
            } else {
                while (at < text.size() && text[at] != ',' && text[at] != '\r' && text[at] != '\n' && text[at] != '"')
                    field += text[at++];
            }
            fields.push_back(field);
            if (at < text.size() && text[at] == ',') {
                ++at;
                continue;
            }
            if (text.substr(at, 2) != "\r\n") return std::nullopt;
            at += 2;
            break;
        }
        records.push_back(fields);
    }
    return records;
}

void check_value_text(const db::Value& value, const std::string& text) {
    if (const auto* i = std::get_if<std::int64_t>(&value)) {
        std::int64_t back = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), back);
        FUZZ_CHECK(error == std::errc() && end == text.data() + text.size() && back == *i, "an integer that does not read back: " + text);
    } else if (const auto* d = std::get_if<double>(&value)) {
        double back = 0;
        auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), back);
        FUZZ_CHECK(error == std::errc() && end == text.data() + text.size(), "a real that does not read back: " + text);
        FUZZ_CHECK(std::isnan(*d) ? std::isnan(back) : std::memcmp(&back, d, sizeof back) == 0,
                   "a real that reads back as another: " + text);
    } else if (const auto* blob = std::get_if<db::Blob>(&value)) {
        std::vector<unsigned char> back(blob->bytes.size() + 3);
        std::size_t size = 0;
        FUZZ_CHECK(sodium_base642bin(back.data(), back.size(), text.data(), text.size(), nullptr, &size, nullptr,
                                     sodium_base64_VARIANT_ORIGINAL) == 0,
                   "a BLOB whose base64 does not decode: " + text);
        back.resize(size);
        FUZZ_CHECK(back == blob->bytes, "a BLOB that decodes to other bytes");
    }
}

void csv_rows(fuzz::Input& in) {
    std::string written;
    std::vector<std::vector<db::Value>> rows(in.byte() % 4 + 1);
    for (auto& row : rows) {
        row.resize(in.byte() % 6);
        for (auto& v : row) v = fuzzed_value(in);
        std::vector<std::string> texts;
        for (const auto& v : row) texts.push_back(exporting::csv_field(v));
        std::string record;
        exporting::append_csv_record(record, row);
        FUZZ_CHECK(record == exporting::csv_record(texts), "append_csv_record and csv_record disagree: " + record);
        written += record;
    }
    auto read = read_csv(written);
    FUZZ_CHECK(read, "the CSV written does not read as CSV: " + written);
    FUZZ_CHECK(read->size() == rows.size(), "CSV records lost or made up: " + written);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        FUZZ_CHECK((*read)[r].size() == rows[r].size(), "a CSV record with other fields: " + written);
        for (std::size_t f = 0; f < rows[r].size(); ++f) {
            FUZZ_CHECK((*read)[r][f] == exporting::csv_field(rows[r][f]), "a CSV field that reads back otherwise: " + written);
            check_value_text(rows[r][f], (*read)[r][f]);
        }
    }
}

// ---- zip ----------------------------------------------------------------------

struct Entry {
    std::string name;
    std::string bytes;
};

std::vector<Entry> read_zip(const std::string& zip) {
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    FUZZ_CHECK(archive_read_open_memory(a.get(), zip.data(), zip.size()) == ARCHIVE_OK, archive_error_string(a.get()));
    std::vector<Entry> entries;
    struct archive_entry* e = nullptr;
    int status;
    while ((status = archive_read_next_header(a.get(), &e)) == ARCHIVE_OK) {
        const char* name = archive_entry_pathname_utf8(e);
        FUZZ_CHECK(name, "a zip entry without a UTF-8 name");
        FUZZ_CHECK(archive_entry_filetype(e) == AE_IFREG, std::string("a zip entry that is not a file: ") + name);
        FUZZ_CHECK((archive_entry_perm(e) & 0777) == 0600, std::string("a zip entry not mode 0600: ") + name);
        Entry entry{name, {}};
        char buffer[8192];
        la_ssize_t n;
        while ((n = archive_read_data(a.get(), buffer, sizeof buffer)) > 0) entry.bytes.append(buffer, static_cast<std::size_t>(n));
        FUZZ_CHECK(n == 0, std::string("a zip entry that does not read: ") + archive_error_string(a.get()));
        entries.push_back(std::move(entry));
    }
    FUZZ_CHECK(status == ARCHIVE_EOF, std::string("a zip that does not read to its end: ") + archive_error_string(a.get()));
    return entries;
}

bool safe_name(const std::string& name) {
    if (name.empty() || name.front() == '/' || name.back() == '/' || name.find('\0') != std::string::npos ||
        name.find('\\') != std::string::npos || !rectify::is_valid_utf8(name))
        return false;
    for (std::size_t start = 0; start <= name.size();) {
        std::size_t end = std::min(name.find('/', start), name.size());
        if (name.compare(start, end - start, "..") == 0) return false;
        start = end + 1;
    }
    return true;
}

void zip_entries(fuzz::Input& in) {
    StringSink sink;
    std::vector<Entry> added;
    {
        exporting::ZipArchive zip(sink);
        const int count = in.byte() % 5;
        for (int i = 0; i < count; ++i) {
            Entry entry{std::string(in.text(24)), std::string(in.text(300))};
            std::size_t repeat = in.byte() % 4 == 0 ? in.below_or(300) : 1;  // past one 64 KiB piece now and then
            std::string bytes;
            for (std::size_t k = 0; k < repeat; ++k) bytes += entry.bytes;
            entry.bytes = bytes;
            try {
                zip.add_bytes(entry.name, entry.bytes, 1700000000);
            } catch (const Error& e) {
                // Refused names are the only failure a memory sink can meet,
                // save a name libarchive cannot write as UTF-8 (io).
                FUZZ_CHECK(!safe_name(entry.name) || e.status() == ExitStatus::io, e.what());
                FUZZ_CHECK(e.status() == ExitStatus::failure || e.status() == ExitStatus::io, e.what());
                bool refused_again = false;
                try {
                    zip.finish();
                } catch (const Error&) {
                    refused_again = true;
                }
                FUZZ_CHECK(refused_again, "an archive finished after a failed entry");
                return;
            }
            FUZZ_CHECK(safe_name(entry.name), "an unsafe entry name was written: " + entry.name);
            added.push_back(std::move(entry));
        }
        zip.finish();
    }
    auto back = read_zip(sink.bytes);
    FUZZ_CHECK(back.size() == added.size(), "zip entries lost or made up");
    for (std::size_t i = 0; i < back.size(); ++i) {
        FUZZ_CHECK(back[i].name == added[i].name, "a zip entry named otherwise: " + back[i].name);
        FUZZ_CHECK(back[i].bytes == added[i].bytes, "a zip entry holding other bytes: " + back[i].name);
    }
}

// ---- age ----------------------------------------------------------------------

using Key = std::array<unsigned char, 32>;

std::string_view view(const unsigned char* p, std::size_t n) { return {reinterpret_cast<const char*>(p), n}; }

std::string hmac(std::string_view key, std::string_view message) {
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
    unsigned char out[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_final(&state, out);
    return std::string(view(out, sizeof out));
}

/// HKDF-SHA256 (RFC 5869) of 32 bytes: one block of expansion.
std::string hkdf32(std::string_view ikm, std::string_view salt, std::string_view info) {
    std::string prk = hmac(salt, ikm);
    return hmac(prk, std::string(info) + '\x01');
}

std::optional<std::string> unbase64(std::string_view text) {
    std::string out(text.size(), '\0');
    std::size_t size = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &size,
                          &end, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(size);
    return out;
}

std::string bech32_age(const Key& key) {
    static constexpr std::string_view charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    std::vector<std::uint8_t> values;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char b : key) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 5) values.push_back(static_cast<std::uint8_t>((acc >> (bits -= 5)) & 31));
    }
    if (bits > 0) values.push_back(static_cast<std::uint8_t>((acc << (5 - bits)) & 31));
    auto polymod = [](const std::vector<std::uint8_t>& v) {
        static constexpr std::uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
        std::uint32_t chk = 1;
        for (auto x : v) {
            std::uint32_t top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ x;
            for (int i = 0; i < 5; ++i)
                if ((top >> i) & 1) chk ^= gen[i];
        }
        return chk;
    };
    std::vector<std::uint8_t> check = {3, 3, 3, 0, 1, 7, 5};  // "age" expanded: high bits, 0, low bits
    check.insert(check.end(), values.begin(), values.end());
    check.insert(check.end(), 6, 0);
    std::uint32_t mod = polymod(check) ^ 1;
    std::string out = "age1";
    for (auto v : values) out += charset[v];
    for (int i = 0; i < 6; ++i) out += charset[(mod >> (5 * (5 - i))) & 31];
    return out;
}

struct Identity {
    Key secret{};
    Key public_key{};
    std::string recipient;
    Identity() {
        for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<unsigned char>(7 * i + 1);
        crypto_scalarmult_base(public_key.data(), secret.data());
        recipient = bech32_age(public_key);
    }
};

const Identity& identity() {
    static const Identity id;
    return id;
}

/// age v1 decryption as the spec (age-encryption.org/v1) describes it, with
/// the X25519 identity above or a passphrase; nullopt for anything it rejects.
std::optional<std::string> age_decrypt(const std::string& file, std::string_view passphrase) {
    constexpr std::string_view intro = "age-encryption.org/v1\n";
    if (!file.starts_with(intro)) return std::nullopt;
    std::size_t at = intro.size();
    auto line = [&]() -> std::optional<std::string_view> {
        auto nl = file.find('\n', at);
        if (nl == std::string::npos) return std::nullopt;
        std::string_view l(file.data() + at, nl - at);
        at = nl + 1;
        return l;
    };
    std::optional<std::string> file_key;
    for (;;) {
        std::size_t line_start = at;
        auto l = line();
        if (!l) return std::nullopt;
        if (l->starts_with("---")) {
            at = line_start;
            break;
        }
        if (!l->starts_with("-> ")) return std::nullopt;
        std::string args(l->substr(3));
        std::string body64;
        for (;;) {  // body lines of 64 columns, the last shorter
            auto b = line();
            if (!b || b->size() > 64) return std::nullopt;
            body64 += *b;
            if (b->size() < 64) break;
        }
        auto body = unbase64(body64);
        if (!body || body->size() != 32) return std::nullopt;
        std::string wrap_key;
        if (args.starts_with("X25519 ")) {
            auto share = unbase64(args.substr(7));
            if (!share || share->size() != 32) return std::nullopt;
            unsigned char shared[32];
            if (crypto_scalarmult(shared, identity().secret.data(), reinterpret_cast<const unsigned char*>(share->data())) != 0)
                return std::nullopt;
            wrap_key = hkdf32(view(shared, 32), *share + std::string(view(identity().public_key.data(), 32)),
                              "age-encryption.org/v1/X25519");
        } else if (args.starts_with("scrypt ")) {
            auto space = args.find(' ', 7);
            if (space == std::string::npos) return std::nullopt;
            auto salt = unbase64(std::string_view(args).substr(7, space - 7));
            int work = std::atoi(args.c_str() + space + 1);
            if (!salt || salt->size() != 16 || work < 1 || work > 22 || passphrase.empty()) return std::nullopt;
            std::string labelled = "age-encryption.org/v1/scrypt" + *salt;
            wrap_key.assign(32, '\0');
            if (crypto_pwhash_scryptsalsa208sha256_ll(reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size(),
                                                      reinterpret_cast<const std::uint8_t*>(labelled.data()), labelled.size(),
                                                      std::uint64_t{1} << work, 8, 1,
                                                      reinterpret_cast<std::uint8_t*>(wrap_key.data()), 32) != 0)
                return std::nullopt;
        } else {
            continue;
        }
        unsigned char key[16];
        unsigned long long key_size = 0;
        unsigned char zero_nonce[12] = {};
        if (crypto_aead_chacha20poly1305_ietf_decrypt(key, &key_size, nullptr, reinterpret_cast<const unsigned char*>(body->data()),
                                                      body->size(), nullptr, 0, zero_nonce,
                                                      reinterpret_cast<const unsigned char*>(wrap_key.data())) == 0)
            file_key = std::string(view(key, 16));
    }
    if (!file_key) return std::nullopt;
    auto mac_line = line();
    if (!mac_line || !mac_line->starts_with("--- ")) return std::nullopt;
    std::string_view covered(file.data(), at - mac_line->size() - 1 + 3);  // up to and including "---"
    auto mac = unbase64(mac_line->substr(4));
    if (!mac || *mac != hmac(hkdf32(*file_key, "", "header"), covered)) return std::nullopt;
    if (file.size() - at < 16) return std::nullopt;
    std::string payload_key = hkdf32(*file_key, file.substr(at, 16), "payload");
    at += 16;
    constexpr std::size_t sealed_chunk = 64 * 1024 + 16;
    std::string plaintext;
    for (unsigned long long counter = 0;; ++counter) {
        std::size_t n = std::min(sealed_chunk, file.size() - at);
        bool last = at + n == file.size();
        if (n < 16) return std::nullopt;
        std::array<unsigned char, 12> nonce{};
        for (int i = 0; i < 8; ++i) nonce[10 - i] = static_cast<unsigned char>(counter >> (8 * i));
        nonce[11] = last ? 1 : 0;
        std::string chunk(n - 16, '\0');
        unsigned long long size = 0;
        if (crypto_aead_chacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(chunk.data()), &size, nullptr,
                                                      reinterpret_cast<const unsigned char*>(file.data() + at), n, nullptr, 0,
                                                      nonce.data(),
                                                      reinterpret_cast<const unsigned char*>(payload_key.data())) != 0)
            return std::nullopt;
        // The spec: only the first chunk of an empty plaintext may be empty.
        if (chunk.empty() && counter > 0) return std::nullopt;
        plaintext += chunk;
        at += n;
        if (last) return plaintext;
    }
}

void age_roundtrip(fuzz::Input& in) {
    const bool with_passphrase = in.byte() % 4 == 0;
    std::string passphrase(in.text(16));
    StringSink sink;
    std::unique_ptr<crypto::AgeEncryptor> age;
    if (with_passphrase) {
        crypto::SecretBytes secret(passphrase.size());
        if (!passphrase.empty()) std::memcpy(secret.data(), passphrase.data(), passphrase.size());
        const int work = 1 + in.byte() % 2;  // scrypt at its cheapest: the harness tests framing, not scrypt
        try {
            age = crypto::AgeEncryptor::with_passphrase(secret, sink, work);
        } catch (const Error& e) {
            FUZZ_CHECK(passphrase.empty() && e.status() == ExitStatus::usage, e.what());
            return;
        }
    } else {
        age = crypto::AgeEncryptor::to_recipients({identity().recipient}, sink);
    }
    std::string plaintext;
    const int pieces = in.byte() % 8;
    for (int i = 0; i < pieces && plaintext.size() < 300 * 1024; ++i) {
        std::string piece(in.text(200));
        std::size_t repeat = in.byte() % 3 == 0 ? 1 + in.below_or(1500) : 1;
        for (std::size_t k = 0; k < repeat; ++k) {
            age->write(piece);
            plaintext += piece;
        }
    }
    age->finish();
    auto back = age_decrypt(sink.bytes, with_passphrase ? std::string_view(passphrase) : std::string_view());
    FUZZ_CHECK(back, "an age file the spec's decryption refuses");
    FUZZ_CHECK(*back == plaintext, "an age file that decrypts to other bytes");
}

void age_recipient(fuzz::Input& in) {
    std::string recipient(in.text(80));
    StringSink sink;
    try {
        auto age = crypto::AgeEncryptor::to_recipients({recipient}, sink);
        age->finish();
    } catch (const Error& e) {
        FUZZ_CHECK(e.status() == ExitStatus::usage, e.what());
        FUZZ_CHECK(recipient != identity().recipient, "a valid recipient refused");
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // libarchive converts entry names to the locale's charset when it reads
    // them: in the C locale every name outside ASCII would fail to.
    std::setlocale(LC_ALL, "C.UTF-8");
    if (sodium_init() < 0) std::abort();
    identity();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Input in(data, size);
    for (int op = 0; op < 4 && !in.empty(); ++op) {
        switch (in.byte() % 4) {
            case 0: csv_rows(in); break;
            case 1: zip_entries(in); break;
            case 2: age_roundtrip(in); break;
            default: age_recipient(in); break;
        }
    }
    return 0;
}
