// The SoundFont instrument keeps the promise of timing.md and plays what the font says: every note's
// first sample on its frame (1,100 notes over tempo jumps and ramps, many on exact .5 frame positions,
// blocks of 1, 7 and 512 bit-identical, and through tactusd at periods 64 and 1024), layered zones,
// exclusive classes, the sustain pedal, pitch bend with its range, and program changes on their frame.
// The font is written by the test (support/test_soundfont.h); expected frames come from the test's
// own reading of timing.md (support/reference_timing.h).
#include "engine/soundfont/soundfont_instrument.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <random>
#include <string>
#include <utility>

#include "audio/audio_file_writer.h"
#include "core/document_json.h"
#include "core/general_midi_font.h"
#include "engine/instrument_factory.h"
#include "engine/soundfont/font_library.h"
#include "support/cli_run.h"
#include "support/exact_onsets.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"
#include "support/test_soundfont.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
using test::kSineHz;

constexpr double kRate = 48000.0;
constexpr int kBlock = 64;

double rms(const std::vector<float>& x, std::size_t from, std::size_t to) {
    double sum = 0;
    for (std::size_t i = from; i < to; ++i) sum += double(x[i]) * x[i];
    return std::sqrt(sum / double(std::max<std::size_t>(1, to - from)));
}

class SoundFontInstrumentTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-sf-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        font_ = test::write_test_soundfont(dir_ / "test.sf2");
    }
    void TearDown() override { fs::remove_all(dir_); }

    Track font_track(int bank, int program, std::vector<Note> notes = {}, double pan = 0.0) {
        Track t = test::track(1, "preset", std::move(notes), pan);
        t.instrument = "soundfont";
        t.soundfont = font_;
        t.bank = bank;
        t.program = program;
        return t;
    }

    // An instrument of the test font, ready to play.
    std::unique_ptr<SoundFontInstrument> instrument(int bank, int program, bool drums = false) {
        auto handle = sf2::FontLibrary::shared().load(font_);
        std::string error;
        EXPECT_TRUE(handle->wait(&error)) << error;
        return std::make_unique<SoundFontInstrument>(handle, bank, program, drums, kRate);
    }

    // Renders `frames` in blocks, appending to out.
    static void play(Instrument& instrument, int frames, test::StereoAudio& out) {
        float l[kBlock], r[kBlock];
        while (frames > 0) {
            const int n = std::min(frames, kBlock);
            instrument.render(l, r, n);
            out.left.insert(out.left.end(), l, l + n);
            out.right.insert(out.right.end(), r, r + n);
            frames -= n;
        }
    }

    Document onset_score() { return test::onset_score(font_track(0, 0, {}, -1.0)); }

    fs::path dir_;
    std::string font_;
};

TEST_F(SoundFontInstrumentTest, every_note_starts_on_its_frame_in_blocks_of_1_7_and_512_bit_identical) {
    const Document doc = onset_score();
    const test::StereoAudio reference = test::render_offline(doc, kRate, 512);
    test::expect_exact_onsets(doc, reference.left, kRate);
    for (int block : {1, 7}) {
        SCOPED_TRACE("blocks of " + std::to_string(block));
        test::StereoAudio audio = test::render_offline(doc, kRate, block);
        // A render ends on the first block that finds the score done and every voice silent: the
        // longer one has only zeros beyond the shorter.
        const std::size_t common = std::min(audio.left.size(), reference.left.size());
        for (const test::StereoAudio* longer : {&std::as_const(audio), &reference})
            for (std::size_t i = common; i < longer->left.size(); ++i)
                ASSERT_TRUE(longer->left[i] == 0.0f && longer->right[i] == 0.0f) << "frame " << i;
        audio.left.resize(common);
        audio.right.resize(common);
        EXPECT_TRUE(std::equal(audio.left.begin(), audio.left.end(), reference.left.begin()) &&
                    std::equal(audio.right.begin(), audio.right.end(), reference.right.begin()))
            << "not bit-identical";
    }
}

TEST_F(SoundFontInstrumentTest, every_note_starts_on_its_frame_through_tactusd_at_periods_64_and_1024) {
    const Document doc = onset_score();
    for (int period : {64, 1024}) {
        SCOPED_TRACE("period " + std::to_string(period));
        test::expect_exact_onsets(doc, test::tactusd_left_channel(doc, period, dir_), kRate);
    }
}

TEST_F(SoundFontInstrumentTest, a_looped_sine_loops_with_no_step_larger_than_its_own) {
    auto sine = instrument(0, 2);
    sine->note_on(1, 60, 0.0, 127);
    test::StereoAudio out;
    play(*sine, 48000, out);  // a second: the 4,320-frame sample loops about 12 times
    const double own_step = 16000.0 / 32768.0 * 2 * std::sin(std::numbers::pi * kSineHz / kRate);
    double peak = 0, largest_step = 0;
    for (std::size_t i = 1; i < out.left.size(); ++i) peak = std::max(peak, double(std::fabs(out.left[i])));
    // After the attack (the envelope's first 1 ms), steps are the sine's own scaled by its level.
    for (std::size_t i = 480; i < out.left.size(); ++i)
        largest_step = std::max(largest_step, double(std::fabs(out.left[i] - out.left[i - 1])));
    ASSERT_GT(peak, 0.0);
    const double own_scaled = own_step * peak / (16000.0 / 32768.0);
    EXPECT_LE(largest_step, own_scaled * 1.01) << "a step at the loop seam";
    EXPECT_GE(largest_step, own_scaled * 0.9);
}

