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
        const std::int64_t entered = monotonic_now_ns();
        if (cycles.load() > 0) {
            const Frame step = block.frame_time - expected_;
            if (step < 0 || step % period_ != 0) ++bad_steps;
            if (step > 0) ++jumps;
            if (step > largest_jump.load()) {
                largest_jump.store(step);
                largest_jump_entry_gap_ns.store(entered - last_entered_);
            }
        }
        last_entered_ = entered;
        expected_ = block.frame_time + block.frames;
        last_frame.store(block.frame_time);
        last_host_ns.store(block.host_time_ns);
        for (int i = 0; i < block.frames; ++i) block.left[i] = block.right[i] = 0.0f;
        if (stall_once.exchange(false)) std::this_thread::sleep_for(40ms);
        cycles.fetch_add(1);
    }

    std::atomic<std::int64_t> cycles{0}, bad_steps{0}, jumps{0}, largest_jump{0};
    // Between the entries of the callbacks before and at the largest jump (CLOCK_MONOTONIC ns).
    std::atomic<std::int64_t> largest_jump_entry_gap_ns{0};
    std::atomic<Frame> last_frame{0};
    std::atomic<std::int64_t> last_host_ns{0};
    std::atomic<bool> stall_once{false};

private:
    const int period_;
    Frame expected_ = 0;
    std::int64_t last_entered_ = 0;
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
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= 600; }, 30s));  // 1.6 s when idle
    // Frames advance by whole periods, and only an xrun (an underflow RtAudio reported, counted by the
    // backend) moves the clock on: a busy machine may cause some, each explains one jump.
    EXPECT_EQ(probe.bad_steps.load(), 0);
    EXPECT_LE(probe.jumps.load(), backend->xruns())
        << "frame jumps without an xrun (largest " << probe.largest_jump.load() << " frames)";
    RecordProperty("realtime_thread", backend->realtime_thread() ? "yes" : "no");
    RecordProperty("xruns", static_cast<int>(backend->xruns()));

    // The model maps frames to host times and back consistently (how close its host times are to the
    // callbacks' is accuracy, measured by bench/rtaudio_clock_model). Each direction reads the model
    // as it is at that call; a block arriving between the two may move it, so a pair that disagrees is
    // asked again: a wrong conversion disagrees every time.
    const Frame frame = probe.last_frame.load();
    for (Frame f = frame - 48000; f <= frame + 48000; f += 4801) {
        Frame back = 0;
        for (int attempt = 0; attempt < 3; ++attempt) {
            back = backend->frame_at_host_time(backend->host_time_at_frame(f));
            if (std::llabs(back - f) <= 1) break;
        }
        EXPECT_LE(std::llabs(back - f), 1)
            << "frame " << f << " maps to a host time that maps back to " << back;
    }
    // Later host times map to later frames.
    const std::int64_t t = monotonic_now_ns();
    EXPECT_LE(backend->frame_at_host_time(t), backend->frame_at_host_time(t + 10'000'000));
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
    ASSERT_TRUE(eventually([&] { return probe.cycles.load() >= cycles + 100; }, 30s));
    backend->stop();
    EXPECT_EQ(probe.bad_steps.load(), 0);
    // The frame clock moved on across the stall: at least the periods of the 40 ms stall (15, less
    // the one that was late) were skipped. How many more a busy machine added, and how close the
    // backend's estimate of them is to the time that passed, is the host's timing and the clock
    // model's accuracy (bench/clock_model_accuracy), not judged here.
    const std::int64_t jump = probe.largest_jump.load();
    const std::int64_t gap_frames = probe.largest_jump_entry_gap_ns.load() * 48 / 1'000'000 - 128;
    EXPECT_GE(jump, 10 * 128);
    EXPECT_LE(probe.jumps.load(), backend->xruns()) << "frame jumps without an xrun";
    RecordProperty("largest_jump", static_cast<int>(jump));
    RecordProperty("largest_jump_elapsed_frames", static_cast<int>(gap_frames));
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
