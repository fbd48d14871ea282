// Automation on the audio thread (core/automation.h, engine/automation_curve.h): a lane's control takes
// the documented value on every sample: linear in frames between two points' frames, smooth as
// t*t*(3 - 2t), hold as a step on the next point's frame; before the first point the first value, after
// the last the last. Checked against the same score rendered without automation: a track hard left has
// its level as its left gain, so the ratio of the two renders is the level, sample by sample.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;
constexpr Frame kBeat = 24000;  // 120 bpm

// One saw note of 4 beats (the saw is the same on both sides), hard left unless `pan` says otherwise.
Document one_note(double pan = -1.0) {
    Document doc;
    doc.tracks = {test::track(1, "saw", {test::note(1, 0.0, 4.0, 57)}, pan)};
    return doc;
}

AutomationLane lane(AutomationOwner owner, std::uint64_t id, std::string control,
                    std::vector<AutomationPoint> points) {
    return {{owner, id, std::move(control)}, std::move(points)};
}

// The documented value of `points` (on frames `frames`) at frame f.
double documented(const std::vector<AutomationPoint>& points, const std::vector<Frame>& frames, Frame f) {
    if (f < frames.front()) return points.front().value;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        if (f >= frames[i + 1]) continue;
        const double t = double(f - frames[i]) / double(frames[i + 1] - frames[i]);
        return points[i].value +
               (points[i + 1].value - points[i].value) * automation_fraction(points[i].shape, t);
    }
    return points.back().value;
}

std::vector<Frame> frames_of(const std::vector<AutomationPoint>& points) {
    std::vector<Frame> frames;
    for (const AutomationPoint& p : points) frames.push_back(Frame(std::llround(p.beat * double(kBeat))));
    return frames;
}

// Every sample of `automated` is `dry` times the gain `gain(f)`, within 1e-6.
template <class Gain>
void expect_gain(const std::vector<float>& automated, const std::vector<float>& dry, Gain&& gain,
                 const char* what) {
    ASSERT_EQ(automated.size(), dry.size()) << what;
    int failures = 0;
    float loudest = 0.0f;
    for (std::size_t f = 0; f < dry.size(); ++f) {
        const double want = double(dry[f]) * gain(Frame(f));
        if (std::abs(double(automated[f]) - want) > 1e-6 && failures++ < 5)
            ADD_FAILURE() << what << " at frame " << f << ": " << automated[f] << ", documented " << want
                          << " (dry " << dry[f] << " x gain " << gain(Frame(f)) << ")";
        loudest = std::max(loudest, std::abs(dry[f]));
    }
    EXPECT_EQ(failures, 0) << what;
    EXPECT_GT(loudest, 0.05f) << what << ": the comparison needs sound";
}

TEST(AutomationPlayback, a_linear_level_ramp_gives_the_documented_gain_on_every_sample_at_any_block_size) {
    const std::vector<AutomationPoint> points{{1.0, 1.0, AutomationShape::Linear},
                                              {2.0, 0.25, AutomationShape::Linear},
                                              {3.0, 0.75, AutomationShape::Linear}};
    Document doc = one_note();
    doc.automation = {lane(AutomationOwner::Track, 1, "level", points)};
    const test::StereoAudio dry = test::render_offline(one_note(), kRate);
    const std::vector<Frame> frames = frames_of(points);
    for (const int block : {512, 64, 37}) {
        const test::StereoAudio automated = test::render_offline(doc, kRate, block);
        expect_gain(
            automated.left, dry.left, [&](Frame f) { return documented(points, frames, f); }, "left");
        for (const float r : automated.right) ASSERT_EQ(r, 0.0f);
    }
    // On the points' frames the values themselves: 1 up to frame a, exactly 0.25 on b.
    const test::StereoAudio automated = test::render_offline(doc, kRate);
    const auto gain_at = [&](Frame f) {
        return double(automated.left[std::size_t(f)]) / dry.left[std::size_t(f)];
    };
    for (const Frame f : {kBeat - 1, kBeat, 2 * kBeat, 3 * kBeat, 3 * kBeat + 100}) {
        if (dry.left[std::size_t(f)] == 0.0f) continue;
        EXPECT_NEAR(gain_at(f), documented(points, frames, f), 1e-6) << "frame " << f;
    }
}

