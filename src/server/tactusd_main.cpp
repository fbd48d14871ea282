// tactusd: the Tactus engine process. A realtime audio thread plays documents; a control thread
// speaks OSC over UDP and TCP (docs/protocol.md); a report thread sends position reports.
#include <netdb.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include "core/document_files.h"
#include "core/document_json.h"
#include "core/private_dir.h"
#include "engine/instrument_factory.h"
#include "engine/lv2/refused_plugins.h"
#include "server/control_server.h"
#include "server/crash_blame.h"
#include "server/engine_host.h"
#include "server/exit_reason.h"
#include "server/osc_transport.h"
#include "server/owner_watch.h"
#include "server/position_reporter.h"
#include "server/stop_watchdog.h"

namespace {

// The first SIGINT/SIGTERM asks for a clean stop; a second one (the engine is still opening a hung
// audio system, say) ends the process at once.
volatile std::sig_atomic_t g_signal = 0;
void on_signal(int signal) {
    if (g_signal != 0) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
    g_signal = signal;
}

// True when `address` (the --listen host) is a loopback address, so that no other host can reach us.
bool listens_on_loopback_only(const std::string& address) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* list = nullptr;
    if (getaddrinfo(address.empty() ? "127.0.0.1" : address.c_str(), nullptr, &hints, &list) != 0)
        return false;
    bool loopback = list != nullptr;
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
        sockaddr_storage addr{};
        std::memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
        loopback = loopback && tactus::ClientAccess::is_loopback(addr);
    }
    freeaddrinfo(list);
    return loopback;
}

