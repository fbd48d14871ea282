// The instrument of a track whose own could not be built (a Csound orchestra that does not compile, or
// is missing): the document still loads and plays, that track is silent, and the error is reported.
//
// Threading: as every Instrument (engine/instrument.h).
#pragma once

#include <algorithm>

#include "engine/instrument.h"

namespace tactus {

class SilentInstrument final : public Instrument {
public:
    void note_on(VoiceKey, int, double, int) override {}
    void note_off(VoiceKey) override {}
    void release_all() override {}
    void kill_all() override {}
    void render(float* left, float* right, int frames) override {
        std::fill_n(left, frames, 0.0f);
        std::fill_n(right, frames, 0.0f);
    }
    bool is_silent() const override { return true; }
};

}  // namespace tactus
