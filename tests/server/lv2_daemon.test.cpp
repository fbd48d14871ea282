// tactusd plays LV2 instruments and inserts as `tactus render` does: its offline backend's output
// equals the render bit for bit (the plugins run the same 64-frame chunks whatever the engine's
// period), and an insert whose plugin is missing is named in a warning while the track plays on
// without it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "audio/audio_file_writer.h"
#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using namespace tactus;

constexpr const char* kSong = R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}],
 "tracks": [
  {"id": 1, "name": "EP", "instrument": "lv2", "plugin": "http://drobilla.net/plugins/mda/EPiano", "pan": -0.5,
   "parameters": {"treble_boost": 0.8},
   "inserts": [INSERTS],
   "notes": [{"id": 1, "start": 0.25, "length": 1, "pitch": 60, "velocity": 100},
             {"id": 2, "start": 1.0001, "length": 1, "pitch": 64, "velocity": 100}]},
  {"id": 2, "name": "lead", "instrument": "synth", "preset": "pluck", "pan": 0.5,
   "notes": [{"id": 3, "start": 0.5, "length": 0.5, "pitch": 72, "velocity": 100},
             {"id": 4, "start": 1.37, "length": 0.5, "pitch": 76, "velocity": 100}]}]})";

constexpr const char* kOverdrive =
    R"({"plugin": "http://drobilla.net/plugins/mda/Overdrive", "parameters": {"drive": 0.6}})";

class Lv2Daemon : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("tactus-lv2-daemon-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    fs::path song(const std::string& name, const std::string& inserts) {
        std::string text = kSong;
        text.replace(text.find("INSERTS"), 7, inserts);
        std::ofstream(dir_ / name) << text;
        return dir_ / name;
    }
    test::CliRun daemon(const fs::path& doc, const fs::path& out, double seconds,
                        const std::string& options = "") {
        const std::string command = std::string(TACTUS_DAEMON_PATH) + " --audio offline --out " +
                                    out.string() + " --seconds " + std::to_string(seconds) + options +
                                    " --listen 127.0.0.1:0 --no-socket --load " + doc.string() +
                                    " --play 2>&1";
        FILE* pipe = popen(command.c_str(), "r");
        return pipe ? test::finish_run(pipe) : test::CliRun{};
    }
    std::optional<AudioFileData> render(const fs::path& doc, const fs::path& out) {
        const test::CliRun run =
            test::run_tactus("render " + doc.string() + " -o " + out.string() + " --bits 32f");
        EXPECT_EQ(run.exit_code, 0) << run.output;
        std::string error;
        auto file = read_audio_file(out.string(), &error);
        EXPECT_TRUE(file) << error;
        return file;
    }
    fs::path dir_;
};

void expect_same_start(const AudioFileData& played, const AudioFileData& rendered) {
    ASSERT_EQ(played.channels, 2);
    ASSERT_GE(played.frames(), rendered.frames());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < rendered.samples.size(); ++i)
        differ += played.samples[i] != rendered.samples[i];
    EXPECT_EQ(differ, 0u) << "samples of tactusd's output that differ from tactus render";
    for (std::size_t i = rendered.samples.size(); i < played.samples.size(); ++i)
        ASSERT_EQ(played.samples[i], 0.0f) << "after the render's end, at sample " << i;
}

TEST_F(Lv2Daemon, plays_an_lv2_instrument_and_insert_exactly_as_tactus_render) {
    const fs::path doc = song("song.json", kOverdrive);
    const test::CliRun run = daemon(doc, dir_ / "played.wav", 3.0);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::string error;
    const auto played = read_audio_file((dir_ / "played.wav").string(), &error);
    ASSERT_TRUE(played) << error;
    const auto rendered = render(doc, dir_ / "rendered.wav");
    ASSERT_TRUE(rendered);
    ASSERT_GT(rendered->frames(), 48000);
    expect_same_start(*played, *rendered);
}

