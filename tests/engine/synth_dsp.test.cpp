// The synth's signal processing: band-limited oscillators, envelope timing, filter response,
// velocity, pitch, and robustness against extreme parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <vector>

#include "engine/synth/adsr_envelope.h"
#include "engine/synth/filter_bank.h"
#include "engine/synth/oscillator.h"
#include "engine/synth/svf_filter.h"
#include "engine/synth/synth_instrument.h"
#include "synth_test_helpers.h"

namespace tactus {
namespace {

using synth::AdsrEnvelope;
using synth::AdsrShape;
using synth_test::kRate;
using synth_test::ms;
using synth_test::preset;
using synth_test::render;

// ---------------------------------------------------------------- band-limited oscillators

// N = 4800 samples and f0 = 3010 Hz put f0 on DFT bin 301 and every harmonic on a multiple of it;
// a partial above Nyquist folds back onto some other bin. Aliasing = energy off the harmonic bins.
constexpr int kDftSize = 4800;
constexpr int kHarmonicBin = 301;
constexpr double kAliasTestFrequency = kHarmonicBin * kRate / kDftSize;

double alias_energy_ratio(const std::vector<double>& x) {
    std::vector<double> cosine(kDftSize);
    std::vector<double> sine(kDftSize);
    for (int j = 0; j < kDftSize; ++j) {
        cosine[static_cast<std::size_t>(j)] = std::cos(2.0 * M_PI * j / kDftSize);
        sine[static_cast<std::size_t>(j)] = std::sin(2.0 * M_PI * j / kDftSize);
    }
    double harmonic = 0.0;
    double alias = 0.0;
    for (int bin = 1; bin < kDftSize / 2; ++bin) {
        double re = 0.0;
        double im = 0.0;
        for (int n = 0; n < kDftSize; ++n) {
            const auto k = static_cast<std::size_t>((static_cast<long>(bin) * n) % kDftSize);
            re += x[static_cast<std::size_t>(n)] * cosine[k];
            im -= x[static_cast<std::size_t>(n)] * sine[k];
        }
        (bin % kHarmonicBin == 0 ? harmonic : alias) += re * re + im * im;
    }
    return alias / harmonic;
}

template <Waveform W>
std::vector<double> band_limited(double frequency) {
    synth::OscillatorPhase osc;
    osc.set_increment(frequency / kRate);
    std::vector<float> out(kDftSize);
    synth::render_oscillator<W, false>(osc, 1.0f, out.data(), kDftSize);
    return {out.begin(), out.end()};
}

std::vector<double> naive(Waveform w, double frequency) {
    std::vector<double> out(kDftSize);
    double t = 0.0;
    for (double& y : out) {
        switch (w) {
            case Waveform::Saw:
                y = 2.0 * t - 1.0;
                break;
            case Waveform::Square:
                y = t < 0.5 ? 1.0 : -1.0;
                break;
            default: {
                const double s = std::fmod(t + 0.25, 1.0);
                y = 1.0 - 4.0 * std::fabs(s - 0.5);
            }
        }
        t = std::fmod(t + frequency / kRate, 1.0);
    }
    return out;
}

TEST(SynthOscillator, saw_at_3_khz_aliases_far_less_than_a_naive_saw) {
    const double bl = alias_energy_ratio(band_limited<Waveform::Saw>(kAliasTestFrequency));
    const double nv = alias_energy_ratio(naive(Waveform::Saw, kAliasTestFrequency));
    EXPECT_LT(bl, nv / 10.0) << "band-limited " << 10 * std::log10(bl) << " dB, naive "
                             << 10 * std::log10(nv);
}

TEST(SynthOscillator, square_at_3_khz_aliases_far_less_than_a_naive_square) {
    const double bl = alias_energy_ratio(band_limited<Waveform::Square>(kAliasTestFrequency));
    const double nv = alias_energy_ratio(naive(Waveform::Square, kAliasTestFrequency));
    EXPECT_LT(bl, nv / 10.0) << "band-limited " << 10 * std::log10(bl) << " dB, naive "
                             << 10 * std::log10(nv);
}

TEST(SynthOscillator, triangle_at_3_khz_aliases_far_less_than_a_naive_triangle) {
    const double bl = alias_energy_ratio(band_limited<Waveform::Triangle>(kAliasTestFrequency));
    const double nv = alias_energy_ratio(naive(Waveform::Triangle, kAliasTestFrequency));
    EXPECT_LT(bl, nv / 10.0) << "band-limited " << 10 * std::log10(bl) << " dB, naive "
                             << 10 * std::log10(nv);
}

// Float resolution near full scale is 6e-8: the sine must be exact to a few units of it.
TEST(SynthOscillator, sine_is_exact_to_float_resolution) {
    synth::OscillatorPhase osc;
    const double increment = 1.0 / 100001.0;
    osc.set_increment(increment);
    std::vector<float> out(100001);
    synth::render_oscillator<Waveform::Sine, false>(osc, 1.0f, out.data(), static_cast<int>(out.size()));
    double worst = 0.0;
    for (std::size_t i = 0; i < out.size(); ++i)
        worst =
            std::max(worst, std::fabs(out[i] - std::sin(2.0 * M_PI * static_cast<double>(i) * increment)));
    EXPECT_LT(worst, 2.5e-7);
}

// A sample's value depends on where it is in the note, not on how the note is cut into render calls.
TEST(SynthOscillator, output_does_not_depend_on_how_spans_are_cut) {
    for (auto w : {Waveform::Sine, Waveform::Saw, Waveform::Square, Waveform::Triangle}) {
        synth::OscillatorPhase whole;
        whole.set_phase(0.3);
        whole.set_increment(1234.5 / kRate);
        synth::OscillatorPhase cut = whole;
        std::vector<float> a(20000), b(20000);
        synth::render_oscillator<false>(w, whole, 0.5f, a.data(), static_cast<int>(a.size()));
        std::mt19937 random(static_cast<unsigned>(w) + 1);
        for (int done = 0; done < static_cast<int>(b.size());) {
            const int n = std::min(static_cast<int>(b.size()) - done, 1 + static_cast<int>(random() % 37));
            synth::render_oscillator<false>(w, cut, 0.5f, b.data() + done, n);
            done += n;
        }
        ASSERT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0) << static_cast<int>(w);
    }
}

TEST(SynthOscillator, band_limited_waveforms_keep_their_level) {
    for (auto w : {Waveform::Saw, Waveform::Square, Waveform::Triangle}) {
        synth::OscillatorPhase osc;
        osc.set_increment(110.0 / kRate);
        std::vector<float> out(48000);
        synth::render_oscillator<false>(w, osc, 1.0f, out.data(), 48000);
        EXPECT_GT(synth_test::peak(out), 0.95);
        EXPECT_LT(synth_test::peak(out), 1.15);
    }
}

// ---------------------------------------------------------------- envelope timing

TEST(SynthEnvelope, attack_reaches_peak_at_the_stated_time) {
    const AdsrShape shape = AdsrShape::make(Adsr{0.010, 0.05, 0.5, 0.1}, kRate);
    AdsrEnvelope env;
    env.start(shape);
    std::vector<float> out(2000);
    ASSERT_EQ(env.process(out.data(), 2000), 2000);
    const auto peak_at = std::max_element(out.begin(), out.end()) - out.begin();
    EXPECT_NEAR(static_cast<double>(peak_at), 0.010 * kRate, 2.0);
    EXPECT_EQ(out[static_cast<std::size_t>(peak_at)], 1.0f);
    EXPECT_GT(out[0], 0.0f);  // the first sample is already the attack
}

TEST(SynthEnvelope, decay_reaches_sustain_at_the_stated_time) {
    const AdsrShape shape = AdsrShape::make(Adsr{0.010, 0.05, 0.5, 0.1}, kRate);
    AdsrEnvelope env;
    env.start(shape);
    std::vector<float> out(10000);
    env.process(out.data(), 10000);
    // (The attack passes 0.5 on its way up: the decay starts at the peak.)
    const auto peak = std::max_element(out.begin(), out.end());
    const auto first_sustain = std::find(peak, out.end(), 0.5f) - out.begin();
    EXPECT_NEAR(static_cast<double>(first_sustain), (0.010 + 0.05) * kRate, 2.0);
    EXPECT_EQ(env.stage(), AdsrEnvelope::Stage::Sustain);
}

TEST(SynthEnvelope, release_reaches_exact_zero_within_the_release_time) {
    const AdsrShape shape = AdsrShape::make(Adsr{0.0, 0.05, 1.0, 0.1}, kRate);
    AdsrEnvelope env;
    env.start(shape);
    std::vector<float> out(10000);
    env.process(out.data(), 100);
    env.release();
    const int written = env.process(out.data(), 10000);
    EXPECT_NEAR(written, 0.1 * kRate, 2.0);  // from full scale: exactly the release time
    EXPECT_EQ(out[static_cast<std::size_t>(written - 1)], 0.0f);
    EXPECT_GT(out[static_cast<std::size_t>(written - 2)], 0.0f);
    EXPECT_TRUE(env.finished());
}

TEST(SynthEnvelope, release_during_attack_starts_at_the_peak) {
    const AdsrShape shape = AdsrShape::make(Adsr{0.005, 0.05, 0.5, 0.01}, kRate);
    AdsrEnvelope env;
    env.start(shape);
    env.release();
    std::vector<float> out(2000);
    const int written = env.process(out.data(), 2000);
    EXPECT_EQ(out[239], 1.0f);
    EXPECT_LT(out[240], 1.0f);
    EXPECT_NEAR(written, 240 + 480, 2.0);
}

TEST(SynthEnvelope, instrument_output_follows_the_envelope) {
    SynthPreset p = preset("square");
    p.amp = Adsr{0.020, 0.1, 0.5, 0.05};
    p.velocity_to_amp = 0.0;
    p.gain = 0.2;
    SynthInstrument synth(p, kRate);
    synth.note_on(1, 24, 0.0, 100);  // 32.7 Hz: long flat half-periods
    const std::vector<float> out = render(synth, ms(20));
    EXPECT_NEAR(std::fabs(out[959]), 0.2, 1e-6);            // the attack peak at 20 ms
    EXPECT_NEAR(std::fabs(out[479]), 0.1, 1e-3);            // half-way
    EXPECT_NEAR(std::fabs(out[1]), 0.2 * 2 / 960.0, 1e-5);  // the attack from its first samples
}

// ---------------------------------------------------------------- filter

double rms_of_tone(SynthPreset p, int pitch) {
    p.amp = Adsr{0.001, 0.1, 1.0, 0.05};
    SynthInstrument synth(p, kRate);
    synth.note_on(1, pitch, 0.0, 127);
    const std::vector<float> out = render(synth, ms(200));
    return synth_test::rms(out, static_cast<std::size_t>(ms(100)));
}

TEST(SynthFilter, low_pass_attenuates_above_cutoff_and_passes_below) {
    SynthPreset dry = preset("sine");
    SynthPreset filtered = dry;
    filtered.filter = FilterMode::LowPass;
    filtered.cutoff_hz = 1000.0;
    const int high = 120;  // 8.4 kHz: a 12 dB/octave slope gives about -37 dB
    const int low = 45;    // 110 Hz
    EXPECT_LT(rms_of_tone(filtered, high), 0.03 * rms_of_tone(dry, high));
    EXPECT_GT(rms_of_tone(filtered, low), 0.97 * rms_of_tone(dry, low));
}

TEST(SynthFilter, high_pass_attenuates_below_cutoff) {
    SynthPreset dry = preset("sine");
    SynthPreset filtered = dry;
    filtered.filter = FilterMode::HighPass;
    filtered.cutoff_hz = 2000.0;
    EXPECT_LT(rms_of_tone(filtered, 45), 0.01 * rms_of_tone(dry, 45));
    EXPECT_GT(rms_of_tone(filtered, 120), 0.9 * rms_of_tone(dry, 120));
}

TEST(SynthFilter, resonance_boosts_the_cutoff_frequency) {
    SynthPreset dry = preset("sine");
    SynthPreset resonant = dry;
    resonant.filter = FilterMode::LowPass;
    resonant.cutoff_hz = 440.0;
    resonant.resonance = 0.9;
    EXPECT_GT(rms_of_tone(resonant, 69), 2.0 * rms_of_tone(dry, 69));
}

TEST(SynthFilter, stays_finite_at_extreme_cutoff_and_resonance) {
    for (double cutoff : {0.0, 1.0, 20.0, 12000.0, 23999.0, 1e9}) {
        for (double resonance : {0.0, 0.99, 1.0, 50.0}) {
            SynthPreset p = preset("saw");
            p.cutoff_hz = cutoff;
            p.resonance = resonance;
            p.filter_env_octaves = 12.0;
            p.filter_env = Adsr{0.0, 0.05, 0.0, 0.01};
            SynthInstrument synth(p, kRate);
            for (int pitch : {0, 60, 127}) synth.note_on(static_cast<VoiceKey>(pitch + 1), pitch, 0.0, 127);
            const std::vector<float> out = render(synth, ms(300));
            for (float v : out) ASSERT_TRUE(std::isfinite(v)) << cutoff << " " << resonance;
            EXPECT_LT(synth_test::peak(out), 20.0);
        }
    }
}

// The bank filters up to eight voices at once; each lane must be exactly the scalar filter, whatever
// its position and neighbours, or a voice's output would depend on how voices are batched.
TEST(SynthFilter, filter_bank_lanes_equal_the_scalar_filter_bit_for_bit) {
    using synth::FilterBank;
    using synth::SvfCoefs;
    using synth::SvfFilter;
    using synth::SvfState;
    using synth::VoiceLane;
    std::mt19937 random(7);
    std::uniform_real_distribution<float> sample(-1.0f, 1.0f);
    const FilterMode modes[] = {FilterMode::LowPass, FilterMode::BandPass, FilterMode::HighPass};
    for (int trial = 0; trial < 20; ++trial) {
        auto bank = std::make_unique<FilterBank>();
        auto lanes = std::make_unique<VoiceLane[]>(FilterBank::kLanes);
        const int count = 1 + trial % FilterBank::kLanes;
        std::vector<std::vector<float>> input(FilterBank::kLanes);
        std::vector<SvfState> states(FilterBank::kLanes);
        std::vector<SvfState> reference_states(FilterBank::kLanes);
        for (int j = 0; j < count; ++j) {
            VoiceLane& lane = lanes[static_cast<std::size_t>(j)];
            lane.live = kMaxRenderFrames - (trial * 13 + j * 29) % 100;
            lane.state = &states[static_cast<std::size_t>(j)];
            states[static_cast<std::size_t>(j)] = SvfState{0.1f * static_cast<float>(j), -0.05f};
            reference_states[static_cast<std::size_t>(j)] = states[static_cast<std::size_t>(j)];
            lane.segment_count = 0;
            const bool filtered = (trial + j) % 4 != 3;
            for (int start = 0; filtered && start < lane.live; start += 16 + (j * 7 + trial) % 20) {
                lane.add_segment(start, SvfCoefs::make(modes[(j + start) % 3], 100.0 + 37.0 * start * (j + 1),
                                                       SvfCoefs::damping_for_resonance(0.1 * j), kRate));
            }
            input[static_cast<std::size_t>(j)].resize(kMaxRenderFrames);
            for (int i = 0; i < kMaxRenderFrames; ++i) {
                const float x = sample(random);
                input[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)] = x;
                lane.signal[i] = x;
            }
        }
        bank->process(lanes.get(), count);
        for (int j = 0; j < count; ++j) {
            const VoiceLane& lane = lanes[static_cast<std::size_t>(j)];
            std::vector<float> expected = input[static_cast<std::size_t>(j)];
            SvfState& state = reference_states[static_cast<std::size_t>(j)];
            for (int s = 0; s < lane.segment_count; ++s) {
                const int end = s + 1 < lane.segment_count ? lane.segments[s + 1].start : lane.live;
                SvfFilter::process(state, lane.segments[s].coefs, expected.data() + lane.segments[s].start,
                                   end - lane.segments[s].start);
            }
            for (int i = 0; i < lane.live; ++i) {
                const float got = lane.signal[i];
                ASSERT_EQ(std::memcmp(&got, &expected[static_cast<std::size_t>(i)], sizeof got), 0)
                    << "trial " << trial << " lane " << j << " sample " << i;
            }
            if (lane.segment_count > 0) {
                EXPECT_EQ(states[static_cast<std::size_t>(j)].ic1, state.ic1);
                EXPECT_EQ(states[static_cast<std::size_t>(j)].ic2, state.ic2);
            }
        }
    }
}

