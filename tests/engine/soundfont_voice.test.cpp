// The SoundFont voice (engine/soundfont/sound_font_voice.h) on fonts built in memory: onset frame,
// independence from the render split, loops, pitch, attenuation, envelope timing, filter, kill.
// Expected values follow FluidSynth 2.3 where it departs from the spec (docs/soundfont.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "engine/soundfont/sf2_units.h"
#include "engine/soundfont/sound_font_voice.h"

namespace tactus::sf2 {
namespace {

constexpr double kRate = 48000.0;

// A font holding one sine sample: `period` frames per cycle at 48 kHz, `frames` long, its loop
// [loop_start, loop_end), root key 60, starting at phase `phase0` (radians).
std::unique_ptr<SoundFont> sine_font(int period, int frames, int loop_start, int loop_end,
                                     double phase0 = 0.0, double amplitude = 16000.0) {
    auto font = std::make_unique<SoundFont>();
    const int pad = 46;  // as the smpl chunk has after every sample
    font->data.assign(static_cast<std::size_t>(frames + pad), 0);
    for (int i = 0; i < frames; ++i)
        font->data[static_cast<std::size_t>(i)] =
            static_cast<std::int16_t>(std::lround(amplitude * std::sin(phase0 + 2.0 * M_PI * i / period)));
    Sample s;
    s.name = "sine";
    s.start = 0;
    s.end = static_cast<std::uint32_t>(frames);
    s.loop_start = static_cast<std::uint32_t>(loop_start);
    s.loop_end = static_cast<std::uint32_t>(loop_end);
    s.sample_rate = 48000;
    s.original_key = 60;
    font->samples.push_back(s);
    return font;
}

// A voice setup with the spec's generator defaults (as select_voices fills them), no modulators.
VoiceSetup setup_for(const SoundFont& font, int key = 60, int velocity = 127) {
    VoiceSetup v;
    v.gens.fill(0);
    v.gens[InitialFilterFc] = 13500;
    for (Gen g : {DelayModLfo, DelayVibLfo, DelayModEnv, AttackModEnv, HoldModEnv, DecayModEnv, ReleaseModEnv,
                  DelayVolEnv, AttackVolEnv, HoldVolEnv, DecayVolEnv, ReleaseVolEnv})
        v.gens[g] = -12000;
    v.gens[Keynum] = -1;
    v.gens[Velocity] = -1;
    v.gens[ScaleTuning] = 100;
    v.gens[OverridingRootKey] = -1;
    v.gens[SampleModes] = 1;
    v.font = &font;
    v.sample = &font.samples[0];
    v.key = key;
    v.velocity = velocity;
    return v;
}

void add_modulator(VoiceSetup& v, std::uint16_t source, std::uint16_t dest, std::int16_t amount,
                   std::uint16_t amount_source = 0) {
    v.modulators[static_cast<std::size_t>(v.modulator_count++)] =
        Modulator{source, dest, amount, amount_source, 0};
}
// The spec's (and FluidSynth's) pitch-wheel modulator: wheel x sensitivity -> pitch, 12700 cents.
void add_pitch_wheel(VoiceSetup& v) {
    add_modulator(v, 0x020E, Pitch, 12700, 0x0010);
}

struct Stereo {
    std::vector<float> left, right;
};

// Renders `frames` frames in calls of `chunk` frames.
Stereo render(SoundFontVoice& voice, int frames, int chunk = 256) {
    Stereo out{std::vector<float>(static_cast<std::size_t>(frames)),
               std::vector<float>(static_cast<std::size_t>(frames))};
    for (int pos = 0; pos < frames; pos += chunk) {
        const int n = std::min(chunk, frames - pos);
        voice.render_add(out.left.data() + pos, out.right.data() + pos, n);
    }
    return out;
}

// Frequency from the upward zero crossings of x[from, to), crossing times interpolated.
double frequency(const std::vector<float>& x, int from, int to) {
    double first = -1.0, last = -1.0;
    int crossings = 0;
    for (int i = from + 1; i < to; ++i) {
        const float a = x[static_cast<std::size_t>(i - 1)], b = x[static_cast<std::size_t>(i)];
        if (a <= 0.0f && b > 0.0f) {
            const double t = (i - 1) + double(a) / (double(a) - double(b));
            if (first < 0.0) first = t;
            last = t;
            ++crossings;
        }
    }
    return crossings < 2 ? 0.0 : (crossings - 1) / ((last - first) / kRate);
}

double cents_between(double f, double reference) {
    return 1200.0 * std::log2(f / reference);
}

double peak(const std::vector<float>& x, int from, int to) {
    float p = 0.0f;
    for (int i = from; i < to; ++i) p = std::max(p, std::fabs(x[static_cast<std::size_t>(i)]));
    return p;
}

double rms(const std::vector<float>& x, int from, int to) {
    double sum = 0.0;
    for (int i = from; i < to; ++i)
        sum += double(x[static_cast<std::size_t>(i)]) * x[static_cast<std::size_t>(i)];
    return std::sqrt(sum / (to - from));
}

double db(double ratio) {
    return 20.0 * std::log10(ratio);
}

// ---------------------------------------------------------------- onset

TEST(SoundFontVoice, FirstFrameCarriesTheSamplesFirstValue) {
    // A cosine starts at its peak: frame 0 must already sound, with the attack's first step.
    auto font = sine_font(48, 4800, 480, 4320, M_PI / 2);
    ChannelState channel;
    SoundFontVoice voice;
    voice.start(setup_for(*font), channel, kRate);
    const Stereo out = render(voice, 256);
    EXPECT_GT(out.left[0], 0.0f);
    EXPECT_GT(out.right[0], 0.0f);
    // The default attack is one block that ramps from the first frame: far below the level at its end.
    EXPECT_LT(out.left[0] * 20.0f, out.left[47]);
    EXPECT_GT(out.left[47], 0.05f);
}

TEST(SoundFontVoice, VolumeEnvelopeDelayHoldsTheStart) {
    auto font = sine_font(48, 4800, 480, 4320, M_PI / 2);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font);
    setup.gens[DelayVolEnv] = -1200;  // 0.5 s: 375 blocks of 64 frames
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo out = render(voice, 30000);
    EXPECT_EQ(peak(out.left, 0, 24000), 0.0);
    EXPECT_GT(out.left[24000], 0.0f);  // the sample's first value, on the first frame after the delay
}

// ---------------------------------------------------------------- render split

// A busy voice: LFOs on pitch, filter and volume, a resonant filter swept by the modulation envelope,
// a slow attack and a decay; a pitch-wheel move and a release on fixed frames.
Stereo render_busy(int chunk) {
    static auto font = sine_font(37, 9000, 1000, 8991, 0.3);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font, 67, 90);
    setup.gens[ModLfoToPitch] = 50;
    setup.gens[ModLfoToFilterFc] = 1200;
    setup.gens[ModLfoToVolume] = 60;
    setup.gens[FreqModLfo] = 300;
    setup.gens[VibLfoToPitch] = 30;
    setup.gens[FreqVibLfo] = 500;
    setup.gens[DelayVibLfo] = -3000;
    setup.gens[InitialFilterFc] = 6000;
    setup.gens[InitialFilterQ] = 120;
    setup.gens[ModEnvToFilterFc] = 3000;
    setup.gens[AttackModEnv] = -2000;
    setup.gens[DecayModEnv] = -1000;
    setup.gens[SustainModEnv] = 400;
    setup.gens[AttackVolEnv] = -3000;
    setup.gens[DecayVolEnv] = 0;
    setup.gens[SustainVolEnv] = 200;
    setup.gens[ReleaseVolEnv] = -1500;
    add_pitch_wheel(setup);
    add_modulator(setup, 0x0587, InitialAttenuation, 960);  // CC7 (concave, negative) -> attenuation
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    Stereo out{std::vector<float>(30000), std::vector<float>(30000)};
    auto span = [&](int from, int to) {
        for (int pos = from; pos < to; pos += chunk) {
            const int n = std::min(chunk, to - pos);
            voice.render_add(out.left.data() + pos, out.right.data() + pos, n);
        }
    };
    span(0, 5003);
    channel.pitch_wheel = 12000;
    channel.cc[7] = 80;
    voice.controllers_changed();
    span(5003, 17001);
    voice.release();
    span(17001, 30000);
    return out;
}

