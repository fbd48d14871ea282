// timing.md: "Parameter changes (level, pan) apply with smoothing, so a jump never clicks." Heard
// through JACK: a held 440 Hz sine at -6 dBFS (peak 0.5, calibrated on the recording itself) whose track
// level jumps to 0 and back and whose pan jumps from hard left to hard right. Smoothed over 10 ms, no
// two adjacent output samples differ by more than 0.035: the sine's own largest step is
// 0.5 * 2π * 440 / 48000 = 0.0288, and a 10 ms ramp adds at most 0.5 / 480 ≈ 0.001. An unsmoothed jump
// would make a step of up to 0.5; the negative control shows the check catches it.
#include <gtest/gtest.h>

#include <numbers>

#include "support/judged_rounds.h"
#include "support/score_builder.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

constexpr float kMaxStep = 0.035f;

struct Step {
    float size = 0.0f;
    JackFrame frame = -1;  // the later of the two samples
    int channel = 0;
};

// The largest difference between two adjacent samples of a contiguous stretch.
Step largest_step(const float* x, std::size_t n, JackFrame first_frame, int channel) {
    Step worst{0.0f, -1, channel};
    for (std::size_t i = 1; i < n; ++i) {
        const float d = std::abs(x[i] - x[i - 1]);
        if (d > worst.size) worst = {d, first_frame + static_cast<JackFrame>(i), channel};
    }
    return worst;
}

// Over [from, to) of both channels, across cycle boundaries only where the cycles are adjacent in
// frame time (a lost cycle between them breaks the stretch).
Step largest_recorded_step(const JackRecorder& recorder, JackFrame from, JackFrame to) {
    Step worst;
    const auto& cycles = recorder.cycles();
    std::size_t i = 0;
    while (i < cycles.size()) {
        std::size_t j = i + 1;  // [i, j): one contiguous stretch, in frames and in storage
        while (j < cycles.size() && cycles[j].frame_time == cycles[j - 1].end() &&
               cycles[j].offset == cycles[j - 1].offset + static_cast<std::size_t>(cycles[j - 1].frames))
            ++j;
        const JackFrame begin = std::max(cycles[i].frame_time, from);
        const JackFrame end = std::min(cycles[j - 1].end(), to);
        if (begin < end) {
            const std::size_t at = cycles[i].offset + static_cast<std::size_t>(begin - cycles[i].frame_time);
            for (int ch = 0; ch < 2; ++ch) {
                const Step s =
                    largest_step(recorder.samples(ch) + at, static_cast<std::size_t>(end - begin), begin, ch);
                if (s.size > worst.size) worst = s;
            }
        }
        i = j;
    }
    return worst;
}

float peak(const JackRecorder& recorder, int channel, JackFrame from, JackFrame to) {
    float p = 0.0f;
    for (JackFrame f = from; f < to; ++f)
        if (auto s = recorder.sample_at(channel, f)) p = std::max(p, std::abs(*s));
    return p;
}

TEST(MixerSmoothingCheck, negative_control_an_unsmoothed_jump_is_caught_and_a_10_ms_ramp_is_not) {
    constexpr int kRate = 48000;
    constexpr int kJumpAt = 4000;  // a level jump 1 -> 0 -> 1 and a pan swap, as in the real test
    std::vector<float> left(12000), right(12000), ramped_left(12000);
    for (std::size_t i = 0; i < left.size(); ++i) {
        const double sine = 0.5 * std::sin(2 * std::numbers::pi * 440.0 * double(i) / kRate);
        const bool muted = i >= kJumpAt && i < 2 * kJumpAt;
        const bool panned_right = i >= 2 * kJumpAt;
        left[i] = static_cast<float>(muted || panned_right ? 0.0 : sine);
        right[i] = static_cast<float>(panned_right ? sine : 0.0);
        // The same level jumps, but along 480-sample ramps.
        double gain = 1.0;
        const auto t = static_cast<int>(i);
        if (t >= kJumpAt && t < kJumpAt + 480) gain = 1.0 - (t - kJumpAt + 1) / 480.0;
        if (t >= kJumpAt + 480 && t < 2 * kJumpAt) gain = 0.0;
        if (t >= 2 * kJumpAt && t < 2 * kJumpAt + 480) gain = (t - 2 * kJumpAt + 1) / 480.0;
        ramped_left[i] = static_cast<float>(gain * sine);
    }
    const Step l = largest_step(left.data(), left.size(), 0, 0);
    const Step r = largest_step(right.data(), right.size(), 0, 1);
    EXPECT_GT(std::max(l.size, r.size), 0.3f) << "an unsmoothed jump of a 0.5 sine must be seen as a step";
    EXPECT_GT(l.size, kMaxStep) << "the check must catch the unsmoothed level jump (step " << l.size << ")";
    EXPECT_GT(r.size, kMaxStep) << "the check must catch the unsmoothed pan jump (step " << r.size << ")";
    const Step smooth = largest_step(ramped_left.data(), ramped_left.size(), 0, 0);
    EXPECT_LE(smooth.size, kMaxStep) << "a 10 ms ramp must pass the check (step " << smooth.size << ")";
}

