// The built-in polyphonic synth as an Instrument (engine/instrument.h).
//
// Threading: construct and destroy off the audio thread; the constructor allocates everything
// (voices, compiled patches, work buffers). Every other method is audio-thread only and never
// allocates, locks or does I/O.
//
// Voices: at most voice_limit() notes sound at once (the preset's polyphony, capped by max_voices).
// A note beyond the limit steals the voice released longest ago, else the oldest held one; the
// stolen voice fades out over kFadeSeconds in a spare slot while the new note starts, so nothing
// is cut (there are as many spare slots as the limit; only more steals than that within one fade
// time cut the longest-fading voice). A note_on for a key that is still held releases the old
// voice first.
//
// Notes: note_off releases with the preset's envelope, but a note always completes its attack
// first, so a zero-length note (note_off before any render) is a full, short hit. One-shot presets
// (drums) ignore note_off. release_all releases every voice from its current level, one-shots
// included; kill_all fades every voice out within kFadeSeconds. A voice ends, and frees its slot,
// the sample its envelope reaches exact 0: once no voice sounds, render writes exact zeros.
//
// Controllers: pitch bend (+-2 semitones, not on drums), CC64 sustain pedal, CC120 all sound off
// (kill_all), CC121 reset controllers, CC123 all notes off (release_all). Others are ignored.
//
// Timing: every method applies at the first frame of the next render(). Output depends only on the
// sequence of calls and the frames rendered between them, never on how a span is cut into render()
// calls (bit for bit). Voices are mixed in slot order, and all control-rate work is keyed on each
// voice's own sample count.
//
// Rendering: voices go through in batches of FilterBank::kLanes: each voice computes its envelope
// and source, the bank filters the whole batch at once (SIMD lanes), then each voice adds itself
// to the mix. The work buffers for that (about 22 KB) belong to the rendering thread, not to the
// instrument: nothing in them outlives one render(), and a document of thousands of tracks would
// otherwise hold one set per track.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/instrument.h"
#include "engine/synth/filter_bank.h"
#include "engine/synth/synth_preset.h"
#include "engine/synth/synth_voice.h"
#include "engine/synth/voice_allocator.h"
#include "engine/synth/voice_patch.h"

namespace tactus {

namespace synth {
struct RenderScratch;
}

class SynthInstrument final : public Instrument {
public:
    static constexpr double kPitchBendRangeSemitones = 2.0;

    SynthInstrument(const SynthPreset& preset, double sample_rate, int max_voices = 64);
    ~SynthInstrument() override;
    SynthInstrument(const SynthInstrument&) = delete;
    SynthInstrument& operator=(const SynthInstrument&) = delete;

    void note_on(VoiceKey key, int pitch, double cents, int velocity) override;
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void controller(const ControllerEvent& event) override;

    // Accepts any frames > 0 (spans longer than kMaxRenderFrames are rendered in pieces).
    void render(float* left, float* right, int frames) override;
    bool is_silent() const override { return allocator_.active() == 0; }

    // For meters and tests.
    int voice_limit() const { return allocator_.limit(); }
    // Voices that count against the limit (held or releasing).
    int sounding_voices() const { return allocator_.counted(); }
    // Every voice producing sound, fading (stolen / killed) ones included.
    int active_voices() const { return allocator_.active(); }
    double sample_rate() const { return sample_rate_; }

private:
    void render_block(float* left, float* right, int frames);
    void finish_batch(const int* slots, int count, synth::RenderScratch& scratch);
    void release_slot(int slot);
    void fade_slot(int slot);
    void set_pedal(bool down);

    SynthPreset preset_;  // sanitized copy
    double sample_rate_;
    // One table per sample rate for every instrument (read-only): thousands of tracks share it.
    std::shared_ptr<const synth::CutoffTable> cutoff_table_;
    std::vector<synth::VoicePatch> patches_;  // refer to cutoff_table_  // one, or one per drum sound
    std::vector<synth::SynthVoice> voices_;
    synth::VoiceAllocator allocator_;
    double bend_ratio_ = 1.0;
    bool pedal_down_ = false;
};

}  // namespace tactus
