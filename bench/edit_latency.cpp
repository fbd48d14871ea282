// Edit latency through JACK, in two parts.
//
// Edit-to-audible: from the moment a client sends the bundle a GUI sends when the user drops a note,
// [/note/add TRACK ID START LENGTH PITCH VEL, /note/audition ID] (untimestamped), to the auditioned
// note's first sample in tactusd's JACK output, on JACK's own clock. Over UDP and over TCP, one bundle
// at a time with the transport stopped (so the only sound is the audition), beside a plain /note/on
// over UDP measured the same way (what bench_audition_latency measures, as a baseline).
//
// Edit-to-reply (publish latency): with the demo playing in a loop, a /note/add 0.5 beat ahead of
// the play position (asked with /status just before), and its /note/delete; the wall time from send
// to the engine's /reply, which comes once the edited score has been handed to the audio thread. That
// the added note then sounds on its exact score frame is tested in tests/jack.
//
//   bench_edit_latency [--period 128] [--edits 200] [--asap]
//
// Starts a private `jackd -d dummy` at the given period, tactusd (with --immediate asap if asked),
// and a recorder that stamps every buffer with its JACK frame time (bench/latency_rig.h).
// The send time is jack_get_time() just before the packet leaves, turned into a frame at once with
// jack_time_to_frames (JACK's period estimate drifts); the onset is the first sound after it (after at
// least 64 zero samples) in the recording. Edits whose onset fell into cycles lost to an xrun are
// counted apart, not measured.
#include <jack/jack.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "latency_rig.h"
#include "osc_socket.h"
#include "support/jack_recorder.h"

using namespace std::chrono_literals;
using namespace tactus;
using namespace tactus::test;
using tactus::bench::Bytes;
using tactus::bench::Incoming;
using tactus::bench::OscSocket;

namespace {

using Clock = std::chrono::steady_clock;

// Waits for the /reply or /error whose first argument is `address`; other messages are dropped.
std::optional<Incoming> wait_reply(OscSocket& socket, const std::string& address,
                                   std::chrono::milliseconds timeout = 2000ms) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        auto packet = socket.receive(std::max(left, 1ms));
        if (!packet) continue;
        auto in = bench::parse_message(packet->data(), packet->size());
        if (!in) continue;
        if ((in->address == "/reply" || in->address == "/error") && in->first_string() == address) return in;
        if (address == "/status" && in->address == "/status") return in;
    }
    return std::nullopt;
}

std::optional<Incoming> call(OscSocket& socket, const char* address, lo_message m) {
    if (!socket.send(bench::serialise_message(address, m))) return std::nullopt;
    return wait_reply(socket, address);
}

void print_ms(const char* what, const bench::Percentiles& s) {
    std::printf("  %-58s n=%-4zu min %7.3f  median %7.3f  p99 %7.3f  max %7.3f ms\n", what, s.count,
                s.min / 1000, s.median / 1000, s.p99 / 1000, s.max / 1000);
}

struct Sent {
    std::int64_t frame;  // JACK frame at the send time
    int series;          // 0 note-on baseline, 1 edit over UDP, 2 edit over TCP
};

}  // namespace

