#include "export/zip_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>

#include "rectify/value_check.h"
#include "util/error.h"
#include "util/shared_library.h"

namespace dsr::exporting {

namespace {

constexpr std::size_t piece_size = 64 * 1024;

// libarchive is loaded when the first archive is made, not linked: it links
// sixteen libraries (libxml2, ICU, zstd, nettle, ...) that every dsr command
// paid for at start, about 10 ms of a 30 ms `dsr --help`, while only
// `export --format csv` writes an archive. Its soname has been .so.13 since
// libarchive 3.0 (2011); the prototypes are checked against its headers.
static_assert(ARCHIVE_VERSION_NUMBER >= 3000000 && ARCHIVE_VERSION_NUMBER < 4000000,
              "libarchive 3 is loaded as libarchive.so.13");
constexpr const char* libarchive_soname = "libarchive.so.13";

// One list, so that each function's pointer and its lookup cannot drift apart.
#define DSR_LIBARCHIVE_FUNCTIONS(X)                                                                         \
    X(archive_write_new) X(archive_write_free) X(archive_error_string) X(archive_write_set_format_zip)      \
    X(archive_write_zip_set_compression_deflate) X(archive_write_set_format_option)                         \
    X(archive_write_set_bytes_in_last_block) X(archive_write_open2) X(archive_write_close)                  \
    X(archive_write_header) X(archive_write_data) X(archive_write_finish_entry) X(archive_entry_new)         \
    X(archive_entry_free) X(archive_entry_set_pathname_utf8) X(archive_entry_set_filetype)                  \
    X(archive_entry_set_perm) X(archive_entry_set_size) X(archive_entry_set_mtime)

struct Libarchive {
#define DSR_LIBARCHIVE_POINTER(name) decltype(&::name) name = nullptr;
    DSR_LIBARCHIVE_FUNCTIONS(DSR_LIBARCHIVE_POINTER)
#undef DSR_LIBARCHIVE_POINTER
};

/// libarchive's functions, loaded on first use and kept for the process's life.
const Libarchive& libarchive() {
    static const Libarchive functions = [] {
        void* library = load_shared_library(libarchive_soname, "export archive");
        Libarchive loaded;
#define DSR_LIBARCHIVE_LOOKUP(name) \
    loaded.name = reinterpret_cast<decltype(&::name)>(shared_library_symbol(library, libarchive_soname, #name));
        DSR_LIBARCHIVE_FUNCTIONS(DSR_LIBARCHIVE_LOOKUP)
#undef DSR_LIBARCHIVE_LOOKUP
        return loaded;
    }();
    return functions;
}

// GCOVR_EXCL_START: runs only when libarchive reports a failure. Writing a zip to a callback that never fails,
// it reports one only when memory runs out (it takes any name and size given), which no test can arrange.
std::string error_text(struct archive* archive) {
    const char* text = libarchive().archive_error_string(archive);
    return text != nullptr ? text : "unknown libarchive error";
}
// GCOVR_EXCL_STOP

bool has_parent_component(const std::string& name) {
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = std::min(name.find('/', start), name.size());
        if (name.compare(start, end - start, "..") == 0) return true;
        start = end + 1;
    }
    return false;
}

/// Refuses names that an unzip tool would place outside the directory it extracts into, names
/// ending in '/', which readers take for a directory whatever the entry says (found by CI's
/// fuzzing), and names that are not UTF-8, which the entry's UTF-8 flag would misstate (readers
/// then fail or mangle them).
void check_entry_name(const std::string& name) {
    bool unsafe = name.empty() || name.front() == '/' || name.back() == '/' || name.find('\0') != std::string::npos ||
                  name.find('\\') != std::string::npos || has_parent_component(name) || !rectify::is_valid_utf8(name);
    if (unsafe) throw Error(ExitStatus::failure, "export archive: unsafe entry name \"" + name + "\"");
}

/// The file behind an entry, read once from start to end.
class SourceFile {
public:
    explicit SourceFile(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) fail("cannot open");
    }
    ~SourceFile() { ::close(fd_); }
    SourceFile(const SourceFile&) = delete;
    SourceFile& operator=(const SourceFile&) = delete;

    std::int64_t size() const {
        struct stat st {};
        if (::fstat(fd_, &st) != 0) fail("cannot stat");
        if (!S_ISREG(st.st_mode)) throw Error(ExitStatus::io, "export archive: " + path_ + ": not a regular file");
        return st.st_size;
    }

    void read_exactly(char* data, std::size_t size) {
        while (size > 0) {
            std::size_t n = read_some(data, size);
            if (n == 0) changed("shrank");
            data += n;
            size -= n;
        }
    }

    /// The entry's size was stated in its header before its bytes; more bytes cannot be taken back.
    void expect_end() {
        char extra = 0;
        if (read_some(&extra, 1) != 0) changed("grew");
    }

private:
    std::size_t read_some(char* data, std::size_t size) {
        for (;;) {
            ssize_t n = ::read(fd_, data, size);
            if (n >= 0) return static_cast<std::size_t>(n);
            if (errno != EINTR) fail("cannot read");
        }
    }

    [[noreturn]] void fail(const char* doing) const {
        throw Error(ExitStatus::io, "export archive: " + path_ + ": " + doing + ": " + std::strerror(errno));
    }

    [[noreturn]] void changed(const char* how) const {
        throw Error(ExitStatus::io, "export archive: " + path_ + ": " + how + " while it was being archived");
    }

    std::string path_;
    int fd_;
};

}  // namespace

class ZipArchive::Output {
public:
    explicit Output(ByteSink& sink) : sink_(sink) {}

