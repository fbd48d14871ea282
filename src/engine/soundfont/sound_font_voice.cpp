#include "engine/soundfont/sound_font_voice.h"

#include <algorithm>
#include <cmath>

#include "engine/soundfont/sf2_units.h"

namespace tactus::sf2 {

namespace {

constexpr double kPhaseOne = 4294967296.0;  // 1.0 in the 32.32 phase
constexpr float kScale16 = 1.0f / 32768.0f;
constexpr float kScale24 = 1.0f / 8388608.0f;
constexpr double kKillSeconds = 0.005;

double clamp(double x, double lo, double hi) {
    return x < lo ? lo : (x > hi ? hi : x);
}

// fluid_ct2hz_real: absolute cents to Hz on whole cents (its table), below 0 exactly.
double pitch_hz(double cents) {
    if (cents < 0.0) return absolute_cents_to_hz(cents);
    return 6.875 * std::exp2((std::floor(cents + 300.0)) / 1200.0);
}

// Blocks of kControlFrames in `seconds`, truncated (FluidSynth's NUM_BUFFERS_* macros).
std::uint32_t blocks_in(double seconds, double rate) {
    return static_cast<std::uint32_t>(rate * seconds / SoundFontVoice::kControlFrames);
}

// 4-point, 3rd-order Hermite (Catmull-Rom) weights: FluidSynth's interp_coeff_4th, on its table of
// 256 fractions (indexed by the phase fraction's top 8 bits).
struct Weights {
    float c0, c1, c2, c3;
};
constexpr int kWeightRows = 256;
std::array<Weights, kWeightRows> make_weights() {
    std::array<Weights, kWeightRows> t{};
    for (int i = 0; i < kWeightRows; ++i) {
        const double x = static_cast<double>(i) / kWeightRows;
        t[static_cast<std::size_t>(i)] = {static_cast<float>(x * (-0.5 + x * (1.0 - 0.5 * x))),
                                          static_cast<float>(1.0 + x * x * (1.5 * x - 2.5)),
                                          static_cast<float>(x * (0.5 + x * (2.0 - 1.5 * x))),
                                          static_cast<float>(0.5 * x * x * (x - 1.0))};
    }
    return t;
}
// Namespace scope: built before main, never on the audio thread.
const std::array<Weights, kWeightRows> kWeights = make_weights();
inline const Weights& weights(std::uint64_t phase) {
    return kWeights[static_cast<std::size_t>((phase >> 24) & 0xFF)];
}

// centibels_to_gain on its whole centibels, from a table (FluidSynth's cb2amp_tab).
constexpr int kGainRows = 1441;
std::array<double, kGainRows> make_gains() {
    std::array<double, kGainRows> t{};
    for (int i = 0; i < kGainRows; ++i) t[static_cast<std::size_t>(i)] = centibels_to_gain(i);
    return t;
}
const std::array<double, kGainRows> kGains = make_gains();
inline double gain_of(double cb) {
    if (cb < 0.0) return 1.0;
    if (cb >= kGainRows) return 0.0;
    return kGains[static_cast<std::size_t>(cb)];
}

}  // namespace

void SoundFontVoice::start(const VoiceSetup& setup, const ChannelState& channel, double output_rate) {
    *this = SoundFontVoice{};
    if (setup.sample == nullptr || setup.font == nullptr || output_rate <= 0.0) return;
    const SoundFont& font = *setup.font;
    const Sample& sample = *setup.sample;
    const auto size = static_cast<std::int64_t>(font.data.size());
    if (size == 0) return;
    data_ = font.data.data();
    data24_ = font.data24.size() == font.data.size() ? font.data24.data() : nullptr;
    channel_ = &channel;
    output_rate_ = output_rate;
    sample_rate_ = sample.sample_rate > 0 ? sample.sample_rate : 44100.0;
    key_ = setup.key;

    const auto& g = setup.gens;
    note_.key = g[Keynum] >= 0 && g[Keynum] <= 127 ? g[Keynum] : setup.key;
    // fluid_voice_get_actual_velocity: an override of 0 is no override.
    note_.velocity = g[Velocity] > 0 && g[Velocity] <= 127 ? g[Velocity] : setup.velocity;
    note_.pressure_key = setup.key;  // poly pressure is the played key's, as FluidSynth reads it
    exclusive_class_ = g[ExclusiveClass];
    for (int i = 0; i < kGenCount; ++i) base_[static_cast<std::size_t>(i)] = g[static_cast<std::size_t>(i)];
    base_[InitialAttenuation] *= kEmuAttenuationFactor;

    // The key's nominal pitch (fluid_voice_calculate_pitch): scale tuning pivots on the root key.
    const int root_key = g[OverridingRootKey] >= 0 && g[OverridingRootKey] <= 127 ? g[OverridingRootKey]
                         : sample.original_key <= 127                             ? sample.original_key
                                                                                  : 60;
    root_pitch_cents_ = root_key * 100.0 - sample.correction;
    base_[Pitch] +=
        base_[ScaleTuning] * (note_.key - root_pitch_cents_ / 100.0) + root_pitch_cents_ + setup.cents;

    // Modulators that read only the note are evaluated once; those that read the channel are kept.
    const int count = std::clamp(setup.modulator_count, 0, kMaxVoiceModulators);
    for (int i = 0; i < count; ++i) {
        const Modulator& m = setup.modulators[static_cast<std::size_t>(i)];
        if (!modulator_is_usable(m)) continue;
        if (modulator_reads_channel(m)) {
            channel_mods_[static_cast<std::size_t>(channel_mod_count_++)] = m;
        } else {
            static_mod_[m.destination] += modulator_value(m, channel, note_);
        }
    }
    for (int i = 0; i < channel_mod_count_; ++i) {
        const Modulator& m = channel_mods_[static_cast<std::size_t>(i)];
        dynamic_mod_[m.destination] += modulator_value(m, channel, note_);
    }

    // Sample addresses with their offsets, made safe as fluid_rvoice_check_sample_sanity does.
    const std::int64_t last = std::min<std::int64_t>(sample.end, size) - 1;
    const std::int64_t first = std::min<std::int64_t>(sample.start, last < 0 ? 0 : last);
    if (last < 0) return;
    auto offset = [&g](Gen fine, Gen coarse) {
        return static_cast<std::int64_t>(g[fine]) + 32768 * static_cast<std::int64_t>(g[coarse]);
    };
    start_ = std::clamp<std::int64_t>(first + offset(StartAddrsOffset, StartAddrsCoarseOffset), first, last);
    end_ = std::clamp<std::int64_t>(last + offset(EndAddrsOffset, EndAddrsCoarseOffset), first, last);
    if (start_ > end_) std::swap(start_, end_);
    if (start_ == end_) return;  // nothing to play (FluidSynth turns such a voice off)
    sample_mode_ = g[SampleModes] & 3;
    if (sample_mode_ == 2) sample_mode_ = 0;
    if (sample_mode_ != 0) {
        const std::int64_t lo = first, hi = last + 1;
        loop_start_ = std::clamp<std::int64_t>(
            sample.loop_start + offset(StartloopAddrsOffset, StartloopAddrsCoarseOffset), lo, hi);
        loop_end_ = std::clamp<std::int64_t>(
            sample.loop_end + offset(EndloopAddrsOffset, EndloopAddrsCoarseOffset), lo, hi);
        if (loop_start_ > loop_end_) std::swap(loop_start_, loop_end_);
        if (loop_end_ < loop_start_ + 2) sample_mode_ = 0;  // FluidSynth's minimum loop
    }
    phase_ = static_cast<std::uint64_t>(start_) << 32;
    if (sample_mode_ != 0 && start_ >= loop_end_) phase_ = static_cast<std::uint64_t>(loop_start_) << 32;

    min_note_frames_ = static_cast<std::uint64_t>(kMinNoteSeconds * output_rate);
    kill_step_ = static_cast<float>(1.0 / std::max(1.0, kKillSeconds * output_rate));
    volume_env_.reset();
    mod_env_.reset();
    filter_.reset(output_rate);
    apply_generators(true);
    active_ = true;
}

void SoundFontVoice::apply_generators(bool at_start) {
    attenuation_cb_ = clamp(gen(InitialAttenuation), 0.0, 1440.0);
    const double pan = gen(Pan);
    gain_left_ = static_cast<float>(pan_gain(-pan) * kSynthGain);
    gain_right_ = static_cast<float>(pan_gain(pan) * kSynthGain);
    pitch_cents_ = gen(Pitch) + 100.0 * gen(CoarseTune) + gen(FineTune);
    modlfo_to_pitch_ = clamp(gen(ModLfoToPitch), -12000.0, 12000.0);
    viblfo_to_pitch_ = clamp(gen(VibLfoToPitch), -12000.0, 12000.0);
    modenv_to_pitch_ = clamp(gen(ModEnvToPitch), -12000.0, 12000.0);
    modlfo_to_fc_ = clamp(gen(ModLfoToFilterFc), -12000.0, 12000.0);
    modenv_to_fc_ = clamp(gen(ModEnvToFilterFc), -12000.0, 12000.0);
    modlfo_to_volume_ = clamp(gen(ModLfoToVolume), -960.0, 960.0);
    fc_cents_ = gen(InitialFilterFc);
    filter_.set_q_centibels(gen(InitialFilterQ));
    // A filter wide open for good (cutoff at its 20 kHz ceiling, nothing moving it, no resonance) only
    // changes the top octave by a fraction of a dB: it is left out, its passband gain kept.
    const bool bypass =
        fc_cents_ >= 13500.0 && modlfo_to_fc_ == 0.0 && modenv_to_fc_ == 0.0 && filter_.flat();
    if (!bypass && filter_bypassed_ && !at_start) filter_.restart();
    filter_bypassed_ = bypass;
    bypass_gain_ = static_cast<float>(filter_.passband_gain());

    auto lfo_delay = [this](double tc) {
        return static_cast<std::uint64_t>(output_rate_ *
                                          timecents_to_seconds_clamped(clamp(tc, -12000.0, 5000.0), 5000.0));
    };
    auto lfo_step = [this](double cents) {
        return 4.0 * kControlFrames * absolute_cents_to_hz(clamp(cents, -16000.0, 4500.0)) / output_rate_;
    };
    mod_lfo_.delay_frames = lfo_delay(gen(DelayModLfo));
    vib_lfo_.delay_frames = lfo_delay(gen(DelayVibLfo));
    // A new rate keeps the direction the triangle is moving in.
    const double mod_step = lfo_step(gen(FreqModLfo)), vib_step = lfo_step(gen(FreqVibLfo));
    mod_lfo_.increment = at_start || mod_lfo_.increment >= 0.0 ? mod_step : -mod_step;
    vib_lfo_.increment = at_start || vib_lfo_.increment >= 0.0 ? vib_step : -vib_step;
    set_envelopes();

    // The quietest this voice can get louder to, should its channel controllers move (FluidSynth's
    // fluid_voice_get_lower_boundary_for_attenuation): the noise-floor test leaves room for it.
    double reduction = 0.0;
    for (int i = 0; i < channel_mod_count_; ++i) {
        const Modulator& m = channel_mods_[static_cast<std::size_t>(i)];
        if (m.destination != InitialAttenuation) continue;
        const double now = modulator_value(m, *channel_, note_);
        reduction += now - modulator_lowest_value(m, now);
    }
    min_attenuation_cb_ = std::max(0.0, attenuation_cb_ - reduction);
}

int SoundFontVoice::hold_decay_blocks(int base, int key_to, bool decay) const {
    double tc = gen(base) + gen(key_to) * (60 - note_.key);
    if (decay) {
        tc = std::min(tc, 8000.0);
    } else {
        tc = std::min(tc, 5000.0);
        if (tc <= -32768.0) return 0;
    }
    tc = std::max(tc, -12000.0);
    return static_cast<int>(output_rate_ * timecents_to_seconds(tc) / kControlFrames + 0.5);
}

// fluid_voice_update_param for the envelope generators.
void SoundFontVoice::set_envelopes() {
    using E = BlockEnvelope;
    const double rate = output_rate_;
    for (int which = 0; which < 2; ++which) {
        const bool volume = which == 0;
        E& env = volume ? volume_env_ : mod_env_;
        const int delay = volume ? DelayVolEnv : DelayModEnv;
        const double d = clamp(gen(delay), -12000.0, 5000.0);
        env.set(E::Delay, blocks_in(timecents_to_seconds_clamped(d, 5000.0), rate), 0.0, 0.0, -1.0, 1.0);
        const double a = clamp(gen(delay + 1), -12000.0, 8000.0);
        const std::uint32_t attack = 1 + blocks_in(timecents_to_seconds_clamped(a, 8000.0), rate);
        env.set(E::Attack, attack, 1.0, 1.0 / attack, -1.0, 1.0);
        const int hold =
            hold_decay_blocks(delay + 2, volume ? KeynumToVolEnvHold : KeynumToModEnvHold, false);
        env.set(E::Hold, static_cast<std::uint32_t>(hold), 1.0, 0.0, -1.0, 2.0);
        const double sustain = clamp(1.0 - 0.001 * gen(delay + 4), 0.0, 1.0);
        const int decay =
            hold_decay_blocks(delay + 3, volume ? KeynumToVolEnvDecay : KeynumToModEnvDecay, true);
        env.set(E::Decay, static_cast<std::uint32_t>(decay), 1.0, decay != 0 ? -1.0 / decay : 0.0, sustain,
                2.0);
        // FluidSynth never lets the volume release be shorter than -7200 timecents (15.6 ms): no click.
        const double r = clamp(gen(delay + 5), volume ? -7200.0 : -12000.0, 8000.0);
        const std::uint32_t release = 1 + blocks_in(timecents_to_seconds_clamped(r, 8000.0), rate);
        env.set(E::Release, release, 1.0, -1.0 / release, 0.0, volume ? 1.0 : 2.0);
    }
}

double SoundFontVoice::modenv_value() const {
    // The modulation envelope's attack is convex (SF2.04 8.1.2 #26, as FluidSynth).
    return mod_env_.section() == BlockEnvelope::Attack ? convex(127.0 * mod_env_.value()) : mod_env_.value();
}

// fluid_rvoice_calc_amp.
double SoundFontVoice::target_amplitude(bool* ended) const {
    const double lfo_cb = mod_lfo_.value * -modlfo_to_volume_;
    const double env = volume_env_.value();
    if (volume_env_.section() == BlockEnvelope::Attack)
        return gain_of(attenuation_cb_) * gain_of(lfo_cb) * env;
    if (gain_of(min_attenuation_cb_) * env < kNoiseFloor) *ended = true;
    return gain_of(attenuation_cb_) * gain_of(kPeakAttenuationCb * (1.0 - env) + lfo_cb);
}

void SoundFontVoice::refresh_phase_increment() {
    const double cents = pitch_cents_ + mod_lfo_.value * modlfo_to_pitch_ +
                         vib_lfo_.value * viblfo_to_pitch_ + modenv_value() * modenv_to_pitch_;
    if (cents == last_pitch_cents_) return;  // most blocks: spare the exp2
    last_pitch_cents_ = cents;
    // FluidSynth's phase_incr = fluid_ct2hz_real(pitch) / root_pitch_hz: both through its table of
    // whole cents (the root clamped to fluid_ct2hz's 1500..13500), so detuned layers beat as there.
    const double ratio =
        pitch_hz(cents) / pitch_hz(clamp(root_pitch_cents_, 1500.0, 13500.0)) * sample_rate_ / output_rate_;
    const double step = std::min(ratio, 65536.0) * kPhaseOne;
    phase_step_ = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(step));
}

