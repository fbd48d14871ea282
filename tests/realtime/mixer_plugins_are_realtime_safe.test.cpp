// The mixer with plugins keeps the audio thread's rules: tracks through insert chains sending pre- and
// post-fader to a bus with its own inserts, a master chain, and live changes while it plays (send and
// bus levels, insert controls, bypass, solo), through Tactus's code and each plugin's run(). This binary
// links the realtime checker: an allocation, free or mutex lock anywhere on that path (ours or a
// plugin's) aborts it. Each effect is tried in every place; the ones that break the rules in their own
// code are listed in docs/plugins.md instead. Each runs on the audio thread alone and with a helper
// (tactusd --workers 2): the tracks, then the two buses, side by side, the helper under the same rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/realtime_scope.h"
#include "engine/lockfree/fork_join_team.h"
#include "engine/lv2/plugin_catalogue.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

Document routed_song(const std::string& effect) {
    Document doc;
    NoteId id = 1;
    for (TrackId t = 1; t <= 3; ++t) {
        std::vector<Note> notes;
        for (int i = 0; i < 60; ++i)
            notes.push_back(test::note(id++, i * 0.25, 0.2, 40 + int(t) * 5 + i % 12));
        Track track = test::track(t, t == 2 ? "pluck" : "saw", notes, 0.3 * double(t) - 0.6);
        track.inserts = {Insert{effect, {}, false, {}}};
        track.sends = {Send{BusId(t == 2 ? 10 : 9), 0.5, t == 3}};
        doc.tracks.push_back(std::move(track));
    }
    for (BusId b : {BusId{9}, BusId{10}}) {
        Bus bus;
        bus.id = b;
        bus.inserts = {Insert{effect, {}, false, {}}};
        doc.buses.push_back(bus);
    }
    doc.master_inserts = {Insert{effect, {}, false, {}}};
    return doc;
}

class MixerPluginsRealtime : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(MixerPluginsRealtime, a_routed_mix_plays_and_changes_live_without_allocating_or_locking) {
    const auto& [effect, threads] = GetParam();
    if (!lv2::find_plugin(effect, nullptr)) GTEST_SKIP() << effect << " is not installed";
    test::SequencerRig rig(routed_song(effect), 48000);
    TrackMixer& mixer = *rig.mixer;
    ForkJoinTeam team(threads);
    if (threads > 1) mixer.set_team(&team);
    rig.sequencer.play(0, 0);
    std::vector<float> left(256), right(256);
    Frame position = 0;
    float loudest = 0.0f;
    {
        RealtimeScope audio_thread;
        for (int step = 0; step < 200; ++step) {
            for (int done = 0, block = 64 + step % 3 * 37; done < 240; done += block) {
                const int n = std::min(block, 240 - done);
                rig.sequencer.render(position, n, left.data(), right.data());
                position += n;
                for (int i = 0; i < n; ++i) loudest = std::max(loudest, std::abs(left[std::size_t(i)]));
            }
            switch (step % 8) {
                case 0:
                    mixer.set_send_level(step % 3, 0, 0.1 * (step % 10));
                    break;
                case 1:
                    mixer.set_bus_level(0, 0.5 + 0.05 * (step % 10));
                    break;
                case 2:
                    if (InsertChain* chain = mixer.insert_chain(InsertOwner::Bus, 0))
                        chain->set_parameter(0, 0, 0.5f);
                    break;
                case 3:
                    if (InsertChain* chain = mixer.insert_chain(InsertOwner::Track, 1))
                        chain->set_bypass(0, step % 16 == 3);
                    break;
                case 4:
                    mixer.set_solo(step % 3, step % 24 == 4);
                    break;
                case 5:
                    mixer.set_bus_solo(0, step % 40 == 5);
                    break;
                case 6:
                    if (InsertChain* chain = mixer.insert_chain(InsertOwner::Master, 0))
                        chain->set_parameter(0, 0, 0.25f);
                    break;
                default:
                    mixer.set_mute(0, step % 32 == 7);
                    break;
            }
        }
    }
    EXPECT_EQ(position, 200 * 240);
    EXPECT_GT(loudest, 0.001f);  // it played
}

INSTANTIATE_TEST_SUITE_P(
    Effects, MixerPluginsRealtime,
    ::testing::Combine(
        ::testing::Values("http://plugin.org.uk/swh-plugins/amp", "http://drobilla.net/plugins/mda/Overdrive",
                          "http://gareus.org/oss/lv2/fil4#stereo", "http://gareus.org/oss/lv2/darc#stereo",
                          "urn:dragonfly:plate", "https://github.com/michaelwillis/dragonfly-reverb",
                          "http://drobilla.net/plugins/mda/Delay", "http://plugin.org.uk/swh-plugins/sc4"),
        ::testing::Values(1, 2)),
    [](const auto& p) {
        const std::string& uri = std::get<0>(p.param);
        std::string name = uri.substr(uri.rfind('/') + 1);
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return name + "_" + std::to_string(std::get<1>(p.param)) + "_threads";
    });

}  // namespace
}  // namespace tactus
