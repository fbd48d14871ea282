// Sends and effect buses (engine/track_mixer.h, engine/bus_input.h): a post-fader send carries the track
// after its level and pan at the send's level, a pre-fader one before them; mute and solo silence a
// track's sends, a soloed bus plays alone; and every path to the master (a plain track, a track through
// a plugin, a bus fed by either, the master chain) starts a note on the frame the score gives it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/instrument_factory.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;
constexpr BusId kReverbBus = 7;
const char* const kAmp = "http://plugin.org.uk/swh-plugins/amp";  // 0 dB: the signal, delayed by its chain

std::vector<Note> melody() {
    return {test::note(1, 0.5, 1.0, 60), test::note(2, 1.0, 1.5, 67, 90), test::note(3, 1.75, 0.5, 72, 120)};
}

Bus bus(BusId id, double pan = 0.0) {
    Bus b;
    b.id = id;
    b.name = "reverb";
    b.pan = pan;
    return b;
}

// One saw track, hard left (its strip's left gain is its level, exactly), sending to one bus.
Document song_with_send(double level, double send_level, bool pre_fader) {
    Document doc;
    Track lead = test::track(1, "saw", melody(), -1.0);
    lead.level = level;
    lead.sends = {Send{kReverbBus, send_level, pre_fader}};
    doc.tracks = {lead};
    doc.buses = {bus(kReverbBus, -1.0)};
    doc.buses[0].solo = true;  // only the bus is heard: the track's own output is silenced
    return doc;
}

Document dry_song() {
    Document doc;
    doc.tracks = {test::track(1, "saw", melody(), -1.0)};
    return doc;
}

std::size_t first_sound(const std::vector<float>& samples) {
    return std::size_t(std::find_if(samples.begin(), samples.end(), [](float v) { return v != 0.0f; }) -
                       samples.begin());
}

TEST(MixerBuses, a_post_fader_send_carries_the_track_after_its_level_at_the_send_level) {
    const test::StereoAudio dry = test::render_offline(dry_song(), kRate);
    const test::StereoAudio bus_alone = test::render_offline(song_with_send(0.5, 0.25, false), kRate);
    ASSERT_GE(bus_alone.left.size(), dry.left.size());
    float loudest = 0.0f;
    for (std::size_t i = 0; i < dry.left.size(); ++i) {
        // Track level 0.5, then the send's 0.25, then the bus hard left at unity: powers of two, exact.
        ASSERT_EQ(bus_alone.left[i], dry.left[i] * 0.5f * 0.25f) << "frame " << i;
        ASSERT_EQ(bus_alone.right[i], 0.0f) << "frame " << i;
        loudest = std::max(loudest, std::abs(bus_alone.left[i]));
    }
    EXPECT_GT(loudest, 0.01f);
}

TEST(MixerBuses, a_pre_fader_send_ignores_the_track_level_and_a_post_fader_one_follows_it) {
    const test::StereoAudio pre = test::render_offline(song_with_send(0.0, 0.5, true), kRate);
    const test::StereoAudio post = test::render_offline(song_with_send(0.0, 0.5, false), kRate);
    const test::StereoAudio dry = test::render_offline(dry_song(), kRate);
    // Pre-fader: the instrument's own output (before the pan too: the saw is the same on both sides).
    for (std::size_t i = 0; i < dry.left.size(); ++i) ASSERT_EQ(pre.left[i], dry.left[i] * 0.5f) << i;
    EXPECT_TRUE(std::all_of(post.left.begin(), post.left.end(), [](float v) { return v == 0.0f; }));
}

TEST(MixerBuses, a_muted_track_sends_nothing_even_pre_fader) {
    Document doc = song_with_send(1.0, 1.0, true);
    doc.tracks[0].mute = true;
    const test::StereoAudio out = test::render_offline(doc, kRate);
    EXPECT_TRUE(std::all_of(out.left.begin(), out.left.end(), [](float v) { return v == 0.0f; }));
}

