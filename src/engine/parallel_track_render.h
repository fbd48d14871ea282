// The tracks of an offline render on several threads. Each track renders alone (a stem: an
// OfflineRender of a one-track document, ending where the whole document ends), one chunk of time
// after another; the stems of a chunk are summed in track order, as TrackMixer sums its channels, so
// for instruments without latency the mix is the single-threaded one to the bit. The realtime engine
// does not do this: waiting for helper threads has no place in an audio callback.
//
// Threading: construct, render_next() and destroy on one thread (the owner). Within render_next() a
// ForkJoinTeam hands each stem to one thread at a time; the owner reads the stems only after the
// team's batch has returned. Every thread renders under realtime rules (RealtimeScope).
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "engine/lockfree/fork_join_team.h"
#include "engine/offline_render.h"

namespace tactus {

class ParallelTrackRender {
public:
    // stems: one per track, in track order, each with the document's end (OfflineRender::end_at).
    // threads: at least 2.
    ParallelTrackRender(std::vector<std::unique_ptr<OfflineRender>> stems, int block_frames, int threads);

    // As OfflineRender::render_next: up to block_frames frames, 0 once every stem has ended.
    int render_next(float* left, float* right);
    int threads() const { return team_.size(); }

private:
    struct Stem {
        std::unique_ptr<OfflineRender> render;
        std::vector<float> left, right;  // this chunk
        int frames = 0;                  // rendered into this chunk
        bool ended = false;
        double cost = 0.0;  // seconds its last chunk took: the costliest are handed out first
    };

    void render_chunk();
    void render_stem(Stem& stem);

    std::vector<Stem> stems_;
    std::vector<std::size_t> by_cost_;  // stem indices, costliest first
    int block_frames_;
    int chunk_frames_;
    std::vector<float> mix_left_, mix_right_;
    int mix_frames_ = 0;  // frames in the mixed chunk
    int mix_read_ = 0;    // of which handed out
    ForkJoinTeam team_;
};

}  // namespace tactus
