// The LV2 worker extension (engine/lv2/lv2_worker.h): threaded, a request scheduled on the audio thread
// is worked on the shared worker thread and its response delivered around a later run, with end_run
// after each run; synchronous, work runs inside schedule_work and its response right after the run;
// full queues and oversized messages are refused. The plugins that need the worker are playable, and
// the x42 convolver loads its impulse response through it, identically in both modes. This binary links
// the realtime checker where it is built (tests/CMakeLists.txt): the audio thread's side runs in a
// RealtimeScope, so an allocation or lock there aborts it. Plugins: x42-plugins, dragonfly-reverb-lv2.
#include "engine/lv2/lv2_worker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/realtime_scope.h"
#include "engine/lv2/insert_chain.h"
#include "engine/lv2/lv2_plugin.h"

namespace tactus {
namespace {

// A plugin's side of the worker, without a plugin: work() answers each request (a number) with the
// number + 1000; work_response() and end_run() record what they got.
struct FakePlugin {
    std::atomic<int> worked{0};
    std::atomic<std::thread::id> work_thread{};
    std::atomic<bool> hold{false};  // work() waits while set
    std::atomic<int> entered{0};
    int responses[64] = {};
    int response_count = 0;
    int end_runs = 0;

    static LV2_Worker_Status work(LV2_Handle h, LV2_Worker_Respond_Function respond,
                                  LV2_Worker_Respond_Handle rh, std::uint32_t size, const void* data) {
        auto* self = static_cast<FakePlugin*>(h);
        ++self->entered;
        while (self->hold.load()) std::this_thread::yield();
        self->work_thread = std::this_thread::get_id();
        int value = 0;
        std::memcpy(&value, data, std::min<std::size_t>(size, sizeof value));
        value += 1000;
        ++self->worked;
        return respond(rh, sizeof value, &value);
    }
    static LV2_Worker_Status work_response(LV2_Handle h, std::uint32_t size, const void* body) {
        auto* self = static_cast<FakePlugin*>(h);
        if (size == sizeof(int) && self->response_count < 64)
            std::memcpy(&self->responses[self->response_count++], body, sizeof(int));
        return LV2_WORKER_SUCCESS;
    }
    static LV2_Worker_Status end_run(LV2_Handle h) {
        ++static_cast<FakePlugin*>(h)->end_runs;
        return LV2_WORKER_SUCCESS;
    }
    static constexpr LV2_Worker_Interface interface { &work, &work_response, &end_run };
};

LV2_Worker_Status schedule(lv2::Worker& worker, int value) {
    LV2_Worker_Schedule* s = worker.schedule_feature();
    return s->schedule_work(s->handle, sizeof value, &value);
}

TEST(Lv2Worker, a_threaded_worker_works_off_the_audio_thread_and_answers_in_a_later_run) {
    FakePlugin plugin;
    lv2::Worker worker(lv2::WorkerMode::Threaded);
    worker.attach(&FakePlugin::interface, &plugin);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    {
        RealtimeScope audio_thread;  // what a plugin's run() does with the worker, as the audio thread
        for (int run = 0; run < 8; ++run) {
            worker.before_run();
            EXPECT_EQ(schedule(worker, run), LV2_WORKER_SUCCESS);
            worker.after_run();
        }
        while (plugin.response_count < 8 && std::chrono::steady_clock::now() < deadline) {
            worker.before_run();
            worker.after_run();
            std::this_thread::yield();
        }
    }
    ASSERT_EQ(plugin.response_count, 8);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(plugin.responses[i], 1000 + i);
    EXPECT_NE(plugin.work_thread.load(), std::this_thread::get_id());
    EXPECT_GE(plugin.end_runs, 8);
    EXPECT_EQ(worker.requests_served(), 8u);
}

TEST(Lv2Worker, a_synchronous_worker_works_at_once_and_answers_right_after_the_run) {
    FakePlugin plugin;
    lv2::Worker worker(lv2::WorkerMode::Synchronous);
    worker.attach(&FakePlugin::interface, &plugin);
    RealtimeScope render_thread;  // an offline render: work() itself is not held to the realtime rules
    for (int run = 0; run < 5; ++run) {
        worker.before_run();
        EXPECT_EQ(schedule(worker, run), LV2_WORKER_SUCCESS);
        EXPECT_EQ(plugin.worked.load(), run + 1);
        EXPECT_EQ(plugin.response_count, run) << "delivered after the run, not inside it";
        worker.after_run();
        ASSERT_EQ(plugin.response_count, run + 1);
        EXPECT_EQ(plugin.responses[run], 1000 + run);
        EXPECT_EQ(plugin.end_runs, run + 1);
    }
    EXPECT_EQ(plugin.work_thread.load(), std::this_thread::get_id());
}

TEST(Lv2Worker, full_queues_and_oversized_messages_are_refused) {
    FakePlugin plugin;
    plugin.hold = true;  // the worker thread takes the first request and waits in work()
    lv2::Worker worker(lv2::WorkerMode::Threaded);
    worker.attach(&FakePlugin::interface, &plugin);
    std::vector<char> big(lv2::Worker::kMaxMessage + 1, 'x');
    LV2_Worker_Schedule* s = worker.schedule_feature();
    EXPECT_EQ(s->schedule_work(s->handle, std::uint32_t(big.size()), big.data()), LV2_WORKER_ERR_NO_SPACE);
    EXPECT_EQ(schedule(worker, 0), LV2_WORKER_SUCCESS);
    while (plugin.entered.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    int accepted = 1;
    {
        RealtimeScope audio_thread;
        for (int i = 1; i < 100; ++i)
            if (schedule(worker, i) == LV2_WORKER_SUCCESS) ++accepted;
    }
    EXPECT_EQ(accepted, 1 + int(lv2::Worker::kQueueLength)) << "one in work(), a queue full waiting";
    plugin.hold = false;
    // The responses queue holds 16 too: deliver while the worker answers.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (plugin.worked.load() < accepted && std::chrono::steady_clock::now() < deadline) {
        worker.before_run();
        std::this_thread::yield();
    }
    worker.before_run();
    EXPECT_EQ(plugin.worked.load(), accepted);
}

const std::string kConvolver = "http://gareus.org/oss/lv2/zeroconvolv#CfgStereo";
// The installed plugins that require worker:schedule and have audio to play.
const std::vector<std::string> kNeedWorker = {
    "http://gareus.org/oss/lv2/zeroconvolv#Stereo",
    "http://gareus.org/oss/lv2/zeroconvolv#CfgMono",
    "http://gareus.org/oss/lv2/convoLV2#Stereo",
    "urn:dragonfly:plate",
    "urn:dragonfly:room",
    "https://github.com/michaelwillis/dragonfly-reverb",
};

TEST(Lv2Worker, plugins_that_need_the_worker_can_be_played) {
    for (const std::string& uri : kNeedWorker) {
        std::string error;
        const auto info = lv2::find_plugin(uri, &error);
        if (!info) GTEST_SKIP() << error;
        EXPECT_TRUE(info->playable()) << uri << ": " << info->unplayable_reason();
        auto plugin = lv2::Plugin::create(uri, 48000.0, 64, &error);
        ASSERT_TRUE(plugin) << error;
        EXPECT_TRUE(plugin->worker()) << uri;
    }
    // A Dragonfly reverb rings after a click.
    std::string error;
    auto chain = InsertChain::create({Insert{"urn:dragonfly:plate", {}, false, ""}}, 48000.0, &error);
    ASSERT_TRUE(chain) << error;
    std::vector<float> left(48000), right(48000);
    left[10] = right[10] = 1.0f;
    chain->process(left.data(), right.data(), int(left.size()));
    double energy = 0.0;
    for (std::size_t i = 2000; i < left.size(); ++i) energy += double(left[i]) * left[i];
    EXPECT_GT(energy, 1e-6);
}

// The convolver's preset state: the installed delta impulse (1 then 63 zeros) at gain 0.5 makes the
// output the input halved, delayed by the plugin's latency.
std::string delta_state() {
    return "@prefix lv2: <http://lv2plug.in/ns/lv2core#> .\n"
           "@prefix pset: <http://lv2plug.in/ns/ext/presets#> .\n"
           "@prefix state: <http://lv2plug.in/ns/ext/state#> .\n"
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
           "<urn:test:delta> a pset:Preset ; lv2:appliesTo <" +
           kConvolver +
           "> ;\n"
           "  state:state [ <http://gareus.org/oss/lv2/zeroconvolv#ir> "
           "<file:///usr/lib/lv2/zeroconvo.lv2/ir/delta-48k.wav> ;\n"
           "    <http://gareus.org/oss/lv2/zeroconvolv#gain> \"0.5\"^^xsd:float ] .\n";
}

std::vector<float> convolve(lv2::WorkerMode mode, std::uint64_t* served, int* latency) {
    std::string error;
    // wet 0 dB, dry off: the output is the convolution alone.
    auto chain =
        InsertChain::create({Insert{kConvolver, {{"dry", -60.0}, {"wet", 0.0}}, false, delta_state()}},
                            48000.0, &error, nullptr, mode);
    EXPECT_TRUE(chain) << error;
    if (!chain) return {};
    *served = chain->plugin(0)->worker()->requests_served();
    *latency = chain->latency();
    std::vector<float> left(20000), right(20000);
    for (std::size_t i = 0; i < left.size(); ++i) left[i] = right[i] = (i % 1000 == 3) ? 1.0f : 0.0f;
    {
        RealtimeScope audio_thread;
        for (std::size_t at = 0; at < left.size(); at += 100) chain->process(&left[at], &right[at], 100);
    }
    return left;
}

TEST(Lv2Worker, the_convolver_loads_its_impulse_response_through_the_worker_in_either_mode) {
    if (!lv2::find_plugin(kConvolver, nullptr)) GTEST_SKIP() << "x42-plugins is not installed";
    std::uint64_t served_threaded = 0, served_sync = 0;
    int latency = 0, latency_sync = 0;
    const std::vector<float> threaded = convolve(lv2::WorkerMode::Threaded, &served_threaded, &latency);
    const std::vector<float> sync = convolve(lv2::WorkerMode::Synchronous, &served_sync, &latency_sync);
    EXPECT_GE(served_threaded, 1u);
    EXPECT_GE(served_sync, 1u);
    ASSERT_EQ(latency, latency_sync);
    ASSERT_EQ(threaded.size(), sync.size());
    EXPECT_EQ(threaded, sync);
    // Each impulse comes out halved, `latency` frames later (the FFT leaves rounding around it); the
    // convolver mutes its output for the first moment after a load, so the first impulse is not checked.
    for (std::size_t i = 3 + 1000; i + std::size_t(latency) < sync.size(); i += 1000)
        EXPECT_NEAR(sync[i + std::size_t(latency)], 0.5f, 1e-5f) << "impulse at " << i;
}

#if defined(TACTUS_LV2_RTCHECK)
// Proves the RealtimeScopes above are not vacuous in this binary: the checker is linked and live.
TEST(Lv2WorkerDeathTest, the_realtime_checker_is_active_in_this_binary) {
    EXPECT_DEATH(
        {
            RealtimeScope audio_thread;
            auto* volatile leaked = new std::int64_t(1);
            (void)leaked;
        },
        "realtime violation");
}
#endif

}  // namespace
}  // namespace tactus
