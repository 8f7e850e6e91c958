// Deterministic pseudo-random numbers for the shop generator.
//
// The output file must be byte-for-byte identical for the same options on any
// platform and standard library, so nothing here uses <random>'s
// distributions (their algorithms are implementation-defined) or floating
// point: every value is derived with integer arithmetic from xoshiro256**.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>

namespace shopgen {

inline std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Combines the run's seed with a stream label and an index, so every customer
// (and every guest, product, ...) gets its own independent stream. A change to
// how one customer is generated then never shifts the data of the others.
inline std::uint64_t stream_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
    std::uint64_t s = seed;
    std::uint64_t a = splitmix64(s) ^ (stream * 0xd1b54a32d192ed03ULL);
    std::uint64_t b = splitmix64(a) ^ index;
    return splitmix64(b);
}

class Rng {
public:
    explicit Rng(std::uint64_t seed) {
        for (auto& word : s_) word = splitmix64(seed);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n). Small ranges use the multiply-shift mapping on the
    // high bits; for ranges wider than 32 bits the modulo bias is below 2^-32
    // and irrelevant for demo data.
    std::uint64_t below(std::uint64_t n) {
        if (n == 0) return 0;
        if (n <= 0xffffffffULL) return ((next() >> 32) * n) >> 32;
        return next() % n;
    }

    // Uniform in [lo, hi], both inclusive.
    std::int64_t between(std::int64_t lo, std::int64_t hi) {
        if (hi <= lo) return lo;
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }

    // True with probability num/den.
    bool chance(std::uint64_t num, std::uint64_t den) { return below(den) < num; }

    template <typename Container>
    const auto& pick(const Container& items) {
        return items[below(std::size(items))];
    }

    // Index chosen with the given integer weights.
    template <std::size_t N>
    std::size_t weighted(const std::array<unsigned, N>& weights) {
        std::uint64_t total = 0;
        for (unsigned w : weights) total += w;
        std::uint64_t r = below(total);
        for (std::size_t i = 0; i < N; ++i) {
            if (r < weights[i]) return i;
            r -= weights[i];
        }
        return N - 1;
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    std::array<std::uint64_t, 4> s_{};
};

}  // namespace shopgen