TEST_F(SoundFontInstrumentTest, layered_zones_sound_together_and_velocity_ranges_choose) {
    auto layers = instrument(0, 3);
    layers->note_on(1, 60, 0.0, 100);  // both zones
    test::StereoAudio both;
    play(*layers, 4800, both);
    EXPECT_GT(rms(both.left, 480, 4800), 0.01);
    EXPECT_GT(rms(both.right, 480, 4800), 0.01);
    auto soft = instrument(0, 3);
    soft->note_on(1, 60, 0.0, 30);  // the left zone only
    test::StereoAudio one;
    play(*soft, 4800, one);
    EXPECT_GT(rms(one.left, 480, 4800), 1e-3);  // velocity 30: about 23 dB softer
    EXPECT_LT(rms(one.right, 480, 4800), 1e-6);
}

TEST_F(SoundFontInstrumentTest, the_exclusive_class_chokes_the_open_hi_hat) {
    auto kit = instrument(128, 0, true);
    kit->note_on(1, 46, 0.0, 100);  // open hi-hat: left, loops for as long as it is held
    test::StereoAudio out;
    play(*kit, 4800, out);
    kit->note_on(2, 42, 0.0, 100);  // closed hi-hat: right, same class
    play(*kit, 96000, out);
    EXPECT_GT(rms(out.left, 2400, 4800), 0.01) << "the open hi-hat sounded";
    EXPECT_GT(rms(out.right, 4800 + 480, 4800 + 4800), 0.01) << "the closed hi-hat sounds";
    // Choked as FluidSynth chokes: a release of -200 timecents (0.89 s), then nothing.
    EXPECT_LT(rms(out.left, 4800 + 2400, 4800 + 4800), rms(out.left, 2400, 4800)) << "fading";
    EXPECT_EQ(rms(out.left, 96000, 100800), 0.0) << "the open hi-hat was choked";
    EXPECT_GT(rms(out.right, 96000, 100800), 0.01) << "the closed hi-hat still sounds";
    // Without the closed one, the open hi-hat would still sound.
    auto alone = instrument(128, 0, true);
    alone->note_on(1, 46, 0.0, 100);
    test::StereoAudio held;
    play(*alone, 100800, held);
    EXPECT_GT(rms(held.left, 96000, 100800), 0.01);
}

TEST_F(SoundFontInstrumentTest, the_sustain_pedal_holds_released_notes_until_it_lifts) {
    auto left = instrument(0, 0);
    left->controller({0, ControllerKind::ControlChange, 64, 127});
    left->note_on(1, 60, 0.0, 100);
    test::StereoAudio out;
    play(*left, 4800, out);
    left->note_off(1);
    play(*left, 24000, out);
    EXPECT_GT(rms(out.left, 24000, 28800), 0.01) << "held by the pedal";
    left->controller({0, ControllerKind::ControlChange, 64, 0});
    play(*left, 24000, out);
    EXPECT_EQ(rms(out.left, 28800 + 4800, 52800), 0.0) << "released when the pedal lifts";
    EXPECT_TRUE(left->is_silent());
}

// Frequency from the zero crossings of the left channel over [from, to).
double frequency(const std::vector<float>& x, std::size_t from, std::size_t to) {
    std::vector<double> crossings;
    for (std::size_t i = from + 1; i < to; ++i)
        if (x[i - 1] < 0 && x[i] >= 0)
            crossings.push_back(double(i - 1) + x[i - 1] / double(x[i - 1] - x[i]));
    if (crossings.size() < 2) return 0;
    return kRate * double(crossings.size() - 1) / (crossings.back() - crossings.front());
}

// The default modulator bends by 12700 cents x wheel x sensitivity / 128, played on whole cents, as
// FluidSynth 2.3 does (its sensitivity source spans 128 steps: a range of 2 bends 198.4 cents).
double bent_hz(double range_semitones, double wheel) {
    return kSineHz * std::exp2(std::trunc(12700.0 * wheel * range_semitones / 128.0) / 1200.0);
}

TEST_F(SoundFontInstrumentTest, pitch_bend_follows_its_range) {
    auto sine = instrument(0, 2);
    sine->note_on(1, 60, 0.0, 100);
    test::StereoAudio out;
    play(*sine, 9600, out);
    EXPECT_NEAR(frequency(out.left, 2400, 9600), kSineHz, 0.3);
    sine->controller({0, ControllerKind::PitchBend, 0, 1.0});  // the top: 8191/8192 of +2 semitones
    play(*sine, 9600, out);
    EXPECT_NEAR(frequency(out.left, 9600 + 480, 19200), bent_hz(2, 8191.0 / 8192), 0.3);
    // RPN 0: a range of 12 semitones, then half the wheel up: about +6 semitones.
    for (auto [cc, value] : {std::pair{101, 0}, {100, 0}, {6, 12}, {38, 0}})
        sine->controller({0, ControllerKind::ControlChange, cc, double(value)});
    sine->controller({0, ControllerKind::PitchBend, 0, 0.5});
    play(*sine, 9600, out);
    EXPECT_NEAR(frequency(out.left, 19200 + 480, 28800), bent_hz(12, 0.5), 0.3);
    EXPECT_GT(frequency(out.left, 19200 + 480, 28800), kSineHz * std::exp2(5.9 / 12));
}

