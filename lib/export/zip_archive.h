#pragma once
// The zip archive of `dsr export --format csv`, written with libarchive as a
// stream: each entry's bytes go to the sink as they are compressed, so an
// export of any size needs no more memory than one small one. libarchive is
// loaded (dlopen) by the first archive, not linked: zip_archive.cpp says why.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/byte_sink.h"

struct archive;

namespace dsr::exporting {

/// Writes a zip archive (libarchive) to `out` as entries are added; memory does not grow with entry size.
/// Entries are deflated regular files, mode 0600, owner 0:0, names in UTF-8 (flagged as such).
///
/// Failures throw dsr::Error (io), "export archive: ..."; a libarchive.so.13
/// that cannot be loaded, dsr::Error (failure). An exception from
/// `out` is rethrown as it was thrown. After any failure the archive is
/// unusable: every later call throws again, rather than carrying on and
/// producing an archive with a truncated entry. `out` is never written to
/// again once it has thrown.
class ZipArchive {
public:
    explicit ZipArchive(ByteSink& out);
    ~ZipArchive();  // frees libarchive state; does not finish a half-written archive
    ZipArchive(const ZipArchive&) = delete;
    ZipArchive& operator=(const ZipArchive&) = delete;

    /// Adds an entry whose bytes are in the file at `source_path` (copied in 64 KiB pieces), mode 0600, mtime
    /// `mtime` (Unix seconds). The file must not change meanwhile: a size other than the one stat() gave at the
    /// start is an error.
    void add_file(const std::string& name, const std::string& source_path, std::int64_t mtime);
    /// Adds a small entry from memory.
    void add_bytes(const std::string& name, std::string_view bytes, std::int64_t mtime);
    /// Writes the central directory. Call once.
    void finish();

private:
    class Output;  // libarchive's write callback in front of `out`
    /// Frees the libarchive state; `output` drops what libarchive writes meanwhile.
    struct Release {
        Output* output;
        void operator()(struct archive* archive) const;
    };

    enum class State { open, broken, finished };

    void configure();
    void start_operation();
    void begin_entry(const std::string& name, std::int64_t size, std::int64_t mtime);
    void write_data(std::string_view bytes);
    void end_entry();
    void check(int status);

    std::unique_ptr<Output> output_;
    std::unique_ptr<struct archive, Release> archive_;
    State state_ = State::open;
};

}  // namespace dsr::exporting
