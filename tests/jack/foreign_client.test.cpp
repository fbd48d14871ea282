// The protocol is the contract (docs/protocol.md), not this repository's client: Debian's liblo-tools,
// written by nobody here, drive the engine. `oscsend` subscribes `oscdump` to position reports, loads a
// score and plays it; the recording must hold the music and oscdump must have printed /position
// reports whose frames (JACK frame times) increase.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <sstream>

#include "click_score.h"
#include "tactusd_jack_fixture.h"

namespace tactus::test {
namespace {

// `oscsend localhost PORT ADDRESS [TYPES VALUES...]` through the shell; its exit status.
int oscsend(int port, const std::string& rest) {
    const std::string command = "oscsend localhost " + std::to_string(port) + " " + rest;
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

struct PositionLine {
    std::int64_t received_unix_ns = 0;  // oscdump's time stamp (CLOCK_REALTIME on arrival)
    std::int64_t frame = 0;
    std::int64_t heard_at_ns = 0;  // CLOCK_MONOTONIC
    double beat = 0;
    int playing = 0;
    std::string text;
};

// oscdump's "eeafbb19.7893b7d7": NTP seconds and fraction in hex.
std::int64_t ntp_hex_to_unix_ns(const std::string& text) {
    const auto dot = text.find('.');
    if (dot == std::string::npos) return 0;
    const std::uint64_t seconds = std::stoull(text.substr(0, dot), nullptr, 16);
    const std::uint64_t fraction = std::stoull(text.substr(dot + 1), nullptr, 16);
    return (static_cast<std::int64_t>(seconds) - 2'208'988'800) * 1'000'000'000 +
           static_cast<std::int64_t>((fraction * 1'000'000'000) >> 32);
}

// CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns.
std::int64_t realtime_minus_monotonic_ns() {
    timespec before{}, after{};
    clock_gettime(CLOCK_MONOTONIC, &before);
    const std::int64_t real = realtime_now_ns();
    clock_gettime(CLOCK_MONOTONIC, &after);
    const std::int64_t mono = (std::int64_t(before.tv_sec) + std::int64_t(after.tv_sec)) * 500'000'000 +
                              (before.tv_nsec + after.tv_nsec) / 2;
    return real - mono;
}

// oscdump prints "<timetag> /position hhdiddi... <frame> <heard_at_ns> <beat> <bar> <beat_in_bar> <bpm>
// <playing> ..." per message.
std::vector<PositionLine> position_lines(const std::string& dump) {
    std::vector<PositionLine> lines;
    std::istringstream in(dump);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string timetag, address, types;
        if (!(words >> timetag >> address >> types) || address != "/position") continue;
        if (types.rfind("hhdiddi", 0) != 0) {
            ADD_FAILURE() << "a /position report of type ," << types << ", expected ,hhdiddi…: " << line;
            continue;
        }
        PositionLine p;
        p.received_unix_ns = ntp_hex_to_unix_ns(timetag);
        int bar = 0;
        double beat_in_bar = 0, bpm = 0;
        words >> p.frame >> p.heard_at_ns >> p.beat >> bar >> beat_in_bar >> bpm >> p.playing;
        p.text = line;
        if (words) lines.push_back(p);
    }
    return lines;
}

TEST_F(TactusdJackTest, a_client_nobody_here_wrote_drives_the_engine) {
    if (std::system("command -v oscsend >/dev/null && command -v oscdump >/dev/null") != 0)
        GTEST_SKIP() << "oscsend/oscdump (Debian package liblo-tools) are not installed";
    const std::string score = save_temp(click_score(), "foreign");
    JackRecorder* recorder = start_recorder(10.0);
    ASSERT_NE(recorder, nullptr);

    const int dump_port = free_local_port();
    ASSERT_NE(dump_port, 0);
    const std::string dump_path = score + ".oscdump.txt";
    temp_files_.push_back(dump_path);
    ChildProcess oscdump({"oscdump", "-L", std::to_string(dump_port)}, dump_path);
    ASSERT_TRUE(oscdump.running()) << oscdump.error();
    std::this_thread::sleep_for(200ms);  // oscdump binds its port

    const int port = tactusd_->port();
    ASSERT_EQ(oscsend(port, "/subscribe dsi 30 127.0.0.1 " + std::to_string(dump_port)), 0);
    ASSERT_EQ(oscsend(port, "/load s '" + score + "'"), 0);
    std::this_thread::sleep_for(200ms);
    const JackFrame before_play = recorder->recorded_until();
    ASSERT_EQ(oscsend(port, "/play"), 0);
    const JackFrame until = before_play + 3 * kRate;
    ASSERT_TRUE(recorder->wait_until_recorded(until, 60s));
    recorder->stop();
    std::this_thread::sleep_for(100ms);  // the last reports reach oscdump
    oscdump.stop();

    // The recording holds the score's clicks (4 a beat at 120 bpm: ~24 in 3 s); how many were heard
    // depends on the cycles xruns left, so: some, when at least a second was heard.
    const OnsetScan scan = recorder->onsets(0, before_play);
    std::int64_t heard_after_play = 0;
    for (const RecordedCycle& c : recorder->cycles())
        if (c.frame_time >= before_play) heard_after_play += c.frames;
    if (heard_after_play >= kRate) {
        EXPECT_GE(scan.onsets.size(), 1u)
            << "no click in the " << heard_after_play << " frames recorded after /play";
    }

    // oscdump printed position reports, with increasing JACK frames, playing by the end.
    const std::string dump = oscdump.output();
    const std::vector<PositionLine> reports = position_lines(dump);
    // (~90 at 30 Hz for 3 s; how many a busy machine lets through is not the point: several.)
    ASSERT_GE(reports.size(), 5u) << "expected ~90 /position reports (30 Hz for 3 s); oscdump printed:\n"
                                  << dump;
    // (A report carries the latest block's frame: when no block ran since the previous report, a
    // stalled audio thread on a busy machine, the frame repeats. It never goes back, and it moves on.)
    for (std::size_t i = 1; i < reports.size(); ++i)
        EXPECT_GE(reports[i].frame, reports[i - 1].frame) << "report " << i << " goes back:\n"
                                                          << reports[i - 1].text << "\n"
                                                          << reports[i].text;
    EXPECT_GT(reports.back().frame, reports.front().frame) << "the reports' frame never moved";
    EXPECT_EQ(reports.back().playing, 1) << reports.back().text;
    EXPECT_GT(reports.back().beat, 3.0)
        << "after ~3 s at 120 bpm the beat is about 6: " << reports.back().text;
    // Their frames are JACK's frame times: within the span the recorder heard.
    const auto& cycles = recorder->cycles();
    ASSERT_FALSE(cycles.empty());
    EXPECT_GE(reports.front().frame, cycles.front().frame_time - kRate) << reports.front().text;
    EXPECT_LE(reports.back().frame, cycles.back().end() + kRate) << reports.back().text;

    // heard_at_ns is CLOCK_MONOTONIC (protocol.md): the report left within a report interval (33 ms)
    // of its block, whose frame is heard an output latency (here a period or two) after the block
    // began. So oscdump received it a little before or after that time: on a busy machine tens or
    // hundreds of ms after (the host's timing, not judged), whereas another clock (CLOCK_REALTIME, or
    // µs for ns) is off by years. The bound judges the clock, not the delivery.
    const std::int64_t to_realtime = realtime_minus_monotonic_ns();
    std::vector<std::int64_t> lead_ns;
    for (const PositionLine& p : reports)
        lead_ns.push_back(p.received_unix_ns - (p.heard_at_ns + to_realtime));
    std::sort(lead_ns.begin(), lead_ns.end());
    const std::int64_t median = lead_ns[lead_ns.size() / 2];
    EXPECT_GT(median, -1'000'000'000)
        << "reports arrive " << double(-median) / 1e6
        << " ms (median) before the time they say their frame is heard: heard_at_ns "
           "is not CLOCK_MONOTONIC? e.g. "
        << reports.back().text;
    EXPECT_LT(median, 5'000'000'000)
        << "reports arrive " << double(median) / 1e6
        << " ms (median) after the time they say their frame is heard: heard_at_ns is "
           "not CLOCK_MONOTONIC? e.g. "
        << reports.back().text;

    report("position_reports", static_cast<std::int64_t>(reports.size()));
    report("report_arrival_minus_heard_at_median_us", median / 1000);
    report("onsets_recorded", static_cast<std::int64_t>(scan.onsets.size()));
}

}  // namespace
}  // namespace tactus::test