// One control block, in fluid_rvoice_write's order.
void SoundFontVoice::control_tick() {
    const std::uint64_t age = age_;
    volume_env_.step(true);
    if (volume_env_.section() == BlockEnvelope::Finished) {
        finish();
        return;
    }
    mod_env_.step(false);
    mod_lfo_.step(age);
    vib_lfo_.step(age);
    silent_block_ = volume_env_.section() == BlockEnvelope::Delay;
    if (!silent_block_) {
        bool ended = false;
        const double target = target_amplitude(&ended);
        if (ended) {
            finish();
            return;
        }
        amp_step_ = static_cast<float>((target - amp_) / kControlFrames);
    }
    refresh_phase_increment();
    if (!filter_bypassed_)
        filter_.set_cutoff(fc_cents_ + mod_lfo_.value * modlfo_to_fc_ + modenv_value() * modenv_to_fc_,
                           kControlFrames);
}

void SoundFontVoice::controllers_changed() {
    if (!active_) return;
    dynamic_mod_.fill(0.0);
    for (int i = 0; i < channel_mod_count_; ++i) {
        const Modulator& m = channel_mods_[static_cast<std::size_t>(i)];
        dynamic_mod_[m.destination] += modulator_value(m, *channel_, note_);
    }
    apply_generators(false);
    // Mid-block, the block's glides retarget so that the new values hold from its end; the pitch
    // changes from the next frame.
    if (block_pos_ != 0) {
        const int left = kControlFrames - block_pos_;
        if (!silent_block_) {
            bool ended = false;
            amp_step_ = static_cast<float>((target_amplitude(&ended) - amp_) / left);
        }
        refresh_phase_increment();
        if (!filter_bypassed_)
            filter_.set_cutoff(fc_cents_ + mod_lfo_.value * modlfo_to_fc_ + modenv_value() * modenv_to_fc_,
                               left);
    }
}

