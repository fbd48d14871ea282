// LV2 plugin state (state:interface; engine/lv2/lv2_plugin.h, insert_chain.h, lv2_instrument.h): an
// insert's state saved as Turtle and restored into a fresh chain plays bit-identically to the original,
// saving works while the chain is being rendered on another thread, a plugin's own (non-port) state
// round-trips, and a state that cannot be restored names the plugin and fails the insert or instrument
// (or, with `skipped`, leaves the insert passing through). Plugins: x42-plugins (the zero-latency
// convolver, whose state names its impulse response file, and fil4), mda-lv2 (no state interface).
#include <gtest/gtest.h>
#include <sndfile.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/lv2/insert_chain.h"
#include "engine/lv2/lv2_instrument.h"
#include "engine/lv2/lv2_plugin.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;
constexpr double kRate = 48000.0;
const std::string kConvolver = "http://gareus.org/oss/lv2/zeroconvolv#CfgStereo";
const std::string kFil4 = "http://gareus.org/oss/lv2/fil4#stereo";
const std::string kOverdrive = "http://drobilla.net/plugins/mda/Overdrive";
const std::string kEPiano = "http://drobilla.net/plugins/mda/EPiano";

// Deterministic noise in [-1, 1).
struct Noise {
    std::uint32_t state = 12345;
    float next() {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(state >> 8) / 8388608.0f - 1.0f;
    }
};

// A mono impulse response: `frames` of noise decaying by 60 dB.
void write_impulse_response(const fs::path& path, int frames) {
    SF_INFO info{};
    info.samplerate = static_cast<int>(kRate);
    info.channels = 1;
    info.format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
    SNDFILE* file = sf_open(path.c_str(), SFM_WRITE, &info);
    ASSERT_NE(file, nullptr) << sf_strerror(nullptr);
    Noise noise;
    std::vector<float> ir(static_cast<std::size_t>(frames));
    for (int i = 0; i < frames; ++i)
        ir[std::size_t(i)] = noise.next() * std::pow(10.0f, -3.0f * float(i) / float(frames));
    ir[0] = 1.0f;
    sf_writef_float(file, ir.data(), frames);
    sf_close(file);
}

// The convolver's state as a user would have made it: an impulse response, a gain and a pre-delay.
std::string convolver_state(const fs::path& ir) {
    return "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
           "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
           "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           "<urn:test:state> a pset:Preset ;\n"
           "  lv2:appliesTo <" +
           kConvolver +
           "> ;\n"
           "  state:state [\n"
           "    <http://gareus.org/oss/lv2/zeroconvolv#ir> <file://" +
           ir.string() +
           "> ;\n"
           "    <http://gareus.org/oss/lv2/zeroconvolv#gain> \"0.5\"^^xsd:float ;\n"
           "    <http://gareus.org/oss/lv2/zeroconvolv#predelay> \"0\"^^xsd:int\n"
           "  ] .\n";
}

struct Stereo {
    std::vector<float> left, right;
};

// Noise bursts and silence, in blocks of odd sizes.
Stereo process(InsertChain& chain, int frames) {
    Noise noise;
    Stereo out{std::vector<float>(std::size_t(frames)), std::vector<float>(std::size_t(frames))};
    for (int i = 0; i < frames; ++i) {
        const bool on = (i / 3000) % 2 == 0;
        out.left[std::size_t(i)] = on ? 0.5f * noise.next() : 0.0f;
        out.right[std::size_t(i)] = on ? 0.25f * noise.next() : 0.0f;
    }
    for (int at = 0, block = 1; at < frames; block = block % 509 + 37) {
        const int n = std::min(block, frames - at);
        chain.process(out.left.data() + at, out.right.data() + at, n);
        at += n;
    }
    return out;
}