TEST_F(TactusdJackTest, level_and_pan_jumps_are_smoothed) {
    Document doc;
    doc.title = "held sine";
    doc.tracks.push_back(track(1, "sine", {}, -1.0));
    const std::string path = save_temp(doc, "sine");
    // The jumps themselves must be heard (not lost to an xrun), or the step check proves little:
    // rounds (a fresh engine each) until two of the four ramps were recorded whole, at most 4.
    JudgedRounds rounds("ramps recorded whole", 2, 4);
    while (rounds.another()) {
        SCOPED_TRACE("round " + std::to_string(rounds.rounds() + 1));
        if (rounds.rounds() > 0) {
            ASSERT_TRUE(restart_tactusd());
        }
        ASSERT_TRUE(load(path));
        JackRecorder* recorder = start_recorder(10.0);
        ASSERT_NE(recorder, nullptr);
        std::this_thread::sleep_for(100ms);

        // A held A4, at full velocity; calibrate its level on the recording.
        auto on = osc_.call("/note/on", osc().i(1).i(69).i(127));
        ASSERT_TRUE(on && !on->is_error()) << (on ? on->to_string() : "no reply to /note/on");
        const JackFrame note_on = on->integer(1);
        const JackFrame settled = note_on + kRate / 4;  // attack 5 ms, decay 100 ms to full sustain
        ASSERT_TRUE(recorder->wait_until_recorded(settled + kRate / 10, 60s));
        recorder->update_timeline();
        if (!recorder->recorded(settled, settled + kRate / 10)) {  // the calibration was lost to an xrun
            rounds.add_round(0, 4);
            continue;
        }
        const float measured = peak(*recorder, 0, settled, settled + kRate / 10);
        ASSERT_GT(measured, 0.05f) << "the held sine is (nearly) silent on the left channel";
        const double unity = 0.5 / measured;  // the track level that gives peak 0.5 (-6 dBFS)
        ASSERT_LE(unity, 4.0) << "peak " << measured << " cannot be raised to 0.5 with /track/level (max 4)";

        struct Change {
            std::string address;
            double value;
            JackFrame frame = 0;
        };
        std::vector<Change> changes = {{"/track/level", unity},
                                       {"/track/level", 0.0},
                                       {"/track/level", unity},
                                       {"/track/pan", 1.0},
                                       {"/track/pan", -1.0}};
        for (Change& c : changes) {
            auto reply = osc_.call(c.address, osc().i(1).d(c.value));
            ASSERT_TRUE(reply && !reply->is_error() && reply->types == "shi")
                << c.address << " " << c.value << ": " << (reply ? reply->to_string() : "no reply");
            c.frame = reply->integer(1);
            std::this_thread::sleep_for(200ms);
        }
        auto off = osc_.call("/note/off", osc().i(1).i(69));
        ASSERT_TRUE(off && !off->is_error());
        const JackFrame end = off->integer(1) + kRate / 5;
        ASSERT_TRUE(recorder->wait_until_recorded(end, 60s));
        recorder->stop();

        // The changes took effect: -6 dBFS at unity, silence at level 0, the other side after the pan.
        const JackFrame ramp = kRate / 100;
        auto settled_peak = [&](std::size_t i, int channel) {
            return peak(*recorder, channel, changes[i].frame + 2 * ramp, changes[i].frame + 8 * ramp);
        };
        // (Judged where the settled stretch was recorded.)
        const auto judged_peak = [&](std::size_t i, int channel, float want, const char* what) {
            if (!recorder->recorded(changes[i].frame + 2 * ramp, changes[i].frame + 8 * ramp)) return;
            EXPECT_NEAR(settled_peak(i, channel), want, 0.01f) << what << " (level " << unity << ")";
        };
        judged_peak(0, 0, 0.5f, "left peak at the calibrated level");
        judged_peak(1, 0, 0.0f, "left peak at level 0");
        judged_peak(2, 0, 0.5f, "left peak back at the calibrated level");
        judged_peak(3, 0, 0.0f, "left peak panned hard right");
        judged_peak(3, 1, 0.5f, "right peak panned hard right");
        judged_peak(4, 0, 0.5f, "left peak panned back hard left");

        // No click anywhere, ramps included.
        const Step worst = largest_recorded_step(*recorder, note_on, end);
        EXPECT_LE(worst.size, kMaxStep)
            << "adjacent samples differ by " << worst.size << " on the "
            << (worst.channel == 0 ? "left" : "right") << " channel at JACK frame " << worst.frame
            << "; expected at most " << kMaxStep << " (changes applied at " << changes[1].frame << ", "
            << changes[2].frame << ", " << changes[3].frame << ", " << changes[4].frame << ")";
        // The jumps themselves were heard (not lost to an xrun), or the check above proves little.
        int ramps_heard = 0;
        for (std::size_t i = 1; i < changes.size(); ++i)
            if (recorder->recorded(changes[i].frame - 1, changes[i].frame + ramp + 1)) ++ramps_heard;
        rounds.add_round(ramps_heard, 4 - ramps_heard);

        report("calibrated_level", std::to_string(unity));
        report("largest_step", std::to_string(worst.size));
        report("ramps_recorded_whole", ramps_heard);
        report("recorder_gaps", static_cast<std::int64_t>(recorder->gaps().size()));
    }
    TACTUS_SKIP_IF_NOTHING_JUDGED(rounds);
}

}  // namespace
}  // namespace tactus::test