// fluid_rvoice_noteoff_LOCAL: both envelopes to their release, continuous in level.
void SoundFontVoice::begin_release() {
    if (volume_env_.section() == BlockEnvelope::Attack && volume_env_.value() > 0.0) {
        // The attack is linear in amplitude, the rest in dB: find the release value of the same level.
        const double lfo_cb = mod_lfo_.value * -modlfo_to_volume_;
        const double amp = volume_env_.value() * centibels_to_gain(lfo_cb);
        const double env = -((-200.0 * std::log10(amp) - lfo_cb) / kPeakAttenuationCb - 1.0);
        volume_env_.set_value(clamp(env, 0.0, 1.0));
    }
    if (mod_env_.section() == BlockEnvelope::Attack && mod_env_.value() > 0.0)
        mod_env_.set_value(clamp(convex(127.0 * mod_env_.value()), 0.0, 1.0));
    volume_env_.enter(BlockEnvelope::Release);
    mod_env_.enter(BlockEnvelope::Release);
}

void SoundFontVoice::release() {
    if (!active_ || released_) return;
    released_ = true;
    if (age_ < min_note_frames_) {
        release_pending_ = true;
        release_at_ = min_note_frames_;
        return;
    }
    begin_release();
    block_pos_ = 0;  // the release's first block starts on this frame
}

