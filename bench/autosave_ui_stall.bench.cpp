// How long an autosave holds the GUI's UI thread (where the time cursor is drawn), on songs of 10k and
// 100k notes (16 tracks), before and after autosave moved to its own thread.
//
//   BM_UiThreadWritesItself  what the UI thread did before: copy the document (SongModel::snapshot()),
//                            turn it into JSON and write it atomically (with fsync)
//   BM_UiThreadHandsItOver   what it does now: the same copy, then Autosave::saveInBackground(),
//                            which returns at once (the writer thread does the rest)
//   BM_CopyOnly              the copy alone, for reference
// Counter json_bytes: the size of the written document.
#include <benchmark/benchmark.h>

#include <QDir>
#include <QTemporaryDir>
#include <QThread>
#include <random>
#include <string>

#include "core/atomic_file.h"
#include "core/document_editor.h"
#include "core/document_json.h"
#include "gui/autosave.h"

namespace {

using namespace tactus;

Document song(std::int64_t notes) {
    Document doc;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pitch(36, 96);
    for (TrackId t = 1; t <= 16; ++t) {
        Track track;
        track.id = t;
        track.name = "Track " + std::to_string(t);
        doc.tracks.push_back(track);
    }
    for (std::int64_t i = 0; i < notes; ++i)
        doc.tracks[std::size_t(i % 16)].notes.push_back(
            Note{NoteId(i + 1), double(i / 16) * 0.25, 0.25, pitch(rng), 0.0, 100});
    return doc;
}

void BM_UiThreadWritesItself(benchmark::State& state) {
    const Document doc = song(state.range(0));
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/autosave.json").toStdString();
    std::size_t bytes = 0;
    for (auto _ : state) {
        const Document copy = canonical_document(doc);
        const std::string text = document_to_string(copy);
        std::string error;
        if (!write_file_atomically(path, text, &error)) state.SkipWithError(error.c_str());
        bytes = text.size();
    }
    state.counters["json_bytes"] = double(bytes);
}

void BM_UiThreadHandsItOver(benchmark::State& state) {
    const Document doc = song(state.range(0));
    QTemporaryDir dir;
    gui::Autosave autosave(dir.path());
    for (auto _ : state) autosave.saveInBackground(canonical_document(doc), QString());
    while (autosave.busy()) QThread::msleep(5);  // after the timed loop: the writer finishes
}

void BM_CopyOnly(benchmark::State& state) {
    const Document doc = song(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(canonical_document(doc));
}

BENCHMARK(BM_UiThreadWritesItself)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_UiThreadHandsItOver)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CopyOnly)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