TEST(SoundFontVoice, OutputDoesNotDependOnTheRenderSplit) {
    const Stereo whole = render_busy(512);
    EXPECT_GT(peak(whole.left, 0, 30000), 0.01);
    for (int chunk : {1, 7, 64, 100}) {
        const Stereo split = render_busy(chunk);
        EXPECT_EQ(std::memcmp(whole.left.data(), split.left.data(), whole.left.size() * sizeof(float)), 0)
            << "chunk " << chunk;
        EXPECT_EQ(std::memcmp(whole.right.data(), split.right.data(), whole.right.size() * sizeof(float)), 0)
            << "chunk " << chunk;
    }
}

// ---------------------------------------------------------------- loops

// The largest step between neighbouring frames in [from, to), relative to what a sine of that peak
// and frequency steps at most.
double worst_step_ratio(const std::vector<float>& x, int from, int to, double hz) {
    double worst = 0.0;
    for (int i = from + 1; i < to; ++i)
        worst = std::max(
            worst, double(std::fabs(x[static_cast<std::size_t>(i)] - x[static_cast<std::size_t>(i - 1)])));
    return worst / (peak(x, from, to) * 2.0 * std::sin(M_PI * hz / kRate));
}

TEST(SoundFontVoice, LoopedSineLoopsWithoutAStep) {
    // 1 kHz, loop of 80 periods; played at the root and a fifth up (the loop seam interpolated).
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    for (int key : {60, 67}) {
        SoundFontVoice voice;
        voice.start(setup_for(*font, key), channel, kRate);
        const Stereo out = render(voice, 96000);  // about 25 (fifth: 37) trips round the loop
        const double hz = 1000.0 * std::exp2((key - 60) / 12.0);
        EXPECT_LT(worst_step_ratio(out.left, 1000, 96000, hz), 1.01) << "key " << key;
        EXPECT_NEAR(frequency(out.left, 1000, 96000), hz, hz * 0.0006) << "key " << key;
        EXPECT_TRUE(voice.active());
    }
}