// Everything from the command line to the end of the stop; returns the exit status. Its locals (the
// engine, the audio backend, the sockets) are destroyed on return, while `watchdog` (armed when
// stopping begins) still bounds the time that takes. `stopped_by` says why it stopped: " (signal)",
// " (owner ended)" or "" (/quit, or the audio backend ended).
int serve(int argc, char** argv, tactus::StopWatchdog& watchdog, std::string& stopped_by) {
    using namespace tactus;
    CLI::App app{"tactusd: the Tactus realtime engine, controlled over OSC (see docs/protocol.md)"};
    EngineHostOptions options;
    std::string listen = "127.0.0.1:7770";
    std::string immediate = "2";
    std::string load_path;
    bool play_at_start = false;
    app.add_option("--audio", options.audio.kind, "jack | alsa | pulse | default | offline")
        ->capture_default_str();
    app.add_option("--device", options.audio.device,
                   "Output device (RtAudio name/index; JACK: ports, or 'none')");
    app.add_option("--rate", options.audio.sample_rate, "Sample rate in Hz (JACK: the server's)")
        ->capture_default_str();
    app.add_option("--period", options.audio.period, "Period in frames (JACK: the server's)")
        ->capture_default_str();
    app.add_option("--jack-server", options.audio.jack_server, "JACK server name");
    app.add_option("--name", options.audio.client_name, "Client name (JACK; the ALSA sequencer's ports)")
        ->capture_default_str();
    app.add_option("--midi-in", options.audio.midi_in_port,
                   "Also receive MIDI from the port whose name contains this (ALSA/RtAudio backends)");
    app.add_option("--midi-out", options.audio.midi_out_port,
                   "Also send MIDI to the port whose name contains this (ALSA/RtAudio backends)");
    app.add_option("--out", options.audio.offline_path, "--audio offline: the file to write");
    app.add_option("--seconds", options.audio.offline_seconds, "--audio offline: stop after this long");
    app.add_option("--listen", listen, "OSC address:port for UDP and TCP")->capture_default_str();
    std::string socket_path;
    bool no_socket = false;
    app.add_option("--socket", socket_path,
                   "The local clients' Unix-domain socket, user-only (default: "
                   "$XDG_RUNTIME_DIR/tactus/tactusd-PORT.sock, else /tmp/tactus-UID/tactusd-PORT.sock)");
    app.add_flag("--no-socket", no_socket, "No Unix-domain socket (local clients use UDP/TCP)");
    app.add_option("--immediate", immediate,
                   "Latency of untimestamped commands in periods, or 'asap' for the next block")
        ->capture_default_str();
    app.add_option("--lookahead", options.lookahead_frames,
                   "Frames the engine renders ahead of its output (0..8192), so instruments that compute "
                   "ahead (Csound: ksmps - 1 frames) sound on their frame; commands need that much notice. "
                   "A document whose plugins lag more raises it while stopped")
        ->capture_default_str()
        ->check(CLI::Range(0, tactus::CompensatedMix::kMaxLookahead));
    app.add_option("--workers", options.workers,
                   "Threads rendering the tracks' instruments at once, the audio thread's included (helpers "
                   "run at its realtime priority; the output is the same with any number)")
        ->capture_default_str()
        ->check(CLI::Range(1, 64));
    std::string csound_allow = "none";
    app.add_option("--csound-allow", csound_allow,
                   "What Csound orchestras may do besides making sound: files, network, devices, programs "
                   "(comma-separated), all or none; clients cannot change it")
        ->capture_default_str();
    std::vector<std::string> allow_dirs, trust_hosts;
    std::string token_file;
    app.add_option("--allow-dir", allow_dirs,
                   "A directory whose files network clients may load and save (repeatable; default: $HOME; "
                   "the first is the base of relative paths)");
    app.add_option(
        "--trust-host", trust_hosts,
        "A numeric address whose clients need no token (repeatable; default: the loopback addresses)");
    app.add_option(
        "--token-file", token_file,
        "The token remote clients give with /auth (default: created in the private runtime directory)");
    app.add_option("--load", load_path, "A document to load at start");
    app.add_flag("--play", play_at_start,
                 "Start playing the loaded document on the first frame (e.g. an offline render)");
    pid_t owner_pid = 0;
    app.add_option("--owner-pid", owner_pid,
                   "Stop when process PID ends (however it ends): a GUI or `tactus play` passes its own "
                   "pid for an engine it starts");
    std::string crash_report;
    app.add_option("--crash-report", crash_report,
                   "When an LV2 plugin crashes the engine, write its URI (one line) to this file, emptied "
                   "at start (docs/plugins.md, \"When a plugin crashes\")");
    std::string exit_reason;  // read by ExitReason in main(), before this parse
    app.add_option("--exit-reason", exit_reason,
                   "When the engine cannot start or stops on an error, write why (its last error line) to "
                   "this file, emptied at start (for the program that starts it)");
    std::vector<std::string> bypass_plugins;
    app.add_option("--bypass-plugin", bypass_plugins,
                   "Do not make this LV2 plugin (a URI; repeatable): it crashed the engine last time. Its "
                   "inserts pass their input through, its instrument tracks play silent");
    CLI11_PARSE(app, argc, argv);

    {
        // First: a plugin that crashes the engine from here on is named (crash_blame.h).
        std::string why;
        if (!tactus::install_crash_handlers(crash_report, &why)) {
            std::cerr << "tactusd: " << why << "\n";
            return 2;
        }
        for (const std::string& uri : bypass_plugins) lv2::refuse_plugin(uri);
    }

    {
        std::string error;
        const auto permissions = tactus::parse_csound_permissions(csound_allow, &error);
        if (!permissions) {
            std::cerr << "tactusd: --csound-allow: " << error << "\n";
            return 2;
        }
        options.csound = *permissions;
    }
    if (immediate == "asap") {
        options.immediate_latency_periods = 0;
    } else {
        try {
            options.immediate_latency_periods = std::stoi(immediate);
        } catch (...) {
            options.immediate_latency_periods = -1;
        }
        if (options.immediate_latency_periods < 1 || options.immediate_latency_periods > 64) {
            std::cerr << "tactusd: --immediate: '" << immediate << "' is not 1..64 periods or 'asap'\n";
            return 2;
        }
    }
    if (options.audio.kind == "jack" &&
        (!options.audio.midi_in_port.empty() || !options.audio.midi_out_port.empty()))
        std::cerr << "tactusd: note: --midi-in/--midi-out are for the RtAudio backends; with JACK, connect "
                     "tactusd:midi_in and tactusd:midi_out with jack_connect\n";
    if (options.audio.kind == "offline" && options.audio.offline_path.empty()) {
        std::cerr << "tactusd: --audio offline needs --out FILE\n";
        return 2;
    }

    OscTransportOptions net;
    std::string error;
    if (!parse_listen_address(listen, net.address, net.port, &error)) {
        std::cerr << "tactusd: --listen: " << error << "\n";
        return 2;
    }
    ControlServerOptions control_options;
    if (auto paths = PathPolicy::create(allow_dirs, &error)) {
        control_options.paths = std::move(*paths);
    } else {
        std::cerr << "tactusd: " << error << "\n";
        return 2;
    }
    OscTransport transport;
    if (!transport.open(net, &error)) {
        std::cerr << "tactusd: " << error << "\n";
        return 1;
    }
    ClientAccessOptions access;
    access.trusted_hosts = trust_hosts;
    // A token is made (or read) only when a client can be taken for another host: the engine listens
    // beyond loopback, or --trust-host narrowed the trusted hosts.
    const bool beyond_loopback = !listens_on_loopback_only(net.address);
    std::string token_path;
    if (beyond_loopback || !trust_hosts.empty() || !token_file.empty()) {
        auto token = load_or_create_token(token_file, transport.udp_port(), &token_path, &error);
        if (!token) {
            std::cerr << "tactusd: " << error << "\n";
            return 1;
        }
        access.token = std::move(*token);
    }
    if (auto made = ClientAccess::create(access, &error)) {
        control_options.access = std::move(*made);
    } else {
        std::cerr << "tactusd: " << error << "\n";
        return 2;
    }
    if (!no_socket) {
        // Named after the UDP port actually bound (with --listen ...:0, the one the kernel picked).
        if (socket_path.empty()) {
            auto path = engine_socket_path(transport.udp_port(), &error);
            if (!path) {
                std::cerr << "tactusd: no local socket: " << error << " (--no-socket to run without one)\n";
                return 1;
            }
            socket_path = *path;
        }
        if (!transport.open_local_socket(socket_path, &error)) {
            std::cerr << "tactusd: " << error << " (--no-socket to run without one)\n";
            return 1;
        }
    }

    // From here a SIGINT/SIGTERM stops the engine cleanly, even one that arrives while the audio still
    // opens (a slow JACK start): the main loop then ends at once. Without this, a signal in the
    // seconds before the loop killed the process uncleanly (exit 130, seen under ASan).
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    std::signal(SIGPIPE, SIG_IGN);

    // Before the audio opens: a starter that is already gone gets no engine at all.
    OwnerWatch owner;
    if (owner_pid != 0 && !owner.start(owner_pid, &error)) {
        std::cerr << "tactusd: " << error << "\n";
        return 1;
    }

    EngineHost host;
    if (!host.open(options, &error)) {
        std::cerr << "tactusd: cannot open audio: " << error << "\n";
        return 1;
    }
    if (!load_path.empty()) {
        LoadResult loaded = load_document_file(load_path);
        if (!loaded.errors.empty()) {
            for (const auto& e : loaded.errors) std::cerr << "tactusd: error: " << e.to_string() << "\n";
            return 1;
        }
        // The owner's own file: its orchestras' names are relative to its directory.
        resolve_document_files(*loaded.document, document_directory(load_path));
        // As for /load: a csound track whose orchestra does not load plays silent (an insert that cannot be
        // made is left out); anything else stops.
        bool refused = false;
        const auto problems = check_instruments(*loaded.document, options.csound);
        for (const auto& p : problems) {
            std::cerr << "tactusd: " << (p.track_can_play_silent ? "warning: " : "error: ") << load_path
                      << ": " << p.json_path << ": " << p.message
                      << (p.track_can_play_silent ? p.consequence() : "") << "\n";
            refused = refused || !p.track_can_play_silent;
        }
        if (refused) return 1;
        if (!host.load(std::move(*loaded.document), &error)) {
            std::cerr << "tactusd: error: " << load_path << ": " << error << "\n";
            return 1;
        }
        // Before the audio starts (and --play): every SoundFont the document names is in memory.
        while (!host.instruments_ready()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (play_at_start) {
        EngineCommand play;
        play.kind = CommandKind::Play;
        play.frame = 0;  // the stream's first frame
        play.score_frame = 0;
        host.submit(play);
    }
    if (!host.start_audio(&error)) {
        std::cerr << "tactusd: cannot start audio: " << error << "\n";
        return 1;
    }
    // Before the startup line: whoever waits for that line has seen the warning too.
    if (beyond_loopback)
        std::cerr
            << "tactusd: WARNING: listening on " << transport.udp_local_address()
            << ", reachable from other hosts. Clients from hosts other than "
            << (trust_hosts.empty() ? std::string("this one") : "those given with --trust-host")
            << " must send /auth with the token in " << token_path
            << " (the token travels unencrypted: use a trusted network or a tunnel; docs/security.md)\n";
    std::cerr << "tactusd: " << host.backend_description() << "; OSC on " << transport.udp_local_address()
              << " (udp) and " << transport.tcp_local_address() << " (tcp)"
              << (no_socket ? std::string() : ", local socket " + transport.local_socket_path()) << "\n";
    if (const std::string midi = host.midi_status(); !midi.empty()) std::cerr << "tactusd: " << midi << "\n";
    if (!host.workers_note().empty()) std::cerr << "tactusd: note: " << host.workers_note() << "\n";
    if (host.workers() > 1)
        std::cerr << "tactusd: " << host.workers() << " threads render the instruments (the audio thread and "
                  << host.workers() - 1 << " realtime helper" << (host.workers() > 2 ? "s" : "") << ")\n";
    // Realtime scheduling is known once the audio thread has run.
    for (int i = 0; i < 100 && host.status().block_frames == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!host.realtime_scheduling())
        std::cerr << "tactusd: note: the audio thread runs without realtime scheduling (not permitted here); "
                     "expect dropouts under load\n";

    PositionReporter reporter(host);
    if (!reporter.start(net.address, &error)) {
        std::cerr << "tactusd: position reports disabled: " << error << "\n";
    }
    ControlServer control(host, transport, &reporter, std::move(control_options));

    const auto on_packet = [&](OscPacket& packet, const ReplyTarget& from, std::int64_t arrival_ns) {
        control.handle_packet(packet, from, arrival_ns);
    };
    const auto on_error = [&](const std::string& problem, const ReplyTarget& from) {
        control.handle_malformed(problem, from);
    };
    while (!control.quit_requested() && g_signal == 0 && host.running() && !owner.ended()) {
        transport.poll_once(1, on_packet, on_error);
        control.pump_engine_events();
    }
    // From here the stop is bounded: whatever the audio system does, the process ends within the
    // watchdog's limit. A second SIGINT/SIGTERM ends it at once.
    watchdog.arm();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    stopped_by = g_signal ? " (signal)" : owner.ended() ? " (owner ended)" : "";
    if (g_signal == 0 && owner.ended())
        std::cerr << "tactusd: the process that started this engine (pid " << owner.pid()
                  << ", --owner-pid) has ended; stopping\n";
    // Let the last replies (e.g. /quit's) leave before closing.
    transport.poll_once(0, on_packet, on_error);
    reporter.stop();
    // Sounding notes fade out (the /panic path) and external synths on the MIDI output get every note
    // off, given a few periods to be heard before the audio stops.
    EngineCommand panic;
    panic.kind = CommandKind::Panic;
    panic.frame = kAsap;
    host.submit(panic);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::max(20, 3 * 1000 * host.period() / std::max(host.sample_rate(), 1))));
    // Where a stop was seen to hang (jack_deactivate, jack_client_close in ~JackBackend).
    watchdog.step(StopWatchdog::Step::ClosingAudio);
    host.stop();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    tactus::ExitReason exit_reason(argc, argv);  // first: it sees every line tactusd writes to stderr
    tactus::StopWatchdog watchdog;
    std::string stopped_by;
    const int status = serve(argc, argv, watchdog, stopped_by);
    exit_reason.record_exit(status);
    if (watchdog.armed()) {  // it ran and stopped (rather than failing to start), audio closed in time
        watchdog.disarm();
        std::cerr << "tactusd: stopped" << stopped_by << "\n";
    }
    return status;
}
