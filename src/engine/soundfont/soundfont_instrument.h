// A track played by a SoundFont preset (Instrument, engine/instrument.h): the channel's state, the
// voices, and what MIDI does with them the way FluidSynth does it.
//
// Threading: construct and destroy off the audio thread (the constructor allocates the voice pool);
// every other method but ready()/wait_until_ready() is audio-thread only and never allocates, locks
// or does I/O. The font arrives through a FontHandle: until the loader thread has read it the track
// is silent and notes given meanwhile are dropped (tactusd answers /load once its fonts are in memory;
// offline renders wait for them).
//
// Voices: each note starts one voice per zone that covers its key and velocity (layers, stereo
// pairs). At most kVoices sound per track (FluidSynth's default polyphony); beyond that the voice
// released longest ago, else the oldest, is cut. A note on a key still sounding releases the older
// note (as FluidSynth). A note tuned more than 50 cents off its key plays the nearest key's zones with
// the remaining cents (as FluidSynth plays MIDI-tuned notes). Exclusive classes: a note's zone of class c
// chokes the voices of class c that sounded before it (the closed hi-hat the open one).
//
// Controllers: every CC reaches the modulators (CC1 vibrato, CC7 volume, CC10 pan, CC11 expression,
// and whatever the font's own modulators read); CC0 selects the bank (General MIDI / GS style: MSB),
// CC64 sustain holds released notes until the pedal lifts, RPN 0 (CC101/100 = 0, CC6/38) sets the pitch
// wheel's range, CC120 all sound off (kill_all), CC121 reset controllers, CC123 all notes off. Pitch
// bend, channel pressure; a program change selects the preset for the notes after it (sounding notes
// keep theirs). A bank/program the font lacks falls back as FluidSynth does (bank 0 for melodic, kit
// 0 for drums); when that is missing too, notes are silent.
//
// Timing: every call applies at the first frame of the next render(); output never depends on how a
// span is cut into render() calls (the voices keep their own control clock).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/instrument.h"
#include "engine/soundfont/channel_state.h"
#include "engine/soundfont/font_library.h"
#include "engine/soundfont/sound_font_voice.h"
#include "engine/soundfont/voice_setup.h"

namespace tactus {

class SoundFontInstrument final : public Instrument {
public:
    static constexpr int kVoices = 256;
    static constexpr int kDrumBank = 128;

    // `drums`: the font's percussion bank, whatever bank selects.
    SoundFontInstrument(std::shared_ptr<sf2::FontHandle> font, int bank, int program, bool drums,
                        double sample_rate);
    ~SoundFontInstrument() override;
    SoundFontInstrument(const SoundFontInstrument&) = delete;
    SoundFontInstrument& operator=(const SoundFontInstrument&) = delete;

    void note_on(VoiceKey key, int pitch, double cents, int velocity) override;
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void controller(const ControllerEvent& event) override;
    void render(float* left, float* right, int frames) override;
    bool is_silent() const override { return active_ == 0; }
    bool wait_until_ready(std::string* error) override { return font_->wait(error); }
    bool ready() const override { return font_->done(); }

    // For tests and benchmarks.
    int active_voices() const { return active_; }
    // The preset notes start with now (nullptr: none, or the font is not read yet).
    const sf2::Preset* preset() const { return preset_; }

private:
    struct Slot {
        VoiceKey owner = 0;
        std::uint64_t started = 0;  // start order, for stealing
        bool held = false;          // note-off seen while the sustain pedal is down
    };

    void select_preset();
    int free_slot();
    void release_slot(int i);
    void pedal_up();
    void controllers_changed();
    void control_change(int number, int value);

    std::shared_ptr<sf2::FontHandle> font_;
    double sample_rate_;
    int bank_;
    int program_;
    bool drums_;
    bool preset_stale_ = true;
    const sf2::Preset* preset_ = nullptr;
    sf2::ChannelState channel_;
    std::vector<sf2::SoundFontVoice> voices_;
    std::vector<Slot> slots_;
    std::array<sf2::VoiceSetup, sf2::kMaxVoicesPerNote> setups_{};
    std::uint64_t next_start_ = 1;
    int active_ = 0;
};

}  // namespace tactus