TEST(SoundFontVoice, LoopUntilReleaseThenPlaysToTheEnd) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font);
    setup.gens[SampleModes] = 3;
    setup.gens[ReleaseVolEnv] = 2400;  // 4 s: the sample's end comes first
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    Stereo first = render(voice, 20000);
    voice.release();
    EXPECT_TRUE(voice.released());
    // After the release the phase leaves the loop and runs to the end of the sample (480 frames past
    // the loop end, at most one loop's length away): the voice ends there, without a step.
    Stereo rest = render(voice, 6000);
    EXPECT_FALSE(voice.active());
    int last = 0;
    for (int i = 0; i < 6000; ++i)
        if (rest.left[static_cast<std::size_t>(i)] != 0.0f) last = i;
    EXPECT_GE(last, 480);
    EXPECT_LE(last, 3840 + 480 + 1);
    std::vector<float> joined(first.left.end() - 2000, first.left.end());
    joined.insert(joined.end(), rest.left.begin(), rest.left.begin() + last + 1);
    EXPECT_LT(worst_step_ratio(joined, 0, static_cast<int>(joined.size()), 1000.0), 1.01);
}

TEST(SoundFontVoice, UnloopedSampleEndsTheVoice) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font);
    setup.gens[SampleModes] = 0;
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo out = render(voice, 6000);
    EXPECT_FALSE(voice.active());
    EXPECT_NE(out.left[4790], 0.0f);
    EXPECT_EQ(peak(out.left, 4801, 6000), 0.0);
}

// ---------------------------------------------------------------- pitch

double played_frequency(VoiceSetup setup, const ChannelState& channel) {
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo out = render(voice, 48000);
    return frequency(out.left, 2000, 48000);
}

TEST(SoundFontVoice, PitchFollowsKeyTuningAndRootKey) {
    auto font = sine_font(48, 4800, 480, 4320);  // 1 kHz at key 60
    ChannelState channel;
    struct Case {
        const char* what;
        int key;
        Gen gen;
        int value;
        double cents;  // expected, relative to 1 kHz
    };
    const Case cases[] = {
        {"octave up", 72, Pitch, 0, 1200.0},
        {"fine tune", 60, FineTune, 37, 37.0},
        {"coarse tune", 60, CoarseTune, -5, -500.0},
        {"scale tuning 50", 72, ScaleTuning, 50, 600.0},
        {"root key override", 60, OverridingRootKey, 48, 1200.0},
    };
    for (const Case& c : cases) {
        VoiceSetup setup = setup_for(*font, c.key);
        if (c.gen != Pitch) setup.gens[c.gen] = c.value;
        EXPECT_NEAR(cents_between(played_frequency(setup, channel), 1000.0), c.cents, 0.5) << c.what;
    }
    // The sample's pitch correction and the note's own cents.
    auto corrected = sine_font(48, 4800, 480, 4320);
    corrected->samples[0].correction = -20;
    VoiceSetup setup = setup_for(*corrected);
    setup.cents = 15.0;
    EXPECT_NEAR(cents_between(played_frequency(setup, channel), 1000.0), -20.0 + 15.0, 0.5);
}

