// What publishing a live edit costs on big scores, with the chunked copy-on-write ScoreSnapshot.
//
// An edit must not rebuild the whole snapshot: ScoreSnapshot::with_notes_changed() copies only the
// chunks it touches plus the two per-snapshot tables (chunk pointers, chunk starts). This measures
// that cost against a full build() on scores of 10k, 100k and 1M notes (16 tracks, 120 bpm, notes
// on a 1/16 grid at about 50 notes per second of music, 0.25-4 beats long, 1 in 1000 of 64 beats).
//
//   BM_EditMoveOneNote  one note moved to a random start per iteration; edits accumulate
//   BM_EditBatch100     one with_notes_changed() carrying 100 moves per iteration
//   BM_FullBuild        ScoreSnapshot::build() of the whole document: an edit without copy-on-write
// Each timing includes releasing the snapshot the new one replaces, as publishing an edit would.
//
// Counters (from the public API, no malloc hooks): edit_bytes = bytes newly allocated by one edit
// (average over a sample of edits): the chunks whose address differs from every chunk of the old
// snapshot (their events and sounding capacities) plus the new snapshot's chunk tables;
// chunks_copied = those chunks; snapshot_bytes = every chunk (by capacity) plus the tables of the
// freshly built snapshot; chunks = its chunk count. Sizes count vector capacities, so they include
// the slack std::vector growth leaves; the snapshot object, tempo map and control blocks are left out.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/score.h"
#include "engine/score_snapshot.h"

namespace {

using tactus::Document;
using tactus::EventChunk;
using tactus::Frame;
using tactus::Note;
using tactus::ScoreEvent;
using tactus::ScoreSnapshot;
using tactus::SnapshotNote;
using Snapshot = std::shared_ptr<const ScoreSnapshot>;

constexpr double kRate = 48000.0;
constexpr double kBpm = 120.0;
constexpr int kTracks = 16;
constexpr double kNotesPerSecond = 50.0;
constexpr double kGrid = 0.25;  // a sixteenth note, in beats
constexpr double kLongNoteBeats = 64.0;
constexpr int kLongNoteOneIn = 1000;
constexpr int kEditSamples = 200;  // edits averaged for the memory counters

// A generated score, with a flat, Document-free index of its notes for the edits to pick from.
struct Score {
    Document doc;
    std::vector<Note> notes;          // every note, by index
    std::vector<std::uint32_t> slot;  // its track's slot
    std::int64_t grid_steps = 0;      // starts are k * kGrid for k in [0, grid_steps)
    Snapshot snapshot;                // ScoreSnapshot::build(doc, kRate)
};

std::unique_ptr<Score> make_score(std::int64_t note_count) {
    auto score = std::make_unique<Score>();
    score->doc.title = "snapshot_edit bench";
    score->doc.tempo = tactus::TempoMap(kBpm);
    const double beats = static_cast<double>(note_count) / kNotesPerSecond * (kBpm / 60.0);
    score->grid_steps = static_cast<std::int64_t>(beats / kGrid);

    std::mt19937 rng(20240611);
    std::uniform_int_distribution<std::int64_t> step(0, score->grid_steps - 1);
    std::uniform_int_distribution<int> length_steps(1, 16);  // 0.25 .. 4 beats
    std::uniform_int_distribution<int> long_note(0, kLongNoteOneIn - 1);
    std::uniform_int_distribution<int> pitch(24, 108);
    std::uniform_int_distribution<int> velocity(30, 127);
    std::uniform_int_distribution<int> track(0, kTracks - 1);

    score->doc.tracks.resize(kTracks);
    for (int t = 0; t < kTracks; ++t) {
        score->doc.tracks[static_cast<std::size_t>(t)].id = static_cast<tactus::TrackId>(t + 1);
        score->doc.tracks[static_cast<std::size_t>(t)].name = "track " + std::to_string(t + 1);
    }
    score->notes.reserve(static_cast<std::size_t>(note_count));
    score->slot.reserve(static_cast<std::size_t>(note_count));
    for (std::int64_t i = 0; i < note_count; ++i) {
        Note n;
        n.id = static_cast<tactus::NoteId>(i + 1);
        n.start = static_cast<double>(step(rng)) * kGrid;
        n.length = long_note(rng) == 0 ? kLongNoteBeats : length_steps(rng) * kGrid;
        n.pitch = pitch(rng);
        n.velocity = velocity(rng);
        const auto t = static_cast<std::uint32_t>(track(rng));
        score->doc.tracks[t].notes.push_back(n);
        score->notes.push_back(n);
        score->slot.push_back(t);
    }
    score->snapshot = ScoreSnapshot::build(score->doc, kRate);
    return score;
}

// Scores are built once per size and shared by every benchmark (the 1M one takes seconds).
const Score& score_of(std::int64_t note_count) {
    static std::map<std::int64_t, std::unique_ptr<Score>> scores;
    auto& score = scores[note_count];
    if (!score) score = make_score(note_count);
    return *score;
}

std::size_t chunk_bytes(const EventChunk& c) {
    return c.events.capacity() * sizeof(ScoreEvent) + c.sounding.capacity() * sizeof(SnapshotNote);
}

std::size_t table_bytes(const ScoreSnapshot& s) {
    return s.chunk_count() * (sizeof(std::shared_ptr<const EventChunk>) + sizeof(Frame));
}

std::size_t snapshot_bytes(const ScoreSnapshot& s) {
    std::size_t bytes = table_bytes(s);
    for (std::size_t i = 0; i < s.chunk_count(); ++i) bytes += chunk_bytes(s.chunk(i));
    return bytes;
}

struct EditCost {
    std::size_t bytes = 0;
    std::size_t chunks = 0;
};

// What `after` allocated that `before` did not have: its chunks at new addresses, and its tables.
EditCost edit_cost(const ScoreSnapshot& before, const ScoreSnapshot& after) {
    std::unordered_set<const EventChunk*> old_chunks;
    old_chunks.reserve(before.chunk_count());
    for (std::size_t i = 0; i < before.chunk_count(); ++i) old_chunks.insert(&before.chunk(i));
    EditCost cost{table_bytes(after), 0};
    for (std::size_t j = 0; j < after.chunk_count(); ++j) {
        if (old_chunks.contains(&after.chunk(j))) continue;
        cost.bytes += chunk_bytes(after.chunk(j));
        ++cost.chunks;
    }
    return cost;
}

// The live state an editor keeps: the published snapshot and the current value of every note.
class Editor {
public:
    explicit Editor(const Score& score)
        : score_(score), notes_(score.notes), snapshot_(score.snapshot), rng_(7) {}