int main(int argc, char** argv) {
    int period = 128, edits = 200;
    bool asap = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--asap") {
            asap = true;
        } else if (arg == "--period" && i + 1 < argc) {
            period = std::stoi(argv[++i]);
        } else if (arg == "--edits" && i + 1 < argc) {
            edits = std::stoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: bench_edit_latency [--period 128] [--edits 200] [--asap]\n");
            return 2;
        }
    }

    bench::LatencyRig rig(period, asap);
    if (!rig.ok()) return 1;
    std::string error;
    OscSocket udp, tcp;
    if (!udp.open(OscSocket::Proto::Udp, rig.tactusd().port(), &error) ||
        !tcp.open(OscSocket::Proto::Tcp, rig.tactusd().port(), &error))
        return std::fprintf(stderr, "%s\n", error.c_str()), 1;

    // A click track and no notes: only auditions sound.
    const std::string path = rig.save_click_track("edit-latency");
    if (path.empty()) return 1;
    {
        lo_message m = lo_message_new();
        lo_message_add_string(m, path.c_str());
        auto loaded = call(udp, "/load", m);
        std::filesystem::remove(path);
        if (!loaded || loaded->address != "/reply") return std::fprintf(stderr, "/load failed\n"), 1;
    }

    const int sample_rate = rig.server().sample_rate();
    JackRecorder* recorder = rig.start_recorder(3 * edits * 0.16 + 10);
    if (!recorder) return 1;
    std::this_thread::sleep_for(300ms);

    // ---- edit-to-audible (and the baseline /note/on) ----
    std::vector<Sent> sent;
    std::vector<double> reply_us[3];
    std::int64_t next_id = 1000000;
    for (int i = 0; i < edits * 3; ++i) {
        const int series = i % 3;  // interleaved, so that all three see the same machine
        Bytes packet;
        std::string address;
        const std::int64_t id = next_id++;
        if (series == 0) {
            lo_message on = lo_message_new();
            lo_message_add_int32(on, 1);
            lo_message_add_int32(on, 72);
            lo_message_add_int32(on, 100);
            packet = bench::serialise_message("/note/on", on);
            address = "/note/on";
        } else {
            lo_message add = lo_message_new();
            lo_message_add_int32(add, 1);
            lo_message_add_int64(add, id);
            lo_message_add_double(add, 1000.0 + double(i));  // far from anything; the transport is stopped
            lo_message_add_double(add, 0.05);                // auditioned for the minimum, 50 ms
            lo_message_add_int32(add, 72);
            lo_message_add_int32(add, 100);
            lo_message audition = lo_message_new();
            lo_message_add_int64(audition, id);
            packet = bench::serialise_bundle({{"/note/add", add}, {"/note/audition", audition}});
            address = "/note/add";
        }
        OscSocket& socket = series == 2 ? tcp : udp;
        const jack_time_t jack_sent = jack_get_time();
        const auto wall_sent = Clock::now();
        if (!socket.send(packet)) return std::fprintf(stderr, "send failed\n"), 1;
        const std::int64_t frame = jack_time_to_frames(recorder->client(), jack_sent);
        auto reply = wait_reply(socket, address);
        const auto wall_reply = Clock::now();
        if (!reply || reply->address != "/reply")
            return std::fprintf(stderr, "no reply to %s (%s)\n", address.c_str(),
                                reply ? reply->first_string().c_str() : "timeout"),
                   1;
        reply_us[series].push_back(std::chrono::duration<double, std::micro>(wall_reply - wall_sent).count());
        sent.push_back({frame, series});
        if (series == 0) {
            std::this_thread::sleep_for(50ms);
            lo_message off = lo_message_new();
            lo_message_add_int32(off, 1);
            lo_message_add_int32(off, 72);
            call(udp, "/note/off", off);
        } else {
            std::this_thread::sleep_for(50ms);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(70 + (i * 7) % 23));  // vary the phase
    }
    recorder->wait_until_recorded(sent.back().frame + sample_rate / 5, 5s);
    recorder->stop();

    std::vector<double> audible_us[3];
    int lost[3] = {0, 0, 0};
    const OnsetScan scan = recorder->onsets(0, sent.front().frame - sample_rate / 10);
    for (const Sent& s : sent) {
        // The first onset at or after the send (a command cannot sound before it is sent), within 100 ms.
        const auto onset = bench::first_onset(scan.onsets, s.frame, s.frame + sample_rate / 10);
        if (!onset || !recorder->recorded(s.frame, *onset)) {
            ++lost[s.series];
            continue;
        }
        audible_us[s.series].push_back(double(*onset - s.frame) * 1e6 / sample_rate);
    }

    // ---- edit-to-reply while the demo plays ----
    std::string demo;
    {
        lo_message m = lo_message_new();
        // A copy: the engine journals the edits beside the file it loaded, never in the source tree.
        demo =
            (std::filesystem::temp_directory_path() / ("edit-latency-demo-" + rig.server().name() + ".json"))
                .string();
        std::filesystem::copy_file(TACTUS_SOURCE_DIR "/examples/demo.json", demo,
                                   std::filesystem::copy_options::overwrite_existing);
        lo_message_add_string(m, demo.c_str());
        auto loaded = call(udp, "/load", m);
        if (!loaded || loaded->address != "/reply") return std::fprintf(stderr, "/load demo failed\n"), 1;
        lo_message loop = lo_message_new();
        lo_message_add_int32(loop, 1);
        lo_message_add_double(loop, 0);
        lo_message_add_double(loop, 96);
        call(udp, "/loop", loop);
        call(udp, "/play", lo_message_new());
        std::this_thread::sleep_for(500ms);
    }
    std::vector<double> add_us[2], delete_us[2];
    int refused = 0;
    for (int i = 0; i < edits * 2; ++i) {
        OscSocket& socket = i % 2 == 0 ? udp : tcp;
        auto status = call(socket, "/status", lo_message_new());
        if (!status || status->numbers.size() < 5) return std::fprintf(stderr, "no /status\n"), 1;
        double beat = status->numbers[4] + 0.5;
        if (beat >= 96) beat -= 96;
        const std::int64_t id = next_id++;
        lo_message add = lo_message_new();
        lo_message_add_int32(add, 2);
        lo_message_add_int64(add, id);
        lo_message_add_double(add, beat);
        lo_message_add_double(add, 0.25);
        lo_message_add_int32(add, 60 + i % 24);
        lo_message_add_int32(add, 90);
        auto t0 = Clock::now();
        auto reply = call(socket, "/note/add", add);
        auto t1 = Clock::now();
        if (!reply || reply->address != "/reply") {
            ++refused;
            continue;
        }
        add_us[i % 2].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + (i * 7) % 23));
        lo_message del = lo_message_new();
        lo_message_add_int64(del, id);
        t0 = Clock::now();
        reply = call(socket, "/note/delete", del);
        t1 = Clock::now();
        if (!reply || reply->address != "/reply") {
            ++refused;
            continue;
        }
        delete_us[i % 2].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + (i * 11) % 17));
    }
    auto final_status = call(udp, "/status", lo_message_new());
    call(udp, "/journal", lo_message_new());  // the edits are thrown away: so is their journal
    std::filesystem::remove(demo);

    std::printf("period %d (%.2f ms), %s; %d of each; recorder xruns %lld, cycles lost %zu gaps\n", period,
                period * 1000.0 / sample_rate, asap ? "--immediate asap" : "--immediate 2 periods (default)",
                edits, static_cast<long long>(recorder->xruns()), recorder->gaps().size());
    std::printf("send -> first sample of the note (JACK clock), transport stopped:\n");
    const char* names[3] = {"/note/on (baseline, udp)", "[/note/add, /note/audition] over udp",
                            "[/note/add, /note/audition] over tcp"};
    for (int s = 0; s < 3; ++s) {
        print_ms(names[s], bench::percentiles(audible_us[s]));
        if (lost[s]) std::printf("    (%d not measured: onset in lost cycles or not found)\n", lost[s]);
    }
    std::printf("send -> /reply (wall clock), same sends:\n");
    for (int s = 0; s < 3; ++s) print_ms(names[s], bench::percentiles(reply_us[s]));
    std::printf("send -> /reply (wall clock), demo playing, note 0.5 beat ahead of the play position:\n");
    print_ms("/note/add over udp", bench::percentiles(add_us[0]));
    print_ms("/note/add over tcp", bench::percentiles(add_us[1]));
    print_ms("/note/delete over udp", bench::percentiles(delete_us[0]));
    print_ms("/note/delete over tcp", bench::percentiles(delete_us[1]));
    if (refused) std::printf("  %d edits refused or unanswered\n", refused);
    if (final_status && final_status->numbers.size() >= 22)
        std::printf("tactusd /status: xruns %.0f late %.0f dsp_load_peak %.3f dsp_cpu_peak %.3f\n",
                    final_status->numbers[8], final_status->numbers[9], final_status->numbers[15],
                    final_status->numbers[21]);
    return 0;
}