TEST(SoundFontVoice, PitchWheelThroughItsModulator) {
    auto font = sine_font(48, 4800, 480, 4320);
    for (double sensitivity : {2.0, 12.0}) {
        for (int wheel : {0, 4096, 16383}) {
            ChannelState channel;
            channel.pitch_wheel_sensitivity = sensitivity;
            channel.pitch_wheel = wheel;
            VoiceSetup setup = setup_for(*font);
            add_pitch_wheel(setup);
            // FluidSynth 2.3 scales both sources over 128 steps (the wheel over 16384): 12 semitones of
            // sensitivity bend 1190.6 cents, as measured from libfluidsynth 2.3.1 (docs/soundfont.md).
            // And FluidSynth plays pitches on whole cents (fluid_ct2hz_real's table).
            const double expected =
                std::floor(12700.0 * (-1.0 + 2.0 * wheel / 16384.0) * sensitivity / 128.0);
            EXPECT_NEAR(cents_between(played_frequency(setup, channel), 1000.0), expected, 0.5)
                << "sensitivity " << sensitivity << " wheel " << wheel;
        }
    }
}

TEST(SoundFontVoice, PitchWheelMovesASoundingNote) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font);
    add_pitch_wheel(setup);
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo before = render(voice, 24000);
    channel.pitch_wheel = 16383;
    voice.controllers_changed();
    const Stereo after = render(voice, 24000);
    EXPECT_NEAR(cents_between(frequency(before.left, 2000, 24000), 1000.0), 0.0, 0.5);
    EXPECT_NEAR(cents_between(frequency(after.left, 100, 24000), 1000.0),
                std::floor(12700.0 * (16383.0 / 8192.0 - 1.0) * 2 / 128), 0.5);
}

// ---------------------------------------------------------------- level

TEST(SoundFontVoice, AttenuationIsFluidSynthsScaledCentibels) {
    // FluidSynth (as the EMU hardware) applies 0.4 to initialAttenuation: 150 in the font is 60 cB, 6 dB.
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    SoundFontVoice loud, soft;
    loud.start(setup_for(*font), channel, kRate);
    VoiceSetup setup = setup_for(*font);
    setup.gens[InitialAttenuation] = 150;
    soft.start(setup, channel, kRate);
    const Stereo a = render(loud, 9600), b = render(soft, 9600);
    EXPECT_NEAR(db(rms(b.left, 4800, 9600) / rms(a.left, 4800, 9600)), -6.0, 0.05);
}

TEST(SoundFontVoice, LevelMatchesFluidSynthsGainAndPanLaw) {
    // Full velocity, no attenuation, centre pan, Q 0 at 1 kHz: sample * 0.2 (synth.gain) * sin(500 pi /
    // 2002) (pan) * 1/sqrt(q) with q = 10^(-3.01/20) (the filter's gain at Q 0).
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    SoundFontVoice voice;
    voice.start(setup_for(*font), channel, kRate);
    const Stereo out = render(voice, 9600);
    const double q = std::pow(10.0, -3.01 / 20.0);
    const double expected = 16000.0 / 32768.0 * 0.2 * std::sin(500.0 * M_PI / 2002.0) / std::sqrt(q);
    EXPECT_NEAR(peak(out.left, 4800, 9600) / expected, 1.0, 0.01);
    EXPECT_NEAR(peak(out.right, 4800, 9600) / expected, 1.0, 0.01);
}

TEST(SoundFontVoice, PanAndVelocityModulators) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font, 60, 64);
    setup.gens[Pan] = 250;                                  // right of centre
    add_modulator(setup, 0x0502, InitialAttenuation, 960);  // velocity (concave, negative)
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo out = render(voice, 9600);
    const double pan_db = db(rms(out.right, 4800, 9600) / rms(out.left, 4800, 9600));
    EXPECT_NEAR(pan_db, db(std::sin(750.0 * M_PI / 2002.0) / std::sin(250.0 * M_PI / 2002.0)), 0.05);
    // Velocity 64 of 128: 960 * concave(127 * (1 - 64/128)) centibels.
    SoundFontVoice full;
    VoiceSetup loud = setup;
    loud.velocity = 127;
    full.start(loud, channel, kRate);
    const Stereo ref = render(full, 9600);
    const double expected_cb =
        960.0 * concave(127.0 * (1.0 - 64.0 / 128.0)) - 960.0 * concave(127.0 * (1.0 - 127.0 / 128.0));
    EXPECT_NEAR(db(rms(out.left, 4800, 9600) / rms(ref.left, 4800, 9600)), -expected_cb / 10.0, 0.05);
}

