// Scale: what loading costs with many tracks or many notes, and what a mixer change costs the audio
// thread with many tracks. A small program rather than Google Benchmark: every load runs in a process
// of its own (this program again, with --child), so that its peak RSS is the load's own.
//
//   load, tracks   a document of N tracks (100 .. 65,535), one short note each: JSON text ->
//                  parse_document, check_instruments, make_track_mixer, ScoreSnapshot::build,
//                  DocumentEditor::reset (what tactusd's /load does)
//   load, notes    16 tracks, N notes in all (10k .. 3M), the same steps
//   midi           a Standard MIDI File of 65,535 tracks (one note each, 1.3 MB): read + import,
//                  then the same load steps, then an offline render of its first two seconds
//   mixer change   per track count: one /track/level (on the last track), one solo on and off, each
//                  with the 256-frame block that follows, against a block with nothing changed; the
//                  mix's tracks are all idle but for one that plays a note
//
// Usage: bench_many_tracks [--max-tracks N] [--max-notes N] [--no-midi]  (skip what is larger)
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "core/midi_convert.h"
#include "core/midi_file.h"
#include "engine/instrument_factory.h"
#include "engine/offline_render.h"
#include "engine/score_snapshot.h"
#include "engine/track_mixer.h"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;
constexpr double kRate = 48000.0;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// "VmRSS:" (now) or "VmHWM:" (the peak since exec) of this process, in KiB.
long status_kib(const char* field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::strlen(field));
    return 0;
}

tactus::Document tracks_document(long tracks, long notes) {
    tactus::Document doc;
    doc.title = "many tracks";
    doc.tracks.resize(static_cast<std::size_t>(tracks));
    tactus::NoteId id = 1;
    for (long t = 0; t < tracks; ++t) {
        tactus::Track& track = doc.tracks[static_cast<std::size_t>(t)];
        track.id = static_cast<tactus::TrackId>(t + 1);
        track.name = "Track " + std::to_string(t + 1);
        track.preset = "pluck";
        track.level = 0.05;
        const long mine = notes / tracks + (t < notes % tracks ? 1 : 0);
        for (long k = 0; k < mine; ++k) {
            tactus::Note n;
            n.id = id++;
            n.start = 0.25 * static_cast<double>(k * tracks + t);  // spread: a few notes at a time
            n.length = 0.2;
            n.pitch = 36 + static_cast<int>((k * 7 + t) % 60);
            track.notes.push_back(n);
        }
    }
    return doc;
}

// One note per track on a tick of its own (format 1, no conductor track).
tactus::MidiFile many_tracks_midi(int tracks) {
    tactus::MidiFile file;
    file.format = 1;
    file.division.ticks_per_quarter = 96;
    for (int t = 0; t < tracks; ++t) {
        tactus::MidiTrackChunk chunk;
        const std::uint64_t on = static_cast<std::uint64_t>(t % 384) * 4;
        tactus::MidiEvent e;
        e.tick = on;
        e.status = 0x90;
        e.data = {static_cast<std::uint8_t>(36 + t % 60), 90};
        chunk.events.push_back(e);
        e.tick = on + 24;
        e.status = 0x80;
        e.data = {static_cast<std::uint8_t>(36 + t % 60), 64};
        chunk.events.push_back(e);
        chunk.end_tick = on + 24;
        file.tracks.push_back(std::move(chunk));
    }
    return file;
}

// The steps of tactusd's /load after the bytes are read; prints "phase ms" pairs.
std::string load_steps(tactus::Document doc) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(1);
    auto start = Clock::now();
    const auto problems = tactus::check_instruments(doc);
    out << " check " << ms_since(start);
    start = Clock::now();
    std::string error;
    auto mixer = tactus::make_track_mixer(doc, kRate, &error);
    out << " mixer " << ms_since(start);
    start = Clock::now();
    auto snapshot = tactus::ScoreSnapshot::build(doc, kRate);
    out << " snapshot " << ms_since(start);
    start = Clock::now();
    tactus::DocumentEditor editor;
    editor.reset(std::move(doc));
    out << " editor " << ms_since(start);
    if (!mixer || !problems.empty()) out << " FAILED " << error;
    return out.str();
}

int child_load_json(const std::string& path) {
    const auto start = Clock::now();
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto parsed_at = Clock::now();
    auto result = tactus::parse_document(text, path);
    if (!result.document) return std::printf("parse failed\n"), 1;
    const double parse = ms_since(parsed_at);
    const std::string steps = load_steps(std::move(*result.document));
    std::printf("total_ms %.1f parse %.1f%s\n", ms_since(start), parse, steps.c_str());
    return 0;
}

int child_load_midi(const std::string& path) {
    const auto start = Clock::now();
    auto imported = tactus::import_midi_file(path);
    if (!imported.document) return std::printf("import failed: %s\n", imported.error.c_str()), 1;
    const double import_ms = ms_since(start);
    const tactus::Document doc = *imported.document;
    const std::string steps = load_steps(*imported.document);
    const double load_ms = ms_since(start);
    const auto render_start = Clock::now();
    tactus::OfflineRenderOptions options;
    std::string error;
    auto render = tactus::OfflineRender::create(doc, options, &error);
    std::vector<float> left(512), right(512);
    while (render && render->frames_rendered() < 2 * static_cast<tactus::Frame>(kRate))
        render->render_next(left.data(), right.data());
    std::printf("total_ms %.1f tracks %zu import %.1f%s render_2s(create+run) %.1f\n", load_ms,
                doc.tracks.size(), import_ms, steps.c_str(), ms_since(render_start));
    return 0;
}

