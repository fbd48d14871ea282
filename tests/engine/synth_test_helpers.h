// Small helpers shared by the synth tests (tests/engine/synth_*.test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>
#include <vector>

#include "engine/synth/synth_instrument.h"
#include "engine/synth/synth_preset.h"

namespace tactus::synth_test {

inline constexpr double kRate = 48000.0;

// Milliseconds -> frames at kRate.
constexpr int ms(double milliseconds) {
    return static_cast<int>(milliseconds * kRate / 1000.0 + 0.5);
}

inline const SynthPreset& preset(std::string_view name) {
    const SynthPreset* found = find_synth_preset(name);
    EXPECT_NE(found, nullptr) << name;
    static const SynthPreset fallback{};
    return found != nullptr ? *found : fallback;
}

// Renders `frames` frames in calls of at most `block` frames; returns the left channel and checks
// that both channels are equal (the synth is mono).
inline std::vector<float> render(Instrument& instrument, int frames, int block = kMaxRenderFrames) {
    std::vector<float> left(static_cast<std::size_t>(frames));
    std::vector<float> right(static_cast<std::size_t>(frames));
    for (int done = 0; done < frames;) {
        const int span = std::min(block, frames - done);
        instrument.render(left.data() + done, right.data() + done, span);
        done += span;
    }
    EXPECT_EQ(left, right);
    return left;
}

inline double peak(const std::vector<float>& x, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    double p = 0.0;
    for (std::size_t i = from; i < std::min(to, x.size()); ++i) p = std::max(p, std::fabs(double{x[i]}));
    return p;
}

inline double rms(const std::vector<float>& x, std::size_t from = 0, std::size_t to = SIZE_MAX) {
    double sum = 0.0;
    std::size_t n = 0;
    for (std::size_t i = from; i < std::min(to, x.size()); ++i, ++n) sum += double{x[i]} * x[i];
    return n > 0 ? std::sqrt(sum / static_cast<double>(n)) : 0.0;
}

// Index of the last non-zero sample, or -1.
inline long last_nonzero(const std::vector<float>& x) {
    for (long i = static_cast<long>(x.size()) - 1; i >= 0; --i) {
        if (x[static_cast<std::size_t>(i)] != 0.0f) return i;
    }
    return -1;
}

inline bool all_zero(const std::vector<float>& x, std::size_t from = 0) {
    return std::all_of(x.begin() + static_cast<long>(std::min(from, x.size())), x.end(),
                       [](float v) { return v == 0.0f; });
}

// Frequency from upward zero crossings between the first and the last one.
inline double zero_crossing_frequency(const std::vector<float>& x, std::size_t from, std::size_t to) {
    long first = -1;
    long last = -1;
    int count = 0;
    for (std::size_t i = std::max<std::size_t>(from, 1); i < std::min(to, x.size()); ++i) {
        if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
            if (first < 0) first = static_cast<long>(i);
            last = static_cast<long>(i);
            ++count;
        }
    }
    if (count < 2) return 0.0;
    return (count - 1) * kRate / static_cast<double>(last - first);
}

}  // namespace tactus::synth_test
