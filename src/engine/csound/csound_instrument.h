// A track instrument played by a Csound orchestra, performed k-cycle by k-cycle from the audio thread.
//
// Timing: Csound computes whole k-cycles, so an event handed over on its frame may find that frame's
// cycle already computed. The instrument therefore delays its output by latency() = ksmps - 1 frames:
// an event given at instrument time t goes to Csound sample t, whose cycle is then never computed yet,
// and --sample-accurate starts it exactly there; it is heard at t + latency(). The engine compensates
// (every other track is delayed to match), so the note is heard on its frame.
// (docs/research/csound-6.18-hosting.md: why Csound's own rounding needs the p2 formula used here.)
//
// Threading: construct and destroy off the audio thread; every other call from the audio thread only.
#pragma once

#include <array>
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
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void render(float* left, float* right, int frames) override;
    bool is_silent() const override { return false; }  // an orchestra may sound on its own

private:
    static constexpr int kHeldSlots = 256;  // notes held at once; p1's fraction tells them apart
    struct Held {
        VoiceKey key = 0;
        bool used = false;
    };

    void perform_one_cycle();
    void release_slot(int slot);
    void send_event(double p1, double p3_seconds, int pitch, double cents, int velocity);
    double p1_of(int slot) const { return instrument_ + (slot + 1) / 1000.0; }

    std::unique_ptr<CsoundOrchestra> orchestra_;
    int instrument_ = 1;
    int ksmps_ = 1;
    int channels_ = 1;
    double scale_ = 1.0;  // 1 / 0dbfs
    long long time_ = 0;  // instrument time: frames rendered so far
    // Csound's output not yet rendered, delayed by latency(): a ring of 2 * ksmps stereo frames.
    std::vector<float> ring_left_, ring_right_;
    int ring_read_ = 0, ring_count_ = 0;
    std::array<Held, kHeldSlots> held_{};
};

}  // namespace tactus
