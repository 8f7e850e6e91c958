#pragma once
// Helpers the unit tests that run outside tools (age, python3, unzip) share.
// One copy: the unity build puts test files side by side in one translation
// unit, where two file-local copies of a name would collide.

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace dsr::test {

/// `s` for /bin/sh (test paths hold no single quote).
inline std::string shell_quoted(const std::string& s) { return "'" + s + "'"; }

/// Standard output of `command`; the command must succeed.
inline std::string output_of(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    REQUIRE(pclose(pipe) == 0);
    return out;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// `size` bytes that are the same for the same `seed`.
inline std::string random_bytes(std::size_t size, unsigned seed) {
    std::mt19937 generator(seed);
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(generator() & 0xff);
    return out;
}

}  // namespace dsr::test
