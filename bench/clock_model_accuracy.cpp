// Clock-model accuracy of the audio backends on a live JACK dummy server: how far the backend's mapping
// host time <-> frame is from the callbacks as they actually run. Moved here from
// tests/audio/rtaudio_backend.test.cpp and jack_backend.test.cpp (issue 12): these figures are the
// host's scheduling (callback wakeup jitter, an idle virtual machine's irregular timer), not
// correctness; the tests keep the mapping's consistency (round trips, jumps only with xruns).
//
//   bench_clock_model_accuracy [rtaudio|jack] [seconds=10]
//
// A callback stores each block's frame and CLOCK_MONOTONIC at its entry; the control thread samples
// every 10 ms: (a) |host_time_at_frame(latest block frame) - that block's entry time| and (b)
// frame_at_host_time(now) - latest block frame, in periods; and (c) the callbacks' lateness behind the
// block's host time (entry - host_time_ns: for JACK, JACK's filtered cycle start; for RtAudio, 0 by
// construction). Printed as median / p99 / max, with the xruns counted.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audio/jack_backend.h"
#include "audio/rtaudio_backend.h"
#include "support/jack_server.h"

using namespace std::chrono_literals;
using namespace tactus;

namespace {

struct Probe : AudioCallback {
    void process(const AudioBlock& block) override {
        const std::int64_t entered = monotonic_now_ns();
        std::fill(block.left, block.left + block.frames, 0.0f);
        std::fill(block.right, block.right + block.frames, 0.0f);
        const std::size_t n = count.load(std::memory_order_relaxed);
        if (n < lateness_ns.size()) lateness_ns[n] = entered - block.host_time_ns;
        // A sequence number around the pair, so the reader takes a consistent one.
        sequence.fetch_add(1, std::memory_order_acq_rel);
        frame.store(block.frame_time, std::memory_order_relaxed);
        entered_ns.store(entered, std::memory_order_relaxed);
        sequence.fetch_add(1, std::memory_order_acq_rel);
        count.store(n + 1, std::memory_order_release);
    }
    std::vector<std::int64_t> lateness_ns = std::vector<std::int64_t>(1 << 20);
    std::atomic<std::size_t> count{0};
    std::atomic<std::uint64_t> sequence{0};
    std::atomic<Frame> frame{0};
    std::atomic<std::int64_t> entered_ns{0};
};

void print(const char* what, std::vector<double> v, const char* unit) {
    if (v.empty()) return;
    std::sort(v.begin(), v.end());
    std::printf("%-52s median %9.1f  p99 %9.1f  max %9.1f %s (%zu samples)\n", what, v[v.size() / 2],
                v[std::min(v.size() - 1, v.size() * 99 / 100)], v.back(), unit, v.size());
}

}  // namespace

int main(int argc, char** argv) {
    const std::string kind = argc > 1 ? argv[1] : "rtaudio";
    const int seconds = argc > 2 ? std::atoi(argv[2]) : 10;
    test::JackServer server;
    if (!server.running()) return std::fprintf(stderr, "jackd: %s\n", server.error().c_str()), 1;
    AudioBackendOptions options;
    options.sample_rate = 48000;
    options.period = 128;
    std::unique_ptr<AudioBackend> backend;
    std::string error;
    if (kind == "jack") {
        options.kind = "jack";
        options.jack_server = server.name();
        options.device = "none";
        options.client_name = "tactusd";
        backend = JackBackend::open(options, &error);
    } else {
        setenv("JACK_DEFAULT_SERVER", server.name().c_str(), 1);
        options.kind = "default";
        for (int attempt = 0; attempt < 5 && !backend; ++attempt) {
            backend = RtAudioBackend::open(options, &error);
            if (!backend) std::this_thread::sleep_for(100ms);
        }
    }
    if (!backend) return std::fprintf(stderr, "%s backend: %s\n", kind.c_str(), error.c_str()), 1;
    Probe probe;
    if (!backend->start(probe, &error)) return std::fprintf(stderr, "start: %s\n", error.c_str()), 1;
    std::this_thread::sleep_for(1500ms);  // the model locks (as the tests wait 600 cycles)

    std::vector<double> model_error_us, now_periods;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(10ms);
        Frame frame = 0;
        std::int64_t entered = 0;
        for (;;) {
            const std::uint64_t s = probe.sequence.load(std::memory_order_acquire);
            if (s % 2) continue;
            frame = probe.frame.load(std::memory_order_relaxed);
            entered = probe.entered_ns.load(std::memory_order_relaxed);
            if (probe.sequence.load(std::memory_order_acquire) == s) break;
        }
        model_error_us.push_back(std::abs(double(backend->host_time_at_frame(frame) - entered)) / 1000.0);
        now_periods.push_back(double(backend->frame_at_host_time(monotonic_now_ns()) - frame) / 128.0);
    }
    backend->stop();
    const std::size_t n = std::min(probe.count.load(), probe.lateness_ns.size());
    std::vector<double> lateness_us;
    for (std::size_t i = 1500 * 48 / 128; i < n; ++i)
        lateness_us.push_back(double(probe.lateness_ns[i]) / 1000.0);
    std::printf("%s backend, %d s after a 1.5 s lock-in, %lld xruns\n", kind.c_str(), seconds,
                static_cast<long long>(backend->xruns()));
    print("|host_time_at_frame(latest block) - its callback entry|", model_error_us, "us");
    print("frame_at_host_time(now) - latest block frame", now_periods, "periods");
    print("callback entry - block host time", lateness_us, "us");
    return 0;
}
