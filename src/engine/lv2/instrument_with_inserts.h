// A track's instrument followed by its insert chain, seen by the mixer as one instrument: it renders
// the instrument and passes the result through the chain, its latency is both latencies, and it is
// silent only when the instrument is and the chain's tail has died away (a reverb rings on after the
// last note). Events go to the instrument; the engine reaches the chain through inserts().
//
// Threading: as Instrument (construct and destroy off the audio thread, the rest from the thread that
// renders).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/instrument.h"
#include "engine/lv2/insert_chain.h"

namespace tactus {

class InstrumentWithInserts final : public Instrument {
public:
    InstrumentWithInserts(std::unique_ptr<Instrument> instrument, std::unique_ptr<InsertChain> chain)
        : instrument_(std::move(instrument)), chain_(std::move(chain)) {}

    InsertChain* inserts() override { return chain_.get(); }
    Instrument& instrument() { return *instrument_; }

    void note_on(VoiceKey key, int pitch, double cents, int velocity) override {
        instrument_->note_on(key, pitch, cents, velocity);
    }
    void score_note_on(VoiceKey key, int pitch, double cents, int velocity, long long length) override {
        instrument_->score_note_on(key, pitch, cents, velocity, length);
    }
    void note_off(VoiceKey key) override { instrument_->note_off(key); }
    void release_all() override { instrument_->release_all(); }
    void kill_all() override { instrument_->kill_all(); }
    void controller(const ControllerEvent& event) override { instrument_->controller(event); }
    const std::vector<InstrumentParameter>& parameters() const override { return instrument_->parameters(); }
    void set_parameter(std::size_t index, double value) override { instrument_->set_parameter(index, value); }
    void render(float* left, float* right, int frames) override {
        instrument_->render(left, right, frames);
        chain_->process(left, right, frames);
    }
    bool is_silent() const override { return instrument_->is_silent() && chain_->is_quiet(); }
    void skip_silence(long long frames) override {
        instrument_->skip_silence(frames);
        chain_->skip(frames);
    }
    bool wait_until_ready(std::string* error) override { return instrument_->wait_until_ready(error); }
    bool ready() const override { return instrument_->ready(); }
    int latency() const override { return instrument_->latency() + chain_->latency(); }

private:
    std::unique_ptr<Instrument> instrument_;
    std::unique_ptr<InsertChain> chain_;
};

}  // namespace tactus
