// Effect plugins in a track's insert chain (engine/lv2/insert_chain.h): an insert processes the track
// as lilv's own lv2apply does with the same plugin and controls on the dry render (below -120 dB),
// stays aligned with the dry track (its latency compensated), passes the track unchanged when bypassed,
// lands a control change on its frame, rings on after the instrument falls silent, and a missing plugin
// is named while the track plays on without it. Plugins: Debian's mda-lv2 and swh-lv2; lv2apply: lilv-utils.
#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "audio/audio_file_writer.h"
#include "core/document_json.h"
#include "engine/instrument_factory.h"
#include "engine/lv2/insert_chain.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
constexpr double kRate = 48000.0;

struct Effect {
    std::string uri;
    std::map<std::string, double> controls;
    bool mono;  // one input, one output: Tactus runs one instance per channel; lv2apply gets the mono file
};

// A saw lead, three overlapping notes, panned `pan`. Inserts come before the track's level and pan: a
// track panned hard left has its chain's left output on the left at unity gain (and silence on the right),
// hard right the right one, so two renders give what the chain put out.
Document dry_song(double pan = -1.0) {
    Document doc;
    Track lead = test::track(
        1, "saw",
        {test::note(1, 0.0, 1.0, 60), test::note(2, 0.5, 1.5, 67, 90), test::note(3, 1.25, 0.5, 72, 120)},
        pan);
    doc.tracks = {lead};
    return doc;
}

Document with_insert(Document doc, const Effect& effect, bool bypass = false) {
    doc.tracks[0].inserts = {Insert{effect.uri, effect.controls, bypass, {}}};
    return doc;
}

// The chain's stereo output (or its input, without inserts): left from a hard-left render, right from a
// hard-right one.
test::StereoAudio chain_output(const Effect* effect) {
    test::StereoAudio out;
    for (const double pan : {-1.0, 1.0}) {
        Document doc = effect ? with_insert(dry_song(pan), *effect) : dry_song(pan);
        const test::StereoAudio side = test::render_offline(doc, kRate);
        (pan < 0 ? out.left : out.right) = pan < 0 ? side.left : side.right;
    }
    return out;
}