void SoundFontVoice::choke() {
    if (!active_) return;
    exclusive_class_ = 0;
    base_[ReleaseVolEnv] = -200.0 - static_mod_[ReleaseVolEnv] - dynamic_mod_[ReleaseVolEnv];
    base_[ReleaseModEnv] = -200.0 - static_mod_[ReleaseModEnv] - dynamic_mod_[ReleaseModEnv];
    set_envelopes();
    if (!released_) {
        release();
    } else if (!release_pending_) {
        begin_release();
        block_pos_ = 0;
    }
}

void SoundFontVoice::kill() {
    if (!active_) return;
    killing_ = true;
}

float SoundFontVoice::point(std::int64_t i) const {
    const bool looping =
        sample_mode_ == 1 || (sample_mode_ == 3 && volume_env_.section() < BlockEnvelope::Release);
    if (looping) {
        if (i >= loop_end_) i -= loop_end_ - loop_start_;
    } else if (i > end_) {
        i = end_;
    }
    if (has_looped_) {
        if (i < loop_start_) i = loop_end_ - 1;
    } else if (i < start_) {
        i = start_;
    }
    const auto j = static_cast<std::size_t>(i);
    if (data24_ != nullptr) return static_cast<float>(data_[j] * 256 + data24_[j]);
    return static_cast<float>(data_[j]);
}

