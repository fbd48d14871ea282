// Renders a whole document from its start, block by block, clocked by the caller instead of a
// device: the same sequencer, mixer and instruments the realtime engine runs.
// create() allocates (off the render loop); render_next() is realtime-safe. Instruments with latency
// are compensated as in the engine, with a lookahead of the largest latency among the tracks: every
// note sounds on its frame.
#pragma once

#include <memory>
#include <string>

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
};

class OfflineRender {
public:
    // nullptr with *error set when a track's instrument cannot be made.
    static std::unique_ptr<OfflineRender> create(const Document& doc, const OfflineRenderOptions& options,
                                                 std::string* error);

    // Writes up to block_frames frames; returns how many (0 once the tails have died away).
    int render_next(float* left, float* right);

    Frame frames_rendered() const { return position_; }
    // Where the last note ends, and the most the render can run to (score end + max tail).
    Frame score_end_frame() const { return snapshot_->end_frame(); }
    Frame frame_limit() const { return limit_; }
    const OfflineRenderOptions& options() const { return options_; }

private:
    OfflineRender(const OfflineRenderOptions& options, std::shared_ptr<const ScoreSnapshot> snapshot);

    OfflineRenderOptions options_;
    std::shared_ptr<const ScoreSnapshot> snapshot_;
    std::unique_ptr<TrackMixer> mixer_;
    std::unique_ptr<CompensatedMix> compensation_;
    Sequencer sequencer_;
    Frame position_ = 0;  // output frames written (the sequencer runs the lookahead ahead)
    Frame limit_ = 0;
};

}  // namespace tactus
