// An effect bus seen by the mixer as an instrument: what it "plays" is the sum of the sends to it,
// through the bus's insert chain. The mixer renders it after the tracks, in the same span, so a send
// rendered now is heard through the bus now.
//
// Alignment: a track whose instrument and inserts lag by L frames sends a signal L frames late. The
// sends enter a ring (a CompensatedMix) whose lookahead is the largest latency among the bus's senders,
// each placed `alignment - L` frames ahead, so they come out together, `alignment` frames after the
// events they were rendered for; the bus's own latency() (alignment plus its chain's) lets the mixer
// put the bus beside the dry tracks on the master, sample-aligned.
//
// Threading: construct and destroy off the audio thread (the ring and the chain allocate); everything
// else from the one thread that renders (the audio thread or an offline render), without allocation.
#pragma once

#include <memory>
#include <utility>

#include "engine/compensated_mix.h"
#include "engine/instrument.h"
#include "engine/lv2/insert_chain.h"

namespace tactus {

class BusInput final : public Instrument {
public:
    // chain: the bus's inserts, or nullptr for none.
    explicit BusInput(std::unique_ptr<InsertChain> chain)
        : ring_(0, CompensatedMix::kMaxLookahead), chain_(std::move(chain)) {}

    // Adds a send's signal, rendered now by a track whose output lags by `latency` frames.
    void add(const float* left, const float* right, int frames, int latency) {
        ring_.add(left, right, frames, latency);
    }
    // The largest latency among the tracks that send to the bus now.
    void set_alignment(int frames) { ring_.set_lookahead(frames); }
    int alignment() const { return ring_.lookahead(); }

    void render(float* left, float* right, int frames) override {
        ring_.take(left, right, frames);
        if (chain_) chain_->process(left, right, frames);
    }
    bool is_silent() const override { return ring_.is_silent() && (!chain_ || chain_->is_quiet()); }
    void skip_silence(long long frames) override {
        ring_.skip(frames);  // (sends of this span may already wait in it, after the skipped frames)
        if (chain_) chain_->skip(frames);
    }
    int latency() const override { return ring_.lookahead() + (chain_ ? chain_->latency() : 0); }
    InsertChain* inserts() override { return chain_.get(); }

    // A bus plays no notes.
    void note_on(VoiceKey, int, double, int) override {}
    void note_off(VoiceKey) override {}
    void release_all() override {}
    void kill_all() override {}

private:
    CompensatedMix ring_;
    std::unique_ptr<InsertChain> chain_;
};

}  // namespace tactus
