// An LV2 instrument plays under the audio thread's rules: notes, controllers, parameter changes and
// rendering, through Tactus's code and the plugin's run(). This binary links the realtime checker,
// so an allocation, free or mutex lock anywhere on that path (ours or the plugin's) aborts it. The
// mda instruments keep the rules; plugins that do not are listed in docs/plugins.md.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/realtime_scope.h"
#include "engine/lv2/lv2_instrument.h"

namespace tactus {
namespace {

class Lv2RealtimeSafety : public ::testing::TestWithParam<std::string> {};

TEST_P(Lv2RealtimeSafety, an_instrument_plays_without_allocating_or_locking) {
    std::string error;
    auto instrument = Lv2Instrument::create(GetParam(), 48000.0, 0, {}, &error);
    ASSERT_TRUE(instrument) << error;
    std::vector<float> left(256), right(256);
    int rendered = 0;
    {
        RealtimeScope audio_thread;
        for (int block = 0; block < 2000; ++block) {
            const int pitch = 36 + (block * 7) % 60;
            if (block % 3 == 0) instrument->note_on(VoiceKey(block), pitch, 0.0, 30 + block % 90);
            if (block % 3 == 2) instrument->note_off(VoiceKey(block - 2));
            if (block % 50 == 0)
                instrument->controller(
                    {0.0, ControllerKind::ControlChange, 64, block % 100 == 0 ? 127.0 : 0.0});
            if (block % 70 == 0)
                instrument->controller({0.0, ControllerKind::PitchBend, 0, (block % 7) / 7.0});
            if (block % 90 == 0 && !instrument->parameters().empty())
                instrument->set_parameter(std::size_t(block / 90) % instrument->parameters().size(), 0.3);
            const int frames = 1 + (block * 37) % 256;
            instrument->render(left.data(), right.data(), frames);
            rendered += frames;
        }
        instrument->release_all();
        instrument->kill_all();
        instrument->render(left.data(), right.data(), 256);
    }
    EXPECT_GT(rendered, 200000);
}

INSTANTIATE_TEST_SUITE_P(Mda, Lv2RealtimeSafety,
                         ::testing::Values("http://drobilla.net/plugins/mda/EPiano",
                                           "http://drobilla.net/plugins/mda/JX10",
                                           "http://drobilla.net/plugins/mda/DX10",
                                           "http://drobilla.net/plugins/mda/Piano"),
                         [](const auto& p) { return p.param.substr(p.param.rfind('/') + 1); });

}  // namespace
}  // namespace tactus
