// Renders a whole document from its start, block by block, clocked by the caller instead of a
// device: the same sequencer, mixer and instruments the realtime engine runs.
// create() allocates (off the render loop); render_next() is realtime-safe (with more than one thread
// it waits for its helpers, which is for offline rendering only). Instruments with latency are
// compensated as in the engine, with a lookahead of the largest latency among the tracks: every note
// sounds on its frame.
//
// With options.threads > 1 the tracks' instruments render at once on a team of threads (TrackMixer::
// set_team), then are mixed in slot order on the caller's: the output is the same to the bit as one
// thread's, buses and the master chain included.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "core/score.h"
#include "engine/compensated_mix.h"
#include "engine/csound/csound_orchestra_policy.h"
#include "engine/score_snapshot.h"
#include "engine/sequencer.h"
#include "engine/track_mixer.h"

namespace tactus {

struct OfflineRenderOptions {
    double sample_rate = 48000.0;
    int block_frames = 512;
    // A release tail that never reaches silence is cut this long after the last note ends.
    double max_tail_seconds = 30.0;
    // What Csound orchestras may do besides making sound (the user's --csound-allow).
    CsoundPermissions csound;
    // Threads rendering tracks at once, the caller's included (1: the caller alone).
    int threads = 1;
};

class OfflineRender {
public:
    // nullptr with *error set when a track's instrument cannot be made.
    static std::unique_ptr<OfflineRender> create(const Document& doc, const OfflineRenderOptions& options,
                                                 std::string* error);
    ~OfflineRender();

    // Writes up to block_frames frames; returns how many (0 once the tails have died away). The render
    // ends after its last sample that is not zero (and not before the last note's end): the same
    // length, to the frame, whatever the block size, since silence is only seen at a block's edge.
    int render_next(float* left, float* right);

    // Frames handed out so far.
    Frame frames_rendered() const { return handed_out_; }
    // Where the last note ends, and the most the render can run to (score end + max tail).
    Frame score_end_frame() const { return score_end_; }
    Frame frame_limit() const { return limit_; }
    const OfflineRenderOptions& options() const { return options_; }
    // Threads rendering at once (1 unless the tracks are rendered in parallel).
    int threads() const { return team_ ? team_->size() : 1; }

private:
    explicit OfflineRender(const OfflineRenderOptions& options);

    void end_at(Frame score_end);
    // Renders the next block into pending_; false once the render is over (the tails died away or
    // the limit was reached).
    bool render_block();

    OfflineRenderOptions options_;
    std::shared_ptr<const ScoreSnapshot> snapshot_;
    std::unique_ptr<TrackMixer> mixer_;
    std::unique_ptr<CompensatedMix> compensation_;
    Sequencer sequencer_;
    std::unique_ptr<ForkJoinTeam> team_;  // the mixer's helpers (threads > 1)
    Frame position_ = 0;                  // output frames rendered (the sequencer runs the lookahead ahead)
    Frame score_end_ = 0;
    Frame limit_ = 0;
    // Rendered frames not handed out yet: silence that ends the render if nothing sounds after it
    // (held_zeros_), zeros known to come before more sound (zeros_due_), and a block's frames up to
    // its last sound (pending_, from pending_at_ to pending_end_).
    std::vector<float> pending_left_, pending_right_;
    int pending_at_ = 0;
    int pending_end_ = 0;
    Frame held_zeros_ = 0;
    Frame zeros_due_ = 0;
    Frame handed_out_ = 0;
    bool over_ = false;
};

}  // namespace tactus
