// Plays a ScoreSnapshot through a TrackMixer with sample-accurate timing.
// For each block [f, f+n) of output frames it reads the events whose output frames fall inside and
// queues each for its track's channel on its exact frame (engine/channel_events.h: the mixer cuts
// only that channel's span there), and handles locate (chasing notes already
// sounding), loop ranges (wrapping exactly every end - begin frames), the metronome (a click
// on every beat, accented on the bar, forced on during a count-in before beat 0) and the MIDI
// beat clock (engine/midi_clock.h).
//
// Automation: each lane's control follows the segment of its curve the score is in, as a function of
// the mixer frame (engine/automation_curve.h); a point's event starts its segment on its frame, and a
// play, locate, loop wrap or new snapshot puts every lane on its place. Stopped, each control holds the
// value of the stop position. The mix is cut at each point (flush), so the segment before it ends there.
//
// Transport calls (play, stop, locate, ...) take effect at the next frame rendered: `output_frame`
// is that frame. A caller that schedules a command inside a block renders up to its frame first.
//
// Threading: every method is audio-thread-safe (no allocation, no locks) and must be called from
// one thread at a time, the audio thread. The snapshot and mixer are owned elsewhere and must
// outlive their use (the server publishes them and reclaims retired ones off the audio thread).
#pragma once

#include "engine/active_notes.h"
#include "engine/midi_clock.h"
#include "engine/score_snapshot.h"
#include "engine/track_mixer.h"
#include "engine/transport.h"

namespace tactus {

class Sequencer {
public:
    Sequencer() = default;
    explicit Sequencer(TrackMixer& mixer) : mixer_(&mixer) {}

    // Switches instruments. For a newly loaded document the old mixer's notes are forgotten (it is
    // no longer rendered); with keep_notes (a mixer sharing the old one's channels, after a track
    // edit) the notes sounding on shared channels go on.
    void set_mixer(TrackMixer* mixer, bool keep_notes = false);
    TrackMixer* mixer() const { return mixer_; }

    // Switches to a new snapshot at the block boundary `output_frame`. With keep_beat, the beat
    // being heard stays where it is and later events follow the new tempo map (timing.md: a tempo
    // change keeps the current beat); otherwise the score frame is kept.
    void set_score(const ScoreSnapshot* score, Frame output_frame, bool keep_beat = false);
    const ScoreSnapshot* score() const { return score_; }

    // Starts playing so that `score_frame` is heard at `output_frame`; notes already sounding at
    // that score frame are started there (chased). With a count-in, the metronome alone plays the
    // `count_in_frames` before it (the score starts at output_frame + count_in_frames).
    void play(Frame output_frame, Frame score_frame, Frame count_in_frames = 0);
    // Stops at `output_frame` and releases every note the score started; the position stays there.
    void stop(Frame output_frame);
    // Moves the play position; while playing, sounding notes are released and the new position's
    // notes chased, from `output_frame` on.
    void locate(Frame output_frame, Frame score_frame);
    void set_loop(const LoopRange& loop) { transport_.loop = loop; }
    // The instrument in `slot` was replaced: the notes it was holding start again on the new one
    // (from `output_frame`), so a preset change while the score plays loses no sustained note.
    void chase_track(std::uint32_t slot, Frame output_frame);

    // The metronome plays `click` (owned elsewhere, rendered with the mix) when enabled.
    void set_metronome(Instrument* click, bool enabled);
    bool metronome_enabled() const { return metronome_enabled_; }
    // MIDI beat clock into `bus` (off by default); turned on or off at `output_frame`.
    void set_midi_clock_bus(MidiOutBus* bus) { midi_clock_.set_bus(bus); }
    void set_midi_clock(bool enabled, Frame output_frame) {
        midi_clock_.enable(enabled, output_frame, transport_.playing, score_frame_at(output_frame));
    }
    bool midi_clock_enabled() const { return midi_clock_.enabled(); }

    const Transport& transport() const { return transport_; }
    bool playing() const { return transport_.playing; }
    // Score frame heard at `output_frame` (meaningful while playing; the stop position otherwise).
    Frame score_frame_at(Frame output_frame) const {
        return transport_.playing ? transport_.score_frame_at(output_frame) : stopped_at_;
    }

    // Renders output frames [output_frame, output_frame + frames) into left/right (overwrites).
    void render(Frame output_frame, int frames, float* left, float* right);

private:
    void seek(Frame score_frame);
    void chase(Frame score_frame);
    void release_score_notes();
    void release_notes_gone_at(Frame score_frame);
    void apply(const ScoreEvent& event);
    // Every lane of the score on its curve at `score_frame`: following it (playing; `score_frame` is
    // heard at the current frame) or holding its value there (stopped).
    void place_automation(Frame score_frame, bool follow);
    // Lane `lane` from the start of point `point`'s segment (-1: before the first point), which is
    // `into` frames before the current frame.
    void follow_segment(const CompiledAutomationLane& lane, long point, Frame into);
    // The mixer frame the next control change applies on (in a render: the mix is cut there first).
    Frame automation_frame();
    static ChannelEvent score_note_on(VoiceKey key, int pitch, float cents, int velocity, long long length);
    static ChannelEvent note_off(VoiceKey key);
    // Plays `e` on the instrument in `slot`: queued on the current frame of the block inside render(),
    // at once outside it (a transport call between renders).
    void deliver(std::uint32_t slot, ChannelEvent e);
    // The same for the metronome's click.
    void deliver_click(ChannelEvent e);
    // Mixes the block from where it was mixed up to `offset`.
    void flush(int offset);
    // The mixer frame of the block's frame being played (inside render()).
    Frame queue_frame() const { return mixer_->clock() + (offset_ - mixed_); }
    // The queue is full: mixes up to here and plays what waits here; the caller then plays its event
    // directly, after them.
    void make_room();
    void click(Frame score_frame);
    void seek_metronome(Frame score_frame);
    bool metronome_sounds(Frame score_frame) const {
        return metronome_enabled_ || score_frame < count_in_end_;
    }
    // Renders the mix for [offset, offset + frames) of the current block.
    void mix(int offset, int frames);

    TrackMixer* mixer_ = nullptr;
    const ScoreSnapshot* score_ = nullptr;
    Transport transport_;
    Frame stopped_at_ = 0;
    EventCursor next_event_;  // first event not yet played
    ActiveNotes active_;
    Instrument* click_ = nullptr;
    bool metronome_enabled_ = false;
    long long next_click_beat_ = 0;
    Frame next_click_frame_ = 0;
    MidiClock midi_clock_;
    Frame count_in_end_ = 0;           // the metronome sounds before this score frame even when off
    Frame pending_chase_ = INT64_MAX;  // chase notes here (the end of a count-in)
    float* block_left_ = nullptr;
    float* block_right_ = nullptr;
    bool in_render_ = false;
    int offset_ = 0;               // inside render(): the block's frame being played
    int mixed_ = 0;                // inside render(): the block's frames mixed
    Frame next_output_frame_ = 0;  // the output frame that follows the last render
};

}  // namespace tactus