// ---------------------------------------------------------------- envelope

// The level (dB, against the sustained level of a plain voice) in the 64-frame block starting at `frame`.
double level_db(const std::vector<float>& x, int frame, double reference_rms) {
    return db(rms(x, frame, frame + 48) / reference_rms);
}

TEST(SoundFontVoice, VolumeEnvelopeTimesFollowTheirTimecents) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    SoundFontVoice plain;
    plain.start(setup_for(*font), channel, kRate);
    const double reference = rms(render(plain, 9600).left, 4800, 9600);

    VoiceSetup setup = setup_for(*font);
    setup.gens[AttackVolEnv] = -1200;   // 0.5 s: 1 + 375 blocks, linear in amplitude
    setup.gens[HoldVolEnv] = -2400;     // 0.25 s: 188 blocks (rounded)
    setup.gens[DecayVolEnv] = 0;        // 1 s over the whole 96 dB: 750 blocks
    setup.gens[SustainVolEnv] = 480;    // 48 dB down: 96 dB * (1 - sustain value 0.52) = 46.08 dB
    setup.gens[ReleaseVolEnv] = -1200;  // 0.5 s over 96 dB
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo out = render(voice, 3 * 48000);
    const int attack_end = 376 * 64, hold_end = attack_end + 188 * 64;
    EXPECT_NEAR(level_db(out.left, 188 * 64, reference), db(189.0 / 376.0), 0.3);  // half way up
    EXPECT_NEAR(level_db(out.left, attack_end + 64, reference), 0.0, 0.2);
    EXPECT_NEAR(level_db(out.left, hold_end - 128, reference), 0.0, 0.2);
    // Decay: 96 dB per second, so 24 dB after a quarter second, and the sustain level after 0.48 s.
    EXPECT_NEAR(level_db(out.left, hold_end + 187 * 64, reference), -24.0, 0.4);
    EXPECT_NEAR(level_db(out.left, hold_end + 600 * 64, reference), -46.08, 0.3);
    EXPECT_TRUE(voice.active());

    voice.release();
    const Stereo tail = render(voice, 48000);
    // From 46.08 dB down, 96 dB per 0.5 s: the rest (49.92 dB) takes 0.26 s, then the voice ends.
    EXPECT_NEAR(level_db(tail.left, 64 * 64, reference), -46.08 - 96.0 * 64 / 376.0, 0.5);
    EXPECT_FALSE(voice.active());
    int last = 0;
    for (int i = 0; i < 48000; ++i)
        if (tail.left[static_cast<std::size_t>(i)] != 0.0f) last = i;
    EXPECT_NEAR(last, 49.92 / 96.0 * 376 * 64, 3 * 64);
}

TEST(SoundFontVoice, ReleaseWaitsForFluidSynthsMinimumNoteLength) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    SoundFontVoice voice;
    voice.start(setup_for(*font), channel, kRate);
    voice.release();  // before the first frame: takes effect at 10 ms (480 frames)
    const Stereo out = render(voice, 4800);
    EXPECT_GT(peak(out.left, 400, 480), 0.05);
    EXPECT_GT(peak(out.left, 480, 544), 0.05);
    // The default release is FluidSynth's minimum, -7200 timecents (15.6 ms): 12 steps of 1/12 from
    // full level, the 12th reaching the end.
    EXPECT_FALSE(voice.active());
    EXPECT_GT(peak(out.left, 480 + 10 * 64, 480 + 11 * 64), 0.0);
    EXPECT_EQ(peak(out.left, 480 + 11 * 64, 4800), 0.0);
}

TEST(SoundFontVoice, ChokeReleasesFastAndDropsTheClass) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    VoiceSetup setup = setup_for(*font);
    setup.gens[ExclusiveClass] = 3;
    setup.gens[ReleaseVolEnv] = 4000;  // 10 s release: choke replaces it with FluidSynth's -200
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    EXPECT_EQ(voice.exclusive_class(), 3);
    render(voice, 4800);
    voice.choke();
    EXPECT_EQ(voice.exclusive_class(), 0);
    const Stereo out = render(voice, 48000);
    EXPECT_FALSE(voice.active());  // 96 dB in 2^(-200/1200) s = 0.89 s at the longest
    EXPECT_GT(peak(out.left, 0, 2400), 0.05);
}

