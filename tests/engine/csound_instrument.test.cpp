// A Csound track instrument starts every note exactly latency() = ksmps - 1 frames after the frame it
// was given on, at any ksmps and however the frames are cut into render() calls (the engine delays the
// other tracks by the same amount). An instantaneous-attack orchestra makes a note's first sample its
// first non-zero one.
#include "engine/csound/csound_instrument.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace tactus;

std::unique_ptr<CsoundInstrument> instant_attack(int ksmps) {
    const std::string orchestra = "ksmps = " + std::to_string(ksmps) +
                                  "\nnchnls = 2\n0dbfs = 1\ninstr 1\n  a1 = p5 / 127\n  outs a1, a1\nendin\n";
    std::string error;
    auto loaded = CsoundOrchestra::compile({orchestra, 1}, "instant.orc", 48000, &error);
    EXPECT_TRUE(loaded) << error;
    if (!loaded) return nullptr;
    return std::make_unique<CsoundInstrument>(std::move(loaded), 1);
}

// Notes given at `starts` (each held 300 frames), rendered in spans of `span` frames (split at every
// event, as the sequencer does); returns the first non-zero frame after each silence.
std::vector<long long> onsets(CsoundInstrument& instrument, const std::vector<long long>& starts, int span) {
    std::vector<float> left, right;
    std::vector<std::pair<long long, bool>> events;  // frame, note on (else off)
    for (std::size_t i = 0; i < starts.size(); ++i) {
        events.push_back({starts[i], true});
        events.push_back({starts[i] + 300, false});
    }
    const long long end = starts.back() + 2000;
    std::vector<float> l(256), r(256);
    long long t = 0;
    std::size_t next = 0;
    while (t < end) {
        while (next < events.size() && events[next].first == t) {
            const VoiceKey key = VoiceKey(next / 2 + 1);
            if (events[next].second)
                instrument.note_on(key, 60, 0.0, 100);
            else
                instrument.note_off(key);
            ++next;
        }
        long long upto = std::min(end, t + span);
        if (next < events.size()) upto = std::min(upto, events[next].first);
        const int n = static_cast<int>(upto - t);
        instrument.render(l.data(), r.data(), n);
        left.insert(left.end(), l.begin(), l.begin() + n);
        t = upto;
    }
    std::vector<long long> found;
    for (std::size_t f = 0; f < left.size(); ++f)
        if (left[f] != 0.0f && (f == 0 || left[f - 1] == 0.0f)) found.push_back(static_cast<long long>(f));
    return found;
}

TEST(CsoundInstrument, every_note_starts_exactly_its_latency_after_its_frame_at_any_ksmps_and_span) {
    for (int ksmps : {1, 10, 32, 64, 100, 128}) {
        for (int span : {1, 7, 256}) {
            SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", spans of " + std::to_string(span));
            auto instrument = instant_attack(ksmps);
            ASSERT_TRUE(instrument);
            std::vector<long long> starts;
            for (long long k = 0; k < 40; ++k) starts.push_back(1000 + k * 1009 + (k * 37) % 131);
            const std::vector<long long> heard = onsets(*instrument, starts, span);
            ASSERT_EQ(heard.size(), starts.size());
            for (std::size_t i = 0; i < starts.size(); ++i)
                EXPECT_EQ(heard[i], starts[i] + instrument->latency())
                    << "note " << i << " given on " << starts[i];
        }
    }
}

}  // namespace