class Lv2Inserts : public ::testing::Test {
protected:
    fs::path dir_ =
        fs::temp_directory_path() / ("tactus-lv2-inserts-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override { fs::create_directories(dir_); }
    void TearDown() override { fs::remove_all(dir_); }

    // lv2apply's output for `audio` (its left channel alone when mono), as float frames per channel.
    std::vector<std::vector<float>> lv2apply(const test::StereoAudio& audio, const Effect& effect) {
        const std::string in = (dir_ / "dry.wav").string(), out = (dir_ / "wet.wav").string();
        AudioFileSpec spec;
        spec.format = AudioSampleFormat::Float32;
        spec.channels = effect.mono ? 1 : 2;
        std::string error;
        auto writer = AudioFileWriter::open(in, spec, &error);
        EXPECT_TRUE(writer) << error;
        if (!writer) return {};
        writer->write(audio.left.data(), audio.right.data(), int(audio.left.size()), &error);
        writer->close(&error);
        std::string command = "lv2apply -i '" + in + "' -o '" + out + "'";
        for (const auto& [symbol, value] : effect.controls)
            command += " -c " + symbol + " " + std::to_string(value);
        command += " '" + effect.uri + "' 2>&1";
        EXPECT_EQ(std::system(command.c_str()), 0) << command;
        SF_INFO info{};
        SNDFILE* f = sf_open(out.c_str(), SFM_READ, &info);
        EXPECT_NE(f, nullptr) << out;
        if (!f) return {};
        std::vector<float> interleaved(std::size_t(info.frames * info.channels));
        sf_readf_float(f, interleaved.data(), info.frames);
        sf_close(f);
        std::vector<std::vector<float>> channels(std::size_t(info.channels),
                                                 std::vector<float>(std::size_t(info.frames)));
        for (sf_count_t i = 0; i < info.frames; ++i)
            for (int c = 0; c < info.channels; ++c)
                channels[std::size_t(c)][std::size_t(i)] = interleaved[std::size_t(i * info.channels + c)];
        return channels;
    }
};

float max_difference(const std::vector<float>& a, const std::vector<float>& b, std::size_t n) {
    float worst = 0.0f;
    for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

TEST_F(Lv2Inserts, an_insert_processes_the_track_as_lv2apply_does_on_the_dry_render) {
    const std::vector<Effect> effects = {
        {"http://drobilla.net/plugins/mda/Overdrive", {{"drive", 0.8}, {"muffle", 0.3}}, false},
        {"http://plugin.org.uk/swh-plugins/shaper", {{"shapep", 4.0}}, true},
        {"http://plugin.org.uk/swh-plugins/amp", {{"gain", -7.5}}, true},
    };
    const test::StereoAudio dry = chain_output(nullptr);
    for (const Effect& effect : effects) {
        const test::StereoAudio wet = chain_output(&effect);
        const auto reference = lv2apply(dry, effect);
        ASSERT_FALSE(reference.empty()) << effect.uri;
        const std::size_t n = std::min(dry.left.size(), reference[0].size());
        ASSERT_GE(wet.left.size(), n) << effect.uri;
        // A mono effect runs once per channel; lv2apply was given the left one.
        const float worst = std::max(max_difference(wet.left, reference[0], n),
                                     effect.mono ? 0.0f : max_difference(wet.right, reference[1], n));
        EXPECT_LT(worst, 1e-6f) << effect.uri << ": " << 20 * std::log10(worst) << " dB";  // -120 dB
        if (!effect.controls.empty()) {  // the effect is heard: not the dry track
            EXPECT_GT(max_difference(wet.left, dry.left, n), 0.01f) << effect.uri;
        }
    }
}

TEST_F(Lv2Inserts, a_bypassed_insert_leaves_the_track_as_it_was_to_the_bit) {
    const Effect drive{"http://drobilla.net/plugins/mda/Overdrive", {{"drive", 0.8}}, false};
    const test::StereoAudio dry = test::render_offline(dry_song(0.3), kRate);
    const test::StereoAudio bypassed = test::render_offline(with_insert(dry_song(0.3), drive, true), kRate);
    ASSERT_GE(bypassed.left.size(), dry.left.size());
    for (std::size_t i = 0; i < dry.left.size(); ++i) {
        ASSERT_EQ(bypassed.left[i], dry.left[i]) << "frame " << i;
        ASSERT_EQ(bypassed.right[i], dry.right[i]) << "frame " << i;
    }
}

TEST_F(Lv2Inserts, a_track_with_an_insert_stays_aligned_with_one_without) {
    // Two tracks play the same notes, one hard left, the other hard right through an insert that changes
    // nothing (an amplifier at 0 dB): with the chain's latency compensated in the mix, left and right
    // are the same samples.
    Document doc;
    std::vector<Note> notes = {test::note(1, 1.3, 0.5, 60), test::note(2, 1.7, 0.25, 64),
                               test::note(3, 2.01, 1.0, 67)};
    Track plain = test::track(1, "saw", notes, -1.0);
    Track through = test::track(2, "saw", notes, 1.0);
    through.inserts = {Insert{"http://plugin.org.uk/swh-plugins/amp", {{"gain", 0.0}}, false, {}}};
    doc.tracks = {plain, through};
    for (const int block : {100, 512}) {
        const test::StereoAudio audio = test::render_offline(doc, kRate, block);
        const Frame note = doc.tempo.frame_at_beat(1.3, kRate);
        const auto first =
            std::find_if(audio.left.begin(), audio.left.end(), [](float v) { return v != 0.0f; });
        ASSERT_NE(first, audio.left.end());
        EXPECT_LE(first - audio.left.begin(), long(note) + 1);  // the saw's first sample may be 0
        EXPECT_TRUE(audio.left == audio.right) << "block " << block;
    }
}

TEST_F(Lv2Inserts, a_control_change_lands_on_its_frame) {
    for (const int at : {500, 517, 575, 576}) {
        std::string error;
        const std::vector<Insert> amp = {Insert{"http://plugin.org.uk/swh-plugins/amp", {}, false, {}}};
        auto plain = InsertChain::create(amp, kRate, &error);
        auto changed = InsertChain::create(amp, kRate, &error);
        ASSERT_TRUE(plain && changed) << error;
        std::vector<float> a(2048), b(2048), r(2048);
        for (std::size_t i = 0; i < a.size(); ++i) a[i] = b[i] = r[i] = std::sin(0.01f * float(i));
        std::vector<float> ra = r, rb = r;
        plain->process(a.data(), ra.data(), at);
        changed->process(b.data(), rb.data(), at);
        changed->set_parameter(0, 0, 6.0f);  // gain, dB
        plain->process(a.data() + at, ra.data() + at, 2048 - at);
        changed->process(b.data() + at, rb.data() + at, 2048 - at);
        long first = -1;
        for (std::size_t i = 0; i < a.size() && first < 0; ++i)
            if (a[i] != b[i]) first = long(i);
        EXPECT_EQ(first, at + changed->latency()) << "change at " << at;
    }
}

TEST_F(Lv2Inserts, a_delay_rings_on_after_the_instrument_falls_silent) {
    const Effect delay{"http://drobilla.net/plugins/mda/Delay", {{"feedback", 0.5}, {"fx_mix", 0.5}}, false};
    const test::StereoAudio dry = test::render_offline(dry_song(), kRate);
    const test::StereoAudio wet = test::render_offline(with_insert(dry_song(), delay), kRate);
    ASSERT_GT(wet.left.size(), dry.left.size() + std::size_t(kRate / 2));
    float tail = 0.0f;
    for (std::size_t i = dry.left.size(); i < dry.left.size() + std::size_t(kRate / 2); ++i)
        tail = std::max(tail, std::abs(wet.left[i]));
    EXPECT_GT(tail, 0.01f);
    // And it ends: well before the 30 s limit.
    EXPECT_LT(wet.left.size(), std::size_t(20 * kRate));
}

TEST_F(Lv2Inserts, a_missing_plugin_is_named_and_the_track_plays_on_without_it) {
    Document doc = dry_song();
    doc.tracks[0].inserts = {Insert{"http://example.org/gone", {}, false, {}},
                             Insert{"http://drobilla.net/plugins/mda/EPiano", {}, false, {}}};
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/inserts/0/plugin");
    EXPECT_NE(problems[0].message.find("<http://example.org/gone> is not installed"), std::string::npos);
    EXPECT_TRUE(problems[0].track_can_play_silent);
    EXPECT_EQ(problems[1].json_path, "/tracks/0/inserts/1/plugin");
    EXPECT_NE(problems[1].message.find("not an effect"), std::string::npos) << problems[1].message;

    std::vector<std::string> silenced;
    std::string error;
    auto mixer = make_track_mixer(doc, kRate, &error, nullptr, {}, &silenced);
    ASSERT_TRUE(mixer) << error;
    ASSERT_EQ(silenced.size(), 1u);
    EXPECT_NE(silenced[0].find("insert 1: LV2 plugin <http://example.org/gone>"), std::string::npos)
        << silenced[0];
    EXPECT_NE(silenced[0].find("insert 2:"), std::string::npos) << silenced[0];
    // Without a `silenced` list (an offline render), the document is refused.
    EXPECT_FALSE(make_track_mixer(doc, kRate, &error));
    EXPECT_NE(error.find("insert 1:"), std::string::npos) << error;
}

TEST_F(Lv2Inserts, inserts_round_trip_through_the_document) {
    Document doc = dry_song();
    doc.tracks[0].inserts = {Insert{"http://drobilla.net/plugins/mda/Overdrive", {{"drive", 0.25}}, true, {}},
                             Insert{"http://plugin.org.uk/swh-plugins/amp", {}, false, {}}};
    const LoadResult back = parse_document(document_to_string(doc), "inserts.json");
    ASSERT_TRUE(back.document) << (back.errors.empty() ? "" : back.errors[0].to_string());
    EXPECT_EQ(back.document->tracks[0].inserts, doc.tracks[0].inserts);
    EXPECT_NE(document_to_string(doc).find("\"bypass\": true"), std::string::npos);
}

}  // namespace
}  // namespace tactus
