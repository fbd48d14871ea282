#include "engine/compensated_mix.h"

#include <algorithm>
#include <bit>

#include "engine/instrument.h"

namespace tactus {

CompensatedMix::CompensatedMix(int lookahead_frames, int max_lookahead)
    : lookahead_(std::clamp(lookahead_frames, 0, kMaxLookahead)),
      max_lookahead_(std::clamp(std::max(max_lookahead, lookahead_), 0, kMaxLookahead)) {
    // Room for the lookahead plus the longest span rendered before it is taken.
    size_ = std::bit_ceil(static_cast<std::size_t>(max_lookahead_ + kMaxRenderFrames + 1));
    mask_ = size_ - 1;
    for (Lane& lane : lanes_) {
        lane.left.assign(size_, 0.0f);
        lane.right.assign(size_, 0.0f);
    }
}

void CompensatedMix::set_lookahead(int frames) {
    lookahead_ = std::clamp(frames, 0, max_lookahead_);
}

// The lane of this latency; a silent lane is given up for a new latency, and with every lane sounding
// the latest one takes it.
CompensatedMix::Lane& CompensatedMix::lane_for(int latency) {
    for (int i = 0; i < in_use_; ++i)
        if (Lane& lane = lanes_[std::size_t(by_latency_[std::size_t(i)])]; lane.latency == latency)
            return lane;
    for (int i = 0; i < in_use_;) {
        if (lanes_[std::size_t(by_latency_[std::size_t(i)])].pending == 0) {
            lanes_[std::size_t(by_latency_[std::size_t(i)])].latency = -1;
            std::copy(by_latency_.begin() + i + 1, by_latency_.begin() + in_use_, by_latency_.begin() + i);
            --in_use_;
        } else {
            ++i;
        }
    }
    if (in_use_ == kLanes) return lanes_[std::size_t(by_latency_[std::size_t(kLanes - 1)])];
    int free = 0;
    while (lanes_[std::size_t(free)].latency >= 0) ++free;
    lanes_[std::size_t(free)].latency = latency;
    int at = in_use_;
    while (at > 0 && lanes_[std::size_t(by_latency_[std::size_t(at - 1)])].latency > latency) {
        by_latency_[std::size_t(at)] = by_latency_[std::size_t(at - 1)];
        --at;
    }
    by_latency_[std::size_t(at)] = free;
    ++in_use_;
    return lanes_[std::size_t(free)];
}

// The rings are walked in contiguous runs (they wrap at most once a call), and each run in groups of
// eight samples that the compiler turns into vector adds.
void CompensatedMix::add(const float* left, const float* right, int frames, int latency) {
    // Exact zeros add nothing to come out: silence stays silence.
    int last_sound = frames - 1;
    while (last_sound >= 0 && left[last_sound] == 0.0f && right[last_sound] == 0.0f) --last_sound;
    if (last_sound < 0) return;
    const int delay = std::clamp(latency, 0, lookahead_);
    const int ahead = lookahead_ - delay;
    Lane& lane = lane_for(delay);
    std::size_t at = (now_ + static_cast<std::size_t>(ahead)) & mask_;
    for (int done = 0; done < frames;) {
        const int run = static_cast<int>(std::min<std::size_t>(std::size_t(frames - done), size_ - at));
        // The caller's buffers are never the ring: no aliasing.
        float* __restrict l = lane.left.data() + at;
        float* __restrict r = lane.right.data() + at;
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
    lane.pending = std::max(lane.pending, ahead + last_sound + 1);
    pending_ = std::max(pending_, lane.pending);
}

void CompensatedMix::take(float* left, float* right, int frames) {
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    for (int k = 0; k < in_use_; ++k) {
        Lane& lane = lanes_[std::size_t(by_latency_[std::size_t(k)])];
        if (lane.pending == 0) continue;  // its cells are zeros
        std::size_t at = now_;
        for (int done = 0; done < frames;) {
            const int run = static_cast<int>(std::min<std::size_t>(std::size_t(frames - done), size_ - at));
            float* __restrict l = lane.left.data() + at;
            float* __restrict r = lane.right.data() + at;
            float* __restrict out_l = left + done;
            float* __restrict out_r = right + done;
            for (int i = 0; i < run; ++i) {
                out_l[i] += l[i];
                out_r[i] += r[i];
                l[i] = 0.0f;
                r[i] = 0.0f;
            }
            done += run;
            at = (at + std::size_t(run)) & mask_;
        }
        lane.pending = std::max(0, lane.pending - frames);
    }
    now_ = (now_ + static_cast<std::size_t>(frames)) & mask_;
    pending_ = std::max(0, pending_ - frames);
}

bool CompensatedMix::add_and_take(float* left, float* right, int frames, int latency, bool direct) {
    if (lookahead_ == 0 && pending_ == 0) {
        bool sound = false;
        for (int i = 0; i < frames; ++i) {
            left[i] += 0.0f;
            right[i] += 0.0f;
            sound = sound || left[i] != 0.0f || right[i] != 0.0f;
        }
        return !sound;
    }
    if (direct) add(left, right, frames, latency);
    const bool silent = is_silent();
    take(left, right, frames);
    return silent;
}

void CompensatedMix::skip(long long frames) {
    // Rings of exact zeros: where now_ stands does not matter (adds land relative to it).
    if (pending_ == 0) return;
    const auto n = static_cast<std::size_t>(std::min<long long>(frames, static_cast<long long>(size_)));
    for (int k = 0; k < in_use_; ++k) {
        Lane& lane = lanes_[std::size_t(by_latency_[std::size_t(k)])];
        if (lane.pending == 0) continue;
        for (std::size_t i = 0, at = now_; i < n; ++i, at = (at + 1) & mask_)
            lane.left[at] = lane.right[at] = 0.0f;
        lane.pending = static_cast<int>(std::max<long long>(0, lane.pending - frames));
    }
    now_ = (now_ + static_cast<std::size_t>(frames % static_cast<long long>(size_))) & mask_;
    pending_ = static_cast<int>(std::max<long long>(0, pending_ - frames));
}

}  // namespace tactus
