#include "engine/soundfont/soundfont_instrument.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/synth/denormals.h"

namespace tactus {

SoundFontInstrument::SoundFontInstrument(std::shared_ptr<sf2::FontHandle> font, int bank, int program,
                                         bool drums, double sample_rate)
    : font_(std::move(font)),
      sample_rate_(sample_rate),
      bank_(drums ? kDrumBank : bank),
      program_(program),
      drums_(drums),
      voices_(kVoices),
      slots_(kVoices) {}

SoundFontInstrument::~SoundFontInstrument() = default;

// The preset for bank_/program_, or FluidSynth's fallback: a melodic bank the font lacks plays bank 0,
// a drum kit it lacks plays kit 0.
void SoundFontInstrument::select_preset() {
    const sf2::SoundFont* font = font_->ready();
    if (!font) return;
    preset_stale_ = false;
    preset_ = font->find_preset(bank_, program_);
    if (!preset_) preset_ = drums_ ? font->find_preset(kDrumBank, 0) : font->find_preset(0, program_);
}

int SoundFontInstrument::free_slot() {
    int oldest_released = -1, oldest = -1;
    for (int i = 0; i < kVoices; ++i) {
        if (!voices_[i].active()) return i;
        const auto started = slots_[i].started;
        if (voices_[i].released() && (oldest_released < 0 || started < slots_[oldest_released].started))
            oldest_released = i;
        if (oldest < 0 || started < slots_[oldest].started) oldest = i;
    }
    --active_;  // the stolen voice is cut
    return oldest_released >= 0 ? oldest_released : oldest;
}

void SoundFontInstrument::note_on(VoiceKey key, int pitch, double cents, int velocity) {
    const sf2::SoundFont* font = font_->ready();
    if (!font) return;  // not read yet: the note is dropped (see the class comment)
    if (preset_stale_) select_preset();
    if (!preset_) return;
    // A note tuned more than half a semitone away plays the zones of the key nearest its sound, the rest
    // as cents: FluidSynth plays MIDI-tuned notes so (their zones and key scaling follow the pitch heard).
    int played = pitch;
    if (cents > 50.0 && pitch < 127) {
        played = pitch + 1;
        cents -= 100.0;
    } else if (cents < -50.0 && pitch > 0) {
        played = pitch - 1;
        cents += 100.0;
    }
    // Another note on this key: released, as FluidSynth does (a retriggered key does not pile up).
    for (int i = 0; i < kVoices; ++i)
        if (voices_[i].active() && !voices_[i].released() && voices_[i].key() == played) release_slot(i);
    const int n = sf2::select_voices(*font, *preset_, played, velocity, cents, setups_.data());
    // Exclusive classes: what sounded before this note in a class it starts is choked.
    for (int v = 0; v < n; ++v) {
        const int exclusive = setups_[v].gens[sf2::ExclusiveClass];
        if (exclusive == 0) continue;
        for (int i = 0; i < kVoices; ++i)
            if (voices_[i].active() && voices_[i].exclusive_class() == exclusive) voices_[i].choke();
    }
    const std::uint64_t started = next_start_++;
    for (int v = 0; v < n; ++v) {
        const int i = free_slot();
        voices_[i].start(setups_[v], channel_, sample_rate_);
        slots_[i] = {key, started, false};
        ++active_;
    }
}

void SoundFontInstrument::release_slot(int i) {
    slots_[i].held = false;
    voices_[i].release();
}

void SoundFontInstrument::note_off(VoiceKey key) {
    for (int i = 0; i < kVoices; ++i) {
        if (slots_[i].owner != key || !voices_[i].active() || voices_[i].released()) continue;
        if (channel_.sustain_down())
            slots_[i].held = true;
        else
            release_slot(i);
    }
}

void SoundFontInstrument::pedal_up() {
    for (int i = 0; i < kVoices; ++i)
        if (slots_[i].held && voices_[i].active()) release_slot(i);
}

void SoundFontInstrument::release_all() {
    for (int i = 0; i < kVoices; ++i)
        if (voices_[i].active() && !voices_[i].released()) release_slot(i);
}

void SoundFontInstrument::kill_all() {
    for (int i = 0; i < kVoices; ++i)
        if (voices_[i].active()) {
            slots_[i].held = false;
            voices_[i].kill();
        }
}

void SoundFontInstrument::controllers_changed() {
    for (auto& voice : voices_)
        if (voice.active()) voice.controllers_changed();
}

void SoundFontInstrument::control_change(int number, int value) {
    const bool was_down = channel_.sustain_down();
    channel_.cc[number] = static_cast<std::uint8_t>(value);
    switch (number) {
        case 0:  // bank select (MSB: General MIDI / GS)
            if (!drums_) {
                bank_ = value;
                preset_stale_ = true;
            }
            return;
        case 6:
        case 38:  // data entry: RPN 0 is the pitch wheel's range
            if (channel_.cc[101] == 0 && channel_.cc[100] == 0)
                channel_.pitch_wheel_sensitivity = channel_.cc[6] + channel_.cc[38] / 100.0;
            break;
        case 64:
            if (was_down && !channel_.sustain_down()) pedal_up();
            break;
        case 120:
            kill_all();
            return;
        case 121:
            channel_.reset_controllers();
            pedal_up();
            break;
        case 123:
            release_all();
            return;
        default:
            break;
    }
    controllers_changed();
}

void SoundFontInstrument::controller(const ControllerEvent& event) {
    switch (event.kind) {
        case ControllerKind::ControlChange:
            if (event.number >= 0 && event.number < 128)
                control_change(event.number, std::clamp(static_cast<int>(std::lround(event.value)), 0, 127));
            return;
        case ControllerKind::PitchBend:
            channel_.pitch_wheel =
                std::clamp(static_cast<int>(std::lround(8192.0 + event.value * 8192.0)), 0, 16383);
            controllers_changed();
            return;
        case ControllerKind::ChannelPressure:
            channel_.channel_pressure =
                static_cast<std::uint8_t>(std::clamp(static_cast<int>(std::lround(event.value)), 0, 127));
            controllers_changed();
            return;
        case ControllerKind::ProgramChange:
            program_ = std::clamp(event.number, 0, 127);
            preset_stale_ = true;
            return;
    }
}

void SoundFontInstrument::render(float* left, float* right, int frames) {
    std::memset(left, 0, sizeof(float) * static_cast<std::size_t>(frames));
    std::memset(right, 0, sizeof(float) * static_cast<std::size_t>(frames));
    if (active_ == 0) return;
    synth::ScopedFlushDenormals flush;
    int active = 0;
    for (auto& voice : voices_) {
        if (!voice.active()) continue;
        voice.render_add(left, right, frames);
        if (voice.active()) ++active;
    }
    active_ = active;
}

}  // namespace tactus