class Lv2State : public ::testing::Test {
protected:
    fs::path dir_ =
        fs::temp_directory_path() / ("tactus-lv2-state-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    void SetUp() override {
        for (const std::string& uri : {kConvolver, kFil4, kOverdrive, kEPiano})
            if (!lv2::find_plugin(uri, nullptr))
                GTEST_SKIP() << uri << " is not installed (x42-plugins, mda-lv2)";
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
};

TEST_F(Lv2State, an_insert_restored_from_its_saved_state_plays_bit_identically) {
    const fs::path ir = dir_ / "room.wav";
    write_impulse_response(ir, 3000);
    // Controls (the document's parameters) and the plugin's own state (its impulse response file, gain
    // and pre-delay, which no port holds).
    const std::map<std::string, double> controls = {{"dry", -12.0}, {"wet", -3.0}};
    std::string error;
    // The original made with the threaded worker, the copies with the synchronous one: restoring does its
    // work at once either way.
    auto original = InsertChain::create({Insert{kConvolver, controls, false, convolver_state(ir)}}, kRate,
                                        &error, nullptr, lv2::WorkerMode::Threaded);
    ASSERT_TRUE(original) << error;
    const std::string saved = original->save_state(0);
    EXPECT_NE(saved.find("<file://" + ir.string() + ">"), std::string::npos) << saved;
    EXPECT_NE(saved.find("zeroconvolv#gain> \"0.5\""), std::string::npos) << saved;
    EXPECT_NE(saved.find("zeroconvolv#predelay> \"0\""), std::string::npos) << saved;
    EXPECT_EQ(saved.find("lv2:port"), std::string::npos) << "port values are the parameters' business";

    auto restored = InsertChain::create({Insert{kConvolver, controls, false, saved}}, kRate, &error, nullptr,
                                        lv2::WorkerMode::Synchronous);
    ASSERT_TRUE(restored) << error;
    auto stateless = InsertChain::create({Insert{kConvolver, controls, false, ""}}, kRate, &error, nullptr,
                                         lv2::WorkerMode::Synchronous);
    ASSERT_TRUE(stateless) << error;
    EXPECT_EQ(restored->latency(), original->latency());

    // Saving while the chain renders on another thread (the state spec lets save() run with run()).
    std::atomic<bool> rendering{true};
    std::string saved_while_rendering;
    std::thread saver([&] {
        for (int i = 0; i < 20 && rendering.load(); ++i) {
            saved_while_rendering = original->save_state(0);
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    });
    const Stereo a = process(*original, 96000);
    rendering = false;
    saver.join();
    EXPECT_EQ(saved_while_rendering, saved);

    const Stereo b = process(*restored, 96000);
    const Stereo c = process(*stateless, 96000);
    ASSERT_EQ(a.left.size(), b.left.size());
    long differ = 0;
    double energy = 0.0;
    for (std::size_t i = 0; i < a.left.size(); ++i) {
        differ += a.left[i] != b.left[i] || a.right[i] != b.right[i];
        energy += double(a.left[i]) * a.left[i];
    }
    EXPECT_EQ(differ, 0) << "frames that differ between the original and the restored chain";
    EXPECT_GT(energy, 1.0);
    EXPECT_NE(a.left, c.left) << "without its state the convolver sounds different";
    EXPECT_EQ(restored->save_state(0), saved);
}

TEST_F(Lv2State, a_plugins_own_settings_round_trip) {
    std::string error;
    auto plugin = lv2::Plugin::create(kFil4, kRate, 64, &error);
    ASSERT_TRUE(plugin) << error;
    EXPECT_TRUE(plugin->has_state());
    std::string saved = plugin->save_state();
    ASSERT_NE(saved.find("fil4#kbtuning> \"440.0\""), std::string::npos) << saved;
    const std::size_t at = saved.find("\"440.0\"");
    saved.replace(at, 7, "\"432.0\"");
    auto fresh = lv2::Plugin::create(kFil4, kRate, 64, &error);
    ASSERT_TRUE(fresh->restore_state(saved, &error)) << error;
    EXPECT_EQ(fresh->save_state(), saved);
}

TEST_F(Lv2State, plugins_without_a_state_interface_save_nothing) {
    std::string error;
    auto chain = InsertChain::create({Insert{kOverdrive, {{"drive", 0.7}}, false, ""}}, kRate, &error);
    ASSERT_TRUE(chain) << error;
    EXPECT_FALSE(chain->plugin(0)->has_state());
    EXPECT_EQ(chain->save_state(0), "");
    EXPECT_EQ(chain->save_state(7), "");
    auto piano = Lv2Instrument::create(kEPiano, kRate, 0, {}, &error, "");
    ASSERT_TRUE(piano) << error;
    EXPECT_EQ(piano->save_state(), "");
}

TEST_F(Lv2State, a_state_that_cannot_be_restored_names_the_plugin_and_fails_it) {
    const fs::path ir = dir_ / "room.wav";
    write_impulse_response(ir, 100);
    const std::string good = convolver_state(ir);
    std::string fil4_state;
    {
        std::string error;
        fil4_state = lv2::Plugin::create(kFil4, kRate, 64, &error)->save_state();
    }
    struct Case {
        std::string state;
        std::string why;
    };
    const std::vector<Case> cases = {
        {"garbage", "its saved state is not valid Turtle (line 1, column "},
        {good.substr(0, good.size() / 2), "its saved state is not valid Turtle (line "},
        {std::string("\x01\xff\xfe<<<[\0]", 10),
         "its saved state is not valid Turtle (it contains a NUL byte)"},
        {"\x01\xff\xfe<<<[", "its saved state is not valid Turtle (line 1, column "},
        {"<urn:a> <urn:b> <urn:c> .", "its saved state is not LV2 state (no pset:Preset with a state:state)"},
        {"<a> a <http://lv2plug.in/ns/ext/presets#Preset> .",
         "its saved state names no plugin (lv2:appliesTo)"},
        {"[] a <http://lv2plug.in/ns/ext/presets#Preset> ; <http://lv2plug.in/ns/lv2core#appliesTo> \"x\" .",
         "its saved state names no plugin (lv2:appliesTo)"},
        {"<urn:a> a <http://lv2plug.in/ns/ext/presets#Preset> . <urn:b> a "
         "<http://lv2plug.in/ns/ext/presets#Preset> .",
         "its saved state holds more than one pset:Preset"},
        {fil4_state, "its saved state is for another plugin, <" + kFil4 + ">"},
    };
    const std::string label = lv2::find_plugin(kConvolver, nullptr)->label();
    for (const Case& c : cases) {
        std::string error;
        EXPECT_FALSE(InsertChain::create({Insert{kConvolver, {}, false, c.state}}, kRate, &error));
        EXPECT_TRUE(error.starts_with("insert 1: " + label + ": " + c.why)) << error;
        // tactusd's way: the insert passes its input through and the message says so.
        std::vector<std::string> skipped;
        auto chain =
            InsertChain::create({Insert{kOverdrive, {}, false, ""}, Insert{kConvolver, {}, false, c.state}},
                                kRate, &error, &skipped);
        ASSERT_TRUE(chain);
        EXPECT_TRUE(chain->plugin(0));
        EXPECT_FALSE(chain->plugin(1));
        ASSERT_EQ(skipped.size(), 1u);
        EXPECT_TRUE(skipped[0].starts_with("insert 2: LV2 plugin <" + kConvolver + ">")) << skipped[0];
        EXPECT_TRUE(skipped[0].ends_with("(the track plays on without it)")) << skipped[0];
    }
    std::string error;
    EXPECT_FALSE(InsertChain::create({Insert{kOverdrive, {}, false, good}}, kRate, &error));
    EXPECT_NE(error.find("<" + kOverdrive + ">"), std::string::npos) << error;
    EXPECT_NE(error.find("it has no LV2 state interface"), std::string::npos) << error;
    EXPECT_FALSE(Lv2Instrument::create(kEPiano, kRate, 0, {}, &error, "garbage"));
    EXPECT_NE(error.find("<" + kEPiano + ">"), std::string::npos) << error;
}

}  // namespace
}  // namespace tactus