// ---------------------------------------------------------------- velocity and pitch

TEST(SynthVelocity, velocity_changes_level) {
    const auto level = [](const char* name, int velocity) {
        SynthInstrument synth(preset(name), kRate);
        synth.note_on(1, 60, 0.0, velocity);
        return synth_test::rms(render(synth, ms(100)), static_cast<std::size_t>(ms(20)));
    };
    for (const char* name : {"sine", "saw", "lead", "bass"}) {
        EXPECT_LT(level(name, 20), level(name, 64)) << name;
        EXPECT_LT(level(name, 64), level(name, 127)) << name;
    }
    EXPECT_NEAR(level("sine", 64) / level("sine", 127), (64.0 / 127) * (64.0 / 127), 0.01);
}

TEST(SynthVelocity, velocity_opens_the_pluck_filter) {
    // Brightness: energy of the first difference relative to the signal's energy.
    const auto brightness = [](int velocity) {
        SynthInstrument synth(preset("pluck"), kRate);
        synth.note_on(1, 48, 0.0, velocity);
        const std::vector<float> out = render(synth, ms(60));
        std::vector<float> diff(out.size());
        for (std::size_t i = 1; i < out.size(); ++i) diff[i] = out[i] - out[i - 1];
        return synth_test::rms(diff) / synth_test::rms(out);
    };
    EXPECT_GT(brightness(127), 1.5 * brightness(30));
}

