// What a Csound track instrument gives its orchestra: a score note's p3 makes it end exactly on its last
// frame at any ksmps (a zero-length note lasts one k-cycle), a note-off that comes earlier releases it,
// controllers reach the documented channels from the k-cycle that holds their frame, and the instrument
// says it is silent once nothing sounds (so the mixer stops rendering it).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "engine/csound/csound_instrument.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;

std::unique_ptr<CsoundInstrument> csound(int ksmps, const std::string& body) {
    const std::string orchestra =
        "ksmps = " + std::to_string(ksmps) + "\nnchnls = 2\n0dbfs = 1\ninstr 1\n" + body + "\nendin\n";
    std::string error;
    auto loaded = CsoundOrchestra::compile({orchestra, 1}, "test.orc", kRate, &error);
    EXPECT_TRUE(loaded) << error;
    return loaded ? std::make_unique<CsoundInstrument>(std::move(loaded), 1) : nullptr;
}

// Renders `frames` frames, calling actions[t] before frame t (spans split there, at most `span` long).
std::vector<float> render(CsoundInstrument& instrument, long long frames,
                          const std::vector<std::pair<long long, std::function<void()>>>& actions,
                          int span = 256) {
    std::vector<float> out;
    std::vector<float> l(256), r(256);
    std::size_t next = 0;
    for (long long t = 0; t < frames;) {
        for (; next < actions.size() && actions[next].first == t; ++next) actions[next].second();
        long long upto = std::min(frames, t + span);
        if (next < actions.size()) upto = std::min(upto, actions[next].first);
        const int n = static_cast<int>(upto - t);
        instrument.render(l.data(), r.data(), n);
        out.insert(out.end(), l.begin(), l.begin() + n);
        t = upto;
    }
    return out;
}

// [first, last] non-zero frames, or {-1, -1}.
std::pair<long long, long long> sounding(const std::vector<float>& out) {
    long long first = -1, last = -1;
    for (std::size_t f = 0; f < out.size(); ++f)
        if (out[f] != 0.0f) {
            if (first < 0) first = static_cast<long long>(f);
            last = static_cast<long long>(f);
        }
    return {first, last};
}

TEST(CsoundNotes, a_score_note_ends_on_its_last_frame_at_any_ksmps_and_its_note_off_then_changes_nothing) {
    for (int ksmps : {1, 10, 32, 64, 100, 128}) {
        for (long long length : {1LL, 5LL, 63LL, 64LL, 128LL, 1000LL, 4801LL}) {
            for (long long start : {1000LL, 1031LL, 1064LL, 1099LL}) {
                SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", length " + std::to_string(length) +
                             ", start " + std::to_string(start));
                auto instrument = csound(ksmps, "a1 = 0.5\nouts a1, a1");
                ASSERT_TRUE(instrument);
                CsoundInstrument& i = *instrument;
                const auto heard =
                    sounding(render(i, start + length + 1000,
                                    {{start, [&] { i.score_note_on(1, 60, 0.0, 100, length); }},
                                     {start + length, [&] { i.note_off(1); }}},
                                    7));
                EXPECT_EQ(heard.first, start + i.latency());
                EXPECT_EQ(heard.second, start + length - 1 + i.latency());
            }
        }
    }
}

TEST(CsoundNotes, p3_is_the_notes_length_within_one_k_cycle_and_p4_to_p6_carry_pitch_velocity_and_hz) {
    auto instrument = csound(32, "a1 = p3\na2 = p4 * 1000 + p5 + p6 / 10000\nouts a1, a2");
    ASSERT_TRUE(instrument);
    CsoundInstrument& i = *instrument;
    std::vector<float> right;
    std::vector<float> l(256), r(256);
    i.score_note_on(1, 69, 50.0, 90, 4800);  // 0.1 s, A4 + 50 cents
    i.render(l.data(), r.data(), 256);
    const float p3 = l[static_cast<std::size_t>(i.latency())];
    EXPECT_NEAR(p3, 0.1, 32 / kRate);
    const double p6 = 440.0 * std::exp2(0.5 / 12.0);
    EXPECT_NEAR(r[static_cast<std::size_t>(i.latency())], 69.5 * 1000 + 90 + p6 / 10000, 0.01);
}