TEST(AutomationPlayback, hold_steps_on_the_next_points_frame_and_smooth_follows_the_s_curve) {
    const std::vector<AutomationPoint> points{{0.5, 0.5, AutomationShape::Hold},
                                              {1.5, 1.5, AutomationShape::Smooth},
                                              {3.0, 0.125, AutomationShape::Hold}};
    Document doc = one_note();
    doc.automation = {lane(AutomationOwner::Track, 1, "level", points)};
    const test::StereoAudio dry = test::render_offline(one_note(), kRate);
    const test::StereoAudio automated = test::render_offline(doc, kRate);
    const std::vector<Frame> frames = frames_of(points);
    expect_gain(
        automated.left, dry.left, [&](Frame f) { return documented(points, frames, f); }, "left");
    // The step itself: 0.5 on the frame before 1.5 beats, 1.5 on it.
    EXPECT_DOUBLE_EQ(documented(points, frames, frames[1] - 1), 0.5);
    EXPECT_DOUBLE_EQ(documented(points, frames, frames[1]), 1.5);
}

TEST(AutomationPlayback, pan_automation_moves_the_constant_power_gains_sample_by_sample) {
    const std::vector<AutomationPoint> points{{0.5, -1.0, AutomationShape::Linear},
                                              {3.5, 1.0, AutomationShape::Linear}};
    Document doc = one_note(0.0);
    doc.automation = {lane(AutomationOwner::Track, 1, "pan", points)};
    const test::StereoAudio dry = test::render_offline(one_note(-1.0), kRate);  // left gain 1: the saw itself
    const test::StereoAudio automated = test::render_offline(doc, kRate);
    const std::vector<Frame> frames = frames_of(points);
    const auto angle = [&](Frame f) {
        return (documented(points, frames, f) + 1.0) * std::numbers::pi / 4.0;
    };
    expect_gain(
        automated.left, dry.left,
        [&](Frame f) { return std::abs(std::cos(angle(f))) < 1e-12 ? 0.0 : std::cos(angle(f)); }, "left");
    expect_gain(
        automated.right, dry.left, [&](Frame f) { return std::sin(angle(f)); }, "right");
}

// A send's level and a bus's level: the bus soloed and hard left, so the left channel is the send alone.
TEST(AutomationPlayback, send_and_bus_levels_follow_their_lanes) {
    constexpr BusId kBus = 9;
    const auto song = [&](bool automated) {
        Document doc = one_note();
        doc.tracks[0].sends = {Send{kBus, 0.5, false}};
        Bus bus;
        bus.id = kBus;
        bus.name = "fx";
        bus.pan = -1.0;
        bus.solo = true;
        doc.buses = {bus};
        if (automated)
            doc.automation = {
                lane(AutomationOwner::Track, 1, "send:9",
                     {{1.0, 0.5, AutomationShape::Linear}, {2.0, 1.0, AutomationShape::Linear}}),
                lane(AutomationOwner::Bus, kBus, "level",
                     {{2.0, 1.0, AutomationShape::Linear}, {3.0, 0.5, AutomationShape::Linear}})};
        return doc;
    };
    const test::StereoAudio dry = test::render_offline(song(false), kRate);  // send 0.5, bus 1
    const test::StereoAudio automated = test::render_offline(song(true), kRate);
    const std::vector<AutomationPoint> send{{1.0, 0.5}, {2.0, 1.0}};
    const std::vector<AutomationPoint> bus{{2.0, 1.0}, {3.0, 0.5}};
    expect_gain(
        automated.left, dry.left,
        [&](Frame f) {
            return documented(send, frames_of(send), f) / 0.5 * documented(bus, frames_of(bus), f);
        },
        "left");
}

// The master's level: a gain on the mix as it comes out, on the output frame its points give, with
// and without a plugin whose latency makes the engine render ahead (the curve follows the output).
TEST(AutomationPlayback, the_masters_level_multiplies_the_mix_on_the_output_frames) {
    const std::vector<AutomationPoint> points{{1.0, 1.0, AutomationShape::Linear},
                                              {2.5, 0.125, AutomationShape::Smooth},
                                              {3.5, 1.0, AutomationShape::Linear}};
    for (const bool with_insert : {false, true}) {
        Document dry_song = one_note(0.3);
        if (with_insert)
            dry_song.tracks[0].inserts = {Insert{"http://plugin.org.uk/swh-plugins/amp", {}, false, ""}};
        Document doc = dry_song;
        doc.automation = {lane(AutomationOwner::Master, 0, "level", points)};
        const test::StereoAudio dry = test::render_offline(dry_song, kRate);
        const test::StereoAudio automated = test::render_offline(doc, kRate);
        const std::vector<Frame> frames = frames_of(points);
        const auto gain = [&](Frame f) { return documented(points, frames, f); };
        expect_gain(automated.left, dry.left, gain, with_insert ? "left, through a plugin" : "left");
        expect_gain(automated.right, dry.right, gain, with_insert ? "right, through a plugin" : "right");
    }
}

