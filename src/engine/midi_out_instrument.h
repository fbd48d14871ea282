// The "midi" instrument: plays a track on an external synth through the engine's MIDI output (JACK's
// "midi_out" port) instead of making sound. Notes, controllers, program changes and pitch bend go out
// on the track's MIDI channel at the frame they fall on; every note it started gets its note-off on
// release (stop, loop wrap, locate), and panic sends note-offs plus All Notes Off.
//
// The frame offset of a message is the number of frames the mixer has rendered in the current block:
// this instrument never reports itself silent, so the mixer renders it for every span.
//
// Threading: built off the audio thread; every other method on the audio thread (no allocation).
#pragma once

#include <array>

#include "engine/instrument.h"
#include "engine/midi_out_bus.h"

namespace tactus {

class MidiOutInstrument final : public Instrument {
public:
    MidiOutInstrument(MidiOutBus& bus, int channel);  // channel 0..15

    void note_on(VoiceKey key, int pitch, double cents, int velocity) override;
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void controller(const ControllerEvent& event) override;
    void render(float* left, float* right, int frames) override;
    bool is_silent() const override { return false; }
    bool shares_output() const override { return true; }  // one MIDI output for every such track

private:
    struct Held {
        VoiceKey key = 0;
        int pitch = 0;
        bool used = false;
    };
    int offset();  // frames rendered so far in the current block
    void send(std::uint8_t status, int data1, int data2);

    MidiOutBus& bus_;
    std::uint8_t channel_;
    std::uint64_t serial_ = 0;
    int rendered_ = 0;
    std::array<Held, 128> held_{};
};

}  // namespace tactus
