#include "engine/compensated_mix.h"

#include <algorithm>
#include <bit>

#include "engine/instrument.h"

namespace tactus {

CompensatedMix::CompensatedMix(int lookahead_frames)
    : lookahead_(std::clamp(lookahead_frames, 0, kMaxLookahead)) {
    // Room for the lookahead plus the longest span rendered before it is taken.
    const std::size_t size = std::bit_ceil(static_cast<std::size_t>(lookahead_ + kMaxRenderFrames + 1));
    left_.assign(size, 0.0f);
    right_.assign(size, 0.0f);
    mask_ = size - 1;
}

void CompensatedMix::add(const float* left, const float* right, int frames, int latency) {
    const int ahead = lookahead_ - std::clamp(latency, 0, lookahead_);
    std::size_t at = (now_ + static_cast<std::size_t>(ahead)) & mask_;
    int last_sound = -1;  // exact zeros add nothing to come out: silence stays silence
    for (int i = 0; i < frames; ++i, at = (at + 1) & mask_) {
        left_[at] += left[i];
        right_[at] += right[i];
        if (left[i] != 0.0f || right[i] != 0.0f) last_sound = i;
    }
    pending_ = std::max(pending_, ahead + last_sound + 1);
}

void CompensatedMix::take(float* left, float* right, int frames) {
    std::size_t at = now_;
    for (int i = 0; i < frames; ++i, at = (at + 1) & mask_) {
        left[i] = left_[at];
        right[i] = right_[at];
        left_[at] = 0.0f;
        right_[at] = 0.0f;
    }
    now_ = at;
    pending_ = std::max(0, pending_ - frames);
}

}  // namespace tactus