TEST(SynthPitch, frequency_matches_midi_note_and_cents) {
    struct Case {
        const char* preset;
        int pitch;
        double cents;
    };
    for (const Case& c :
         {Case{"sine", 69, 0.0}, Case{"sine", 60, 0.0}, Case{"sine", 69, 50.0}, Case{"sine", 33, -25.0},
          Case{"saw", 45, 0.0}, Case{"saw", 93, 10.0}, Case{"square", 57, 0.0}, Case{"square", 81, 0.0},
          Case{"triangle", 64, 0.0}, Case{"triangle", 100, 0.0}}) {
        SynthInstrument synth(preset(c.preset), kRate);
        synth.note_on(1, c.pitch, c.cents, 100);
        const std::vector<float> out = render(synth, 48000);
        const double expected = 440.0 * std::exp2((c.pitch - 69 + c.cents / 100.0) / 12.0);
        EXPECT_NEAR(synth_test::zero_crossing_frequency(out, 2400, out.size()), expected, expected * 0.005)
            << c.preset << " " << c.pitch << " " << c.cents;
    }
}

// ---------------------------------------------------------------- robustness

TEST(SynthRobustness, nan_and_infinite_parameters_give_finite_output_and_end_in_silence) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    SynthPreset p = preset("pluck");
    p.start_phase = inf;
    p.osc2_mix = nan;
    p.osc2_detune_cents = inf;
    p.noise_mix = nan;
    p.tone_decay = -inf;
    p.noise_decay = nan;
    p.pitch_env_semitones = nan;
    p.pitch_env_decay = inf;
    p.amp = Adsr{nan, inf, nan, -1.0};
    p.velocity_to_amp = nan;
    p.gain = inf;
    p.cutoff_hz = nan;
    p.resonance = inf;
    p.filter_env_octaves = -inf;
    p.filter_env = Adsr{inf, nan, -inf, nan};
    p.key_tracking = nan;
    p.velocity_to_filter_octaves = inf;
    p.polyphony = -5;
    SynthInstrument synth(p, nan, -3);
    synth.note_on(1, 500, nan, 1000);
    synth.note_on(2, -40, inf, -5);
    synth.controller(ControllerEvent{0.0, ControllerKind::PitchBend, 0, nan});
    std::vector<float> out = render(synth, ms(200));
    synth.note_off(1);
    synth.note_off(2);
    const std::vector<float> tail = render(synth, ms(3000));
    out.insert(out.end(), tail.begin(), tail.end());
    for (float v : out) ASSERT_TRUE(std::isfinite(v));
    EXPECT_TRUE(synth.is_silent());
}

}  // namespace
}  // namespace tactus
