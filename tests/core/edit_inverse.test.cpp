// Undo: applying a batch and then its inverse gives back the document it started from, note for
// note and track for track, for every kind of edit and for batches that touch one thing twice.
#include "core/edit_inverse.h"

#include <gtest/gtest.h>

#include <random>

#include "support/score_builder.h"

namespace tactus {
namespace {

using test::note;
using test::track;

Document three_tracks() {
    Document doc;
    doc.revision = 7;
    doc.tracks = {track(1, "sine", {note(1, 0, 1, 60), note(2, 1, 1, 62), note(3, 2, 1, 64)}),
                  track(2, "saw", {note(4, 0, 2, 48)}), track(3, "pluck")};
    return doc;
}

// Applies `edits`, then their inverse, and expects the starting document back.
void expect_undo_restores(const Document& start, const std::vector<Edit>& edits) {
    DocumentEditor editor(start);
    std::string error;
    const auto inverse = inverse_edits(editor, edits, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_TRUE(editor.apply(edits, nullptr, &error)) << error;
    ASSERT_TRUE(editor.apply(*inverse, nullptr, &error)) << error;
    Document restored = canonical_document(editor.document());
    Document expected = canonical_document(start);
    restored.revision = expected.revision = 0;
    EXPECT_EQ(restored, expected);
}

TEST(EditInverse, each_note_edit_is_undone) {
    expect_undo_restores(three_tracks(), {edit::NoteAdd{3, note(9, 4, 1, 70)}});
    expect_undo_restores(three_tracks(), {edit::NoteMove{2, 3.5, 0}});
    expect_undo_restores(three_tracks(), {edit::NoteMove{2, std::nullopt, 3}});
    expect_undo_restores(three_tracks(), {edit::NoteResize{1, 0.25}});
    expect_undo_restores(three_tracks(), {edit::NoteDelete{4}});
    expect_undo_restores(three_tracks(), {edit::NotePitch{3, 71, -12.5}});
    expect_undo_restores(three_tracks(), {edit::NoteVelocity{3, 5}});
}

TEST(EditInverse, each_track_and_map_edit_is_undone) {
    Track added = track(8, "square");
    added.name = "Lead";
    expect_undo_restores(three_tracks(), {edit::TrackAdd{added, 1}});
    expect_undo_restores(three_tracks(), {edit::TrackRemove{1}});
    expect_undo_restores(three_tracks(), {edit::TrackRename{2, "Bass"}});
    expect_undo_restores(three_tracks(), {edit::TrackMove{1, 2}});
    expect_undo_restores(three_tracks(), {edit::TrackInstrument{2, "synth", "organ"}});
    expect_undo_restores(three_tracks(), {edit::TempoReplace{{{0, 90, true}, {8, 140, false}}}});
    expect_undo_restores(three_tracks(), {edit::MeterReplace{{{0, 3, 4}, {2, 7, 8}}}});
    expect_undo_restores(three_tracks(), {edit::MarkersReplace{{{4, "Verse"}, {0, "Intro"}}}});
}

// A Csound track: its orchestra, Csound instrument and parameters come back with it.
Document with_csound_track() {
    Document doc = three_tracks();
    Track& t = doc.tracks[2];
    t.instrument = "csound";
    t.preset = "sine";
    t.orchestra = "/music/bell.orc";
    t.csound_instrument = "Bell";
    t.parameters = {{"cutoff", 3000.0}, {"drive", 0.5}};
    return doc;
}

TEST(EditInverse, a_csound_track_comes_back_whole) {
    expect_undo_restores(with_csound_track(), {edit::TrackRemove{3}});
    expect_undo_restores(with_csound_track(), {edit::TrackInstrument{3, "synth", "organ"}});
    expect_undo_restores(
        with_csound_track(),
        {edit::TrackInstrument{3, "csound", "sine", edit::CsoundChoice{"/music/pluck.orc", "1", {}}}});
    expect_undo_restores(
        three_tracks(),
        {edit::TrackInstrument{2, "csound", "sine",
                               edit::CsoundChoice{"/music/bell.orc", "Bell", {{"cutoff", 200.0}}}}});
    Track added = with_csound_track().tracks[2];
    added.id = 9;
    added.notes.clear();
    expect_undo_restores(three_tracks(), {edit::TrackAdd{added, 0}});
}

TEST(EditInverse, an_instrument_change_to_an_orchestra_is_undone_by_one_naming_the_old_one) {
    DocumentEditor editor(with_csound_track());
    std::string error;
    const auto inverse = inverse_edits(
        editor, {edit::TrackInstrument{3, "csound", "sine", edit::CsoundChoice{"/music/pluck.orc", "2", {}}}},
        &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_EQ(inverse->size(), 1u);
    const auto& back = std::get<edit::TrackInstrument>(inverse->front());
    EXPECT_EQ(back.instrument, "csound");
    ASSERT_TRUE(back.csound.has_value());
    EXPECT_EQ(*back.csound,
              (edit::CsoundChoice{"/music/bell.orc", "Bell", {{"cutoff", 3000.0}, {"drive", 0.5}}}));
}

// A track as a MIDI import leaves it: mixer settings, a channel, a sustain pedal and a bend.
Document tracks_with_controllers() {
    Document doc = three_tracks();
    Track& t = doc.tracks[1];
    t.level = 0.5;
    t.pan = -0.25;
    t.mute = true;
    t.midi_channel = 3;
    t.controllers = {ControllerEvent{1.0, ControllerKind::ControlChange, 64, 127},
                     ControllerEvent{1.5, ControllerKind::PitchBend, 0, -0.5},
                     ControllerEvent{2.0, ControllerKind::ProgramChange, 33, 0},
                     ControllerEvent{3.0, ControllerKind::ControlChange, 64, 0}};
    doc.tracks[2].solo = true;
    return doc;
}

TEST(EditInverse, a_removed_track_comes_back_whole_with_mixer_channel_and_controllers) {
    expect_undo_restores(tracks_with_controllers(), {edit::TrackRemove{2}});
    expect_undo_restores(tracks_with_controllers(), {edit::TrackRemove{3}, edit::TrackRemove{2}});
}

TEST(EditInverse, replacing_controller_events_is_undone) {
    expect_undo_restores(tracks_with_controllers(), {edit::TrackControllers{2, {}}});
    expect_undo_restores(tracks_with_controllers(),
                         {edit::TrackControllers{1, {{4, ControllerKind::ChannelPressure, 0, 90}}},
                          edit::TrackControllers{1, {}}, edit::TrackControllers{2, {}}});
}

// three_tracks() with buses 5 and 6 (track 1 sends to 5) and lanes of tracks, buses and sends.
Document with_automation() {
    Document doc = three_tracks();
    Bus reverb;
    reverb.id = 5;
    Bus echo;
    echo.id = 6;
    doc.buses = {reverb, echo};
    doc.tracks[0].sends = {Send{5, 0.5, false}};
    using enum AutomationOwner;
    doc.automation = {
        {{Track, 1, "level"}, {{0, 1, AutomationShape::Hold}, {4, 0.5, AutomationShape::Linear}}},
        {{Track, 1, "send:5"}, {{2, 0.25, AutomationShape::Smooth}}},
        {{Track, 2, "pan"}, {{0, -1, AutomationShape::Linear}, {8, 1, AutomationShape::Linear}}},
        {{Track, 2, "send:5"}, {{1, 2, AutomationShape::Hold}}},  // no send (yet): silent
        {{Track, 3, "send:6"}, {{0, 3, AutomationShape::Linear}}},
        {{Bus, 5, "level"}, {{0, 0.5, AutomationShape::Smooth}}},
        {{Bus, 6, "pan"}, {{3, 0.5, AutomationShape::Linear}}}};
    return doc;
}

// As expect_undo_restores, and the lanes come back in their places (not only as a set).
void expect_lanes_restored(const Document& start, const std::vector<Edit>& edits) {
    expect_undo_restores(start, edits);
    DocumentEditor editor(start);
    std::string error;
    const auto inverse = inverse_edits(editor, edits, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_TRUE(editor.apply(edits, nullptr, &error)) << error;
    ASSERT_TRUE(editor.apply(*inverse, nullptr, &error)) << error;
    EXPECT_EQ(editor.document().automation, start.automation);
}

TEST(EditInverse, setting_a_lane_is_undone_by_setting_its_old_points) {
    using enum AutomationOwner;
    const Document start = with_automation();
    const std::vector<AutomationPoint> points = {{6, 0.1, AutomationShape::Smooth},
                                                 {2, 0.9, AutomationShape::Hold}};
    expect_lanes_restored(start, {edit::AutomationSet{{Track, 3, "pan"}, points}});    // a new lane
    expect_lanes_restored(start, {edit::AutomationSet{{Track, 1, "level"}, points}});  // replaced
    expect_lanes_restored(start, {edit::AutomationSet{{Track, 2, "send:5"}, {}}});     // removed
    expect_lanes_restored(start, {edit::AutomationSet{{Bus, 6, "level"}, points},      // set twice,
                                  edit::AutomationSet{{Bus, 6, "level"}, {}},          // and another
                                  edit::AutomationSet{{Bus, 6, "pan"}, points}});

    DocumentEditor editor(start);
    std::string error;
    auto inverse = inverse_edits(editor, {edit::AutomationSet{{Track, 3, "pan"}, points}}, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_EQ(inverse->size(), 1u);
    const auto& back = std::get<edit::AutomationSet>(inverse->front());
    EXPECT_EQ(back.target, (AutomationTarget{Track, 3, "pan"}));
    EXPECT_TRUE(back.points.empty()) << "no lane before: the undo removes it";
    inverse = inverse_edits(editor, {edit::AutomationSet{{Track, 1, "level"}, {}}}, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    EXPECT_EQ(std::get<edit::AutomationSet>(inverse->front()).points, start.automation[0].points);

    EXPECT_FALSE(inverse_edits(editor, {edit::AutomationSet{{Bus, 9, "pan"}, points}}, &error));
    EXPECT_EQ(error, "edit 1: no bus with id 9");
    EXPECT_FALSE(inverse_edits(editor, {edit::AutomationSet{{Track, 9, "pan"}, points}}, &error));
    EXPECT_EQ(error, "edit 1: no track with id 9");
}

TEST(EditInverse, a_removed_track_or_bus_comes_back_with_its_lanes_in_their_places) {
    const Document start = with_automation();
    expect_lanes_restored(start, {edit::TrackRemove{1}});
    expect_lanes_restored(start, {edit::TrackRemove{3}});
    expect_lanes_restored(start, {edit::BusRemove{6}});
    expect_lanes_restored(start, {edit::TrackSends{1, {}}, edit::BusRemove{5}});
    // Either order: the bus comes back before the lanes of sends to it are set again.
    expect_lanes_restored(start, {edit::TrackRemove{1}, edit::BusRemove{5}, edit::TrackRemove{3}});
    expect_lanes_restored(start, {edit::TrackSends{1, {}}, edit::BusRemove{5}, edit::TrackRemove{1}});
    // A lane set in the batch and then removed with its track.
    expect_lanes_restored(
        start, {edit::AutomationSet{{AutomationOwner::Track, 2, "level"}, {{0, 2, AutomationShape::Linear}}},
                edit::TrackRemove{2}});

    // The lanes follow the track's re-adding, its notes and controllers.
    DocumentEditor editor(start);
    std::string error;
    const auto inverse = inverse_edits(editor, {edit::TrackRemove{1}}, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_TRUE(std::holds_alternative<edit::TrackAdd>(inverse->front()));
    std::vector<AutomationLane> restored;
    for (const Edit& e : *inverse)
        if (const auto* set = std::get_if<edit::AutomationSet>(&e))
            restored.push_back({set->target, set->points});
    EXPECT_EQ(restored, (std::vector<AutomationLane>{start.automation[0], start.automation[1]}));
}

// Something of every kind on both sides of beat 4 (bar 1 of 4/4): tempo with a ramp across it, meter
// changes, markers, notes (one across), controller events and lanes; all on multiples of 1/1024 beat.
Document arranged() {
    Document doc = with_automation();
    doc.tempo = test::tempo_map({{0, 120, false}, {2, 100, true}, {6, 140, false}});
    doc.meter = {{0, 4, 4}, {2, 3, 4}, {5, 4, 4}};
    doc.markers = {{0, "Intro"}, {4, "Verse"}, {20.5, "End"}, {2, "Pickup"}};
    doc.tracks[0].notes.push_back(note(5, 3, 2, 67));  // across beat 4
    doc.tracks[1].notes.push_back(note(6, 5 + 1.0 / 1024, 1));
    doc.tracks[2].notes.push_back(note(7, 9.75, 0.5));
    doc.tracks[1].controllers = {ControllerEvent{1.0, ControllerKind::ControlChange, 64, 127},
                                 ControllerEvent{4.0, ControllerKind::ControlChange, 64, 0},
                                 ControllerEvent{7.125, ControllerKind::PitchBend, 0, 0.5}};
    return doc;
}

TEST(EditInverse, a_time_shift_is_undone_by_the_opposite_shift_to_the_identical_document) {
    const Document start = arranged();
    // Two bars in at bar 1; at the start; one beat's worth of a bar in late, past everything.
    expect_undo_restores(start, {edit::TimeShift{4, 8, 1, 2}});
    expect_undo_restores(start, {edit::TimeShift{0, 4, 0, 1}});
    expect_undo_restores(start, {edit::TimeShift{100, 3.5, 30, 1}});
    // Removal, with what stood in the span deleted first in the same batch.
    expect_undo_restores(start, {edit::NoteDelete{6}, edit::TimeShift{5.5, -0.5, 1, -1}});
    expect_undo_restores(
        start, {edit::NoteDelete{2}, edit::NoteDelete{3}, edit::NoteDelete{5}, edit::TrackControllers{2, {}},
                edit::MarkersReplace{{{0, "Intro"}, {4, "Verse"}, {20.5, "End"}}},
                edit::AutomationSet{{AutomationOwner::Track, 1, "send:5"}, {}},
                edit::AutomationSet{{AutomationOwner::Track, 2, "send:5"}, {}},
                edit::AutomationSet{{AutomationOwner::Bus, 6, "pan"}, {}},
                edit::TempoReplace{{{0, 120, false}, {6, 140, false}}}, edit::TimeShift{4, -3, 1, -1}});
    // Other edits before and after it in the batch see the document as it moved.
    expect_undo_restores(start, {edit::NoteMove{1, 6.0, 0}, edit::TimeShift{4, 8, 1, 2},
                                 edit::NoteMove{1, 2.5, 0}, edit::NoteResize{6, 3}, edit::NoteMove{7, 30, 1},
                                 edit::TempoReplace{{{0, 90, false}, {16, 100, false}}},
                                 edit::TimeShift{10, 2, 3, 1}, edit::TrackRemove{3}});
    expect_undo_restores(start, {edit::TrackRemove{2}, edit::TimeShift{2, 4, 1, 1}});

    // The inverse carries nothing else: the opposite shift from where things moved to.
    DocumentEditor editor(start);
    std::string error;
    const auto inverse = inverse_edits(editor, {edit::TimeShift{4, 8, 1, 2}}, &error);
    ASSERT_TRUE(inverse.has_value()) << error;
    ASSERT_EQ(inverse->size(), 1u);
    const auto& back = std::get<edit::TimeShift>(inverse->front());
    EXPECT_EQ(back.at, 12);
    EXPECT_EQ(back.by, -8);
    EXPECT_EQ(back.bar, 3);
    EXPECT_EQ(back.bars, -2);

    // And bit for bit, not only as compared after canonical ordering: notes keep their places.
    ASSERT_TRUE(editor.apply({edit::TimeShift{4, 8, 1, 2}}, nullptr, &error)) << error;
    ASSERT_TRUE(editor.apply(*inverse, nullptr, &error)) << error;
    Document restored = editor.document();
    restored.revision = start.revision;
    EXPECT_EQ(restored, DocumentEditor(start).document());
}

TEST(EditInverse, a_batch_that_touches_a_note_twice_is_undone_to_the_first_state) {
    expect_undo_restores(three_tracks(), {edit::NoteMove{1, 5.0, 0}, edit::NoteMove{1, 6.0, 2},
                                          edit::NoteResize{1, 3}, edit::NotePitch{1, 30, 0}});
    // A note added and then moved onto a track that is then removed: the removal takes it along.
    expect_undo_restores(three_tracks(), {edit::NoteAdd{1, note(10, 0, 1)}, edit::NoteMove{10, 2.0, 3},
                                          edit::NoteMove{2, std::nullopt, 3}, edit::TrackRemove{3}});
    // Deleting a note and adding a new one with the same id.
    expect_undo_restores(three_tracks(), {edit::NoteDelete{2}, edit::NoteAdd{3, note(2, 9, 1, 90)}});
}

TEST(EditInverse, an_edit_naming_nothing_or_a_note_without_id_is_refused_with_its_position) {
    DocumentEditor editor(three_tracks());
    std::string error;
    EXPECT_FALSE(inverse_edits(editor, {edit::NoteResize{1, 2}, edit::NoteDelete{99}}, &error));
    EXPECT_EQ(error, "edit 2: no note with id 99");
    EXPECT_FALSE(inverse_edits(editor, {edit::TrackRename{42, "x"}}, &error));
    EXPECT_EQ(error, "edit 1: no track with id 42");
    EXPECT_FALSE(inverse_edits(editor, {edit::NoteAdd{1, note(0, 0, 1)}}, &error));
    EXPECT_EQ(error, "edit 1: a new note needs its id before it can be undone");
}

TEST(EditInverse, random_batches_are_undone_exactly) {
    std::mt19937 rng(1234);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    DocumentEditor editor(three_tracks());
    NoteId next_id = 100;
    int applied = 0;
    int shifted = 0;  // applied batches with a time shift
    for (int round = 0; round < 500; ++round) {
        const Document before = editor.document();
        std::vector<NoteId> ids;
        for (const Track& t : before.tracks)
            for (const Note& n : t.notes) ids.push_back(n.id);
        std::vector<TrackId> tracks;
        for (const Track& t : before.tracks) tracks.push_back(t.id);
        if (tracks.empty()) break;
        std::vector<Edit> batch;
        for (int k = 1 + pick(4); k > 0; --k) {
            const TrackId t = tracks[static_cast<std::size_t>(pick(static_cast<int>(tracks.size())))];
            if (ids.empty() || pick(3) == 0) {
                batch.push_back(
                    edit::NoteAdd{t, note(next_id++, pick(64) * 0.25, pick(8) * 0.25, 30 + pick(60))});
                continue;
            }
            const NoteId id = ids[static_cast<std::size_t>(pick(static_cast<int>(ids.size())))];
            switch (pick(7)) {
                case 0:
                    batch.push_back(edit::NoteMove{id, pick(64) * 0.5, pick(2) ? t : 0});
                    break;
                case 1:
                    batch.push_back(edit::NoteResize{id, pick(16) * 0.125});
                    break;
                case 2:
                    batch.push_back(edit::NotePitch{id, pick(128), 0});
                    break;
                case 3:
                    batch.push_back(edit::NoteVelocity{id, 1 + pick(127)});
                    break;
                case 4:
                    batch.push_back(edit::NoteDelete{id});
                    break;
                case 5: {  // time in or out (out is refused while notes start in the span)
                    const double by = (1 + pick(8)) * 0.5;
                    if (pick(2))
                        batch.push_back(edit::TimeShift{pick(64) * 0.25, by, 4, 1});
                    else
                        batch.push_back(edit::TimeShift{pick(64) * 0.25, -by, 4, -1});
                    break;
                }
                default:
                    batch.push_back(edit::TrackRename{t, "t" + std::to_string(round)});
                    break;
            }
        }
        std::string error;
        const auto inverse = inverse_edits(editor, batch, &error);
        if (!editor.apply(batch, nullptr, &error)) continue;  // e.g. a note deleted twice: refused as a whole
        ASSERT_TRUE(inverse.has_value()) << error;
        ++applied;
        shifted += std::any_of(batch.begin(), batch.end(),
                               [](const Edit& e) { return std::holds_alternative<edit::TimeShift>(e); });
        if (round % 3 == 0) {  // undo a third of them, keep the rest so the document grows
            ASSERT_TRUE(editor.apply(*inverse, nullptr, &error)) << "round " << round << ": " << error;
            Document restored = canonical_document(editor.document());
            Document expected = canonical_document(before);
            restored.revision = expected.revision = 0;
            ASSERT_EQ(restored, expected) << "round " << round;
        }
    }
    EXPECT_GT(applied, 300);
    EXPECT_GT(shifted, 30);
}

}  // namespace
}  // namespace tactus
