// A track instrument played by a Csound orchestra, performed k-cycle by k-cycle from the audio thread.
//
// Timing: Csound computes whole k-cycles, so an event handed over on its frame may find that frame's
// cycle already computed. The instrument therefore delays its output by latency() = ksmps - 1 frames:
// an event given at instrument time t goes to Csound sample t, whose cycle is then never computed yet,
// and --sample-accurate starts it exactly there; it is heard at t + latency(). The engine compensates
// (every other track is delayed to match), so the note is heard on its frame.
// (docs/research/csound-6.18-hosting.md: why Csound's own rounding needs the p2 formula used here.)
//
// p-fields: p1 the instrument (with a fraction per held note: 1.001, 1.002, ...), p2 the start, p3 the
// duration in seconds (a score note's length, ending exactly on its last frame; a zero-length note lasts
// one k-cycle; a live note is held, p3 = -1, until its note-off), p4 the MIDI pitch with cents as a
// fraction, p5 the velocity 1..127, p6 the frequency in Hz (A4 = 440). A note-off releases the note (a
// negative p1: the orchestra's release segments play); a score note's own end needs none.
//
// Controllers reach the orchestra through control channels it reads with chnget: "tactus.cc0" ..
// "tactus.cc127" (0..127), "tactus.sustain" (1 while CC 64 is at 64 or more, else 0), "tactus.bend"
// (-1..1 of the bend range), "tactus.pressure" (0..127) and "tactus.program" (0..127). Csound reads
// channels once per k-cycle: a change takes effect from the k-cycle that holds its frame (on its frame
// at ksmps = 1).
//
// Silence: the instrument is silent (the mixer stops rendering it, and Csound's time pauses with it)
// once no note is held or pending, no instrument instance of the orchestra is active, and its delayed
// output has played out. The frames skipped are told to it (skip_silence), so its k-cycles stay on
// the frames they were on: a render from the start has them on multiples of ksmps, as `csound` has. An
// orchestra that sounds on its own (an always-on instrument) keeps an instance active and is rendered all
// along.
//
// Threading: construct and destroy off the audio thread; every other call from the audio thread only.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/csound/csound_orchestra.h"
#include "engine/instrument.h"

namespace tactus {

class CsoundInstrument final : public Instrument {
public:
    // Plays instrument `instrument_number` of `orchestra` (which it then owns).
    CsoundInstrument(std::unique_ptr<CsoundOrchestra> orchestra, int instrument_number);

    int latency() const override { return ksmps_ - 1; }

    void note_on(VoiceKey key, int pitch, double cents, int velocity) override;
    void score_note_on(VoiceKey key, int pitch, double cents, int velocity, long long length) override;
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void render(float* left, float* right, int frames) override;
    void controller(const ControllerEvent& event) override;
    // The orchestra's control channels a host may write (chn_k "name", 1 or 3; chnexport with an
    // input mode), with their declared ranges and defaults. Csound reads them once per k-cycle.
    const std::vector<InstrumentParameter>& parameters() const override { return parameters_; }
    void set_parameter(std::size_t index, double value) override;
    bool is_silent() const override;
    // Keeps Csound's k-cycles on the frames they had: Csound, idle, is not run, but the instrument reads
    // the frames as if it had performed the cycles those frames needed (see the .cpp).
    void skip_silence(long long frames) override;

private:
    static constexpr int kHeldSlots = 256;  // notes held at once; p1's fraction tells them apart
    static constexpr double kPanicFadeSeconds = 0.005;
    static constexpr long long kUntilReleased = INT64_MAX;
    struct Held {
        VoiceKey key = 0;
        bool used = false;
        long long ends_at = kUntilReleased;  // instrument time its p3 ends it by itself
    };

    void warm_up();
    void start(VoiceKey key, int pitch, double cents, int velocity, long long length);
    void perform_one_cycle();
    float panic_gain(long long sample) const;
    void release_slot(int slot);
    void send_event(double p1, double p3_seconds, int pitch, double cents, int velocity);
    void score_event(const double* p, int count);
    // p2 of an event starting now (Csound sample time_).
    double event_p2() const;
    // p3 in seconds for a note of `length` frames starting now (> 0), ending on its last frame.
    double p3_for(long long length) const;
    double p1_of(int slot) const { return instrument_ + (slot + 1) / 1000.0; }

    std::unique_ptr<CsoundOrchestra> orchestra_;
    int instrument_ = 1;
    double releaser_ = 0;  // the host's instrument that releases a note cut short (0: none)
    int ksmps_ = 1;
    int channels_ = 1;
    double scale_ = 1.0;    // 1 / 0dbfs
    long long time_ = 0;    // instrument time: frames rendered so far
    long long origin_ = 0;  // Csound's sample count at instrument time 0 (after the warm-up)
    // Csound's output not yet rendered, delayed by latency(): a ring of 2 * ksmps stereo frames.
    std::vector<float> ring_left_, ring_right_;
    int ring_read_ = 0, ring_count_ = 0;
    std::array<Held, kHeldSlots> held_{};
    int held_count_ = 0;
    // The last panic's fade, in Csound samples (= instrument time of the events): from, length, and
    // the end of the silence after it.
    long long fade_from_ = 0, fade_frames_ = 1, fade_until_ = 0;
    long long events_until_ = 0;  // instrument time by which every event sent has started in Csound
    long long sound_until_ = 0;   // instrument time up to which the ring may hold a non-zero sample
    bool csound_active_ = true;   // Csound had an active instance after its last cycle (unknown before)
    // Control channels the controllers write (nullptr: the orchestra declared one of another type).
    std::array<double*, 128> cc_channels_{};
    double* sustain_channel_ = nullptr;
    double* bend_channel_ = nullptr;
    double* pressure_channel_ = nullptr;
    double* program_channel_ = nullptr;
    std::vector<InstrumentParameter> parameters_;
    std::vector<double*> parameter_channels_;  // parallel to parameters_
};

}  // namespace tactus
