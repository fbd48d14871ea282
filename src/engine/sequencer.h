// Plays a ScoreSnapshot through a TrackMixer with sample-accurate timing.
// For each block [f, f+n) of output frames it reads the events whose output frames fall inside,
// splits the block at each event's exact offset, and handles locate (chasing notes already
// sounding) and loop ranges (wrapping exactly every end - begin frames).
//
// Transport calls (play, stop, locate) take effect at the next frame rendered: `output_frame` is
// that frame. A caller that schedules a command inside a block renders up to its frame first.
//
// Threading: every method is audio-thread-safe (no allocation, no locks) and must be called from
// one thread at a time, the audio thread. The snapshot is owned elsewhere and must outlive its use
// (the server publishes snapshots and reclaims retired ones off the audio thread).
#pragma once

#include "engine/active_notes.h"
#include "engine/score_snapshot.h"
#include "engine/track_mixer.h"
#include "engine/transport.h"

namespace tactus {

class Sequencer {
public:
    explicit Sequencer(TrackMixer& mixer) : mixer_(mixer) {}

    // Switches to a new snapshot at the block boundary `output_frame`; playback continues from the
    // same score frame.
    void set_score(const ScoreSnapshot* score, Frame output_frame);
    const ScoreSnapshot* score() const { return score_; }

    // Starts playing so that `score_frame` is heard at `output_frame`; notes already sounding at
    // that score frame are started there (chased).
    void play(Frame output_frame, Frame score_frame);
    // Stops and releases every note the score started.
    void stop();
    // Moves the play position; while playing, sounding notes are released and the new position's
    // notes chased, from `output_frame` on.
    void locate(Frame output_frame, Frame score_frame);
    void set_loop(const LoopRange& loop) { transport_.loop = loop; }

    const Transport& transport() const { return transport_; }
    bool playing() const { return transport_.playing; }

    // Renders output frames [output_frame, output_frame + frames) into left/right (overwrites).
    void render(Frame output_frame, int frames, float* left, float* right);

private:
    void seek(Frame score_frame);
    void chase(Frame score_frame);
    void release_score_notes();
    void apply(const ScoreEvent& event);
    // Renders the mix for [offset, offset + frames) of the current block.
    void mix(int offset, int frames);

    TrackMixer& mixer_;
    const ScoreSnapshot* score_ = nullptr;
    Transport transport_;
    std::size_t next_event_ = 0;  // first event not yet played
    ActiveNotes active_;
    float* block_left_ = nullptr;
    float* block_right_ = nullptr;
};

}  // namespace tactus