struct ChildResult {
    std::string line;
    long base_kib = 0;  // RSS before loading
    long peak_kib = 0;  // peak RSS
};

ChildResult run_child(const std::vector<std::string>& args) {
    const fs::path out_file = fs::temp_directory_path() / ("bench_many_tracks_" + std::to_string(getpid()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    ChildResult r;
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) return r;
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    waitpid(pid, &status, 0);
    std::ifstream in(out_file);
    std::getline(in, r.line);
    in >> r.base_kib >> r.peak_kib;
    fs::remove(out_file);
    return r;
}

// Average ns of fn() over enough repetitions to take ~50 ms.
double ns_per_call(const std::function<void()>& fn) {
    long reps = 1;
    for (;;) {
        const auto start = Clock::now();
        for (long i = 0; i < reps; ++i) fn();
        const double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
        if (ns > 5e7 || reps > (1L << 24)) return ns / static_cast<double>(reps);
        reps *= 4;
    }
}

void mixer_change(long tracks) {
    const tactus::Document doc = tracks_document(tracks, 0);
    std::string error;
    auto mixer = tactus::make_track_mixer(doc, kRate, &error);
    std::vector<float> left(256), right(256);
    const std::size_t last = static_cast<std::size_t>(tracks - 1);
    mixer->instrument(0)->note_on(1, 60, 0.0, 100);  // one track sounds (pluck: long enough)
    const auto block = [&] { mixer->render(left.data(), right.data(), 256); };
    const double idle = ns_per_call(block);
    double level = 0.5;
    const double set_level = ns_per_call([&] {
        mixer->set_level(last, level = 1.0 - level);
        block();
    });
    bool solo = false;
    const double set_solo = ns_per_call([&] {
        mixer->set_solo(last, solo = !solo);
        block();
    });
    const double call_only = ns_per_call([&] { mixer->set_solo(last, solo = !solo); });
    std::printf(
        "  %6ld tracks: block %8.0f ns | level change + block %8.0f ns | solo toggle + block %8.0f "
        "ns | solo call alone %5.0f ns\n",
        tracks, idle, set_level, set_solo, call_only);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::strcmp(argv[1], "--child") == 0) {
        const long base = status_kib("VmRSS:");
        const int status =
            std::strcmp(argv[2], "json") == 0 ? child_load_json(argv[3]) : child_load_midi(argv[3]);
        // The peak of this process since exec (not ru_maxrss: after posix_spawn's vfork it may count
        // the parent's pages).
        std::printf("%ld %ld\n", base, status_kib("VmHWM:"));
        return status;
    }
    long max_tracks = 65535, max_notes = 3000000;
    bool midi = true;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--max-tracks") == 0 && i + 1 < argc) max_tracks = std::atol(argv[++i]);
        if (std::strcmp(argv[i], "--max-notes") == 0 && i + 1 < argc) max_notes = std::atol(argv[++i]);
        if (std::strcmp(argv[i], "--no-midi") == 0) midi = false;
    }
    const std::string self = fs::canonical("/proc/self/exe").string();
    const fs::path dir = fs::temp_directory_path() / ("bench_many_tracks_dir_" + std::to_string(getpid()));
    fs::create_directories(dir);
    const auto load = [&](const std::string& label, const tactus::Document& doc) {
        const fs::path file = dir / "doc.json";
        std::ofstream(file) << tactus::document_to_string(doc);
        const auto bytes = fs::file_size(file);
        const ChildResult r = run_child({self, "--child", "json", file.string()});
        std::printf("  %-14s %9.1f KB json | peak RSS %7.1f MB (%5.1f before) | %s\n", label.c_str(),
                    double(bytes) / 1024, double(r.peak_kib) / 1024, double(r.base_kib) / 1024,
                    r.line.c_str());
        std::fflush(stdout);
    };
    std::printf("load vs tracks (one note each):\n");
    for (long n : {100L, 1000L, 2000L, 10000L, 65535L}) {
        if (n > max_tracks) continue;
        load(std::to_string(n) + " tracks", tracks_document(n, n));
    }
    std::printf("load vs notes (16 tracks):\n");
    for (long n : {10000L, 100000L, 1000000L, 3000000L}) {
        if (n > max_notes) continue;
        load(std::to_string(n) + " notes", tracks_document(16, n));
    }
    if (midi) {
        std::printf("MIDI file of 65,535 tracks:\n");
        const fs::path file = dir / "many.mid";
        const auto bytes = tactus::serialise_midi(many_tracks_midi(65535));
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        const ChildResult r = run_child({self, "--child", "midi", file.string()});
        std::printf("  %9.1f KB .mid | peak RSS %7.1f MB (%5.1f before) | %s\n", double(bytes.size()) / 1024,
                    double(r.peak_kib) / 1024, double(r.base_kib) / 1024, r.line.c_str());
    }
    std::printf("mixer change on the audio thread (256-frame blocks, 48 kHz):\n");
    for (long n : {100L, 1000L, 2000L, 10000L, 65535L}) {
        if (n > max_tracks) continue;
        mixer_change(n);
    }
    fs::remove_all(dir);
    return 0;
}
