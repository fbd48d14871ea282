// What the sequencer plays: anything that turns note and controller events into audio.
// The built-in synth, the MIDI output and Csound orchestras implement it.
//
// Threading: construct and destroy off the audio thread. Every other method is called only from
// the audio thread (or the offline render loop) and must not allocate, lock, or do I/O.
//
// Timing contract: the mixer cuts each instrument's span at that instrument's own events, so an event
// always applies at the start of the next render() call. Output must not depend on how a span of
// frames is cut into render() calls: render(a) then render(b) gives exactly the samples of
// render(a + b). An instrument is only ever called by one thread at a time, but not always the same
// thread (the mixer may render its channels on several).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/score.h"

namespace tactus {

class InsertChain;

// Identifies one sounding note so that its note-off finds it even when the same pitch overlaps.
// Score notes use their NoteId; auditions and live input use keys with kLiveKeyBit set.
using VoiceKey = std::uint64_t;
inline constexpr VoiceKey kLiveKeyBit = VoiceKey{1} << 63;

// A control an instrument offers to be set live (a Csound orchestra's named input channels), with its
// range (minimum == maximum: none declared) and its value before anything sets it.
struct InstrumentParameter {
    std::string name;
    double minimum = 0.0;
    double maximum = 0.0;
    double default_value = 0.0;
};

// The longest span the sequencer hands to render() at once.
inline constexpr int kMaxRenderFrames = 256;

class Instrument {
public:
    virtual ~Instrument() = default;

    // Starts a note at the first frame of the next render(). velocity is 1..127.
    virtual void note_on(VoiceKey key, int pitch, double cents, int velocity) = 0;
    // A score note, known to last `length` frames (0: a zero-length note). Its note_off still comes
    // (on its end, or earlier when a stop, locate, loop wrap or edit cuts it short). Instruments that
    // want the length up front (a Csound note's p3) take it here; the others just start the note.
    virtual void score_note_on(VoiceKey key, int pitch, double cents, int velocity, long long length) {
        (void)length;
        note_on(key, pitch, cents, velocity);
    }
    // Releases the note with its envelope (no click). Unknown keys are ignored.
    virtual void note_off(VoiceKey key) = 0;
    // Releases every sounding note with its envelope (transport stop, loop wrap, locate).
    virtual void release_all() = 0;
    // Panic: every voice fades out within a few milliseconds, then silence.
    virtual void kill_all() = 0;
    // Controllers (sustain, pitch bend, ...). The built-in synth may ignore what it cannot play.
    virtual void controller(const ControllerEvent& event) { (void)event; }
    // The instrument's parameters, fixed at construction: any thread may read them.
    virtual const std::vector<InstrumentParameter>& parameters() const {
        static const std::vector<InstrumentParameter> none;
        return none;
    }
    // Sets parameter `index` of parameters() from the next frame rendered (out of range: clamped to
    // the declared range; an unknown index is ignored).
    virtual void set_parameter(std::size_t index, double value) {
        (void)index;
        (void)value;
    }

    // Writes (not adds) `frames` samples, 0 < frames <= kMaxRenderFrames, to left and right.
    virtual void render(float* left, float* right, int frames) = 0;
    // True when no voice is sounding, so render() would write exact zeros.
    virtual bool is_silent() const = 0;
    // The mixer did not render this silent instrument for `frames` frames (it skips silent ones); called
    // before its next event or render(). An instrument whose sound depends on its own clock (Csound's
    // k-cycles) moves that clock on as if it had rendered the silence.
    virtual void skip_silence(long long frames) { (void)frames; }
    // Off the audio thread: blocks until the instrument has in memory what it plays (a SoundFont's
    // samples are read on a loader thread); false with *error when that failed. Offline renders call it
    // before their first frame; tactusd answers /load once every instrument is ready().
    virtual bool wait_until_ready(std::string* error) {
        (void)error;
        return true;
    }
    // Any thread: false while wait_until_ready would block.
    virtual bool ready() const { return true; }
    // Frames by which the output lags the events: a note given before render() is heard that many
    // frames into it. The engine delays every other track to match (engine/compensated_mix.h).
    virtual int latency() const { return 0; }
    // The effect plugins after the instrument (engine/lv2/instrument_with_inserts.h), or nullptr.
    virtual InsertChain* inserts() { return nullptr; }
    // True when render() writes to something other instruments write to as well (the MIDI output): the
    // mixer then renders it on its own thread, in slot order, never at the same time as another.
    virtual bool shares_output() const { return false; }
};

}  // namespace tactus