TEST(MixerBuses, a_soloed_track_keeps_its_send_and_silences_the_others) {
    // Track 1 (soloed) sends left, track 2 sends right through a bus panned centre... each through its
    // own bus, hard left and hard right: with track 1 soloed only the left bus carries sound.
    Document doc;
    Track one = test::track(1, "saw", melody(), 0.0);
    Track two = test::track(2, "saw", melody(), 0.0);
    one.solo = true;
    one.sends = {Send{10, 1.0, false}};
    two.sends = {Send{20, 1.0, false}};
    one.level = two.level = 0.0;  // their own outputs silent; the post-fader sends follow: use pre-fader
    one.sends[0].pre_fader = two.sends[0].pre_fader = true;
    doc.tracks = {one, two};
    doc.buses = {bus(10, -1.0), bus(20, 1.0)};
    const test::StereoAudio out = test::render_offline(doc, kRate);
    EXPECT_GT(*std::max_element(out.left.begin(), out.left.end()), 0.01f);
    EXPECT_TRUE(std::all_of(out.right.begin(), out.right.end(), [](float v) { return v == 0.0f; }));
}

TEST(MixerBuses, every_path_to_the_master_starts_the_note_on_its_frame) {
    // Track 1 plain, track 2 through an insert (its chain lags by 63 frames), both sending to a bus with
    // an insert of its own, and a master chain after everything: soloing each path in turn, the first
    // sound is on the note's frame (the saw's first sample is 0: the next one), whatever the block.
    const std::vector<Note> notes = {test::note(1, 1.3, 0.5, 60)};
    Document doc;
    Track plain = test::track(1, "saw", notes, 0.0);
    Track through = test::track(2, "saw", notes, 0.0);
    through.inserts = {Insert{kAmp, {{"gain", 0.0}}, false, {}}};
    plain.sends = {Send{kReverbBus, 1.0, false}};
    through.sends = {Send{kReverbBus, 1.0, false}};
    doc.tracks = {plain, through};
    doc.buses = {bus(kReverbBus)};
    doc.buses[0].inserts = {Insert{kAmp, {{"gain", 0.0}}, false, {}}};
    doc.master_inserts = {Insert{kAmp, {{"gain", 0.0}}, false, {}}};
    const auto note_frame = static_cast<std::size_t>(doc.tempo.frame_at_beat(1.3, kRate));

    for (const int block : {64, 100, 512}) {
        std::vector<std::size_t> onsets;
        for (int path = 0; path < 3; ++path) {
            Document one = doc;
            if (path < 2) {
                one.tracks[std::size_t(path)].solo = true;
                one.buses[0].mute = true;
            } else {
                one.buses[0].solo = true;
            }
            // The bus is fed by one track at a time too, so each sender's alignment is seen.
            if (path == 2) one.tracks[1].sends.clear();
            const test::StereoAudio out = test::render_offline(one, kRate, block);
            onsets.push_back(first_sound(out.left));
        }
        for (const std::size_t onset : onsets) {
            EXPECT_GE(onset, note_frame) << "block " << block;
            EXPECT_LE(onset, note_frame + 1) << "block " << block;
        }
        EXPECT_EQ(onsets[0], onsets[1]) << "block " << block;
        EXPECT_EQ(onsets[0], onsets[2]) << "block " << block;
    }
}

TEST(MixerBuses, a_bus_stays_aligned_when_a_latent_track_feeds_it_with_a_plain_one) {
    // Both tracks send the same notes to one bus: the plain one's send waits for the latent one's, so
    // the bus's sum is the two in step (twice the plain track alone), not two copies 63 frames apart.
    const std::vector<Note> notes = {test::note(1, 1.0, 0.5, 60)};
    Document doc;
    Track plain = test::track(1, "saw", notes, 0.0);
    Track through = test::track(2, "saw", notes, 0.0);
    through.inserts = {Insert{kAmp, {{"gain", 0.0}}, false, {}}};
    plain.sends = {Send{kReverbBus, 1.0, true}};
    through.sends = {Send{kReverbBus, 1.0, true}};
    doc.tracks = {plain, through};
    doc.buses = {bus(kReverbBus, -1.0)};
    doc.buses[0].solo = true;
    Document alone = doc;
    alone.tracks[1].sends.clear();
    const test::StereoAudio both = test::render_offline(doc, kRate);
    const test::StereoAudio one = test::render_offline(alone, kRate);
    const std::size_t onset = first_sound(one.left);
    ASSERT_LT(onset, one.left.size());
    EXPECT_EQ(first_sound(both.left), onset);
    float worst = 0.0f;
    for (std::size_t i = 0; i < one.left.size(); ++i)
        worst = std::max(worst, std::abs(both.left[i] - 2.0f * one.left[i]));
    EXPECT_LT(worst, 1e-5f);
}

}  // namespace
}  // namespace tactus