TEST_F(Lv2Daemon, plays_buses_sends_and_the_master_chain_exactly_as_tactus_render) {
    // Both tracks send to a delay bus (the EP pre-fader, the lead post-fader), and a master chain
    // follows: every path is latency-aligned alike in both (tactusd raises its lookahead to the
    // latest path, beyond its default 128 frames).
    std::string text = kSong;
    text.replace(text.find("INSERTS"), 7, kOverdrive);
    text.replace(text.find(R"("pan": -0.5,)"), 12,
                 R"("pan": -0.5, "sends": [{"bus": 9, "level": 0.7, "pre_fader": true}],)");
    text.replace(text.find(R"("pan": 0.5,)"), 11, R"("pan": 0.5, "sends": [{"bus": 9, "level": 0.4}],)");
    text.replace(text.rfind('}'), 1, R"(, "buses": [{"id": 9, "name": "Echo", "pan": 0.2, "inserts": [
        {"plugin": "http://drobilla.net/plugins/mda/Delay", "parameters": {"feedback": 0.4, "fx_mix": 1}}]}],
      "master_inserts": [{"plugin": "http://plugin.org.uk/swh-plugins/amp", "parameters": {"gain": -3}}]})");
    std::ofstream(dir_ / "routed.json") << text;
    const test::CliRun run = daemon(dir_ / "routed.json", dir_ / "played.wav", 4.0);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    std::string error;
    const auto played = read_audio_file((dir_ / "played.wav").string(), &error);
    ASSERT_TRUE(played) << error;
    const auto rendered = render(dir_ / "routed.json", dir_ / "rendered.wav");
    ASSERT_TRUE(rendered);
    ASSERT_GT(rendered->frames(), 48000);
    expect_same_start(*played, *rendered);
}

// With helper threads rendering the instruments the mix is summed in slot order all the same.
TEST_F(Lv2Daemon, with_two_workers_plays_exactly_as_tactus_render) {
    std::string text = kSong;
    text.replace(text.find("INSERTS"), 7, kOverdrive);
    text.replace(text.find(R"("pan": 0.5,)"), 11, R"("pan": 0.5, "sends": [{"bus": 9, "level": 0.4}],)");
    text.replace(text.rfind('}'), 1, R"(, "buses": [{"id": 9, "name": "Echo", "inserts": [
        {"plugin": "http://drobilla.net/plugins/mda/Delay", "parameters": {"feedback": 0.4, "fx_mix": 1}}]}]})");
    std::ofstream(dir_ / "routed.json") << text;
    const test::CliRun run = daemon(dir_ / "routed.json", dir_ / "played.wav", 4.0, " --workers 2");
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.find("renders alone"), std::string::npos) << run.output;
    std::string error;
    const auto played = read_audio_file((dir_ / "played.wav").string(), &error);
    ASSERT_TRUE(played) << error;
    const auto rendered = render(dir_ / "routed.json", dir_ / "rendered.wav");
    ASSERT_TRUE(rendered);
    expect_same_start(*played, *rendered);
}

TEST_F(Lv2Daemon, a_missing_insert_is_named_and_the_track_plays_on_without_it) {
    const fs::path doc =
        song("song.json", R"({"plugin": "http://example.org/no-such-effect"}, )" + std::string(kOverdrive));
    const test::CliRun run = daemon(doc, dir_ / "played.wav", 3.0);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_NE(run.output.find(
                  "warning: " + doc.string() +
                  ": /tracks/0/inserts/0/plugin: LV2 plugin <http://example.org/no-such-effect> is "
                  "not installed (`tactus plugins` lists those that are) (the track plays on without it)"),
              std::string::npos)
        << run.output;
    std::string error;
    const auto played = read_audio_file((dir_ / "played.wav").string(), &error);
    ASSERT_TRUE(played) << error;
    // As the song with the overdrive alone (tactus render refuses a missing plugin).
    const auto rendered = render(song("without.json", kOverdrive), dir_ / "rendered.wav");
    ASSERT_TRUE(rendered);
    expect_same_start(*played, *rendered);
}

}  // namespace
