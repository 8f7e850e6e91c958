// The main of a fuzz harness outside libFuzzer (g++ builds, plain and
// ASan+UBSan): runs LLVMFuzzerTestOneInput once on each file given, or on
// each file of each directory given, in name order. ctest runs every
// harness this way over its committed corpus (fuzz.replay.NAME), so the
// inputs that once crashed stay fixed in every build, at no cost of fuzzing.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
// Optional, as in libFuzzer: a harness that needs set-up before the first input defines it.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
        return false;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy of exactly the input's size, as libFuzzer passes it, so ASan
    // sees a read one byte past the end.
    std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(input.empty() ? nullptr : input.data(), input.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    std::size_t runs = 0;
    for (int i = 1; i < argc; ++i) {
        std::filesystem::path arg = argv[i];
        std::error_code error;
        if (std::filesystem::is_directory(arg, error)) {
            std::vector<std::filesystem::path> files;
            for (const auto& entry : std::filesystem::directory_iterator(arg))
                if (entry.is_regular_file()) files.push_back(entry.path());
            std::sort(files.begin(), files.end());
            if (files.empty()) {
                // An empty corpus would pass while testing nothing.
                std::fprintf(stderr, "replay: %s holds no inputs\n", arg.c_str());
                return 1;
            }
            for (const auto& f : files) {
                if (!run_file(f)) return 1;
                ++runs;
            }
        } else {
            if (!run_file(arg)) return 1;
            ++runs;
        }
    }
    std::printf("replay: %zu inputs, no failure\n", runs);
    return 0;
}
