#include "engine/parallel_track_render.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "core/realtime_scope.h"

namespace tactus {

namespace {

// A chunk is whole blocks (a stem ends on the block grid, as the single-threaded render does), as
// long as about 1/3 s (few hand-overs) while all the stems' chunks together stay within 8 MB.
int chunk_frames_for(std::size_t stems, int block_frames) {
    constexpr std::size_t kMaxStemFloats = std::size_t{1} << 21;
    constexpr int kLongestChunk = 16384;
    const std::size_t fits = kMaxStemFloats / 2 / std::max<std::size_t>(stems, 1);
    const int wanted = static_cast<int>(std::min<std::size_t>(fits, kLongestChunk));
    return std::max(1, wanted / block_frames) * block_frames;
}

}  // namespace

ParallelTrackRender::ParallelTrackRender(std::vector<std::unique_ptr<OfflineRender>> stems, int block_frames,
                                         int threads)
    : block_frames_(block_frames),
      chunk_frames_(chunk_frames_for(stems.size(), block_frames)),
      mix_left_(std::size_t(chunk_frames_)),
      mix_right_(std::size_t(chunk_frames_)),
      team_(threads) {
    stems_.resize(stems.size());
    for (std::size_t i = 0; i < stems.size(); ++i) {
        stems_[i].render = std::move(stems[i]);
        stems_[i].left.resize(std::size_t(chunk_frames_));
        stems_[i].right.resize(std::size_t(chunk_frames_));
    }
    by_cost_.resize(stems_.size());
    std::iota(by_cost_.begin(), by_cost_.end(), std::size_t{0});
}

void ParallelTrackRender::render_stem(Stem& stem) {
    RealtimeScope rules;  // a helper thread keeps the audio thread's rules too
    const auto started = std::chrono::steady_clock::now();
    stem.frames = 0;
    while (!stem.ended && stem.frames < chunk_frames_) {
        const int n =
            stem.render->render_next(stem.left.data() + stem.frames, stem.right.data() + stem.frames);
        if (n == 0) stem.ended = true;
        stem.frames += n;
    }
    stem.cost = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

void ParallelTrackRender::render_chunk() {
    auto task = [this](std::size_t i) { render_stem(stems_[by_cost_[i]]); };
    team_.run(by_cost_.size(), task);
    // Track order, as TrackMixer::render_span adds its channels: the same sums, the same roundings.
    mix_frames_ = 0;
    std::fill(mix_left_.begin(), mix_left_.end(), 0.0f);
    std::fill(mix_right_.begin(), mix_right_.end(), 0.0f);
    for (const Stem& stem : stems_) {
        for (int i = 0; i < stem.frames; ++i) {
            mix_left_[std::size_t(i)] += stem.left[std::size_t(i)];
            mix_right_[std::size_t(i)] += stem.right[std::size_t(i)];
        }
        mix_frames_ = std::max(mix_frames_, stem.frames);
    }
    mix_read_ = 0;
    std::sort(by_cost_.begin(), by_cost_.end(),
              [this](std::size_t a, std::size_t b) { return stems_[a].cost > stems_[b].cost; });
}

int ParallelTrackRender::render_next(float* left, float* right) {
    if (mix_read_ == mix_frames_) {
        if (std::all_of(stems_.begin(), stems_.end(), [](const Stem& s) { return s.ended; })) return 0;
        render_chunk();
        if (mix_frames_ == 0) return 0;
    }
    const int frames = std::min(block_frames_, mix_frames_ - mix_read_);
    std::copy_n(mix_left_.data() + mix_read_, frames, left);
    std::copy_n(mix_right_.data() + mix_read_, frames, right);
    mix_read_ += frames;
    return frames;
}

}  // namespace tactus
