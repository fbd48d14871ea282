// Deterministic white noise: xorshift32, seeded per voice from its note, so a score renders the
// same noise every time (and independently of how its span is cut into render() calls).
//
// Pure arithmetic, no allocation: safe on the audio thread.
#pragma once

#include <cstdint>

namespace tactus::synth {

class NoiseSource {
public:
    // Any 64-bit value; mixed (splitmix64) so that neighbouring seeds give unrelated sequences.
    void seed(std::uint64_t value) {
        value += 0x9E3779B97F4A7C15ull;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
        value ^= value >> 31;
        state_ = static_cast<std::uint32_t>(value) | 1u;  // never 0, the one fixed point of xorshift
    }

    // Uniform in [-1, 1).
    float next() {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        return static_cast<float>(static_cast<std::int32_t>(state_)) * (1.0f / 2147483648.0f);
    }

private:
    std::uint32_t state_ = 1;
};

}  // namespace tactus::synth
