#include "engine/synth/synth_instrument.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>

#include "engine/synth/denormals.h"
#include "engine/synth/drum_kit.h"
#include "engine/synth/synth_voice_render.h"

namespace tactus {
namespace {

double sane_sample_rate(double rate) {
    return std::isfinite(rate) ? std::clamp(rate, 1000.0, 1536000.0) : 48000.0;
}

int voice_limit_for(const SynthPreset& preset, int max_voices) {
    const int limit = std::max(1, max_voices);
    return preset.polyphony > 0 ? std::min(limit, preset.polyphony) : limit;
}

double midi_frequency(int pitch, double cents) {
    return 440.0 * std::exp2((pitch - 69 + cents / 100.0) / 12.0);
}

// Off the audio thread (the constructor): one table per sample rate, while any instrument uses it.
std::shared_ptr<const synth::CutoffTable> cutoff_table_for(double sample_rate) {
    static std::mutex mutex;
    static std::map<double, std::weak_ptr<const synth::CutoffTable>> tables;
    std::lock_guard lock(mutex);
    std::weak_ptr<const synth::CutoffTable>& entry = tables[sample_rate];
    if (auto table = entry.lock()) return table;
    auto table = std::make_shared<const synth::CutoffTable>(sample_rate);
    entry = table;
    return table;
}

}  // namespace

namespace synth {

// The batch work buffers of render(), one set per rendering thread. Constant-initialized with a
// trivial destructor: a thread's first use neither allocates nor registers anything.
struct RenderScratch {
    synth::VoiceLane lanes[synth::FilterBank::kLanes];
    synth::FilterBank filter_bank;
    float* mix = nullptr;  // the voices' sum: the left output, copied to the right at the end
};

RenderScratch& render_scratch() {
    static thread_local constinit RenderScratch scratch{};
    return scratch;
}

}  // namespace synth

using synth::render_scratch;
using synth::RenderScratch;

SynthInstrument::SynthInstrument(const SynthPreset& preset, double sample_rate, int max_voices)
    : preset_(synth::sanitized(preset)),
      sample_rate_(sane_sample_rate(sample_rate)),
      cutoff_table_(cutoff_table_for(sample_rate_)),
      allocator_(voice_limit_for(preset_, max_voices), 2 * voice_limit_for(preset_, max_voices)) {
    if (preset_.drum_kit) {
        patches_.reserve(synth::kDrumSoundCount);
        for (int i = 0; i < synth::kDrumSoundCount; ++i) {
            patches_.push_back(synth::VoicePatch::compile(
                synth::drum_sound_preset(static_cast<synth::DrumSound>(i)), sample_rate_, preset_.gain));
        }
    } else {
        patches_.push_back(synth::VoicePatch::compile(preset_, sample_rate_));
    }
    for (synth::VoicePatch& patch : patches_) patch.cutoff_table = cutoff_table_.get();
    voices_.resize(static_cast<std::size_t>(allocator_.slot_count()));
}

SynthInstrument::~SynthInstrument() = default;

void SynthInstrument::note_on(VoiceKey key, int pitch, double cents, int velocity) {
    pitch = std::clamp(pitch, 0, 127);
    velocity = std::clamp(velocity, 1, 127);
    cents = std::isfinite(cents) ? std::clamp(cents, -1200.0, 1200.0) : 0.0;

    if (const int old = allocator_.find_held(key); old >= 0) release_slot(old);

    const synth::VoicePatch* patch = &patches_.front();
    synth::NoteStart note;
    note.pitch = pitch;
    note.velocity = velocity;
    note.frequency_hz = midi_frequency(pitch, cents);
    note.bendable = true;
    if (preset_.drum_kit) {
        const synth::DrumHit hit = synth::gm_drum_hit(pitch);
        patch = &patches_[static_cast<std::size_t>(hit.sound)];
        note.frequency_hz = std::max(1.0, hit.frequency_hz) * std::exp2(cents / 1200.0);
        note.pitch = 60;  // drum sounds do not track the key
        note.bendable = false;
        if (const int group = patch->preset.choke_group; group != 0) {
            for (int slot = 0; slot < allocator_.slot_count(); ++slot) {
                const auto state = allocator_.state(slot);
                if ((state == synth::VoiceAllocator::State::Held ||
                     state == synth::VoiceAllocator::State::Released) &&
                    voices_[slot].patch()->preset.choke_group == group) {
                    fade_slot(slot);
                }
            }
        }
    }
    // Deterministic noise: the same note of the same score always sounds the same.
    note.noise_seed =
        key ^ (static_cast<std::uint64_t>(pitch) << 56) ^ (static_cast<std::uint64_t>(velocity) << 48);

    if (const int victim = allocator_.steal_victim(); victim >= 0) fade_slot(victim);
    const int slot = allocator_.acquire(key);
    voices_[slot].start(*patch, note, bend_ratio_);
}

void SynthInstrument::note_off(VoiceKey key) {
    const int slot = allocator_.find_held(key);
    if (slot < 0) return;
    if (preset_.one_shot) {
        allocator_.release(slot);  // the key is up; the sound plays out its envelope
    } else if (pedal_down_) {
        allocator_.set_sustained(slot, true);
    } else {
        release_slot(slot);
    }
}

void SynthInstrument::release_all() {
    pedal_down_ = false;
    for (int slot = 0; slot < allocator_.slot_count(); ++slot) {
        const auto state = allocator_.state(slot);
        if (state == synth::VoiceAllocator::State::Held || state == synth::VoiceAllocator::State::Released) {
            allocator_.release(slot);
            voices_[slot].release_now();
        }
    }
}

void SynthInstrument::kill_all() {
    pedal_down_ = false;
    for (int slot = 0; slot < allocator_.slot_count(); ++slot) fade_slot(slot);
}

void SynthInstrument::controller(const ControllerEvent& event) {
    switch (event.kind) {
        case ControllerKind::PitchBend: {
            const double bend = std::isfinite(event.value) ? std::clamp(event.value, -1.0, 1.0) : 0.0;
            bend_ratio_ = std::exp2(bend * kPitchBendRangeSemitones / 12.0);
            for (int slot = 0; slot < allocator_.slot_count(); ++slot) {
                if (allocator_.state(slot) != synth::VoiceAllocator::State::Free)
                    voices_[slot].set_bend(bend_ratio_);
            }
            break;
        }
        case ControllerKind::ControlChange:
            switch (event.number) {
                case 64:
                    set_pedal(event.value >= 64.0);
                    break;
                case 120:
                    kill_all();
                    break;
                case 121:
                    set_pedal(false);
                    controller(ControllerEvent{event.beat, ControllerKind::PitchBend, 0, 0.0});
                    break;
                case 123:
                    release_all();
                    break;
                default:
                    break;
            }
            break;
        case ControllerKind::ProgramChange:
        case ControllerKind::ChannelPressure:
            break;
    }
}

void SynthInstrument::set_pedal(bool down) {
    pedal_down_ = down;
    if (down) return;
    for (int slot = 0; slot < allocator_.slot_count(); ++slot) {
        if (allocator_.state(slot) == synth::VoiceAllocator::State::Held && allocator_.sustained(slot)) {
            release_slot(slot);
        }
    }
}

void SynthInstrument::release_slot(int slot) {
    allocator_.release(slot);
    if (!preset_.one_shot) voices_[slot].release();
}

void SynthInstrument::fade_slot(int slot) {
    const auto state = allocator_.state(slot);
    if (state != synth::VoiceAllocator::State::Held && state != synth::VoiceAllocator::State::Released)
        return;
    allocator_.fade(slot);
    voices_[slot].fade_out();
}

void SynthInstrument::render(float* left, float* right, int frames) {
    synth::ScopedFlushDenormals flush_denormals;
    while (frames > 0) {
        const int span = std::min(frames, kMaxRenderFrames);
        render_block(left, right, span);
        left += span;
        right += span;
        frames -= span;
    }
}

TACTUS_VOICE_LOOP void SynthInstrument::render_block(float* left, float* right, int frames) {
    RenderScratch& scratch = render_scratch();
    float* mix = scratch.mix = left;  // (mono: the right is a copy)
    std::fill(mix, mix + frames, 0.0f);
    // Slot order is the summation order: fixed, whatever the call boundaries.
    int batch[synth::FilterBank::kLanes];
    int count = 0;
    // Only up to the last sounding voice: with a few voices and small blocks the scan of free slots
    // would cost more than the voices.
    int unvisited = allocator_.active();
    for (int slot = 0; unvisited > 0 && slot < allocator_.slot_count(); ++slot) {
        if (allocator_.state(slot) == synth::VoiceAllocator::State::Free) continue;
        --unvisited;
        voices_[slot].begin_render(frames, scratch.lanes[count]);
        batch[count++] = slot;
        if (count == synth::FilterBank::kLanes) {
            finish_batch(batch, count, scratch);
            count = 0;
        }
    }
    finish_batch(batch, count, scratch);
    if (right != left) std::memcpy(right, left, sizeof(float) * static_cast<std::size_t>(frames));
}

void SynthInstrument::finish_batch(const int* slots, int count, RenderScratch& scratch) {
    bool any_filtered = false;
    for (int i = 0; i < count; ++i) any_filtered = any_filtered || scratch.lanes[i].segment_count > 0;
    if (any_filtered) scratch.filter_bank.process(scratch.lanes, count);
    for (int i = 0; i < count; ++i) {
        synth::SynthVoice& voice = voices_[slots[i]];
        voice.end_render(scratch.lanes[i], scratch.mix);
        if (voice.finished()) allocator_.free(slots[i]);
    }
}

}  // namespace tactus
