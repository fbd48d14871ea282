// TPDF (triangular probability density) dither, and the float -> PCM quantisers that use it.
//
// Reducing a float signal to 16 bits by plain rounding turns the rounding error into distortion
// that follows the signal (audible on quiet fades and reverb tails). Adding, before rounding, the
// sum of two independent uniform random values of +-0.5 LSB each (a triangular density on
// (-1, 1) LSB) makes the error a constant, signal-independent noise floor instead.
//
// Everything here is deterministic: the generator is a seeded SplitMix64, so the same render
// produces the same file, byte for byte. Plain values, no allocation: safe on any thread.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tactus {

class TpdfDither {
public:
    explicit TpdfDither(std::uint64_t seed) : state_(seed) {}

    // The next dither value, in LSBs: triangular on (-1, 1), mean 0, variance 1/6.
    double next() { return uniform() + uniform(); }

private:
    // Uniform on [-0.5, 0.5) with 53 random bits.
    double uniform() { return static_cast<double>(next_bits() >> 11) * 0x1p-53 - 0.5; }

    // SplitMix64 (Steele, Lea, Flood 2014): passes BigCrush, any seed is a good seed.
    std::uint64_t next_bits() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    std::uint64_t state_;
};

// Full scale of each integer format, matching how libsndfile reads PCM back as float (sample / 2^(bits-1)),
// so a representable value survives a write/read round trip exactly. +1.0 itself clips to the
// largest code, (2^(bits-1) - 1) / 2^(bits-1).
inline constexpr double kPcm16FullScale = 32768.0;
inline constexpr double kPcm24FullScale = 8388608.0;

// One float sample to 16-bit PCM with TPDF dither. Out-of-range input clamps to [-1, 1]; NaN
// becomes 0. Dither is off while the input is exactly 0.0 (digital silence stays silent, as most
// mastering tools do), but the generator advances anyway, so the dither applied to sample n of a
// channel depends only on n, never on where the silence was.
inline std::int16_t quantize_pcm16(float sample, TpdfDither& dither) {
    const double noise = dither.next();
    if (sample == 0.0f || std::isnan(sample)) return 0;
    const double scaled = std::clamp(static_cast<double>(sample), -1.0, 1.0) * kPcm16FullScale + noise;
    const double rounded = std::clamp(std::floor(scaled + 0.5), -32768.0, 32767.0);
    return static_cast<std::int16_t>(rounded);
}

// One float sample to 24-bit PCM, rounded (half up) and left-justified in an int32 (the 24 bits
// in the top, as sf_write_int expects). Out-of-range input clamps to [-1, 1]; NaN becomes 0.
//
// No dither at 24 bits: the rounding error is at most 0.5 LSB (-144 dBFS peak, about -149 dBFS
// rms), below the noise floor of real converters (the best DAC chips quote 130-140 dB of dynamic
// range, whole playback chains less), so the signal-correlated error that dither exists to hide is
// buried in noise that playback adds anyway. Leaving it out also keeps every 24-bit-representable
// value exact through a round trip, and keeps 24-bit output a pure function of the float input.
inline std::int32_t quantize_pcm24(float sample) {
    if (std::isnan(sample)) return 0;
    const double scaled = std::clamp(static_cast<double>(sample), -1.0, 1.0) * kPcm24FullScale;
    const double rounded = std::clamp(std::floor(scaled + 0.5), -8388608.0, 8388607.0);
    return static_cast<std::int32_t>(rounded) * 256;
}

}  // namespace tactus