TEST_F(SoundFontInstrumentTest, a_note_tuned_past_half_a_semitone_plays_the_nearest_keys_zone) {
    const auto side = [&](int pitch, double cents) {
        auto split = instrument(0, 4);
        split->note_on(1, pitch, cents, 100);
        test::StereoAudio out;
        play(*split, 4800, out);
        return rms(out.left, 480, 4800) > rms(out.right, 480, 4800) ? "left" : "right";
    };
    EXPECT_STREQ(side(60, 0.0), "left");
    EXPECT_STREQ(side(60, 30.0), "left");
    EXPECT_STREQ(side(60, 70.0), "right") << "60 + 70 cents sounds as 61 - 30";
    EXPECT_STREQ(side(61, -30.0), "right");
    EXPECT_STREQ(side(61, -70.0), "left");
}

TEST_F(SoundFontInstrumentTest, a_program_change_switches_presets_on_its_frame) {
    Document doc;
    doc.tempo = test::tempo_map({{0, 120, false}});
    // Program 0 (left) for the first two notes; at beat 2 program 1 (right) for the note on that beat.
    Track t = font_track(0, 0, {test::note(1, 0, 0.5), test::note(2, 1, 0.5), test::note(3, 2, 0.5)});
    t.controllers.push_back({2.0, ControllerKind::ProgramChange, 1, 0.0});
    doc.tracks.push_back(t);
    const test::StereoAudio audio = test::render_offline(doc, kRate, 100);
    const std::size_t change = 48000;  // beat 2 at 120 bpm
    EXPECT_GT(rms(audio.left, 0, 12000), 0.01);
    EXPECT_GT(rms(audio.left, 24000, 36000), 0.01);
    EXPECT_LT(rms(audio.right, 0, change), 1e-6);
    EXPECT_EQ(audio.left[change], 0.0f) << "the note on the change's frame plays the new preset";
    EXPECT_NE(audio.right[change], 0.0f);
    EXPECT_EQ(audio.right[change - 1], 0.0f);
    EXPECT_LT(rms(audio.left, change, change + 12000), 1e-6);
}

TEST_F(SoundFontInstrumentTest, a_missing_or_broken_font_is_a_problem_naming_the_file) {
    Document doc;
    Track missing = font_track(0, 0);
    missing.soundfont = (dir_ / "nowhere.sf2").string();
    doc.tracks.push_back(missing);
    Track broken = font_track(0, 0);
    broken.id = 2;
    broken.soundfont = (dir_ / "broken.sf2").string();
    std::string bytes = test::test_soundfont_bytes();
    bytes.resize(bytes.size() / 2);
    std::ofstream(broken.soundfont, std::ios::binary) << bytes;
    doc.tracks.push_back(broken);
    Track unknown = font_track(5, 99);
    unknown.id = 3;
    doc.tracks.push_back(unknown);
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/soundfont");
    EXPECT_NE(problems[0].message.find(missing.soundfont), std::string::npos) << problems[0].message;
    EXPECT_EQ(problems[1].json_path, "/tracks/1/soundfont");
    EXPECT_NE(problems[1].message.find("byte "), std::string::npos) << problems[1].message;
    EXPECT_EQ(problems[2].json_path, "/tracks/2/program");
    EXPECT_NE(problems[2].message.find("no preset 5:99"), std::string::npos) << problems[2].message;
    for (const auto& p : problems) EXPECT_TRUE(p.track_can_play_silent);
    // The default font's message names the Debian package that installs it.
    EXPECT_NE(sf2::font_not_found(kGeneralMidiFont, "no such file").find(kGeneralMidiFontPackage),
              std::string::npos);
    // A render refuses a font it cannot read, naming it.
    std::string error;
    Document one;
    one.tracks.push_back(missing);
    EXPECT_EQ(OfflineRender::create(one, {}, &error), nullptr);
    EXPECT_NE(error.find(missing.soundfont), std::string::npos) << error;
}

TEST_F(SoundFontInstrumentTest, a_font_is_read_once_and_shared) {
    auto a = sf2::FontLibrary::shared().load(font_);
    auto b = sf2::FontLibrary::shared().load(font_);
    EXPECT_EQ(a, b);
    std::string error;
    ASSERT_TRUE(a->wait(&error)) << error;
    EXPECT_EQ(sf2::FontLibrary::shared().headers(font_, &error).get(), a->ready())
        << "a font in memory answers for its headers too";
}

}  // namespace
}  // namespace tactus