    static la_ssize_t write(struct archive*, void* self, const void* bytes, size_t size) {
        static_cast<Output*>(self)->forward(std::string_view(static_cast<const char*>(bytes), size));
        // Always "written", even when the sink failed: on a -1 libarchive 3.6 abandons the entry without
        // deflateEnd() and leaks its zlib state. The stored exception stops the caller instead, as soon as
        // the libarchive call returns.
        return static_cast<la_ssize_t>(size);
    }

    void rethrow_failure() const {
        if (failure_) std::rethrow_exception(failure_);
    }

    /// From now on bytes are dropped: what libarchive writes while it tears down must not reach the sink.
    void abandon() { discarding_ = true; }

private:
    // Exceptions must not unwind through libarchive's C frames.
    void forward(std::string_view bytes) noexcept {
        if (discarding_) return;
        try {
            sink_.write(bytes);
        } catch (...) {
            failure_ = std::current_exception();
            discarding_ = true;
        }
    }

    ByteSink& sink_;
    std::exception_ptr failure_;
    bool discarding_ = false;
};

// archive_ is released before output_ (declared after it), also when configure() throws.
ZipArchive::ZipArchive(ByteSink& out)
    : output_(std::make_unique<Output>(out)),
      archive_(libarchive().archive_write_new(), Release{output_.get()}) {
    if (archive_ == nullptr) throw Error(ExitStatus::io, "export archive: cannot allocate libarchive state");
    configure();
}

ZipArchive::~ZipArchive() = default;

void ZipArchive::Release::operator()(struct archive* archive) const {
    // libarchive releases an entry's compressor only when it finishes the entry, so an unfinished archive is
    // closed too, into the void: the sink never sees a central directory that would make it look complete.
    output->abandon();
    libarchive().archive_write_free(archive);
}

void ZipArchive::configure() {
    check(libarchive().archive_write_set_format_zip(archive_.get()));
    check(libarchive().archive_write_zip_set_compression_deflate(archive_.get()));
    // Names go in as UTF-8 and carry the zip UTF-8 flag; left to itself libarchive sets the flag only in a UTF-8
    // locale, and dsr runs in the C one.
    check(libarchive().archive_write_set_format_option(archive_.get(), "zip", "hdrcharset", "UTF-8"));
    // libarchive pads the last block to a tape block size unless told otherwise; zip readers want no padding.
    check(libarchive().archive_write_set_bytes_in_last_block(archive_.get(), 1));
    check(libarchive().archive_write_open2(archive_.get(), output_.get(), nullptr, &Output::write, nullptr, nullptr));
}

void ZipArchive::add_file(const std::string& name, const std::string& source_path, std::int64_t mtime) {
    start_operation();
    SourceFile source(source_path);
    std::int64_t size = source.size();
    begin_entry(name, size, mtime);
    std::vector<char> piece(piece_size);
    for (std::int64_t left = size; left > 0;) {
        auto n = static_cast<std::size_t>(std::min<std::int64_t>(left, static_cast<std::int64_t>(piece.size())));
        source.read_exactly(piece.data(), n);
        write_data(std::string_view(piece.data(), n));
        left -= static_cast<std::int64_t>(n);
    }
    source.expect_end();
    end_entry();
    state_ = State::open;
}

void ZipArchive::add_bytes(const std::string& name, std::string_view bytes, std::int64_t mtime) {
    start_operation();
    begin_entry(name, static_cast<std::int64_t>(bytes.size()), mtime);
    write_data(bytes);
    end_entry();
    state_ = State::open;
}

void ZipArchive::finish() {
    start_operation();
    check(libarchive().archive_write_close(archive_.get()));
    state_ = State::finished;
}

/// A failure part-way through an entry leaves it truncated in the stream, and
/// zip readers would accept the archive, so the archive stays broken.
void ZipArchive::start_operation() {
    if (state_ == State::finished) throw Error(ExitStatus::failure, "export archive: already finished");
    if (state_ == State::broken) {
        output_->rethrow_failure();
        throw Error(ExitStatus::io, "export archive: an earlier failure left the archive incomplete");
    }
    state_ = State::broken;  // until the operation completes
}

void ZipArchive::begin_entry(const std::string& name, std::int64_t size, std::int64_t mtime) {
    check_entry_name(name);
    const Libarchive& functions = libarchive();
    std::unique_ptr<archive_entry, decltype(functions.archive_entry_free)> entry(functions.archive_entry_new(),
                                                                             functions.archive_entry_free);
    if (!entry) throw Error(ExitStatus::io, "export archive: cannot allocate an entry");
    functions.archive_entry_set_pathname_utf8(entry.get(), name.c_str());
    functions.archive_entry_set_filetype(entry.get(), AE_IFREG);
    functions.archive_entry_set_perm(entry.get(), 0600);
    // A known size keeps small entries out of Zip64, which some unzip tools still lack.
    functions.archive_entry_set_size(entry.get(), size);
    functions.archive_entry_set_mtime(entry.get(), static_cast<time_t>(mtime), 0);
    check(functions.archive_write_header(archive_.get(), entry.get()));
}

void ZipArchive::write_data(std::string_view bytes) {
    while (!bytes.empty()) {
        std::string_view piece = bytes.substr(0, piece_size);
        la_ssize_t written = libarchive().archive_write_data(archive_.get(), piece.data(), piece.size());
        check(written < 0 ? static_cast<int>(written) : ARCHIVE_OK);
        // libarchive silently drops bytes beyond the size stated in the header.
        // GCOVR_EXCL_START: a guard: every caller states the size it writes, so no test can reach this.
        if (static_cast<std::size_t>(written) != piece.size())
            throw Error(ExitStatus::io, "export archive: an entry is longer than its stated size");
        // GCOVR_EXCL_STOP
        bytes.remove_prefix(piece.size());
    }
}

void ZipArchive::end_entry() { check(libarchive().archive_write_finish_entry(archive_.get())); }

/// The sink's own exception explains a failure better than libarchive's account of it. A warning counts as a
/// failure: for zip it means a name could not be written as given.
void ZipArchive::check(int status) {
    output_->rethrow_failure();
    if (status != ARCHIVE_OK) throw Error(ExitStatus::io, "export archive: " + error_text(archive_.get()));
}

}  // namespace dsr::exporting