TEST(CsoundNotes, a_zero_length_note_lasts_one_k_cycle) {
    for (int ksmps : {1, 16, 100}) {
        SCOPED_TRACE("ksmps " + std::to_string(ksmps));
        auto instrument = csound(ksmps, "a1 = 0.5\nouts a1, a1");
        ASSERT_TRUE(instrument);
        CsoundInstrument& i = *instrument;
        const long long start = 2003;
        const auto heard =
            sounding(render(i, 6000, {{start, [&] {
                                           i.score_note_on(1, 60, 0.0, 100, 0);
                                           i.note_off(1);  // a zero-length note's off shares its frame
                                       }}}));
        EXPECT_EQ(heard.first, start + i.latency());
        EXPECT_EQ(heard.second - heard.first + 1, ksmps);
    }
}

TEST(CsoundNotes, a_note_off_before_the_notes_end_releases_it_with_the_orchestras_release) {
    // 50 ms release segment (linsegr): the note is cut at 1000 of its 20000 frames and fades.
    auto instrument = csound(16, "k1 linsegr 1, 1, 1, 0.05, 0\na1 = 0.5 * k1\nouts a1, a1");
    ASSERT_TRUE(instrument);
    CsoundInstrument& i = *instrument;
    const long long start = 500, off = 1500;
    const auto out = render(
        i, 30000, {{start, [&] { i.score_note_on(1, 60, 0.0, 100, 20000); }}, {off, [&] { i.note_off(1); }}});
    const auto heard = sounding(out);
    EXPECT_EQ(heard.first, start + i.latency());
    const long long release = static_cast<long long>(0.05 * kRate);
    EXPECT_GE(heard.second, off + release - 16) << "cut, not released";
    EXPECT_LE(heard.second, off + i.latency() + release + 16) << "still sounding after its release";
    EXPECT_LT(out[static_cast<std::size_t>(off + i.latency() + release / 2)], 0.5f) << "not fading";
}

TEST(CsoundNotes, panic_fades_every_note_out_within_milliseconds_without_its_long_release) {
    const int ksmps = 32;
    // A 2 s release: a plain release would sound on for 96,000 frames.
    auto instrument = csound(ksmps, "k1 linsegr 1, 1, 1, 2, 0\na1 = 0.5 * k1\nouts a1, a1");
    ASSERT_TRUE(instrument);
    CsoundInstrument& i = *instrument;
    const long long panic = 5000, fade = 240, after = 20000;
    const auto out = render(i, 40000,
                            {{1000, [&] { i.note_on(1, 60, 0.0, 100); }},
                             {1500, [&] { i.score_note_on(2, 64, 0.0, 100, 100000); }},
                             {panic, [&] { i.kill_all(); }},
                             {after, [&] { i.note_on(3, 67, 0.0, 100); }}});
    const auto at = [&](long long frame) { return out[static_cast<std::size_t>(frame + i.latency())]; };
    EXPECT_FLOAT_EQ(at(panic - 1), 1.0f) << "both notes at full level before the panic";
    EXPECT_NEAR(at(panic + fade / 2), 0.5f, 0.01f) << "half way through the fade";
    const long long silent_from = panic + fade;
    for (long long f = silent_from; f < after; ++f) ASSERT_EQ(at(f), 0.0f) << "still sounding at " << f;
    EXPECT_FLOAT_EQ(at(after + 100), 0.5f) << "a note after the panic sounds again";
}

