// Audition latency through JACK: from the moment a client sends an untimestamped /note/on to the
// note's first sample in tactusd's JACK output, measured on JACK's own clock. Starts a private
// `jackd -d dummy` at the given period, tactusd, and a recorder (bench/latency_rig.h); sends N notes
// one at a time.
//
//   bench_audition_latency [period=128] [notes=200] [--asap]
//
// The send time is jack_get_time() just before the datagram leaves; the note's time is
// jack_frames_to_time() of its onset frame (asked at once: JACK's period estimate drifts). The
// onset is checked in the recording to be exactly the frame tactusd reported.
#include <jack/jack.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "latency_rig.h"
#include "support/jack_recorder.h"
#include "support/tactusd_process.h"

using namespace std::chrono_literals;
using namespace tactus;
using namespace tactus::test;

int main(int argc, char** argv) {
    int period = 128, notes = 200;
    bool asap = false;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--asap") == 0)
            asap = true;
        else
            positional.emplace_back(argv[i]);
    }
    if (positional.size() > 0) period = std::stoi(positional[0]);
    if (positional.size() > 1) notes = std::stoi(positional[1]);

    bench::LatencyRig rig(period, asap);
    if (!rig.ok()) return 1;
    OscTestClient client;
    std::string error;
    if (!client.open(rig.tactusd().port(), &error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;

    const std::string path = rig.save_click_track("latency");
    if (path.empty()) return 1;
    auto loaded = client.call("/load", osc().s(path));
    std::filesystem::remove(path);
    if (!loaded || loaded->is_error()) return std::fprintf(stderr, "/load failed\n"), 1;

    JackRecorder* recorder = rig.start_recorder(notes * 0.12 + 5);
    if (!recorder) return 1;
    std::this_thread::sleep_for(200ms);

    struct Sample {
        std::int64_t frame;
        double latency_us;
    };
    std::vector<Sample> samples;
    for (int i = 0; i < notes; ++i) {
        const jack_time_t sent = jack_get_time();
        client.send("/note/on", osc().i(1).i(72).i(100));
        auto reply = client.wait_reply("/note/on", 2000ms);
        if (!reply || reply->is_error()) return std::fprintf(stderr, "no /note/on reply\n"), 1;
        const std::int64_t frame = reply->integer(1);
        const jack_time_t heard = jack_frames_to_time(recorder->client(), static_cast<jack_nframes_t>(frame));
        samples.push_back({frame, double(std::int64_t(heard) - std::int64_t(sent))});
        std::this_thread::sleep_for(20ms);
        client.call("/note/off", osc().i(1).i(72), 2000ms);
        std::this_thread::sleep_for(std::chrono::milliseconds(40 + (i * 7) % 23));  // vary the phase
    }
    recorder->wait_until_recorded(samples.back().frame + 4800, 5s);
    recorder->stop();

    int exact = 0, unobservable = 0;
    std::vector<double> latencies;
    for (const Sample& s : samples) {
        const OnsetScan scan = recorder->onsets(0, s.frame - 2400);
        const auto onset = bench::first_onset(scan.onsets, s.frame - 2400, s.frame + 2400);
        if (!onset) {
            ++unobservable;
            continue;
        }
        if (*onset == s.frame) ++exact;
        latencies.push_back(s.latency_us);
    }
    if (latencies.empty()) return std::fprintf(stderr, "no onsets observed\n"), 1;
    const bench::Percentiles latency = bench::percentiles(latencies);
    std::printf(
        "period %d (%.2f ms) %s: %zu notes observed (%d in lost cycles), onset == reported frame for %d\n",
        period, period * 1000.0 / 48000, asap ? "--immediate asap" : "--immediate 2 periods",
        latencies.size(), unobservable, exact);
    std::printf(
        "audition latency, send -> first sample (JACK clock): min %.2f ms  median %.2f ms  p99 %.2f ms  max "
        "%.2f ms\n",
        latency.min / 1000, latency.median / 1000, latency.p99 / 1000, latency.max / 1000);
    return 0;
}