// A track whose insert has latency (the chain's 63 frames) gets its audio for a frame that much after
// it is mixed: its level, pan and send curves apply on the frames the audio was made for, as its notes
// do, so the gain is the documented one on every output sample.
TEST(AutomationPlayback, a_track_with_a_latent_insert_follows_its_curves_on_its_audios_frames) {
    const std::vector<AutomationPoint> level{{1.0, 1.0, AutomationShape::Linear},
                                             {2.0, 0.25, AutomationShape::Hold},
                                             {3.0, 0.75, AutomationShape::Linear}};
    const std::vector<AutomationPoint> pan{{0.5, -1.0, AutomationShape::Smooth},
                                           {3.5, 1.0, AutomationShape::Linear}};
    Document dry_song = one_note(-1.0);
    dry_song.tracks[0].inserts = {Insert{"http://plugin.org.uk/swh-plugins/amp", {}, false, ""}};
    Document doc = dry_song;
    doc.tracks[0].pan = 0.0;
    doc.automation = {lane(AutomationOwner::Track, 1, "level", level),
                      lane(AutomationOwner::Track, 1, "pan", pan)};
    const test::StereoAudio dry =
        test::render_offline(dry_song, kRate);  // hard left, level 1: the track itself
    const test::StereoAudio automated = test::render_offline(doc, kRate);
    const std::vector<Frame> level_frames = frames_of(level), pan_frames = frames_of(pan);
    const auto angle = [&](Frame f) {
        return (documented(pan, pan_frames, f) + 1.0) * std::numbers::pi / 4.0;
    };
    expect_gain(
        automated.left, dry.left,
        [&](Frame f) {
            const double c = std::cos(angle(f));
            return documented(level, level_frames, f) * (std::abs(c) < 1e-12 ? 0.0 : c);
        },
        "left");
    expect_gain(
        automated.right, dry.left,
        [&](Frame f) { return documented(level, level_frames, f) * std::sin(angle(f)); }, "right");
}

// The sequencer puts every lane on its place: playing from the middle of a segment starts there, a
// stop holds the value of where it stopped, and a loop's wrap goes back to the segment at its start.
TEST(AutomationPlayback, play_from_inside_a_segment_stop_and_loop_wrap_keep_the_curve_on_the_score) {
    const std::vector<AutomationPoint> points{{1.0, 1.0, AutomationShape::Linear},
                                              {3.0, 0.0, AutomationShape::Linear}};
    Document doc = one_note();
    doc.automation = {lane(AutomationOwner::Track, 1, "level", points)};
    const std::vector<Frame> frames = frames_of(points);
    const Frame start = 2 * kBeat - 1000;  // inside the ramp
    const Frame loop_begin = kBeat + 500, loop_end = 2 * kBeat + 500;

    test::SequencerRig dry_rig(one_note(), kRate), rig(doc, kRate);
    test::StereoAudio dry, automated;
    for (test::SequencerRig* r : {&dry_rig, &rig}) {
        r->sequencer.play(0, start);
        r->sequencer.set_loop({true, loop_begin, loop_end});
    }
    // From `start` to the loop's end, then a wrap to its beginning and 5000 frames more.
    const Frame length = (loop_end - start) + 5000;
    dry_rig.render(length, 256, dry);
    rig.render(length, 256, automated);
    expect_gain(
        automated.left, dry.left,
        [&](Frame k) {
            const Frame score = k < loop_end - start ? start + k : loop_begin + (k - (loop_end - start));
            return documented(points, frames, score);
        },
        "left");

    // Stopped, the control holds the value of the stop position: a live note played now has it.
    const Frame stopped_at = rig.sequencer.score_frame_at(rig.position);
    for (test::SequencerRig* r : {&dry_rig, &rig}) {
        r->sequencer.stop(r->position);
        r->mixer->instrument(0)->note_on(kLiveKeyBit | 1, 60, 0.0f, 100);
    }
    test::StereoAudio dry_held, held;
    dry_rig.render(4096, 256, dry_held);
    rig.render(4096, 256, held);
    const double value = documented(points, frames, stopped_at);
    EXPECT_GT(value, 0.1);
    EXPECT_LT(value, 0.95);
    expect_gain(
        held.left, dry_held.left, [&](Frame) { return value; }, "held");
}

}  // namespace
}  // namespace tactus
