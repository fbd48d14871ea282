#include "gui_flood/gui_flood_fixture.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "core/document_json.h"
#include "gui_flood/child_processes.h"

#ifndef TACTUS_GUI_PATH
#error "TACTUS_GUI_PATH must name the tactus-gui executable"
#endif
#ifndef TACTUS_DAEMON_PATH
#error "TACTUS_DAEMON_PATH must name the tactusd executable"
#endif

namespace tactus::test {

using namespace std::chrono_literals;

namespace {

bool installed(const char* program) {
    return run_command({"sh", "-c", std::string("command -v ") + program}, {}, 5s).status == 0;
}

// Where the note grid is, inside the main window, for a window of `width` x `height` (measured on
// Xvfb with the default Qt style: the track panel and side keyboard take the left 290 px; menu,
// transport bar, the arranger (open, as by default: about 170 px), ruler and tempo lane the top 320;
// velocity lane, scroll bar and status bar the
// bottom 110; the vertical scroll bar the right 14), with a margin of 40 px or more, so that a press
// never lands on anything else (a mute button, the ruler's locate, the tempo lane).
PixelRect note_grid_area(int width, int height) {
    const int left = 330, top = 360, right = 54, bottom = 150;
    return {left, top, std::max(50, width - left - right), std::max(50, height - top - bottom)};
}

const std::vector<std::pair<int, int>> kWindowSizes = {{1280, 780}, {1100, 700}, {1500, 900}, {1200, 820}};

std::int64_t count_lines_with(const std::string& text, const std::string& needle) {
    std::int64_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

}  // namespace

void GuiFloodTest::SetUp() {
    for (const char* program : {"Xvfb", "xdotool"})
        if (!installed(program))
            GTEST_SKIP() << program << " is not installed (apt-get install xvfb xdotool)";
    xvfb_ = std::make_unique<XvfbDisplay>();
    ASSERT_TRUE(xvfb_->running()) << xvfb_->error();
    JackServerOptions jack;
    jack.sample_rate = kRate;
    jack.period = kPeriod;
    server_ = std::make_unique<JackServer>(jack);
    ASSERT_TRUE(server_->running()) << server_->error();
}

void GuiFloodTest::TearDown() {
    flood_.reset();  // no xdotool left
    if (recorder_) recorder_->stop();
    recorder_.reset();
    if (gui_ && HasFailure()) std::printf("tactus-gui's log:\n%s\n", gui_->log().c_str());
    gui_.reset();  // the GUI and the tactusd it started
    server_.reset();
    xvfb_.reset();
    std::error_code ignored;
    for (const std::string& path : temp_files_) std::filesystem::remove(path, ignored);
}

void GuiFloodTest::report(const std::string& key, const std::string& value) {
    RecordProperty(key, value);
    std::printf("[ note     ] %s: %s\n", key.c_str(), value.c_str());
    std::fflush(stdout);
}

void GuiFloodTest::report(const std::string& key, double value) {
    std::ostringstream text;
    text << value;
    report(key, text.str());
}

std::optional<FloodRun> GuiFloodTest::flood_while_playing(double score_seconds, bool classic) {
    FloodRun run;
    run.score = flood_score(score_seconds, classic);
    const std::string stem =
        (std::filesystem::temp_directory_path() / ("gui-flood-" + server_->name())).string();
    const std::string score_path = stem + ".json";
    temp_files_.push_back(score_path);
    std::string error;
    if (!save_document_file(run.score, score_path, &error)) {
        ADD_FAILURE() << error;
        return std::nullopt;
    }

    // The GUI, which starts its engine on a port of ours.
    GuiProcessOptions options;
    options.gui_path = TACTUS_GUI_PATH;
    options.engine_path = TACTUS_DAEMON_PATH;
    options.display = xvfb_->name();
    options.jack_server = server_->name();
    options.port = free_local_port();
    options.document = score_path;
    options.extra_args = {"--edit-track", std::to_string(kEditedTrack)};
    if (classic)
        options.extra_args.insert(
            options.extra_args.end(),
            {"--classic-scheduler", std::to_string(kClickTrack) + ":" + std::to_string(kClassicTrack)});
    gui_ = std::make_unique<GuiProcess>(options);
    if (!gui_->running()) {
        ADD_FAILURE() << gui_->error();
        return std::nullopt;
    }

    // Wait until the engine holds the GUI's document (ask it to write its copy: /document PATH, in the
    // GUI's $HOME, where the engine lets a loopback client write).
    const std::string engine_copy = gui_->home() + "/engine-copy.json";
    OscTestClient engine;
    if (!engine.open(options.port, &error)) {
        ADD_FAILURE() << error;
        return std::nullopt;
    }
    const std::size_t clicks = run.score.tracks.at(0).notes.size();
    bool synced = false;
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         !synced && std::chrono::steady_clock::now() < deadline;) {
        auto reply = engine.call("/document", osc().s(engine_copy), 500ms);
        if (reply && !reply->is_error()) {
            LoadResult held = load_document_file(engine_copy);
            synced = held.document && held.document->tracks.size() == 3 &&
                     held.document->tracks.at(0).notes.size() == clicks;
        }
        if (!synced) std::this_thread::sleep_for(100ms);
    }
    if (!synced) {
        ADD_FAILURE() << "the engine never held the GUI's document; the GUI's log:\n" << gui_->log();
        return std::nullopt;
    }

