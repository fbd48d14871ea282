// ScoreSnapshot::with_notes_changed: an edited snapshot plays exactly what a full build of the edited
// document plays (every event, every chase), shares the chunks the edit did not touch, and splits
// chunks that grow past their limit.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "engine/score_snapshot.h"
#include "support/score_builder.h"

namespace {

using namespace tactus;
using namespace tactus::test;

constexpr double kRate = 48000.0;

std::vector<ScoreEvent> events_of(const ScoreSnapshot& s) {
    std::vector<ScoreEvent> out;
    s.for_each_event([&](const ScoreEvent& e) { out.push_back(e); });
    return out;
}

std::vector<SnapshotNote> sounding_at(const ScoreSnapshot& s, Frame frame) {
    std::vector<SnapshotNote> out;
    s.for_each_note_sounding_at(frame, [&](const SnapshotNote& n) { out.push_back(n); });
    std::sort(out.begin(), out.end(),
              [](const SnapshotNote& a, const SnapshotNote& b) { return a.key < b.key; });
    return out;
}

// Every note sounding at `frame` by brute force over the document.
std::vector<SnapshotNote> sounding_by_scan(const Document& doc, const ScoreSnapshot& s, Frame frame) {
    std::vector<SnapshotNote> out;
    for (std::uint32_t t = 0; t < doc.tracks.size(); ++t)
        for (const Note& n : doc.tracks[t].notes) {
            const SnapshotNote c = s.compile(n, t);
            if (c.on < frame && c.off > frame) out.push_back(c);
        }
    std::sort(out.begin(), out.end(),
              [](const SnapshotNote& a, const SnapshotNote& b) { return a.key < b.key; });
    return out;
}

Document random_document(std::mt19937& rng, int notes) {
    Document doc;
    doc.tempo = tempo_map({{0.0, 120.0, false}, {64.0, 90.0, true}, {128.0, 140.0, false}});
    doc.tracks = {track(1, "sine"), track(2, "saw")};
    std::uniform_real_distribution<double> start(0.0, 200.0);
    std::uniform_int_distribution<int> length_kind(0, 9), pitch(30, 90), which(0, 1);
    for (int i = 0; i < notes; ++i) {
        const int k = length_kind(rng);
        const double length = k == 0 ? 0.0 : k < 8 ? 0.25 * k : 16.0 * k;  // triggers, short, very long
        doc.tracks[which(rng)].notes.push_back(
            note(NoteId(i + 1), std::round(start(rng) * 4) / 4, length, pitch(rng)));
    }
    return doc;
}

TEST(SnapshotEdits, random_edits_play_exactly_what_a_full_build_plays) {
    std::mt19937 rng(7);
    Document doc = random_document(rng, 3000);
    auto snap = ScoreSnapshot::build(doc, kRate);
    NoteId next_id = 100000;
    std::uniform_int_distribution<int> op(0, 2), pitch(30, 90);
    std::uniform_real_distribution<double> start(0.0, 200.0), length(0.0, 40.0);
    for (int round = 0; round < 300; ++round) {
        std::vector<SnapshotNote> removed, added;
        for (int e = 0; e < 5; ++e) {  // a batch of edits: delete, move, add
            const std::uint32_t t = static_cast<std::uint32_t>(rng() % 2);
            auto& notes = doc.tracks[t].notes;
            const int kind = notes.empty() ? 2 : op(rng);
            if (kind == 2) {
                notes.push_back(note(next_id++, start(rng), length(rng), pitch(rng)));
                added.push_back(snap->compile(notes.back(), t));
                continue;
            }
            const std::size_t i = rng() % notes.size();
            removed.push_back(snap->compile(notes[i], t));
            if (kind == 0) {
                notes.erase(notes.begin() + static_cast<std::ptrdiff_t>(i));
            } else {
                notes[i].start = start(rng);
                notes[i].length = length(rng);
                added.push_back(snap->compile(notes[i], t));
            }
        }
        snap = snap->with_notes_changed(removed, added);
        if (round % 50 != 49) continue;
        const auto rebuilt = ScoreSnapshot::build(doc, kRate);
        ASSERT_EQ(events_of(*snap), events_of(*rebuilt)) << "after round " << round;
        ASSERT_EQ(snap->end_frame(), rebuilt->end_frame());
        for (Frame f = 0; f < rebuilt->end_frame() + 2; f += 7919) {
            ASSERT_EQ(sounding_at(*snap, f), sounding_by_scan(doc, *rebuilt, f)) << "frame " << f;
            const EventCursor a = snap->first_event_at_or_after(f);
            EventCursor a_norm = a;
            const ScoreEvent* ea = snap->event_at(a_norm);
            EventCursor b = rebuilt->first_event_at_or_after(f);
            const ScoreEvent* eb = rebuilt->event_at(b);
            ASSERT_EQ(ea == nullptr, eb == nullptr);
            if (ea) {
                EXPECT_EQ(*ea, *eb) << "first event at or after " << f;
            }
        }
    }
}

TEST(SnapshotEdits, an_edit_copies_only_the_chunks_it_touches) {
    std::mt19937 rng(11);
    Document doc;
    doc.tempo = tempo_map({{0.0, 120.0, false}});
    doc.tracks = {track(1, "sine")};
    for (int i = 0; i < 20000; ++i) doc.tracks[0].notes.push_back(note(NoteId(i + 1), i * 0.25, 0.2, 60));
    auto before = ScoreSnapshot::build(doc, kRate);
    ASSERT_GT(before->chunk_count(), 100u);

    Note added = note(999999, 1000.1, 0.5, 72);
    auto after = before->with_notes_changed({}, std::vector{before->compile(added, 0)});
    std::size_t shared = 0;
    for (std::size_t i = 0; i < after->chunk_count(); ++i)
        for (std::size_t j = 0; j < before->chunk_count(); ++j)
            if (&after->chunk(i) == &before->chunk(j)) ++shared;
    // One chunk holds both of the new note's events: every other chunk is the same object.
    EXPECT_EQ(shared, before->chunk_count() - 1);
}

TEST(SnapshotEdits, a_chunk_that_grows_past_its_limit_splits_at_a_frame_boundary) {
    Document doc;
    doc.tempo = tempo_map({{0.0, 120.0, false}});
    doc.tracks = {track(1, "sine")};
    auto snap = ScoreSnapshot::build(doc, kRate);
    std::vector<SnapshotNote> added;
    // 2000 notes, 4 per frame: the split must never separate two events of one frame.
    for (int i = 0; i < 2000; ++i)
        added.push_back(snap->compile(note(NoteId(i + 1), (i / 4) * 0.01, 0.5), 0));
    snap = snap->with_notes_changed({}, added);
    ASSERT_GT(snap->chunk_count(), 4u);
    for (std::size_t c = 0; c < snap->chunk_count(); ++c) {
        const EventChunk& chunk = snap->chunk(c);
        EXPECT_LE(chunk.events.size(), ScoreSnapshot::kMaxChunkEvents);
        for (const ScoreEvent& e : chunk.events) EXPECT_GE(e.frame, chunk.start);
        if (c + 1 < snap->chunk_count() && !chunk.events.empty()) {
            EXPECT_LT(chunk.events.back().frame, snap->chunk(c + 1).start);
        }
    }
    for (int i = 0; i < 2000; ++i) doc.tracks[0].notes.push_back(note(NoteId(i + 1), (i / 4) * 0.01, 0.5));
    EXPECT_EQ(events_of(*snap), events_of(*ScoreSnapshot::build(doc, kRate)));
}

}  // namespace