    const Snapshot& snapshot() const { return snapshot_; }

    // Publishes `moves` random notes (distinct) moved to random starts, as one edit.
    void move_random_notes(std::size_t moves) {
        removed_.clear();
        added_.clear();
        picked_.clear();
        std::uniform_int_distribution<std::size_t> index(0, notes_.size() - 1);
        std::uniform_int_distribution<std::int64_t> step(0, score_.grid_steps - 1);
        while (removed_.size() < moves) {
            const std::size_t i = index(rng_);
            if (!picked_.insert(i).second) continue;
            Note& note = notes_[i];
            removed_.push_back(snapshot_->compile(note, score_.slot[i]));
            note.start = static_cast<double>(step(rng_)) * kGrid;
            added_.push_back(snapshot_->compile(note, score_.slot[i]));
        }
        snapshot_ = snapshot_->with_notes_changed(removed_, added_);
    }

private:
    const Score& score_;
    std::vector<Note> notes_;
    Snapshot snapshot_;
    std::mt19937 rng_;
    std::vector<SnapshotNote> removed_;
    std::vector<SnapshotNote> added_;
    std::unordered_set<std::size_t> picked_;
};

// Memory counters for edits of `moves` notes: kEditSamples edits from the freshly built snapshot
// (so the figures do not depend on how many iterations the timing ran), and that snapshot's size.
void report_memory(benchmark::State& state, const Score& score, std::size_t moves) {
    Editor editor(score);
    double bytes = 0.0;
    double chunks = 0.0;
    for (int i = 0; i < kEditSamples; ++i) {
        const Snapshot before = editor.snapshot();
        editor.move_random_notes(moves);
        const EditCost cost = edit_cost(*before, *editor.snapshot());
        bytes += static_cast<double>(cost.bytes);
        chunks += static_cast<double>(cost.chunks);
    }
    state.counters["edit_bytes"] = benchmark::Counter(bytes / kEditSamples);
    state.counters["chunks_copied"] = benchmark::Counter(chunks / kEditSamples);
    state.counters["snapshot_bytes"] =
        benchmark::Counter(static_cast<double>(snapshot_bytes(*score.snapshot)));
    state.counters["chunks"] = benchmark::Counter(static_cast<double>(score.snapshot->chunk_count()));
}

void edit_benchmark(benchmark::State& state, std::size_t moves) {
    const Score& score = score_of(state.range(0));
    Editor editor(score);
    for (auto _ : state) {
        editor.move_random_notes(moves);
        benchmark::DoNotOptimize(editor.snapshot().get());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(moves));
    report_memory(state, score, moves);
}

void BM_EditMoveOneNote(benchmark::State& state) {
    edit_benchmark(state, 1);
}
BENCHMARK(BM_EditMoveOneNote)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_EditBatch100(benchmark::State& state) {
    edit_benchmark(state, 100);
}
BENCHMARK(BM_EditBatch100)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

void BM_FullBuild(benchmark::State& state) {
    const Score& score = score_of(state.range(0));
    Snapshot snapshot;
    for (auto _ : state) {
        snapshot = ScoreSnapshot::build(score.doc, kRate);
        benchmark::DoNotOptimize(snapshot.get());
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.counters["snapshot_bytes"] = benchmark::Counter(static_cast<double>(snapshot_bytes(*snapshot)));
    state.counters["chunks"] = benchmark::Counter(static_cast<double>(snapshot->chunk_count()));
}
BENCHMARK(BM_FullBuild)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