TEST(CsoundNotes, controllers_reach_their_channels_from_the_k_cycle_that_holds_their_frame) {
    const int ksmps = 32;
    auto instrument = csound(ksmps,
                             "k1 chnget \"tactus.cc74\"\nk2 chnget \"tactus.sustain\"\n"
                             "k3 chnget \"tactus.bend\"\na1 = k1 + k2 * 1000 + k3 * 10000\nouts a1, a1");
    ASSERT_TRUE(instrument);
    CsoundInstrument& i = *instrument;
    const long long cc_at = 1000, pedal_at = 2013, bend_at = 3071;
    const auto out = render(i, 5000,
                            {{100, [&] { i.note_on(1, 60, 0.0, 100); }},
                             {cc_at,
                              [&] {
                                  i.controller({0.0, ControllerKind::ControlChange, 74, 64.0});
                              }},
                             {pedal_at,
                              [&] {
                                  i.controller({0.0, ControllerKind::ControlChange, 64, 100.0});
                              }},
                             {bend_at,
                              [&] {
                                  i.controller({0.0, ControllerKind::PitchBend, 0, -0.5});
                              }}},
                            13);
    // Csound sample s is heard latency() later; a channel is read at the start of each k-cycle.
    const auto from_cycle = [&](long long frame) {
        return static_cast<std::size_t>(frame / ksmps * ksmps + i.latency());
    };
    EXPECT_EQ(out[from_cycle(cc_at) - 1], 0.0f);
    EXPECT_EQ(out[from_cycle(cc_at)], 64.0f);
    EXPECT_EQ(out[from_cycle(pedal_at) - 1], 64.0f);
    EXPECT_EQ(out[from_cycle(pedal_at)], 1064.0f) << "sustain is 1 with CC 64 at 100";
    EXPECT_EQ(out[from_cycle(bend_at) - 1], 1064.0f);
    EXPECT_EQ(out[from_cycle(bend_at)], 1064.0f - 5000.0f);
}

TEST(CsoundNotes, the_instrument_is_silent_until_a_note_and_again_once_its_release_has_played_out) {
    auto instrument = csound(64, "k1 linsegr 1, 1, 1, 0.01, 0\na1 = 0.5 * k1\nouts a1, a1");
    ASSERT_TRUE(instrument);
    CsoundInstrument& i = *instrument;
    std::vector<float> l(256), r(256);
    i.render(l.data(), r.data(), 256);  // a first cycle tells whether the orchestra sounds on its own
    EXPECT_TRUE(i.is_silent());
    i.note_on(1, 60, 0.0, 100);
    EXPECT_FALSE(i.is_silent()) << "a note given but not started yet counts";
    for (int k = 0; k < 20; ++k) i.render(l.data(), r.data(), 256);
    EXPECT_FALSE(i.is_silent());
    i.note_off(1);
    long long rendered = 0;
    while (!i.is_silent() && rendered < 48000) {
        i.render(l.data(), r.data(), 64);
        rendered += 64;
    }
    EXPECT_TRUE(i.is_silent());
    EXPECT_GE(rendered, static_cast<long long>(0.01 * kRate)) << "silent before its release played";
    EXPECT_LE(rendered, static_cast<long long>(0.01 * kRate) + 3 * 64);
}

TEST(CsoundNotes, an_orchestra_that_sounds_on_its_own_is_never_silent) {
    const std::string orchestra =
        "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr 1\nouts a(0), a(0)\nendin\n"
        "instr 2\na1 oscili 0.1, 220\nouts a1, a1\nendin\nalwayson 2\n";
    std::string error;
    auto loaded = CsoundOrchestra::compile({orchestra, 1}, "drone.orc", kRate, &error);
    ASSERT_TRUE(loaded) << error;
    CsoundInstrument i(std::move(loaded), 1);
    EXPECT_FALSE(i.is_silent());
    std::vector<float> l(256), r(256);
    for (int k = 0; k < 10; ++k) {
        i.render(l.data(), r.data(), 256);
        EXPECT_FALSE(i.is_silent());
    }
    EXPECT_NE(l[100], 0.0f);
}

}  // namespace
}  // namespace tactus
