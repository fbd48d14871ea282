// An offline render on several threads (the tracks' instruments at once, mixed in slot order) is the
// one-thread render to the bit: for every thread count and block size, with solo and mute, buses and
// sends, a Csound track's latency, every bundled example and a random 64-track score; a tail the limit
// cuts ends where the whole document ends, and errors name the user's track.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/document_files.h"
#include "core/document_json.h"
#include "engine/offline_render.h"
#include "engine/synth/synth_preset.h"
#include "support/render_helpers.h"
#include "support/test_soundfont.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
constexpr double kRate = 48000.0;

class ParallelRender : public ::testing::Test {
protected:
    fs::path dir_ =
        fs::temp_directory_path() / ("tactus-parallel-render-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::string font_;

    void SetUp() override {
        fs::create_directories(dir_);
        font_ = test::write_test_soundfont(dir_ / "test.sf2");
    }
    void TearDown() override { fs::remove_all(dir_); }

    static Track synth(TrackId id, const std::string& preset, double level, double pan) {
        Track t;
        t.id = id;
        t.instrument = "synth";
        t.preset = preset;
        t.level = level;
        t.pan = pan;
        return t;
    }
    Track soundfont(TrackId id, int program) const {
        Track t;
        t.id = id;
        t.instrument = "soundfont";
        t.soundfont = font_;
        t.program = program;
        return t;
    }

    // Five tracks whose notes overlap all the time, on three instruments, at different levels and pans,
    // with a pitch bend and a tempo change: every sample is a sum of several tracks.
    Document busy_song() const {
        Document doc;
        doc.tempo = *TempoMap::from_points({{0.0, 132.0}, {6.0, 97.0}}, nullptr);
        doc.tracks = {synth(1, "pluck", 0.8, -0.4), synth(2, "pad", 1.1, 0.3), soundfont(3, 2),
                      synth(4, "sine", 0.6, 0.0), soundfont(5, 3)};
        NoteId id = 1;
        for (std::size_t t = 0; t < doc.tracks.size(); ++t)
            for (int n = 0; n < 24; ++n)
                doc.tracks[t].notes.push_back(Note{id++, 0.37 * n + 0.11 * double(t),
                                                   0.3 + 0.05 * double(n % 5), 48 + (n * 7 + int(t) * 5) % 36,
                                                   0.0, 40 + (n * 13) % 87});
        doc.tracks[2].controllers = {{1.5, ControllerKind::PitchBend, 0, 0.4},
                                     {3.0, ControllerKind::PitchBend, 0, 0.0}};
        return doc;
    }
};

void expect_same_bits(const test::StereoAudio& one, const test::StereoAudio& many, const std::string& what) {
    ASSERT_EQ(many.left.size(), one.left.size()) << what << ": length";
    std::size_t differ = 0, first = 0;
    for (std::size_t i = 0; i < one.left.size(); ++i)
        if (one.left[i] != many.left[i] || one.right[i] != many.right[i]) {
            if (differ++ == 0) first = i;
        }
    EXPECT_EQ(differ, 0u) << what << ": samples differ, the first at frame " << first;
}

float peak(const test::StereoAudio& a) {
    float p = 0.0f;
    for (std::size_t i = 0; i < a.left.size(); ++i)
        p = std::max({p, std::abs(a.left[i]), std::abs(a.right[i])});
    return p;
}

TEST_F(ParallelRender, equals_the_one_thread_render_to_the_bit_for_every_thread_count_and_block) {
    const Document doc = busy_song();
    for (const int block : {64, 512, 1000}) {
        const test::StereoAudio one = test::render_offline(doc, kRate, block, 1);
        ASSERT_GT(peak(one), 0.1f);
        for (const int threads : {2, 3, 8})
            expect_same_bits(one, test::render_offline(doc, kRate, block, threads),
                             std::to_string(threads) + " threads, block " + std::to_string(block));
    }
}

TEST_F(ParallelRender, a_soloed_track_silences_the_others_across_threads) {
    Document doc = busy_song();
    doc.tracks[1].solo = true;
    doc.tracks[3].solo = true;
    doc.tracks[3].mute = true;  // soloed and muted: silent
    const test::StereoAudio one = test::render_offline(doc, kRate, 256, 1);
    const test::StereoAudio two = test::render_offline(doc, kRate, 256, 2);
    expect_same_bits(one, two, "solo");
    // And the solo is heard: only track 1 sounds, so the render equals track 1 alone.
    Document alone = doc;
    alone.tracks = {doc.tracks[1]};
    alone.tracks[0].solo = false;
    const test::StereoAudio only = test::render_offline(alone, kRate, 256, 1);
    ASSERT_LE(only.left.size(), two.left.size());
    for (std::size_t i = 0; i < only.left.size(); ++i) ASSERT_EQ(two.left[i], only.left[i]) << "frame " << i;
}

TEST_F(ParallelRender, a_track_that_never_falls_silent_is_cut_where_the_whole_document_ends) {
    Document doc = busy_song();
    // The sustain pedal stays down: track 0's looped note sounds for ever, from a note that ends at
    // beat 0.5, long before the document's last note.
    Track drone = soundfont(9, 0);
    drone.notes = {Note{900, 0.0, 0.5, 60, 0.0, 100}};
    drone.controllers = {{0.0, ControllerKind::ControlChange, 64, 127}};
    doc.tracks.insert(doc.tracks.begin(), drone);
    const test::StereoAudio one = test::render_offline(doc, kRate, 512, 1, 0.25);
    const test::StereoAudio two = test::render_offline(doc, kRate, 512, 2, 0.25);
    expect_same_bits(one, two, "drone");
    // It ran to the limit (the last note's end + 0.25 s), with the drone still sounding there.
    OfflineRenderOptions options;
    options.max_tail_seconds = 0.25;
    options.threads = 2;
    std::string error;
    const auto render = OfflineRender::create(doc, options, &error);
    ASSERT_TRUE(render) << error;
    EXPECT_EQ(render->threads(), 2);
    EXPECT_EQ(Frame(two.left.size()), render->frame_limit());
    EXPECT_NE(two.left.back(), 0.0f);
}

TEST_F(ParallelRender, a_track_that_cannot_play_is_named_by_its_place_in_the_document) {
    Document doc = busy_song();
    doc.tracks[3].instrument = "soundfont";
    doc.tracks[3].soundfont = (dir_ / "missing.sf2").string();
    for (const int threads : {1, 2}) {
        OfflineRenderOptions options;
        options.threads = threads;
        std::string error;
        EXPECT_FALSE(OfflineRender::create(doc, options, &error));
        EXPECT_EQ(error.rfind("/tracks/3: ", 0), 0u) << threads << " threads: " << error;
        EXPECT_NE(error.find("missing.sf2"), std::string::npos) << error;
    }
}

TEST_F(ParallelRender, with_a_csound_track_it_equals_the_one_thread_render_to_the_bit) {
    const fs::path orc = dir_ / "sine.orc";
    std::ofstream(orc) << "sr = 48000\nksmps = 32\nnchnls = 2\n0dbfs = 1\n"
                          "instr 1\n  kenv linsegr 1, 1, 1, 0.1, 0\n  asig oscili 0.3 * kenv, p6\n"
                          "  outs asig, asig\nendin\n";
    Document doc = busy_song();
    Track csound;
    csound.id = 7;
    csound.instrument = "csound";
    csound.orchestra = orc.string();
    csound.csound_instrument = "1";
    csound.notes = doc.tracks[0].notes;
    doc.tracks.push_back(csound);
    const test::StereoAudio one = test::render_offline(doc, kRate, 512, 1);
    const test::StereoAudio two = test::render_offline(doc, kRate, 512, 2);
    expect_same_bits(one, two, "2 threads with a Csound track");
    EXPECT_GT(peak(two), 0.1f);
}

// Sixty-four tracks of every synth preset with random notes, levels, pans, mutes and a solo; half send
// to one of two buses (pre- or post-fader), one bus soloed in a second pass.
TEST_F(ParallelRender, a_random_64_track_score_with_buses_equals_the_one_thread_render_to_the_bit) {
    const std::vector<std::string> presets = synth_preset_names();
    std::mt19937 random(1616);
    auto uniform = [&](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(random);
    };
    Document doc;
    for (BusId b : {BusId{101}, BusId{102}}) {
        Bus bus;
        bus.id = b;
        bus.name = "bus " + std::to_string(b);
        bus.level = uniform(0.3, 1.0);
        bus.pan = uniform(-1.0, 1.0);
        doc.buses.push_back(bus);
    }
    NoteId id = 1;
    for (TrackId t = 1; t <= 64; ++t) {
        Track track = synth(t, presets[random() % presets.size()], uniform(0.05, 0.4), uniform(-1.0, 1.0));
        track.mute = random() % 16 == 0;
        if (random() % 2 == 0)
            track.sends.push_back(Send{doc.buses[random() % 2].id, uniform(0.1, 0.9), random() % 2 == 0});
        for (int n = 0; n < 30; ++n)
            track.notes.push_back(Note{id++, uniform(0.0, 12.0), uniform(0.0, 1.5), int(24 + random() % 80),
                                       uniform(-30.0, 30.0), int(1 + random() % 127)});
        doc.tracks.push_back(track);
    }
    const test::StereoAudio one = test::render_offline(doc, kRate, 512, 1);
    EXPECT_GT(peak(one), 0.05f);
    for (const int threads : {2, 5})
        for (const int block : {512, 100})
            expect_same_bits(block == 512 ? one : test::render_offline(doc, kRate, block, 1),
                             test::render_offline(doc, kRate, block, threads),
                             std::to_string(threads) + " threads, block " + std::to_string(block));
    doc.tracks[7].solo = true;
    doc.buses[1].solo = true;
    expect_same_bits(test::render_offline(doc, kRate, 256, 1), test::render_offline(doc, kRate, 256, 2),
                     "with a soloed track and bus");
}

// Buses whose inputs are in (every track's sends) run their insert chains side by side on the team,
// then mix in slot order: four buses with a delay each (mda Delay, installed with the dependencies).
TEST_F(ParallelRender, buses_with_insert_chains_render_side_by_side_and_equal_the_one_thread_render) {
    const std::vector<std::string> presets = synth_preset_names();
    std::mt19937 random(1617);
    auto uniform = [&](double lo, double hi) {
        return std::uniform_real_distribution<double>(lo, hi)(random);
    };
    Document doc;
    for (BusId b = 1; b <= 4; ++b) {
        Bus bus;
        bus.id = b;
        bus.name = "delay " + std::to_string(b);
        bus.pan = uniform(-1.0, 1.0);
        bus.inserts.push_back(
            Insert{"http://drobilla.net/plugins/mda/Delay",
                   {{"feedback", uniform(0.2, 0.7)}, {"fx_mix", 1.0}, {"l_delay", uniform(0.1, 0.9)}},
                   false,
                   {}});
        doc.buses.push_back(bus);
    }
    NoteId id = 1;
    for (TrackId t = 1; t <= 12; ++t) {
        Track track = synth(t, presets[random() % presets.size()], uniform(0.05, 0.3), uniform(-1.0, 1.0));
        track.sends.push_back(Send{BusId(1 + t % 4), uniform(0.2, 0.9), t % 3 == 0});
        for (int n = 0; n < 20; ++n)
            track.notes.push_back(
                Note{id++, uniform(0.0, 6.0), uniform(0.0, 1.0), int(36 + random() % 60), 0.0, 100});
        doc.tracks.push_back(track);
    }
    constexpr double kTail = 3.0;  // of the delays' repeats
    const test::StereoAudio one = test::render_offline(doc, kRate, 512, 1, kTail);
    ASSERT_GT(peak(one), 0.05f);
    expect_same_bits(one, test::render_offline(doc, kRate, 512, 2, kTail), "2 threads, block 512");
    expect_same_bits(test::render_offline(doc, kRate, 100, 1, kTail),
                     test::render_offline(doc, kRate, 100, 3, kTail), "3 threads, block 100");
}

// What README's demo command and the examples folder play.
TEST_F(ParallelRender, every_bundled_example_equals_its_one_thread_render_to_the_bit) {
    int examples = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(TACTUS_SOURCE_DIR) / "examples")) {
        if (entry.path().extension() != ".json") continue;
        LoadResult loaded = load_document_file(entry.path().string());
        ASSERT_TRUE(loaded.document) << entry.path();
        Document doc = *loaded.document;
        resolve_document_files(doc, document_directory(entry.path().string()));
        const test::StereoAudio one = test::render_offline(doc, kRate, 512, 1);
        EXPECT_GT(peak(one), 0.01f) << entry.path();
        expect_same_bits(one, test::render_offline(doc, kRate, 512, 2), entry.path().string());
        ++examples;
    }
    EXPECT_GE(examples, 2);
}

}  // namespace
}  // namespace tactus
