// The JACK backend (audio/jack_backend.h) against a real JACK server with no hardware (jackd -d dummy,
// started by each test under its own name): it takes the server's rate and period, its frame clock
// advances by one period per cycle (or whole periods across an xrun), host time is CLOCK_MONOTONIC and
// maps to frames and back, another JACK client connected to its ports receives exactly what the callback
// wrote, xruns are counted, and a server that goes away or was never there is reported, not crashed on.

#include "audio/jack_backend.h"

#include <gtest/gtest.h>
#include <jack/jack.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>
#include <thread>

#include "support/jack_server.h"

namespace tactus {
namespace {

using namespace std::chrono_literals;

// The test signal: a ramp keyed on the frame clock, exact in float (k / 2^20 for k < 2^20). A listener
// that knows the frame time of its cycle knows every sample it must receive.
float ramp(std::uint64_t frame) {
    return static_cast<float>(frame & 0xFFFFFu) * (1.0f / 1048576.0f);
}

// The engine's stand-in: writes the ramp, and checks the frame clock and host time of every cycle.
// Everything it records is an atomic or a preallocated array: it runs on JACK's realtime thread.
class RampCallback : public AudioCallback {
public:
    RampCallback(const JackBackend& backend, int period) : backend_(backend), period_(period) {}

    void process(const AudioBlock& block) override {
        const std::int64_t entered = monotonic_now_ns();
        if (cycles.load() > 0) {
            const Frame step = block.frame_time - expected_;
            if (step != 0) ++jumps;
            // Whole periods only. Right after a stall JACK has been seen to hand the same frame time
            // twice (a step of -period): that is JACK's clock, not ours, so it is not counted.
            if (step % period_ != 0) ++bad_steps;
        }
        expected_ = block.frame_time + block.frames;
        if (block.frames != period_) ++wrong_sizes;
        // host_time_at_frame() reads JACK's timer as it is at the call; once the server has started
        // the next cycle (this one is late: a loaded machine) it reads the next cycle's timer. Only a
        // check that both began and ended inside its own cycle is judged.
        const bool timer_before = backend_.timer_cycle_frame() == block.frame_time;
        const bool mismatch =
            std::llabs(backend_.host_time_at_frame(block.frame_time) - block.host_time_ns) > 1000;
        if (timer_before && backend_.timer_cycle_frame() == block.frame_time) {
            ++host_time_judged;
            if (mismatch) ++host_time_mismatches;
        }
        const auto n = static_cast<std::size_t>(cycles.load());
        if (n < lateness_ns.size()) lateness_ns[n] = entered - block.host_time_ns;
        for (int i = 0; i < block.frames; ++i) {
            block.left[i] = ramp(static_cast<std::uint64_t>(block.frame_time + i));
            block.right[i] = -ramp(static_cast<std::uint64_t>(block.frame_time + i));
        }
        if (stall_once.exchange(false)) std::this_thread::sleep_for(40ms);  // provoke an xrun
        cycles.fetch_add(1);
    }

