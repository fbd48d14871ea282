// tactusd on an RtAudio backend where the MIDI system cannot be opened (no /dev/snd/seq, as on the
// test machines): it logs one clear line, plays on without MIDI and exits cleanly. The audio device
// is a private dummy JACK server reached through RtAudio's JACK API (kind "default" with
// JACK_DEFAULT_SERVER), the only audio device here; SIGINT after 3 s ends the run.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>

#include "support/jack_server.h"
#include "support/tactusd_process.h"

namespace {

using namespace std::chrono_literals;

struct ProcessRun {
    int exit_code = -1;
    std::string output;
};

ProcessRun run_to_exit(const std::string& command) {
    ProcessRun r;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
        r.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

int count_lines_with(const std::string& text, const std::string& part) {
    std::istringstream lines(text);
    int n = 0;
    for (std::string line; std::getline(lines, line);)
        if (line.find(part) != std::string::npos) ++n;
    return n;
}

TEST(TactusdWithoutMidi, logs_one_line_and_plays_on_when_the_alsa_sequencer_is_missing) {
    struct stat info {};
    if (::stat("/dev/snd/seq", &info) == 0) GTEST_SKIP() << "an ALSA sequencer exists here";
    tactus::test::JackServer server;
    ASSERT_TRUE(server.running()) << server.error();
    ProcessRun r;
    // RtAudio's JACK API opens several clients in a row; a busy machine refuses one now and then.
    for (int attempt = 0; attempt < 3; ++attempt) {
        const int port = tactus::test::free_local_port();
        // --foreground: one SIGINT, to tactusd alone. Without it timeout signals its process group as
        // well, and a second SIGINT ends tactusd at once (by design) if the first was already handled.
        r = run_to_exit("JACK_DEFAULT_SERVER=" + server.name() +
                        " timeout --foreground --preserve-status -s INT 3 " + TACTUS_DAEMON_PATH +
                        " --audio default --rate 48000 --period 128 --midi-in keyboard --listen 127.0.0.1:" +
                        std::to_string(port));
        if (r.output.find("OSC on") != std::string::npos) break;
        std::this_thread::sleep_for(200ms);
    }
    ASSERT_NE(r.output.find("tactusd: default (RtAudio jack"), std::string::npos) << r.output;
    EXPECT_EQ(count_lines_with(r.output, "MIDI"), 1) << r.output;
    EXPECT_EQ(
        count_lines_with(r.output,
                         "tactusd: no MIDI: no ALSA sequencer (/dev/snd/seq: No such file or directory); "
                         "running without MIDI input and output"),
        1)
        << r.output;
    EXPECT_EQ(count_lines_with(r.output, "ALSA lib"), 0) << "ALSA's own complaint must not reach the log";
    EXPECT_NE(r.output.find("tactusd: stopped (signal)"), std::string::npos) << r.output;
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
