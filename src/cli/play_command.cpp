#include "cli/play_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/engine_log.h"
#include "cli/engine_process.h"
#include "cli/load_score.h"
#include "cli/osc_client.h"
#include "cli/output_rules.h"
#include "cli/render_command.h"
#include "cli/time_format.h"

namespace tactus::cli {

namespace {

std::atomic<bool> g_interrupted{false};
void on_interrupt(int) {
    g_interrupted = true;
}

struct PlayOptions {
    std::string score;
    std::string host = "127.0.0.1";
    int port = 7770;
    std::string audio = "auto";
    std::string fallback_render;
    std::string csound_allow = "none";  // passed on to an engine this command starts
    double from_beat = 0.0;
    // An engine this command starts keeps running after it (and is not tied to it: --owner-pid).
    bool detach = false;
};

// tactusd ends within 5 s of /quit whatever its audio system does (docs/protocol.md, "Lifetime"):
// waited for, with a margin, before it is killed.
constexpr std::chrono::milliseconds kQuitWait{6000};

using namespace std::chrono_literals;

// Starts tactusd on the first audio backend that works; false when none does. Every attempt writes
// to the same `log` (one after the other), which is null when no private log could be made: the
// engine's messages then go to this terminal. The engine ends with this process (--owner-pid: even
// a SIGKILL of `tactus play` ends it), unless detached: then it runs in a session of its own, out of
// reach of the terminal's Ctrl-C and hangup.
bool start_engine(const PlayOptions& o, OscClient& client, EngineProcess& engine, const EngineLog* log,
                  std::string& used) {
    const std::string tactusd = executable_directory() + "/../server/tactusd";
    const std::string beside = executable_directory() + "/tactusd";
    const std::string program = std::filesystem::exists(beside) ? beside : tactusd;
    const std::vector<std::string> kinds =
        o.audio == "auto" ? std::vector<std::string>{"jack", "default"} : std::vector<std::string>{o.audio};
    for (const std::string& kind : kinds) {
        std::string error;
        std::vector<std::string> args{"--audio", kind, "--listen", o.host + ":" + std::to_string(o.port)};
        args.push_back("--csound-allow");
        args.push_back(o.csound_allow);
        if (!o.detach) {
            args.push_back("--owner-pid");
            args.push_back(std::to_string(getpid()));
        }
        if (!engine.spawn(program, args, log ? log->fd() : -1, &error, o.detach)) {
            std::cerr << "error: " << error << "\n";
            return false;
        }
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (engine.alive() && std::chrono::steady_clock::now() < deadline) {
            if (client.ping(100ms)) {
                used = kind;
                return true;
            }
        }
        engine.wait_or_kill(500ms);
    }
    return false;
}

// The engine's log once it has ended: removed when it quit normally (exit status 0), else kept
// and named on stderr so that the user can read why.
void settle_engine_log(const EngineProcess& engine, EngineLog* log) {
    if (log == nullptr) return;
    const int status = engine.exit_status();
    if (status == 0) {
        log->remove();
        return;
    }
    std::string how = "exit status " + std::to_string(status);
    if (engine.was_killed())
        how = "it did not quit in time and was killed";
    else if (status > 128)
        how = "killed by signal " + std::to_string(status - 128);
    std::cerr << "tactusd ended abnormally (" << how << "); its log is kept: " << log->path() << "\n";
}

int play(const PlayOptions& o) {
    if (!o.fallback_render.empty() &&
        !check_output_path({"play", o.score, o.fallback_render, "--fallback-render"}))
        return 1;
    const auto csound = csound_permissions_or_report(o.csound_allow);
    if (!csound) return 1;
    const auto doc = load_score_or_report(o.score, *csound);
    if (!doc) return 1;
    OscClient client;
    std::string error;
    if (!client.open(o.host, o.port, &error)) {
        std::cerr << "error: " << error << "\n";
        return 1;
    }
    EngineProcess engine;
    std::unique_ptr<EngineLog> log;
    bool started_engine = false;
    if (!client.ping(300ms)) {
        if (log = EngineLog::create(&error); !log)
            std::cerr << "warning: no private log for tactusd (" << error
                      << "); its messages go to this terminal\n";
        std::string backend;
        if (!start_engine(o, client, engine, log.get(), backend)) {
            const std::string why = log ? " (tactusd's log says why: " + log->path() + ")" : "";
            if (o.fallback_render.empty()) {
                std::cerr << "error: no engine is listening on " << o.host << ":" << o.port
                          << " and none could start (no JACK server, no audio device)" << why << "\n";
                return 1;
            }
            std::cout << "No audio device or JACK server here: rendering to a file instead" << why << ".\n";
            RenderCommandOptions render;
            render.input = o.score;
            render.output = o.fallback_render;
            render.output_option = "--fallback-render";
            render.csound_allow = o.csound_allow;
            const int status = run_render_command(render);
            if (status == 0)
                std::cout << "The demo was rendered to "
                          << std::filesystem::absolute(o.fallback_render).string() << "\n";
            return status;
        }
        started_engine = true;
        std::cout << "Started tactusd (" << backend << ")\n";
        if (o.detach) {
            engine.release();  // not ours to wait for, kill or reap any more
            std::cout << "It stays after this command (--detach): end it with `tactus send --port " << o.port
                      << " /quit`" << (log ? "; its log: " + log->path() : std::string()) << "\n";
        }
    }

    auto finish = [&](int status) {
        client.send("/stop");
        client.wait_reply("/stop", 500ms);
        if (started_engine && !o.detach) {
            client.send("/quit");
            client.wait_reply("/quit", 500ms);
            engine.wait_or_kill(kQuitWait);
            settle_engine_log(engine, log.get());
        }
        return status;
    };

    lo_message load = lo_message_new();
    const std::string path = std::filesystem::absolute(o.score).string();
    lo_message_add_string(load, path.c_str());
    client.send("/load", load);
    lo_message_free(load);
    // A document of tens of thousands of tracks takes the engine seconds to load (docs/architecture.md,
    // "Many tracks").
    const auto loaded = client.wait_reply("/load", 30000ms);
    if (!loaded || loaded->address == "/error") {
        std::cerr << "error: " << (loaded ? loaded->to_string() : "tactusd did not answer /load") << "\n";
        return finish(1);
    }
    client.subscribe_positions(30.0);
    lo_message play_from = lo_message_new();
    lo_message_add_double(play_from, o.from_beat);
    client.send("/play", play_from);
    lo_message_free(play_from);

    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    const bool tty = isatty(STDOUT_FILENO) == 1;
    const double end_beat = doc->end_beat();
    bool heard_playing = false;
    auto last_report = std::chrono::steady_clock::now();
    while (!g_interrupted) {
        auto m = client.receive(200ms);
        if (!m) {
            if (std::chrono::steady_clock::now() - last_report > 3s) {
                std::cerr << "\nerror: tactusd stopped reporting\n";
                return finish(1);
            }
            continue;
        }
        if (m->address != "/position" || m->numbers.size() < 7) continue;
        last_report = std::chrono::steady_clock::now();
        const double beat = m->numbers[2];
        const bool playing = m->numbers[6] != 0.0;
        heard_playing |= playing;
        if (tty) {
            std::printf("\r  bar %3d beat %5.2f   %s / %s   %6.1f bpm ", static_cast<int>(m->numbers[3]),
                        m->numbers[4], format_duration(doc->tempo.seconds_at(std::max(0.0, beat))).c_str(),
                        format_duration(doc->tempo.seconds_at(end_beat)).c_str(), m->numbers[5]);
            std::fflush(stdout);
        }
        // Done once the score has ended and its release tails have had a couple of beats.
        if (heard_playing && (beat > end_beat + 2.0 || !playing)) break;
    }
    if (tty) std::printf("\n");
    std::cout << (g_interrupted ? "Stopped.\n" : "Finished.\n");
    return finish(g_interrupted ? 130 : 0);
}

}  // namespace

void add_play_command(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<PlayOptions>();
    CLI::App* cmd = app.add_subcommand("play", "Play a score through tactusd (starting it if needed)");
    cmd->add_option("score", o->score, "Score document (.json)")->required();
    cmd->add_option("--host", o->host, "Engine host")->capture_default_str();
    cmd->add_option("--port", o->port, "Engine port")->capture_default_str();
    cmd->add_option("--audio", o->audio, "Backend when starting tactusd: auto, jack, default, alsa, pulse")
        ->capture_default_str();
    cmd->add_option("--from", o->from_beat, "Start beat")->capture_default_str();
    add_csound_allow_option(cmd, &o->csound_allow);
    cmd->add_option("--fallback-render", o->fallback_render,
                    "With no audio device or JACK server, render to this file instead");
    cmd->add_flag("--detach", o->detach,
                  "An engine this command starts keeps running after it ends (else it ends with it, "
                  "even when this command is killed)");
    cmd->callback([o, &exit_code] { exit_code = play(*o); });
}

}  // namespace tactus::cli