// Renders up to `n` frames into left/right: 4-point interpolation, times the amplitude (which glides
// by amp_step_ per frame, the step taken before the frame so that the first frame already sounds),
// through the filter, panned (and faded out, when killed). One loop for all of it, so that the
// filter's recursion overlaps the interpolation's work. Returns the frames made: fewer than n when an
// unlooped sample plays out.
template <bool kHas24, bool kKilling, bool kFiltered>
int SoundFontVoice::render_frames(float* left, float* right, int n) {
    const bool looping =
        sample_mode_ == 1 || (sample_mode_ == 3 && volume_env_.section() < BlockEnvelope::Release);
    const std::int16_t* data = data_;
    const std::uint8_t* data24 = data24_;
    // Raw sample values; the scale to -1..1 rides on the amplitude (one multiply instead of four).
    auto at = [data, data24](std::int64_t i) {
        if constexpr (kHas24) {
            return static_cast<float>(data[i] * 256 + data24[i]);
        } else {
            return static_cast<float>(data[i]);
        }
    };
    constexpr float kScale = kHas24 ? kScale24 : kScale16;
    ResonantLowpass filter = filter_;
    filter.flush_tiny_history();
    std::uint64_t phase = phase_;
    const std::uint64_t step = phase_step_;
    float amp = amp_;
    const float amp_step = amp_step_;
    const float gl = gain_left_, gr = gain_right_;
    float kill = kill_gain_;
    const float kill_step = kill_step_;
    const float bypass_gain = bypass_gain_;
    auto emit = [&](int i, float x) {
        float y;
        if constexpr (kFiltered) {
            y = filter.tick(x);
        } else {
            y = x * bypass_gain;
        }
        if constexpr (kKilling) {
            kill = std::max(0.0f, kill - kill_step);
            y *= kill;
        }
        left[i] += y * gl;
        right[i] += y * gr;
    };
    const std::int64_t fast_high = looping ? loop_end_ - 3 : end_ - 2;
    int i = 0;
    while (i < n) {
        const std::int64_t low = has_looped_ ? loop_start_ : start_;
        auto index = static_cast<std::int64_t>(phase >> 32);
        // All four points inside the sample (or the loop): no wrapping to think about, and the frames
        // until that changes are counted up front.
        if (index > low && index <= fast_high) {
            const std::uint64_t limit = static_cast<std::uint64_t>(fast_high + 1) << 32;
            const auto count =
                static_cast<int>(std::min<std::uint64_t>(n - i, (limit - phase + step - 1) / step));
            for (int k = 0; k < count; ++k) {
                const std::int64_t j = static_cast<std::int64_t>(phase >> 32);
                const Weights& w = weights(phase);
                amp += amp_step;
                emit(i++, (amp * kScale) *
                              (w.c0 * at(j - 1) + w.c1 * at(j) + w.c2 * at(j + 1) + w.c3 * at(j + 2)));
                phase += step;
            }
            continue;
        }
        if (looping && index >= loop_end_) {
            phase -= static_cast<std::uint64_t>(loop_end_ - loop_start_) << 32;
            has_looped_ = true;
            continue;
        }
        if (!looping && index > end_) break;  // played out
        const Weights& w = weights(phase);
        amp += amp_step;
        emit(i++, (amp * kScale) * (w.c0 * point(index - 1) + w.c1 * point(index) + w.c2 * point(index + 1) +
                                    w.c3 * point(index + 2)));
        phase += step;
    }
    phase_ = phase;
    amp_ = amp;
    kill_gain_ = kill;
    filter_ = filter;
    return i;
}