    std::atomic<std::int64_t> cycles{0}, jumps{0}, bad_steps{0}, wrong_sizes{0}, host_time_mismatches{0},
        host_time_judged{0};
    std::atomic<bool> stall_once{false};
    // monotonic_now_ns() at callback entry minus the block's host time, for the first cycles.
    std::array<std::int64_t, 2048> lateness_ns{};

private:
    const JackBackend& backend_;
    const int period_;
    Frame expected_ = 0;
};

// The test's own JACK client, "tactus-test-listener": two inputs, connected to the backend's outputs.
// In each cycle it compares what it received with the ramp for its own frame time.
class Listener {
public:
    explicit Listener(const std::string& server) {
        jack_status_t status{};
        client_ = jack_client_open("tactus-test-listener",
                                   static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
                                   server.c_str());
        if (!client_) return;
        inputs_[0] = jack_port_register(client_, "in_left", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        inputs_[1] = jack_port_register(client_, "in_right", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        jack_set_process_callback(client_, &Listener::on_process, this);
        jack_set_xrun_callback(client_, &Listener::on_xrun, this);
    }
    ~Listener() {
        if (client_) {
            jack_deactivate(client_);
            jack_client_close(client_);
        }
    }

    bool open() const { return client_ && inputs_[0] && inputs_[1]; }
    bool activate_and_connect(const JackBackend& backend) {
        if (jack_activate(client_) != 0) return false;
        return jack_connect(client_, backend.port_name(0).c_str(), jack_port_name(inputs_[0])) == 0 &&
               jack_connect(client_, backend.port_name(1).c_str(), jack_port_name(inputs_[1])) == 0;
    }

    // Cycles before the first that matched (before and while the connection is made), cycles that
    // matched, cycles that did not although an earlier one had.
    std::atomic<std::int64_t> warmup{0}, matched{0}, mismatched{0}, xruns{0};

private:
    static int on_process(jack_nframes_t frames, void* arg) {
        auto& self = *static_cast<Listener*>(arg);
        const jack_nframes_t frame_time = jack_last_frame_time(self.client_);
        const auto* left = static_cast<const float*>(jack_port_get_buffer(self.inputs_[0], frames));
        const auto* right = static_cast<const float*>(jack_port_get_buffer(self.inputs_[1], frames));
        bool all = true;
        for (jack_nframes_t i = 0; i < frames && all; ++i) {
            const std::uint64_t f = frame_time + i;
            all = left[i] == ramp(f) && right[i] == -ramp(f);
        }
        if (all) {
            ++self.matched;
        } else if (self.matched.load() > 0) {
            ++self.mismatched;
        } else {
            ++self.warmup;
        }
        return 0;
    }
    static int on_xrun(void* arg) {
        ++static_cast<Listener*>(arg)->xruns;
        return 0;
    }

    jack_client_t* client_ = nullptr;
    jack_port_t* inputs_[2] = {nullptr, nullptr};
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

class JackBackendTest : public ::testing::Test {
protected:
    void SetUp() override {
        server_ = std::make_unique<test::JackServer>();
        ASSERT_TRUE(server_->running()) << server_->error();
    }

    AudioBackendOptions jack(const std::string& device = "") const {
        AudioBackendOptions options;
        options.kind = "jack";
        options.jack_server = server_->name();
        options.device = device;
        options.client_name = "tactusd";
        options.sample_rate = 44100;  // ignored: JACK's rate is the server's
        options.period = 1024;        // ditto
        return options;
    }

    std::unique_ptr<JackBackend> open(const std::string& device = "") const {
        std::string error;
        auto backend = JackBackend::open(jack(device), &error);
        EXPECT_NE(backend, nullptr) << error;
        return backend;
    }

    std::unique_ptr<test::JackServer> server_;  // declared first: outlives the backends of a test
};

TEST_F(JackBackendTest, takes_rate_and_period_from_the_server_and_advances_frames_by_periods) {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    EXPECT_EQ(backend->sample_rate(), 48000);
    EXPECT_EQ(backend->period(), 128);
    EXPECT_NE(backend->description().find(server_->name()), std::string::npos) << backend->description();

    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;
    // On a busy machine many cycles run late and cannot judge the host time: run until 100 could.
    ASSERT_TRUE(eventually(
        [&] { return callback.cycles.load() >= 200 && callback.host_time_judged.load() >= 100; }, 120s))
        << callback.cycles.load() << " cycles, " << callback.host_time_judged.load() << " judged";
    backend->stop();
    const std::int64_t cycles = callback.cycles.load();
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(callback.cycles.load(), cycles) << "process() ran after stop()";

    EXPECT_EQ(callback.bad_steps.load(), 0);
    EXPECT_LE(callback.jumps.load(), backend->xruns());  // only an xrun may move the clock on
    EXPECT_EQ(callback.wrong_sizes.load(), 0);
    // A block's host time is its cycle's wakeup, the same instant host_time_at_frame() gives for its
    // first frame while the cycle runs.
    EXPECT_EQ(callback.host_time_mismatches.load(), 0) << "of " << callback.host_time_judged.load();
    EXPECT_FALSE(backend->server_lost());
    EXPECT_FALSE(backend->ended());
}

TEST_F(JackBackendTest, host_time_is_clock_monotonic_and_maps_to_frames_and_back) {
    auto backend = open("none");
    ASSERT_NE(backend, nullptr);
    // JACK 2 on Linux times cycles with CLOCK_MONOTONIC_RAW (1.9.21) or CLOCK_MONOTONIC; either way the
    // backend converts to CLOCK_MONOTONIC.
    EXPECT_EQ(backend->jack_clock().rfind("CLOCK_MONOTONIC", 0), 0u) << backend->jack_clock();
    RecordProperty("jack_clock", backend->jack_clock());
    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;
    ASSERT_TRUE(eventually([&] { return callback.cycles.load() >= 300; }, 30s));

    // A block's host time is the start of its cycle, so the callback runs after it, never before: a
    // host time from another clock (CLOCK_REALTIME, or µs taken for ns) would be off by far more than
    // any scheduling delay. How late the callback runs is the host's timing, not correctness: its
    // median is reported here and measured by bench/rtaudio_clock_model.
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(callback.cycles.load(), 2048));
    std::vector<std::int64_t> lateness(callback.lateness_ns.begin(), callback.lateness_ns.begin() + n);
    std::sort(lateness.begin(), lateness.end());
    const std::int64_t median = lateness[lateness.size() / 2];
    RecordProperty("median_callback_lateness_ns", std::to_string(median));
    EXPECT_GT(median, -1'000'000) << "median lateness " << median << " ns";
    EXPECT_LT(median, 1'000'000'000) << "median lateness " << median << " ns: not the same clock";

    // Now is about the current cycle, and every frame within 10 s maps back to itself.
    const std::int64_t now = monotonic_now_ns();
    const Frame current = backend->frame_at_host_time(now);
    std::int64_t now_back = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {
        now_back = backend->host_time_at_frame(backend->frame_at_host_time(now));
        if (std::llabs(now_back - now) < 1'000'000) break;
    }
    EXPECT_LT(std::llabs(now_back - now), 1'000'000) << "now maps to a frame that maps back elsewhere";
    // Each direction reads JACK's clock filter (DLL) as it is at that call; a cycle starting between
    // the two calls may move it (on a loaded machine by tens of frames), so a pair that disagrees is
    // asked again: a wrong conversion disagrees every time, a moved filter only once.
    int off = 0;
    for (Frame f = current - 480000; f <= current + 480000; f += 1237) {
        Frame back = 0;
        for (int attempt = 0; attempt < 3; ++attempt) {
            back = backend->frame_at_host_time(backend->host_time_at_frame(f));
            if (std::llabs(back - f) <= 1) break;
        }
        if (std::llabs(back - f) > 1 && off++ < 5) ADD_FAILURE() << "frame " << f << " came back as " << back;
    }
    EXPECT_EQ(off, 0);
    // One second of host time is 48000 frames: µs and ns are not mixed up anywhere. (Tolerance 5%:
    // a second after start, JACK's DLL is still settling, more so on a busy or idle virtual machine;
    // a unit mixed up is off by a factor of 1000.)
    EXPECT_NEAR(static_cast<double>(backend->frame_at_host_time(now + 1'000'000'000) - current), 48000.0,
                2400.0);
    backend->stop();
}

TEST_F(JackBackendTest, a_second_client_connected_to_the_outputs_receives_the_samples_written) {
    auto backend = open("none");
    ASSERT_NE(backend, nullptr);
    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;

    Listener listener(server_->name());
    ASSERT_TRUE(listener.open());
    ASSERT_TRUE(listener.activate_and_connect(*backend));
    ASSERT_TRUE(eventually([&] { return listener.matched.load() >= 300; }, 30s))
        << "matched " << listener.matched.load() << ", warm-up " << listener.warmup.load() << ", mismatched "
        << listener.mismatched.load();
    // Every cycle after the connection took effect carried the ramp, except cycles lost to an xrun.
    EXPECT_LE(listener.mismatched.load(), listener.xruns.load());
    backend->stop();
}

TEST_F(JackBackendTest, connects_to_the_physical_playback_ports_and_reports_their_latency) {
    auto backend = open();
    ASSERT_NE(backend, nullptr);
    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;
    jack_status_t status{};
    jack_client_t* observer = jack_client_open(
        "tactus-test-observer", static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
        server_->name().c_str());
    ASSERT_NE(observer, nullptr);
    for (const int channel : {0, 1}) {
        const std::string mine = backend->port_name(channel);
        const std::string system = "system:playback_" + std::to_string(channel + 1);
        EXPECT_TRUE(jack_port_connected_to(jack_port_by_name(observer, mine.c_str()), system.c_str()))
            << mine << " -> " << system;
    }
    jack_client_close(observer);
    // The dummy driver's playback ports add one period of latency.
    EXPECT_TRUE(eventually([&] { return backend->output_latency_frames() >= 128; }))
        << backend->output_latency_frames();
    backend->stop();
}

TEST_F(JackBackendTest, connects_to_the_named_ports_and_refuses_unknown_ones) {
    {
        auto backend = open("system:playback_2, system:playback_1");
        ASSERT_NE(backend, nullptr);
        RampCallback callback(*backend, 128);
        std::string error;
        EXPECT_TRUE(backend->start(callback, &error)) << error;
        backend->stop();
    }
    auto backend = open("system:no_such_port");
    ASSERT_NE(backend, nullptr);
    RampCallback callback(*backend, 128);
    std::string error;
    EXPECT_FALSE(backend->start(callback, &error));
    EXPECT_NE(error.find("system:no_such_port"), std::string::npos) << error;
}

TEST_F(JackBackendTest, counts_an_xrun_and_keeps_the_frame_clock_on_whole_periods) {
    auto backend = open("none");
    ASSERT_NE(backend, nullptr);
    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;
    ASSERT_TRUE(eventually([&] { return callback.cycles.load() >= 50; }, 30s));
    const std::int64_t before = backend->xruns();
    callback.stall_once = true;  // 40 ms in one 2.67 ms cycle
    EXPECT_TRUE(eventually([&] { return backend->xruns() > before; })) << "no xrun reported";
    const std::int64_t cycles = callback.cycles.load();
    ASSERT_TRUE(eventually([&] { return callback.cycles.load() >= cycles + 100; }, 30s));
    backend->stop();
    EXPECT_EQ(callback.bad_steps.load(), 0);
    EXPECT_FALSE(backend->server_lost());
}

TEST_F(JackBackendTest, reports_a_server_that_goes_away) {
    auto backend = open("none");
    ASSERT_NE(backend, nullptr);
    RampCallback callback(*backend, 128);
    std::string error;
    ASSERT_TRUE(backend->start(callback, &error)) << error;
    ASSERT_TRUE(eventually([&] { return callback.cycles.load() >= 10; }));
    server_->stop();
    EXPECT_TRUE(eventually([&] { return backend->server_lost(); })) << "no shutdown callback";
    EXPECT_TRUE(backend->ended());
    EXPECT_NE(backend->description().find("server lost"), std::string::npos);
    // Queries still answer (extrapolating from the last cycle), and stop/destruction do not hang.
    const Frame f = backend->frame_at_host_time(monotonic_now_ns());
    EXPECT_EQ(backend->frame_at_host_time(backend->host_time_at_frame(f)), f);
    EXPECT_FALSE(backend->start(callback, &error));
    backend->stop();
    backend.reset();
}

TEST(JackBackendNoServerTest, a_server_that_is_not_running_is_named_in_the_error) {
    const std::string name = "tactus-test-absent-" + std::to_string(getpid());
    AudioBackendOptions options;
    options.kind = "jack";
    options.jack_server = name;
    std::string error;
    EXPECT_EQ(open_audio_backend(options, &error), nullptr);
    EXPECT_EQ(error.rfind("jack: ", 0), 0u) << error;
    EXPECT_NE(error.find("'" + name + "'"), std::string::npos) << error;
}

}  // namespace
}  // namespace tactus
