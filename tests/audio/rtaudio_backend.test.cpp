// The RtAudio backend (audio/rtaudio_backend.h) with real callbacks. There is no sound card on the test
// machines, but the RtAudio library is built with its JACK API too, and kind "default" lets RtAudio pick
// the first API that has a device: with a private dummy JACK server named in JACK_DEFAULT_SERVER, that
// is JACK. This runs the backend's own frame counting, underflow handling and clock model against a
// real, timer-driven callback thread, and its MIDI ports opening (or, without a sequencer, not).

#include "audio/rtaudio_backend.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "support/jack_server.h"

namespace tactus {
namespace {

using namespace std::chrono_literals;

class FrameClockProbe : public AudioCallback {
public:
    explicit FrameClockProbe(int period) : period_(period) {}

    void process(const AudioBlock& block) override {
        if (cycles.load() > 0) {
            const Frame step = block.frame_time - expected_;
            if (step < 0 || step % period_ != 0) ++bad_steps;
            if (step > 0) largest_jump.store(std::max(largest_jump.load(), step));
        }
        expected_ = block.frame_time + block.frames;
        last_frame.store(block.frame_time);
        last_host_ns.store(block.host_time_ns);
        for (int i = 0; i < block.frames; ++i) block.left[i] = block.right[i] = 0.0f;
        if (stall_once.exchange(false)) std::this_thread::sleep_for(40ms);
        cycles.fetch_add(1);
    }

    std::atomic<std::int64_t> cycles{0}, bad_steps{0}, largest_jump{0};
    std::atomic<Frame> last_frame{0};
    std::atomic<std::int64_t> last_host_ns{0};
    std::atomic<bool> stall_once{false};

private:
    const int period_;
    Frame expected_ = 0;
};

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!predicate()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

class RtAudioBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<test::JackServer>();
        ASSERT_TRUE(server_->running()) << server_->error();
        if (const char* old = std::getenv("JACK_DEFAULT_SERVER")) saved_ = old;
        setenv("JACK_DEFAULT_SERVER", server_->name().c_str(), 1);
    }
    void TearDown() override {
        if (saved_.empty()) {
            unsetenv("JACK_DEFAULT_SERVER");
        } else {
            setenv("JACK_DEFAULT_SERVER", saved_.c_str(), 1);
        }
    }

    std::unique_ptr<RtAudioBackend> open_default() {
        AudioBackendOptions options;
        options.kind = "default";
        options.sample_rate = 48000;  // RtAudio's JACK API insists on the server's rate and period
        options.period = 128;
        // RtAudio's JACK API opens three clients one after the other; when other tests run JACK servers
        // at the same time, jackd2 refuses one now and then (JackServerError): try again.
        std::string error;
        for (int attempt = 0; attempt < 5; ++attempt) {
            if (auto backend = RtAudioBackend::open(options, &error)) return backend;
            std::this_thread::sleep_for(100ms);
        }
        ADD_FAILURE() << error;
        return nullptr;
    }

    std::unique_ptr<test::JackServer> server_;
    std::string saved_;
};

TEST_F(RtAudioBackendTest, counts_frames_and_its_clock_model_follows_the_callbacks) {
    auto backend = open_default();
    ASSERT_NE(backend, nullptr);
    EXPECT_EQ(backend->description().rfind("default (RtAudio jack", 0), 0u) << backend->description();
    EXPECT_EQ(backend->sample_rate(), 48000);
    EXPECT_EQ(backend->period(), 128);

    FrameClockProbe probe(128);
    std::string error;
    ASSERT_TRUE(backend->start(probe, &error)) << error;
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= 600; }));  // 1.6 s
    EXPECT_EQ(probe.bad_steps.load(), 0);
    EXPECT_EQ(probe.largest_jump.load(), 0) << backend->xruns() << " xruns";
    RecordProperty("realtime_thread", backend->realtime_thread() ? "yes" : "no");

    // The model maps the latest block's frame to about its host time (callback entry, filtered), and
    // now to a frame at most a few periods past it.
    const Frame frame = probe.last_frame.load();
    EXPECT_LT(std::llabs(backend->host_time_at_frame(frame) - probe.last_host_ns.load()), 1'000'000);
    const Frame now = backend->frame_at_host_time(monotonic_now_ns());
    EXPECT_GE(now, frame - 128);
    EXPECT_LE(now, frame + 10 * 128);
    backend->stop();
    const std::int64_t cycles = probe.cycles.load();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(probe.cycles.load(), cycles) << "process() ran after stop()";
}

TEST_F(RtAudioBackendTest, an_underflow_moves_the_frame_clock_on_by_the_periods_it_skipped) {
    auto backend = open_default();
    ASSERT_NE(backend, nullptr);
    FrameClockProbe probe(128);
    std::string error;
    ASSERT_TRUE(backend->start(probe, &error)) << error;
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= 400; }));  // the model has locked
    probe.stall_once = true;                                              // 40 ms: 15 periods of 2.67 ms
    ASSERT_TRUE(eventually([&] { return backend->xruns() > 0; })) << "no underflow reported";
    const std::int64_t cycles = probe.cycles.load();
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= cycles + 100; }));
    backend->stop();
    EXPECT_EQ(probe.bad_steps.load(), 0);
    // The frame clock kept pace with time across the stall: it jumped by about the periods missed.
    EXPECT_GE(probe.largest_jump.load(), 10 * 128);
    EXPECT_LE(probe.largest_jump.load(), 20 * 128);
}

// MIDI through RtMidi opens with the stream. Without an ALSA sequencer (no /dev/snd/seq, as on the
// test machines) the backend says why in one line and plays on without MIDI; with one, the blocks
// carry MIDI buffers.
TEST_F(RtAudioBackendTest, runs_without_midi_when_there_is_no_midi_system_and_says_why) {
    auto backend = open_default();
    ASSERT_NE(backend, nullptr);
    const std::string status = backend->midi_status();
    EXPECT_EQ(status.find('\n'), std::string::npos) << status;
    struct MidiProbe : AudioCallback {
        void process(const AudioBlock& block) override {
            if (block.midi_out) has_midi_out = true;
            std::fill(block.left, block.left + block.frames, 0.0f);
            std::fill(block.right, block.right + block.frames, 0.0f);
            cycles.fetch_add(1);
        }
        std::atomic<int> cycles{0};
        std::atomic<bool> has_midi_out{false};
    } probe;
    std::string error;
    ASSERT_TRUE(backend->start(probe, &error)) << error;
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= 100; })) << "the audio must run on";
    backend->stop();
    struct stat info {};
    if (::stat("/dev/snd/seq", &info) == 0) {
        EXPECT_EQ(status.rfind("MIDI: ", 0), 0u) << status;
        EXPECT_TRUE(probe.has_midi_out.load());
    } else {
        EXPECT_EQ(status,
                  "no MIDI: no ALSA sequencer (/dev/snd/seq: No such file or directory); running without "
                  "MIDI input and output");
        EXPECT_FALSE(probe.has_midi_out.load());
    }
}

}  // namespace
}  // namespace tactus