TEST(SoundFontVoice, KillIsSilentWithinFiveMilliseconds) {
    auto font = sine_font(48, 4800, 480, 4320);
    ChannelState channel;
    SoundFontVoice voice;
    voice.start(setup_for(*font), channel, kRate);
    const Stereo before = render(voice, 4800);
    voice.kill();
    const Stereo after = render(voice, 960);
    EXPECT_FALSE(voice.active());
    EXPECT_EQ(peak(after.left, 240, 960), 0.0);
    // A fade, not a cut: no step larger than the sine's own.
    std::vector<float> joined(before.left.end() - 480, before.left.end());
    joined.insert(joined.end(), after.left.begin(), after.left.end());
    double worst = 0.0;
    for (std::size_t i = 1; i < joined.size(); ++i)
        worst = std::max(worst, double(std::fabs(joined[i] - joined[i - 1])));
    EXPECT_LE(worst, peak(before.left, 0, 4800) * 2.0 * std::sin(M_PI / 48.0) * 1.01);
}

// ---------------------------------------------------------------- filter

TEST(SoundFontVoice, LowCutoffAttenuatesAHighSine) {
    auto font = sine_font(12, 4800, 480, 4320);  // 4 kHz
    ChannelState channel;
    SoundFontVoice open, closed;
    open.start(setup_for(*font), channel, kRate);
    VoiceSetup setup = setup_for(*font);
    setup.gens[InitialFilterFc] = 6900;  // 440 Hz: 3.2 octaves below, 12 dB per octave
    closed.start(setup, channel, kRate);
    const double a = rms(render(open, 9600).left, 4800, 9600);
    const double b = rms(render(closed, 9600).left, 4800, 9600);
    EXPECT_LT(db(b / a), -36.0);
    EXPECT_GT(db(b / a), -42.0);
}

TEST(SoundFontVoice, AControllerClosesAWideOpenFilter) {
    // Wide open at the start (cutoff at its ceiling, Q 0: a plain gain), then CC74 through a modulator
    // brings the cutoff down to 440 Hz: the 4 kHz sine drops as it does through a filter set so from the
    // start.
    auto font = sine_font(12, 4800, 480, 4320);
    ChannelState channel;
    channel.cc[74] = 0;
    VoiceSetup setup = setup_for(*font);
    add_modulator(setup, 0x00CA, InitialFilterFc, -6600);  // CC74, linear, unipolar: -6600 cents at 127/128
    SoundFontVoice voice;
    voice.start(setup, channel, kRate);
    const Stereo open = render(voice, 9600);
    channel.cc[74] = 127;
    voice.controllers_changed();
    const Stereo closed = render(voice, 9600);
    VoiceSetup fixed = setup_for(*font);
    fixed.gens[InitialFilterFc] = static_cast<std::int32_t>(std::lround(13500 - 6600.0 * 127 / 128));
    SoundFontVoice reference;
    reference.start(fixed, channel, kRate);
    const Stereo expected = render(reference, 19200);
    EXPECT_NEAR(db(rms(closed.left, 4800, 9600) / rms(expected.left, 14400, 19200)), 0.0, 0.1);
    EXPECT_LT(db(rms(closed.left, 4800, 9600) / rms(open.left, 4800, 9600)), -36.0);
}

TEST(SoundFontVoice, TwentyFourBitSamplesUseTheLowByte) {
    auto font = sine_font(48, 4800, 480, 4320, M_PI / 2, 0.0);  // silent 16-bit part
    font->data24.assign(font->data.size(), 0);
    for (std::size_t i = 0; i < 4800; ++i) font->data24[i] = 200;  // +200 / 2^23 of full scale
    ChannelState channel;
    SoundFontVoice voice;
    voice.start(setup_for(*font), channel, kRate);
    const Stereo out = render(voice, 4800);
    EXPECT_GT(out.left[4000], 0.0f);
    EXPECT_NEAR(out.left[4000] / (200.0 / 8388608.0 * 0.2 * std::sin(500.0 * M_PI / 2002.0)),
                1.0 / std::sqrt(std::pow(10.0, -3.01 / 20.0)), 0.02);
}

}  // namespace
}  // namespace tactus::sf2