    // The GUI's main window on the X display.
    const CommandResult search =
        run_command({"xdotool", "search", "--sync", "--onlyvisible", "--pid", std::to_string(gui_->pid())},
                    gui_->environment(), 20s);
    const std::string window = search.output.substr(0, search.output.find('\n'));
    if (search.status != 0 || window.empty()) {
        ADD_FAILURE() << "no visible window of tactus-gui: " << search.output;
        return std::nullopt;
    }
    run_command({"xdotool", "windowsize", window, std::to_string(kWindowSizes[0].first),
                 std::to_string(kWindowSizes[0].second)},
                gui_->environment(), 5s);

    // Record, play (the engine tells the frame), flood until the last click has been recorded.
    JackRecorderOptions recording;
    recording.server = server_->name();
    recording.seconds = score_seconds + 10;
    recorder_ = std::make_unique<JackRecorder>(recording);
    if (!recorder_->ok() || !recorder_->start()) {
        ADD_FAILURE() << recorder_->error();
        return std::nullopt;
    }
    PointerFloodOptions flooding;
    flooding.env = gui_->environment();
    flooding.window = window;
    flooding.grid_area = note_grid_area;
    flooding.sizes = kWindowSizes;
    flood_ = std::make_unique<PointerFlood>(flooding);
    std::this_thread::sleep_for(200ms);
    auto play = engine.call("/play", osc().d(0.0));
    if (!play || play->is_error() || play->types != "shdi") {
        ADD_FAILURE() << "/play: " << (play ? play->to_string() : std::string("no answer"));
        return std::nullopt;
    }
    run.play_frame = play->integer(1);
    const auto began = std::chrono::steady_clock::now();
    flood_->start();

    run.expected = expected_onsets(run.score, kFloodTempo, run.play_frame, kRate);
    const JackFrame end = run.expected.back().frame + kRate / 2;
    const bool finished = recorder_->wait_until_recorded(end, std::chrono::seconds(int(score_seconds) + 60));
    run.flood = flood_->stop();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    recorder_->stop();
    if (!finished) {
        ADD_FAILURE() << "playback stalled at frame " << recorder_->recorded_until();
        return std::nullopt;
    }

    // What the engine and JACK say, once the GUI has worked through what the flood left in its queue
    // (the engine's revision holds still for a second), then the GUI's own counters (written as it quits).
    int still = 0;
    for (auto deadline = std::chrono::steady_clock::now() + 15s;
         still < 4 && std::chrono::steady_clock::now() < deadline;) {
        auto status = engine.send("/status") ? engine.wait_message("/status", 3s) : std::nullopt;
        if (!status || status->args.size() <= 18) {
            ADD_FAILURE() << "no /status from the engine after the flood";
            break;
        }
        still = status->integer(18) == run.engine_revision ? still + 1 : 0;
        run.engine_revision = status->integer(18);
        run.engine_xruns = status->integer(8);
        if (still < 4) std::this_thread::sleep_for(250ms);
    }
    run.recorder_xruns = recorder_->xruns();
    run.gui_exit_status = gui_->terminate();
    if (auto stats = gui_->stats()) {
        run.gui = *stats;
    } else {
        ADD_FAILURE() << "tactus-gui wrote no stats; its log:\n" << gui_->log();
    }
    run.blamed_on_tactusd = count_lines_with(server_->log(), "client = tactusd was not finished");

    // The judgement: every onset of track 1 against its own expected frame.
    run.check = check_onsets(*recorder_, run.expected, run.play_frame, run.play_frame - 4 * kPeriod, end);
    // Errors per note for the log: when every note was heard and as many onsets were recorded, the
    // k-th onset is the k-th note's (a note late by more than the gap to the next is still its own);
    // otherwise the nearest onset within 100 ms.
    const OnsetScan scan = recorder_->onsets(0, run.play_frame - 4 * kPeriod);
    std::vector<JackFrame> onsets;
    for (JackFrame f : scan.onsets)
        if (f < end) onsets.push_back(f);
    if (run.check.unobservable == 0 && onsets.size() == run.expected.size()) {
        for (std::size_t i = 0; i < onsets.size(); ++i)
            run.errors.push_back(onsets[i] - run.expected[i].frame);
        return run;
    }
    for (const ExpectedOnset& e : run.expected) {
        if (!recorder_->recorded(e.frame - 64, e.frame + 1)) continue;
        const auto it = std::min_element(onsets.begin(), onsets.end(), [&](JackFrame a, JackFrame b) {
            return std::abs(a - e.frame) < std::abs(b - e.frame);
        });
        if (it == onsets.end() || std::abs(*it - e.frame) > 4800)
            ++run.notes_without_onset;
        else
            run.errors.push_back(*it - e.frame);
    }
    return run;
}

}  // namespace tactus::test
