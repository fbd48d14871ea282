// Csound on the audio thread, under the realtime checker. The instrument takes Csound's API lock only
// inside a PrivateLockScope (no other thread uses a playing instance) and has Csound's event nodes and
// instances allocated before it plays: an orchestra whose opcodes need no memory of their own plays
// from its first note without allocating. One whose opcodes allocate when first initialised (oscili's
// default sine table, linsegr's segments) pays that on its first notes, and never again.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "core/realtime_scope.h"
#include "engine/csound/csound_instrument.h"

namespace tactus {
namespace {

std::unique_ptr<CsoundInstrument> load(const std::string& body) {
    const std::string orchestra = "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr 1\n" + body + "\nendin\n";
    std::string error;
    auto loaded = CsoundOrchestra::compile({orchestra, 1}, "rt.orc", 48000, &error);
    EXPECT_TRUE(loaded) << error;
    return loaded ? std::make_unique<CsoundInstrument>(std::move(loaded), 1) : nullptr;
}

// Live notes held and released, score notes ended by their p3 or cut short, controllers, a panic now
// and then: up to about
// 20 notes at once, over `blocks` blocks of 64 frames.
void play(CsoundInstrument& instrument, int first_block, int blocks) {
    std::array<float, 64> l{}, r{};
    for (int k = first_block; k < first_block + blocks; ++k) {
        if (k % 10 == 0) instrument.note_on(VoiceKey(k), 60 + k % 24, 0.0, 100);
        if (k % 10 == 5) instrument.note_off(VoiceKey(k - 5));
        if (k % 13 == 0) instrument.score_note_on(VoiceKey(100000 + k), 48, 0.0, 90, k % 2 ? 1000 : 0);
        if (k % 13 == 3) instrument.note_off(VoiceKey(100000 + k - 3));
        if (k % 7 == 0) instrument.controller({0.0, ControllerKind::ControlChange, 74, double(k % 128)});
        if (k % 997 == 996) instrument.kill_all();  // panic
        instrument.render(l.data(), r.data(), 64);
    }
}

TEST(RealtimeSafety, a_csound_instrument_plays_from_its_first_note_without_allocating_or_waiting) {
    auto instrument = load("k1 chnget \"tactus.cc74\"\na1 = 0.1 + k1 / 1000\nouts a1, a1");
    ASSERT_TRUE(instrument);
    RealtimeScope realtime;  // an allocation or a lock other than Csound's private API lock aborts
    play(*instrument, 0, 4000);
}

TEST(RealtimeSafety,
     an_orchestra_whose_opcodes_allocate_on_first_use_plays_without_allocating_after_its_first_notes) {
    auto instrument = load("kenv linsegr 0, 0.01, 1, 0.05, 0\na1 oscili 0.1 * kenv, p6\nouts a1, a1");
    ASSERT_TRUE(instrument);
    play(*instrument, 0, 2000);  // the first notes: Csound's sine table, each instance's segments
    RealtimeScope realtime;
    play(*instrument, 2000, 4000);
}

}  // namespace
}  // namespace tactus
