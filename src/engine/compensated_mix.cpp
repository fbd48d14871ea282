#include "engine/compensated_mix.h"

#include <algorithm>
#include <bit>

#include "engine/instrument.h"

namespace tactus {

CompensatedMix::CompensatedMix(int lookahead_frames, int max_lookahead)
    : lookahead_(std::clamp(lookahead_frames, 0, kMaxLookahead)),
      max_lookahead_(std::clamp(std::max(max_lookahead, lookahead_), 0, kMaxLookahead)) {
    // Room for the lookahead plus the longest span rendered before it is taken.
    const std::size_t size = std::bit_ceil(static_cast<std::size_t>(max_lookahead_ + kMaxRenderFrames + 1));
    left_.assign(size, 0.0f);
    right_.assign(size, 0.0f);
    mask_ = size - 1;
}

void CompensatedMix::set_lookahead(int frames) {
    lookahead_ = std::clamp(frames, 0, max_lookahead_);
}

// The ring is walked in contiguous runs (it wraps at most once a call), and each run in groups of
// eight samples that the compiler turns into vector adds.
void CompensatedMix::add(const float* left, const float* right, int frames, int latency) {
    const int ahead = lookahead_ - std::clamp(latency, 0, lookahead_);
    std::size_t at = (now_ + static_cast<std::size_t>(ahead)) & mask_;
    for (int done = 0; done < frames;) {
        const int run =
            static_cast<int>(std::min<std::size_t>(std::size_t(frames - done), left_.size() - at));
        // The caller's buffers are never the ring: no aliasing.
        float* __restrict l = left_.data() + at;
        float* __restrict r = right_.data() + at;
        const float* __restrict from_l = left + done;
        const float* __restrict from_r = right + done;
        int i = 0;
        for (; i + 8 <= run; i += 8)
            for (int j = 0; j < 8; ++j) {
                l[i + j] += from_l[i + j];
                r[i + j] += from_r[i + j];
            }
        for (; i < run; ++i) {
            l[i] += from_l[i];
            r[i] += from_r[i];
        }
        done += run;
        at = (at + std::size_t(run)) & mask_;
    }
    // Exact zeros add nothing to come out: silence stays silence.
    int last_sound = frames - 1;
    while (last_sound >= 0 && left[last_sound] == 0.0f && right[last_sound] == 0.0f) --last_sound;
    pending_ = std::max(pending_, ahead + last_sound + 1);
}

void CompensatedMix::take(float* left, float* right, int frames) {
    std::size_t at = now_;
    for (int done = 0; done < frames;) {
        const int run =
            static_cast<int>(std::min<std::size_t>(std::size_t(frames - done), left_.size() - at));
        std::copy_n(left_.data() + at, run, left + done);
        std::copy_n(right_.data() + at, run, right + done);
        std::fill_n(left_.data() + at, run, 0.0f);
        std::fill_n(right_.data() + at, run, 0.0f);
        done += run;
        at = (at + std::size_t(run)) & mask_;
    }
    now_ = at;
    pending_ = std::max(0, pending_ - frames);
}

}  // namespace tactus
