// Timetag accuracy through JACK: how close the frame tactusd assigns to a bundle's timetag is to that
// timetag in wall time. Moved here from tests/jack/timestamped_bundles.test.cpp (issue 12): it measures
// JACK's time<->frame estimate (a DLL over the driver's wakeups), which on an idle virtual machine
// wanders by tens of milliseconds and on a busy one is as good as the scheduler lets it be. The test
// keeps what is correctness (the note sounds on the reported frame; late commands say so).
//
//   bench_timetag_accuracy [bundles=200] [ahead_ms=100]
//
// Each /note/on goes in a bundle timetagged `ahead_ms` ahead (CLOCK_REALTIME), 60 ms apart. The reply's
// frame is turned into JACK's time (jack_frames_to_time, µs) as soon as the reply arrives, and into
// CLOCK_REALTIME by bracketing jack_get_time() between two CLOCK_REALTIME readings. Printed: the error
// |JACK time of the reported frame - timetag| at p50/p99/max, how many bundles were applied late, and
// for how many the onset in the recording is exactly the reported frame.
#include <jack/jack.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "latency_rig.h"
#include "support/jack_recorder.h"
#include "support/tactusd_process.h"

using namespace std::chrono_literals;
using namespace tactus;
using namespace tactus::test;

namespace {

// CLOCK_REALTIME ns minus JACK's clock (jack_get_time() µs, as ns): the tightest of a few brackets.
std::int64_t realtime_minus_jack_ns() {
    std::int64_t best_span = std::numeric_limits<std::int64_t>::max();
    std::int64_t offset = 0;
    for (int i = 0; i < 16; ++i) {
        const std::int64_t before = realtime_now_ns();
        const jack_time_t us = jack_get_time();
        const std::int64_t after = realtime_now_ns();
        if (after - before < best_span) {
            best_span = after - before;
            // jack_get_time() truncates to whole µs: its instant is on average 500 ns after `us`.
            offset = before + (after - before) / 2 - (static_cast<std::int64_t>(us) * 1000 + 500);
        }
    }
    return offset;
}

}  // namespace

int main(int argc, char** argv) {
    const int bundles = argc > 1 ? std::stoi(argv[1]) : 200;
    const int ahead_ms = argc > 2 ? std::stoi(argv[2]) : 100;
    bench::LatencyRig rig(128, false);
    if (!rig.ok()) return 1;
    OscTestClient client;
    std::string error;
    if (!client.open(rig.tactusd().port(), &error)) return std::fprintf(stderr, "%s\n", error.c_str()), 1;
    const std::string path = rig.save_click_track("timetag");
    if (path.empty()) return 1;
    auto loaded = client.call("/load", osc().s(path));
    std::filesystem::remove(path);
    if (!loaded || loaded->is_error()) return std::fprintf(stderr, "/load failed\n"), 1;
    JackRecorder* recorder = rig.start_recorder(bundles * 0.06 + 5);
    if (!recorder) return 1;
    std::this_thread::sleep_for(200ms);

    struct Sample {
        std::int64_t frame = 0, late = 0, error_ns = 0;
    };
    std::vector<std::int64_t> timetags;
    std::vector<Sample> samples;
    const auto start = std::chrono::steady_clock::now();
    auto collect_until = [&](std::chrono::steady_clock::time_point until) {
        while (std::chrono::steady_clock::now() < until) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                until - std::chrono::steady_clock::now());
            auto r = client.wait_reply("/note/on", std::max(left, 1ms));
            if (!r || r->types != "shi") continue;
            Sample s;
            s.frame = r->integer(1);
            s.late = r->integer(2);
            const jack_time_t us =
                jack_frames_to_time(recorder->client(), static_cast<jack_nframes_t>(s.frame));
            s.error_ns =
                static_cast<std::int64_t>(us) * 1000 + realtime_minus_jack_ns() - timetags.at(samples.size());
            samples.push_back(s);
        }
    };
    for (int k = 0; k < bundles; ++k) {
        collect_until(start + k * 60ms);
        const std::int64_t timetag = realtime_now_ns() + std::int64_t(ahead_ms) * 1'000'000;
        timetags.push_back(timetag);
        std::vector<std::pair<std::string, OscOutgoing>> on;
        on.emplace_back("/note/on", osc().i(1).i(72 + k % 12).i(100));
        client.send_bundle(ntp_timetag_from_unix_ns(timetag), std::move(on));
        std::vector<std::pair<std::string, OscOutgoing>> off;
        off.emplace_back("/note/off", osc().i(1).i(72 + k % 12));
        client.send_bundle(ntp_timetag_from_unix_ns(timetag + 25'000'000), std::move(off));
    }
    collect_until(std::chrono::steady_clock::now() + 1s);
    if (samples.empty()) return std::fprintf(stderr, "no /note/on replies\n"), 1;
    recorder->wait_until_recorded(samples.back().frame + 4800, 10s);
    recorder->stop();

    int late = 0, exact = 0, observed = 0;
    std::vector<double> errors_us;
    for (const Sample& s : samples) {
        late += s.late != 0;
        errors_us.push_back(std::abs(double(s.error_ns)) / 1000.0);
        const OnsetScan scan = recorder->onsets(0, s.frame - 2400);
        if (const auto onset = bench::first_onset(scan.onsets, s.frame - 2400, s.frame + 2400)) {
            ++observed;
            exact += *onset == s.frame;
        }
    }
    const bench::Percentiles e = bench::percentiles(errors_us);
    std::printf(
        "%zu of %d bundles answered (%d ms ahead), %d applied late; onset == reported frame for %d of %d "
        "observed\n",
        samples.size(), bundles, ahead_ms, late, exact, observed);
    std::printf("|JACK time of the reported frame - timetag|: median %.1f us  p99 %.1f us  max %.1f us\n",
                e.median, e.p99, e.max);
    return 0;
}