int SoundFontVoice::render_dispatch(float* l, float* r, int n) {
    if (killing_) {
        return data24_ != nullptr ? render_frames<true, true, true>(l, r, n)
                                  : render_frames<false, true, true>(l, r, n);
    }
    if (filter_bypassed_) {
        return data24_ != nullptr ? render_frames<true, false, false>(l, r, n)
                                  : render_frames<false, false, false>(l, r, n);
    }
    return data24_ != nullptr ? render_frames<true, false, true>(l, r, n)
                              : render_frames<false, false, true>(l, r, n);
}

void SoundFontVoice::render_add(float* left, float* right, int frames) {
    int pos = 0;
    while (pos < frames && active_) {
        if (release_pending_ && age_ >= release_at_) {
            release_pending_ = false;
            begin_release();
            block_pos_ = 0;
        }
        if (block_pos_ == 0) {
            control_tick();
            if (!active_) break;
        }
        if (killing_ && silent_block_) {  // killed before it sounded
            finish();
            break;
        }
        int n = std::min(frames - pos, kControlFrames - block_pos_);
        if (release_pending_) n = static_cast<int>(std::min<std::uint64_t>(n, release_at_ - age_));
        if (!silent_block_) {
            float* l = left + pos;
            float* r = right + pos;
            const int made = render_dispatch(l, r, n);
            if (killing_ && kill_gain_ <= 0.0f) finish();
            if (made < n) finish();  // the sample played out
        }
        pos += n;
        age_ += static_cast<std::uint64_t>(n);
        block_pos_ += n;
        if (block_pos_ == kControlFrames) block_pos_ = 0;
    }
}

bool SoundFontVoice::active() const {
    return active_;
}
int SoundFontVoice::key() const {
    return key_;
}
int SoundFontVoice::exclusive_class() const {
    return exclusive_class_;
}
bool SoundFontVoice::released() const {
    return released_;
}

}  // namespace tactus::sf2
