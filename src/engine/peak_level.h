// The largest |sample| of a run of samples, for meters. Eight independent maxima, so the compiler
// keeps them in one vector register (a plain std::max loop stays scalar at -O2).
//
// Pure function: safe on any thread, the audio thread included.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace tactus {

inline float peak_of(const float* samples, int count) {
    std::array<float, 8> lanes{};
    int i = 0;
    for (; i + 8 <= count; i += 8)
        for (std::size_t j = 0; j < 8; ++j) {
            const float a = std::abs(samples[i + int(j)]);
            lanes[j] = lanes[j] < a ? a : lanes[j];
        }
    float peak = 0.0f;
    for (const float lane : lanes) peak = std::max(peak, lane);
    for (; i < count; ++i) peak = std::max(peak, std::abs(samples[i]));
    return peak;
}

}  // namespace tactus
