// DocumentEditor: batches apply all or none, the revision counts applied batches, errors name the
// edit and the problem, the effect lists each changed note once, and 10,000 random edits (many of
// them invalid) leave the document equal to a model this test keeps from its own edit list.
#include "core/document_editor.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <iostream>
#include <map>
#include <random>

#include "core/document_json.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

using test::note;
using test::track;

// Bytes the allocator has handed out and not had back, arenas and mmapped blocks (under ASan, whose
// allocator mallinfo2 does not see, a figure that does not move).
std::size_t heap_in_use() {
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

Document two_tracks() {
    Document doc;
    doc.revision = 40;
    doc.tracks = {track(1, "sine", {note(1, 0, 1, 60), note(2, 1, 1, 62), note(3, 2, 1, 64)}),
                  track(2, "saw")};
    return doc;
}

TEST(DocumentEditor, a_batch_with_a_conflict_changes_nothing_and_names_the_edit) {
    DocumentEditor editor(two_tracks());
    const Document before = editor.document();
    std::string error;
    const bool ok = editor.apply({edit::NoteMove{1, 4.0, 0}, edit::NoteDelete{3},
                                  edit::NoteAdd{2, note(7, 0, 1)}, edit::NoteAdd{1, note(7, 3, 1)}},
                                 nullptr, &error);
    EXPECT_FALSE(ok);
    EXPECT_EQ(error, "edit 4 of 4 (note/add): note id 7 already exists (on track 2)");
    EXPECT_EQ(editor.document(), before) << "a refused batch must leave the document exactly as it was";
    EXPECT_EQ(editor.revision(), 40u);
    EXPECT_EQ(editor.find_note(3)->note, note(3, 2, 1, 64));
    EXPECT_FALSE(editor.find_note(7).has_value());
}

TEST(DocumentEditor, errors_name_missing_ids_and_out_of_range_values) {
    DocumentEditor editor(two_tracks());
    std::string error;
    EXPECT_FALSE(editor.apply({edit::NoteDelete{99}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (note/delete): no note with id 99");
    EXPECT_FALSE(editor.apply({edit::NoteAdd{5, note(8, 0, 1)}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (note/add): no track with id 5");
    EXPECT_FALSE(editor.apply({edit::NotePitch{1, 128, 0}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (note/pitch): pitch must be within 0..127 (got 128)");
    EXPECT_FALSE(editor.apply({edit::NoteMove{2, -1, 0}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (note/move): start must be within 0..1000000 (got -1)");
    EXPECT_FALSE(editor.apply({edit::TempoReplace{{{0, 120, false}, {4, 5000, false}}}}, nullptr, &error));
    EXPECT_NE(error.find("edit 1 of 1 (tempo/set): "), std::string::npos) << error;
    EXPECT_NE(error.find("5000"), std::string::npos) << error;
    EXPECT_FALSE(editor.apply({edit::MeterReplace{{{0, 3, 4}, {0, 6, 8}}}}, nullptr, &error));
    EXPECT_EQ(error,
              "edit 1 of 1 (meter/set): meter entry 2: bar 0 must be after the previous entry's bar 0");
    EXPECT_EQ(editor.revision(), 40u);
    EXPECT_EQ(editor.document(), two_tracks());
}

TEST(DocumentEditor, the_effect_lists_each_changed_note_once_as_it_was_and_as_it_is) {
    DocumentEditor editor(two_tracks());
    EditEffect effect;
    std::string error;
    ASSERT_TRUE(editor.apply({edit::NoteMove{1, 4.0, 0}, edit::NoteMove{1, 5.0, 2}, edit::NoteResize{1, 3.0},
                              edit::NoteAdd{1, note(0, 9, 1)}, edit::NoteDelete{2}},
                             &effect, &error))
        << error;
    EXPECT_EQ(editor.revision(), 41u);
    auto by_id = [](std::vector<PlacedNote> v) {
        std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.note.id < b.note.id; });
        return v;
    };
    EXPECT_EQ(by_id(effect.removed),
              (std::vector<PlacedNote>{{1, note(1, 0, 1, 60)}, {1, note(2, 1, 1, 62)}}));
    // The added note got the next free id, 4, and the log has it.
    EXPECT_EQ(by_id(effect.added), (std::vector<PlacedNote>{{2, note(1, 5, 3, 60)}, {1, note(4, 9, 1)}}));
    ASSERT_NE(editor.last_batch(), nullptr);
    EXPECT_EQ(std::get<edit::NoteAdd>(editor.last_batch()->edits[3]).note.id, 4u);
}

TEST(DocumentEditor, removing_a_track_and_failing_later_restores_it_with_its_notes_in_order) {
    DocumentEditor editor(two_tracks());
    std::string error;
    EXPECT_FALSE(
        editor.apply({edit::TrackMove{2, 0}, edit::TrackRemove{1}, edit::NoteDelete{1}}, nullptr, &error));
    EXPECT_EQ(error, "edit 3 of 3 (note/delete): no note with id 1");
    EXPECT_EQ(editor.document(), two_tracks());
    EXPECT_TRUE(editor.apply({edit::TrackRemove{1}}, nullptr, &error)) << error;
    EXPECT_FALSE(editor.find_note(1).has_value());
    EXPECT_EQ(editor.document().tracks.size(), 1u);
}

TEST(DocumentEditor, controller_events_are_replaced_sorted_and_checked) {
    DocumentEditor editor(two_tracks());
    std::string error;
    EditEffect effect;
    const ControllerEvent pedal_up{3.0, ControllerKind::ControlChange, 64, 0};
    const ControllerEvent pedal_down{1.0, ControllerKind::ControlChange, 64, 127};
    const ControllerEvent bend{2.0, ControllerKind::PitchBend, 0, -1.0};
    ASSERT_TRUE(editor.apply({edit::TrackControllers{2, {pedal_up, pedal_down, bend}}}, &effect, &error))
        << error;
    EXPECT_TRUE(effect.controllers_changed);
    EXPECT_EQ(editor.document().tracks[1].controllers, (std::vector{pedal_down, bend, pedal_up}));
    EXPECT_EQ(editor.last_batch()->edits.size(), 1u);
    EXPECT_EQ(std::get<edit::TrackControllers>(editor.last_batch()->edits[0]).events,
              editor.document().tracks[1].controllers)
        << "the logged (and pushed) batch is the sorted one";

    // What the edit accepts, the file format takes back.
    const LoadResult reloaded = parse_document(document_to_string(editor.document()), "<edited>");
    ASSERT_TRUE(reloaded.errors.empty()) << reloaded.errors.front().to_string();
    EXPECT_EQ(reloaded.document->tracks[1].controllers, editor.document().tracks[1].controllers);

    const Document before = editor.document();
    EXPECT_FALSE(
        editor.apply({edit::TrackControllers{2, {pedal_down, {1.0, ControllerKind::PitchBend, 0, 1.5}}}},
                     nullptr, &error));
    EXPECT_EQ(error,
              "edit 1 of 1 (track/controllers): controller event 2: pitch bend value must be within "
              "-1..1 (got 1.5)");
    EXPECT_FALSE(editor.apply({edit::TrackControllers{2, {{1.0, ControllerKind::ControlChange, 128, 0}}}},
                              nullptr, &error));
    EXPECT_EQ(error,
              "edit 1 of 1 (track/controllers): controller event 1: number must be within 0..127 (got 128)");
    EXPECT_FALSE(editor.apply({edit::TrackControllers{2, {{1.0, ControllerKind::PitchBend, 200, 0.5}}}},
                              nullptr, &error));
    EXPECT_EQ(error,
              "edit 1 of 1 (track/controllers): controller event 1: number must be within 0..127 (got 200)")
        << "the file format checks the number of every kind: a document holding it could not be loaded";
    EXPECT_FALSE(editor.apply({edit::TrackControllers{9, {}}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (track/controllers): no track with id 9");
    EXPECT_EQ(editor.document(), before);
}

TEST(DocumentEditor, a_mixer_change_is_kept_without_a_revision_and_a_new_track_keeps_its_mixer) {
    DocumentEditor editor(two_tracks());
    EXPECT_TRUE(
        editor.set_mix(2, MixChange{.level = 0.25, .pan = std::nullopt, .mute = true, .solo = std::nullopt}));
    EXPECT_FALSE(editor.set_mix(9, MixChange{.level = 0.5, .pan = {}, .mute = {}, .solo = {}}));
    const Track& t = editor.document().tracks[1];
    EXPECT_EQ(t.level, 0.25);
    EXPECT_EQ(t.pan, 0.0);
    EXPECT_TRUE(t.mute);
    EXPECT_FALSE(t.solo);
    EXPECT_EQ(editor.revision(), 40u) << "mixer moves are not edits";
    EXPECT_EQ(editor.last_batch(), nullptr);

    std::string error;
    Track added = track(5, "sine");
    added.level = 2.0;
    added.pan = 0.5;
    added.solo = true;
    added.midi_channel = 10;
    ASSERT_TRUE(editor.apply({edit::TrackAdd{added, 9}}, nullptr, &error)) << error;
    EXPECT_EQ(editor.document().tracks[2], added);
    added.id = 6;
    added.midi_channel = 17;
    EXPECT_FALSE(editor.apply({edit::TrackAdd{added, 9}}, nullptr, &error));
    EXPECT_EQ(error, "edit 1 of 1 (track/add): MIDI channel must be within 0..16 (got 17)");
}

TEST(DocumentEditor, batches_since_a_revision_resynchronise_a_client) {
    DocumentEditor editor(two_tracks());
    std::string error;
    ASSERT_TRUE(editor.apply({edit::NoteDelete{1}}, nullptr, &error));
    ASSERT_TRUE(editor.apply({edit::NoteDelete{2}}, nullptr, &error));
    ASSERT_TRUE(editor.apply({edit::NoteDelete{3}}, nullptr, &error));
    const auto since = editor.batches_since(41);
    ASSERT_TRUE(since.has_value());
    ASSERT_EQ(since->size(), 2u);
    EXPECT_EQ((*since)[0]->revision, 42u);
    EXPECT_EQ(std::get<edit::NoteDelete>((*since)[1]->edits[0]).id, 3u);
    EXPECT_TRUE(editor.batches_since(43)->empty());
    EXPECT_FALSE(editor.batches_since(39).has_value()) << "before the log starts";
    EXPECT_FALSE(editor.batches_since(44).has_value()) << "ahead of the document";
}

// The churn: adding and deleting 20,000 notes again and again. The log keeps batches while
// they fit in its byte bound and drops the oldest beyond; the heap in use stays near the bound.
TEST(DocumentEditor, the_edit_log_stays_under_its_byte_bound_under_add_and_delete_churn) {
    DocumentEditor editor(two_tracks());
    constexpr std::size_t kNotes = 20'000;
    constexpr int kRounds = 30;  // 60 batches of about 4 MB each: 4 times the bound passes through
    std::string error;
    const std::size_t heap_before = heap_in_use();
    std::size_t largest_log = 0;
    for (int round = 0; round < kRounds; ++round) {
        std::vector<Edit> adds, deletes;
        for (std::size_t i = 0; i < kNotes; ++i) {
            const NoteId id = 1000 + i;
            adds.push_back(edit::NoteAdd{2, note(id, double(i % 64), 0.5)});
            deletes.push_back(edit::NoteDelete{id});
        }
        ASSERT_TRUE(editor.apply(std::move(adds), nullptr, &error)) << error;
        largest_log = std::max(largest_log, editor.log_bytes());
        ASSERT_TRUE(editor.apply(std::move(deletes), nullptr, &error)) << error;
        largest_log = std::max(largest_log, editor.log_bytes());
        ASSERT_LE(editor.log_bytes(), DocumentEditor::kLogBytes) << "round " << round;
    }
    const EditBatch& newest = *editor.last_batch();
    EXPECT_GE(estimated_bytes(newest), kNotes * sizeof(Edit)) << "the estimate counts every edit";
    EXPECT_GT(largest_log, DocumentEditor::kLogBytes - 2 * estimated_bytes(newest))
        << "the log fills up to its bound before dropping batches";
    EXPECT_LT(editor.log_batches(), std::size_t{2 * kRounds}) << "older batches were dropped";

    // What was dropped is refused (fetch the whole document); what is kept is replayed.
    const std::uint64_t now = editor.revision();
    EXPECT_EQ(now, 40u + 2 * kRounds);
    EXPECT_FALSE(editor.batches_since(40).has_value());
    const auto recent = editor.batches_since(now - editor.log_batches());
    ASSERT_TRUE(recent.has_value());
    EXPECT_EQ(recent->size(), editor.log_batches());
    EXPECT_FALSE(editor.batches_since(now - editor.log_batches() - 1).has_value());

    // The heap says the same (unmeasured under sanitizers, whose allocator mallinfo2 does not see).
    std::cout << "[ figures  ] " << 2 * kRounds << " batches of " << kNotes << " note adds or deletes: log "
              << editor.log_bytes() / (1 << 20) << " MiB in " << editor.log_batches() << " batches (bound "
              << DocumentEditor::kLogBytes / (1 << 20) << " MiB); heap grew "
              << (double(heap_in_use()) - double(heap_before)) / (1 << 20) << " MiB\n";
    if (const std::size_t heap_after = heap_in_use(); heap_before > 0 && heap_after > 0) {
        EXPECT_LT(heap_after, heap_before + DocumentEditor::kLogBytes + (16u << 20))
            << "the log's real memory must stay near its bound (" << editor.log_bytes() << " estimated)";
    }
}

TEST(DocumentEditor, a_batch_larger_than_the_whole_bound_is_kept_alone_as_the_newest) {
    DocumentEditor editor(two_tracks());
    editor.set_log_byte_limit(4096);
    std::string error;
    ASSERT_TRUE(editor.apply({edit::NoteDelete{1}}, nullptr, &error)) << error;
    std::vector<Edit> many;
    for (NoteId id = 100; id < 200; ++id) many.push_back(edit::NoteAdd{2, note(id, 0, 1)});
    ASSERT_TRUE(editor.apply(std::move(many), nullptr, &error)) << error;
    ASSERT_NE(editor.last_batch(), nullptr);
    EXPECT_EQ(editor.last_batch()->revision, 42u);
    EXPECT_EQ(editor.log_batches(), 1u);
    EXPECT_GT(editor.log_bytes(), 4096u);
    EXPECT_FALSE(editor.batches_since(40).has_value()) << "revision 41 was dropped";
    EXPECT_EQ(editor.batches_since(41)->size(), 1u);
    ASSERT_TRUE(editor.apply({edit::NoteDelete{2}}, nullptr, &error)) << error;
    EXPECT_EQ(editor.log_batches(), 1u) << "the big batch gave way to the small new one";
    EXPECT_LE(editor.log_bytes(), 4096u);
}

// ------------------------------------------------------------------------------------------------
// Automation lanes

AutomationTarget target(AutomationOwner owner, std::uint64_t id, std::string control) {
    return AutomationTarget{owner, id, std::move(control)};
}
constexpr auto kTrack = AutomationOwner::Track;
constexpr auto kBus = AutomationOwner::Bus;
constexpr auto kHold = AutomationShape::Hold;
constexpr auto kLinear = AutomationShape::Linear;
constexpr auto kSmooth = AutomationShape::Smooth;

// two_tracks() with buses 5 and 6, track 1 sending to bus 5.
Document with_buses() {
    Document doc = two_tracks();
    Bus reverb;
    reverb.id = 5;
    Bus echo;
    echo.id = 6;
    doc.buses = {reverb, echo};
    doc.tracks[0].sends = {Send{5, 0.5, false}};
    return doc;
}

std::vector<AutomationTarget> targets_of(const Document& doc) {
    std::vector<AutomationTarget> out;
    for (const AutomationLane& lane : doc.automation) out.push_back(lane.target);
    return out;
}

TEST(DocumentEditor, an_automation_lane_is_made_replaced_and_removed_with_its_points_sorted) {
    DocumentEditor editor(with_buses());
    std::string error;
    EditEffect effect;
    const std::vector<AutomationPoint> unsorted = {{4, 0.5, kLinear}, {0, 1.0, kHold}, {4, 0.25, kSmooth}};
    ASSERT_TRUE(editor.apply({edit::AutomationSet{target(kTrack, 2, "level"), unsorted}}, &effect, &error))
        << error;
    EXPECT_TRUE(effect.automation_changed);
    EXPECT_EQ(editor.revision(), 41u);
    const std::vector<AutomationPoint> sorted = {{0, 1.0, kHold}, {4, 0.5, kLinear}, {4, 0.25, kSmooth}};
    ASSERT_EQ(editor.document().automation.size(), 1u);
    EXPECT_EQ(editor.document().automation[0], (AutomationLane{target(kTrack, 2, "level"), sorted}))
        << "points on one beat keep their order (a jump)";
    EXPECT_EQ(std::get<edit::AutomationSet>(editor.last_batch()->edits[0]).points, sorted)
        << "the logged (and pushed) edit is the sorted one";

    // More lanes, in one batch: whatever order they come in, the document keeps them by target. Track 2
    // has no send to bus 6: its lane is allowed (silent until there is a send).
    ASSERT_TRUE(editor.apply({edit::AutomationSet{target(kBus, 5, "pan"), {{0, -1, kLinear}}},
                              edit::AutomationSet{target(kTrack, 2, "send:6"), {{2, 3.5, kHold}}},
                              edit::AutomationSet{target(kTrack, 1, "pan"), {{1, 0.5, kSmooth}}}},
                             &effect, &error))
        << error;
    EXPECT_EQ(targets_of(editor.document()),
              (std::vector{target(kTrack, 1, "pan"), target(kTrack, 2, "level"), target(kTrack, 2, "send:6"),
                           target(kBus, 5, "pan")}));

    // Replaced, then removed (no points).
    ASSERT_TRUE(
        editor.apply({edit::AutomationSet{target(kTrack, 2, "level"), {{8, 2.0, kLinear}}}}, &effect, &error))
        << error;
    EXPECT_EQ(editor.document().automation[1].points, (std::vector<AutomationPoint>{{8, 2.0, kLinear}}));
    effect = {};
    ASSERT_TRUE(editor.apply({edit::AutomationSet{target(kTrack, 2, "level"), {}}}, &effect, &error))
        << error;
    EXPECT_TRUE(effect.automation_changed);
    EXPECT_EQ(targets_of(editor.document()),
              (std::vector{target(kTrack, 1, "pan"), target(kTrack, 2, "send:6"), target(kBus, 5, "pan")}));

    // A batch that fails later leaves every lane as it was: made, replaced and removed ones alike.
    const Document before = editor.document();
    EXPECT_FALSE(editor.apply({edit::AutomationSet{target(kTrack, 1, "level"), {{0, 1, kLinear}}},
                               edit::AutomationSet{target(kTrack, 1, "pan"), {{3, -0.5, kHold}}},
                               edit::AutomationSet{target(kBus, 5, "pan"), {}}, edit::NoteDelete{99}},
                              &effect, &error));
    EXPECT_EQ(error, "edit 4 of 4 (note/delete): no note with id 99");
    EXPECT_EQ(editor.document(), before);
    EXPECT_FALSE(effect.automation_changed);

    // What the edit accepts, the file format takes back.
    const LoadResult reloaded = parse_document(document_to_string(editor.document()), "<edited>");
    ASSERT_TRUE(reloaded.errors.empty()) << reloaded.errors.front().to_string();
    EXPECT_EQ(reloaded.document->automation, editor.document().automation);
}

TEST(DocumentEditor, an_automation_edit_names_a_missing_target_a_bad_control_or_a_bad_point) {
    DocumentEditor editor(with_buses());
    const Document before = editor.document();
    std::string error;
    const auto refused = [&](AutomationTarget t, std::vector<AutomationPoint> points) {
        EXPECT_FALSE(editor.apply({edit::AutomationSet{std::move(t), std::move(points)}}, nullptr, &error));
        return error;
    };
    const std::vector<AutomationPoint> one = {{0, 1, kLinear}};
    EXPECT_EQ(refused(target(kTrack, 9, "level"), one), "edit 1 of 1 (automation/set): no track with id 9");
    EXPECT_EQ(refused(target(kBus, 7, "pan"), one), "edit 1 of 1 (automation/set): no bus with id 7");
    EXPECT_EQ(refused(target(kTrack, 1, "volume"), one),
              "edit 1 of 1 (automation/set): unknown control \"volume\" (automatable: \"level\", \"pan\", "
              "\"send:BUS_ID\")");
    EXPECT_EQ(refused(target(kTrack, 1, "send:05"), one),
              "edit 1 of 1 (automation/set): unknown control \"send:05\" (automatable: \"level\", \"pan\", "
              "\"send:BUS_ID\")")
        << "one spelling per control";
    EXPECT_EQ(refused(target(kBus, 5, "send:6"), one),
              "edit 1 of 1 (automation/set): a bus has no sends to automate (\"send:6\")");
    EXPECT_EQ(refused(target(kTrack, 1, "send:9"), one),
              "edit 1 of 1 (automation/set): no bus with id 9 (for \"send:9\")");
    EXPECT_EQ(refused(target(kTrack, 1, "level"), {{0, 1, kLinear}, {2, 5, kLinear}}),
              "edit 1 of 1 (automation/set): automation point 2: value must be within 0..4 (got 5)");
    EXPECT_EQ(refused(target(kTrack, 1, "send:5"), {{0, -0.5, kLinear}}),
              "edit 1 of 1 (automation/set): automation point 1: value must be within 0..4 (got -0.5)");
    EXPECT_EQ(refused(target(kBus, 6, "pan"), {{0, 1.5, kLinear}}),
              "edit 1 of 1 (automation/set): automation point 1: value must be within -1..1 (got 1.5)");
    EXPECT_EQ(refused(target(kTrack, 2, "pan"), {{-1, 0, kLinear}}),
              "edit 1 of 1 (automation/set): automation point 1: beat must be within 0..1000000 (got -1)");
    EXPECT_EQ(refused(target(kTrack, 2, "pan"), {{0, 0, kLinear}, {1e7, 0, kLinear}}),
              "edit 1 of 1 (automation/set): automation point 2: beat must be within 0..1000000 (got "
              "10000000)");
    EXPECT_EQ(editor.document(), before);
    EXPECT_EQ(editor.revision(), before.revision);
}

TEST(DocumentEditor, lanes_go_with_their_track_or_bus_and_come_back_when_the_batch_fails) {
    Document doc = with_buses();
    // Given out of order: the editor keeps them by target.
    doc.automation = {{target(kBus, 6, "pan"), {{0, 0.5, kLinear}}},
                      {target(kTrack, 2, "send:5"), {{0, 1, kLinear}}},
                      {target(kTrack, 1, "send:6"), {{2, 1, kSmooth}, {0, 0, kHold}}},
                      {target(kBus, 5, "level"), {{0, 2, kHold}}},
                      {target(kTrack, 2, "pan"), {{1, -1, kLinear}}},
                      {target(kTrack, 1, "level"), {{0, 1, kLinear}}},
                      {target(kTrack, 1, "send:5"), {{4, 0.5, kLinear}}}};
    DocumentEditor editor(doc);
    EXPECT_EQ(targets_of(editor.document()),
              (std::vector{target(kTrack, 1, "level"), target(kTrack, 1, "send:5"),
                           target(kTrack, 1, "send:6"), target(kTrack, 2, "pan"), target(kTrack, 2, "send:5"),
                           target(kBus, 5, "level"), target(kBus, 6, "pan")}));
    EXPECT_EQ(editor.document().automation[2].points,
              (std::vector<AutomationPoint>{{0, 0, kHold}, {2, 1, kSmooth}}))
        << "a loaded lane's points are sorted too";
    const Document loaded = editor.document();

    // A batch removing the track and (with its send) the bus, failing at its end: all lanes come back.
    std::string error;
    EditEffect effect;
    EXPECT_FALSE(
        editor.apply({edit::TrackRemove{1}, edit::BusRemove{5}, edit::BusRemove{6}, edit::NoteDelete{99}},
                     &effect, &error));
    EXPECT_EQ(error, "edit 4 of 4 (note/delete): no note with id 99");
    EXPECT_EQ(editor.document(), loaded);

    // The track takes its own lanes along, its send lanes included; the others stay.
    ASSERT_TRUE(editor.apply({edit::TrackRemove{1}}, &effect, &error)) << error;
    EXPECT_TRUE(effect.automation_changed);
    EXPECT_EQ(targets_of(editor.document()),
              (std::vector{target(kTrack, 2, "pan"), target(kTrack, 2, "send:5"), target(kBus, 5, "level"),
                           target(kBus, 6, "pan")}));
    // The bus takes its lanes and every track's lane of a send to it (track 2 has none, but a lane).
    ASSERT_TRUE(editor.apply({edit::BusRemove{5}}, &effect, &error)) << error;
    EXPECT_TRUE(effect.automation_changed);
    EXPECT_EQ(targets_of(editor.document()), (std::vector{target(kTrack, 2, "pan"), target(kBus, 6, "pan")}));
    // A removal that takes no lane does not say it changed any.
    ASSERT_TRUE(editor.apply({edit::TrackAdd{track(3, "sine"), 9}}, nullptr, &error)) << error;
    ASSERT_TRUE(editor.apply({edit::TrackRemove{3}}, &effect, &error)) << error;
    EXPECT_FALSE(effect.automation_changed);
}

// ------------------------------------------------------------------------------------------------
// The model: notes by id with their track, tracks in order. Validity is decided here, from the
// rules in docs/protocol.md, not by asking the editor.
struct Model {
    std::vector<Track> tracks;  // without notes
    std::map<NoteId, PlacedNote> notes;
    std::uint64_t revision = 0;

    bool has_track(TrackId id) const {
        return std::any_of(tracks.begin(), tracks.end(), [&](const Track& t) { return t.id == id; });
    }
    static bool valid(const Note& n) {
        return n.start >= 0 && n.start <= 1e6 && n.length >= 0 && n.length <= 1e6 && n.pitch >= 0 &&
               n.pitch <= 127 && n.velocity >= 1 && n.velocity <= 127;
    }
    // Applies one edit to a copy; false when the editor must refuse it.
    bool apply(const Edit& e) {
        if (auto* a = std::get_if<edit::NoteAdd>(&e)) {
            if (!has_track(a->track) || notes.count(a->note.id) || !valid(a->note)) return false;
            notes[a->note.id] = {a->track, a->note};
        } else if (auto* m = std::get_if<edit::NoteMove>(&e)) {
            auto it = notes.find(m->id);
            if (it == notes.end() || (m->track != 0 && !has_track(m->track))) return false;
            Note n = it->second.note;
            if (m->start) n.start = *m->start;
            if (!valid(n)) return false;
            it->second = {m->track ? m->track : it->second.track, n};
        } else if (auto* r = std::get_if<edit::NoteResize>(&e)) {
            auto it = notes.find(r->id);
            if (it == notes.end()) return false;
            Note n = it->second.note;
            n.length = r->length;
            if (!valid(n)) return false;
            it->second.note = n;
        } else if (auto* d = std::get_if<edit::NoteDelete>(&e)) {
            if (!notes.erase(d->id)) return false;
        } else if (auto* p = std::get_if<edit::NotePitch>(&e)) {
            auto it = notes.find(p->id);
            if (it == notes.end() || p->pitch < 0 || p->pitch > 127) return false;
            it->second.note.pitch = p->pitch;
            it->second.note.cents = p->cents;
        } else if (auto* v = std::get_if<edit::NoteVelocity>(&e)) {
            auto it = notes.find(v->id);
            if (it == notes.end() || v->velocity < 1 || v->velocity > 127) return false;
            it->second.note.velocity = v->velocity;
        } else if (auto* ta = std::get_if<edit::TrackAdd>(&e)) {
            if (has_track(ta->track.id)) return false;
            tracks.insert(tracks.begin() + static_cast<std::ptrdiff_t>(std::min(ta->index, tracks.size())),
                          ta->track);
        } else if (auto* tr = std::get_if<edit::TrackRemove>(&e)) {
            if (!has_track(tr->id)) return false;
            std::erase_if(tracks, [&](const Track& t) { return t.id == tr->id; });
            std::erase_if(notes, [&](const auto& entry) { return entry.second.track == tr->id; });
        }
        return true;
    }
    Document document() const {
        Document doc;
        doc.revision = revision;
        doc.tracks = tracks;
        for (Track& t : doc.tracks)
            for (const auto& [id, placed] : notes)
                if (placed.track == t.id) t.notes.push_back(placed.note);
        return canonical_document(doc);
    }
};

TEST(DocumentEditor, ten_thousand_random_edits_match_a_model_built_from_the_edit_list) {
    std::mt19937 rng(2026);
    Model model;
    model.tracks = {track(1, "sine"), track(2, "saw"), track(3, "pad")};
    Document start;
    start.tracks = model.tracks;
    DocumentEditor editor(start);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    auto some_note_id = [&]() -> NoteId { return NoteId(1 + pick(400)); };  // often missing
    auto some_track = [&]() -> TrackId { return TrackId(1 + pick(6)); };    // sometimes missing
    int refused = 0;
    for (int edits = 0; edits < 10000;) {
        std::vector<Edit> batch;
        const int size = 1 + pick(3);
        for (int i = 0; i < size; ++i, ++edits) {
            switch (pick(8)) {
                case 0:
                case 1:
                    batch.push_back(edit::NoteAdd{
                        some_track(),
                        note(some_note_id(), pick(64) * 0.25, pick(8) * 0.25, 40 + pick(50), 1 + pick(127))});
                    break;
                case 2:
                    batch.push_back(edit::NoteMove{some_note_id(), pick(70) * 0.5 - 2.0,
                                                   pick(4) == 0 ? some_track() : 0});
                    break;
                case 3:
                    batch.push_back(edit::NoteResize{some_note_id(), pick(10) * 0.5});
                    break;
                case 4:
                    batch.push_back(edit::NoteDelete{some_note_id()});
                    break;
                case 5:
                    batch.push_back(edit::NotePitch{some_note_id(), pick(140), 0.0});
                    break;
                case 6:
                    batch.push_back(edit::NoteVelocity{some_note_id(), pick(130)});
                    break;
                case 7:
                    if (pick(2)) {
                        batch.push_back(
                            edit::TrackAdd{track(some_track(), "sine"), static_cast<std::size_t>(pick(4))});
                    } else {
                        batch.push_back(edit::TrackRemove{some_track()});
                    }
                    break;
            }
        }
        Model next = model;
        bool valid = true;
        for (const Edit& e : batch) valid = valid && next.apply(e);
        std::string error;
        const bool applied = editor.apply(batch, nullptr, &error);
        ASSERT_EQ(applied, valid) << "after " << edits << " edits: " << error;
        if (valid) {
            model = std::move(next);
            ++model.revision;
        } else {
            ++refused;
        }
    }
    EXPECT_GT(refused, 500) << "the edit mix must include many the editor has to refuse";
    EXPECT_EQ(editor.revision(), model.revision);
    EXPECT_EQ(canonical_document(editor.document()), model.document());
}

// ------------------------------------------------------------------------------------------------
// time/shift

// A song in 4/4 (3/4 from bar 2, 4/4 again from bar 5) with something of every kind before, across,
// on and after beat 4, the start of bar 1.
Document arranged_song() {
    Document doc;
    doc.revision = 3;
    doc.tempo = test::tempo_map({{0, 120, false}, {2, 100, true}, {6, 140, false}});  // a ramp across 4
    doc.meter = {{0, 4, 4}, {2, 3, 4}, {5, 4, 4}};
    doc.markers = {{0, "Intro"}, {4, "Verse"}, {20, "End"}, {2, "Pickup"}};  // in the order given
    doc.tracks = {
        track(1, "sine", {note(1, 0, 1), note(2, 3, 2, 62), note(3, 4, 1, 64), note(4, 6.5, 0.5, 65)}),
        track(2, "saw", {note(5, 10, 1, 40)})};
    doc.tracks[0].controllers = {{1, ControllerKind::ControlChange, 64, 127},
                                 {4, ControllerKind::ControlChange, 64, 0},
                                 {5, ControllerKind::PitchBend, 0, -0.5}};
    doc.automation = {{target(kTrack, 1, "level"),
                       {{0, 1, kLinear}, {3.5, 0.5, kLinear}, {4, 0.25, kHold}, {9, 1, kSmooth}}},
                      {target(kTrack, 2, "pan"), {{1, -1, kLinear}}}};
    return doc;
}

TEST(DocumentEditor, inserting_bars_moves_what_starts_at_or_after_the_point_and_keeps_what_is_before) {
    DocumentEditor editor(arranged_song());
    const Document before = editor.document();
    EditEffect effect;
    std::string error;
    // Two bars of 4/4 at bar 1 (beat 4): 8 beats.
    ASSERT_TRUE(editor.apply({edit::TimeShift{4, 8, 1, 2}}, &effect, &error)) << error;
    const Document& doc = editor.document();
    EXPECT_EQ(doc.revision, before.revision + 1);

    Document expected = before;
    expected.revision = doc.revision;
    expected.tempo = test::tempo_map({{0, 120, false}, {2, 100, true}, {14, 140, false}});  // a longer ramp
    expected.meter = {{0, 4, 4}, {4, 3, 4}, {7, 4, 4}};
    expected.markers = {{0, "Intro"}, {12, "Verse"}, {28, "End"}, {2, "Pickup"}};
    expected.tracks[0].notes = {note(1, 0, 1), note(2, 3, 2, 62), note(3, 12, 1, 64), note(4, 14.5, 0.5, 65)};
    expected.tracks[1].notes = {note(5, 18, 1, 40)};
    expected.tracks[0].controllers = {{1, ControllerKind::ControlChange, 64, 127},
                                      {12, ControllerKind::ControlChange, 64, 0},
                                      {13, ControllerKind::PitchBend, 0, -0.5}};
    expected.automation[0].points = {
        {0, 1, kLinear}, {3.5, 0.5, kLinear}, {12, 0.25, kHold}, {17, 1, kSmooth}};
    EXPECT_EQ(doc, expected) << "note 2 crosses beat 4: it keeps its start and length";

    EXPECT_TRUE(effect.tempo_changed);
    EXPECT_TRUE(effect.meter_changed);
    EXPECT_TRUE(effect.controllers_changed);
    EXPECT_TRUE(effect.automation_changed);
    const auto ids = [](std::vector<PlacedNote> notes) {
        std::vector<NoteId> out;
        for (const PlacedNote& n : notes) out.push_back(n.note.id);
        std::sort(out.begin(), out.end());
        return out;
    };
    EXPECT_EQ(ids(effect.removed), (std::vector<NoteId>{3, 4, 5})) << "the moved notes, as they were";
    EXPECT_EQ(ids(effect.added), (std::vector<NoteId>{3, 4, 5})) << "and as they are";
    for (const PlacedNote& n : effect.removed) EXPECT_EQ(n, *DocumentEditor(before).find_note(n.note.id));
    for (const PlacedNote& n : effect.added) EXPECT_EQ(n, *editor.find_note(n.note.id));

    // What the edit makes, the file format takes back.
    const LoadResult reloaded = parse_document(document_to_string(doc), "<shifted>");
    ASSERT_TRUE(reloaded.errors.empty()) << reloaded.errors.front().to_string();
    EXPECT_EQ(*reloaded.document, canonical_document(doc));

    // Only a note and a marker after the point: only the note is reported.
    ASSERT_TRUE(editor.apply({edit::TimeShift{17.5, 4, 8, 1}}, &effect, &error)) << error;
    EXPECT_FALSE(effect.tempo_changed || effect.meter_changed || effect.controllers_changed ||
                 effect.automation_changed);
    EXPECT_EQ(effect.removed, (std::vector<PlacedNote>{{2, note(5, 18, 1, 40)}}));
    EXPECT_EQ(effect.added, (std::vector<PlacedNote>{{2, note(5, 22, 1, 40)}}));
    EXPECT_EQ(editor.document().markers[2].beat, 32);
}

TEST(DocumentEditor, inserting_at_beat_0_keeps_the_first_tempo_point_and_meter_entry_and_moves_the_rest) {
    DocumentEditor editor(arranged_song());
    Document expected = editor.document();
    EditEffect effect;
    std::string error;
    ASSERT_TRUE(editor.apply({edit::TimeShift{0, 4, 0, 1}}, &effect, &error)) << error;
    expected.revision = editor.revision();
    expected.tempo = test::tempo_map({{0, 120, false}, {6, 100, true}, {10, 140, false}});
    expected.meter = {{0, 4, 4}, {3, 3, 4}, {6, 4, 4}};
    expected.markers = {{4, "Intro"}, {8, "Verse"}, {24, "End"}, {6, "Pickup"}};
    for (Track& t : expected.tracks) {
        for (Note& n : t.notes) n.start += 4;
        for (ControllerEvent& c : t.controllers) c.beat += 4;
    }
    for (AutomationLane& lane : expected.automation)
        for (AutomationPoint& p : lane.points) p.beat += 4;
    EXPECT_EQ(editor.document(), expected);
    EXPECT_EQ(effect.added.size(), 5u);
}

TEST(DocumentEditor, removing_bars_is_refused_while_the_span_holds_something_and_accepted_after_deleting_it) {
    Document doc = arranged_song();
    DocumentEditor editor(doc);
    std::string error;
    ASSERT_TRUE(editor.apply({edit::TimeShift{4, 8, 1, 2}}, nullptr, &error)) << error;  // two bars in
    const Document inserted = editor.document();

    // Something in the removed span [4, 12), bars [1, 3): each kind named, and nothing changes.
    const auto refused = [&](std::vector<Edit> first) {
        first.push_back(edit::TimeShift{12, -8, 3, -2});
        EXPECT_FALSE(editor.apply(first, nullptr, &error));
        EXPECT_EQ(editor.document(), inserted);
        return error;
    };
    EXPECT_EQ(
        refused({edit::NoteAdd{2, note(12, 5.5, 1)}, edit::NoteAdd{1, note(13, 11.75, 8)}}),
        "edit 3 of 3 (time/shift): note 12 starts at beat 5.5, inside the removed span 4..12: delete it "
        "first");
    EXPECT_EQ(
        refused({edit::TrackControllers{
            2, {{0, ControllerKind::ControlChange, 7, 100}, {4, ControllerKind::ControlChange, 7, 90}}}}),
        "edit 2 of 2 (time/shift): controller event 2 of track 2 is at beat 4, inside the removed span "
        "4..12: delete it first");
    EXPECT_EQ(
        refused({edit::AutomationSet{target(kTrack, 2, "pan"), {{1, -1, kLinear}, {11.5, 1, kHold}}}}),
        "edit 2 of 2 (time/shift): automation point 2 of the track 2 \"pan\" lane is at beat 11.5, inside "
        "the removed span 4..12: delete it first");
    EXPECT_EQ(refused({edit::MarkersReplace{{{0, "Intro"}, {6, "Break"}}}}),
              "edit 2 of 2 (time/shift): marker 2 (\"Break\") is at beat 6, inside the removed span 4..12: "
              "delete it first");
    EXPECT_EQ(
        refused({edit::TempoReplace{{{0, 120, false}, {2, 100, true}, {8, 90, false}}}}),
        "edit 2 of 2 (time/shift): tempo point 3 is at beat 8, inside the removed span 4..12: delete it "
        "first");
    EXPECT_EQ(refused({edit::MeterReplace{{{0, 4, 4}, {2, 7, 8}, {4, 3, 4}}}}),
              "edit 2 of 2 (time/shift): meter entry 2 is at bar 2, inside the removed bars 1..3: delete it "
              "first");

    // Deleted first, in the same batch: accepted, and the two bars are gone again.
    ASSERT_TRUE(editor.apply({edit::NoteAdd{2, note(12, 5.5, 1)}}, nullptr, &error)) << error;
    EditEffect effect;
    ASSERT_TRUE(editor.apply({edit::NoteDelete{12}, edit::TimeShift{12, -8, 3, -2}}, &effect, &error))
        << error;
    Document back = editor.document();
    back.revision = doc.revision;
    EXPECT_EQ(back, doc) << "inserting and removing the same bars gives the song back";
    EXPECT_TRUE(effect.tempo_changed && effect.meter_changed && effect.controllers_changed &&
                effect.automation_changed);
}

TEST(DocumentEditor, a_time_shift_names_a_bad_argument_or_what_it_would_push_out) {
    DocumentEditor editor(arranged_song());
    const Document before = editor.document();
    std::string error;
    const auto refused = [&](edit::TimeShift shift) {
        EXPECT_FALSE(editor.apply({shift}, nullptr, &error));
        return error;
    };
    const std::string e = "edit 1 of 1 (time/shift): ";
    EXPECT_EQ(refused({-1, 4, 0, 1}), e + "at must be within 0..1000000 (got -1)");
    EXPECT_EQ(refused({std::nan(""), 4, 0, 1}), e + "at must be within 0..1000000 (got nan)");
    EXPECT_EQ(refused({4, INFINITY, 1, 1}), e + "by must be within -1000000..1000000 (got inf)");
    EXPECT_EQ(refused({4, -8, 1, -2}), e + "at + by must be within 0..1000000 (got -4)");
    EXPECT_EQ(refused({999990, 20, 1, 1}), e + "at + by must be within 0..1000000 (got 1000010)");
    EXPECT_EQ(refused({4, 4, -1, 1}), e + "bar must be within 0..1000000 (got -1)");
    EXPECT_EQ(refused({8, -4, 1, -2}), e + "bar + bars must be within 0..1000000 (got -1)");
    EXPECT_EQ(refused({4, 4, 1, -1}), e + "by (4 beats) and bars (-1) must have the same sign, or both be 0");
    EXPECT_EQ(refused({4, 4, 1, 0}), e + "by (4 beats) and bars (0) must have the same sign, or both be 0");
    EXPECT_EQ(refused({4, 0, 1, 1}), e + "by (0 beats) and bars (1) must have the same sign, or both be 0");
    EXPECT_EQ(refused({4, 999995, 1, 2}), e + "note 4 would start at beat 1000001.5, beyond beat 1000000")
        << "note 3 (beat 4) lands at 999999: fine; note 4 (6.5) would not";
    EXPECT_EQ(refused({0.5, 999999.5, 0, 1}),
              e + "note 2 would start at beat 1000002.5, beyond beat 1000000");
    EXPECT_EQ(refused({18, 999981, 5, 1}),
              e + "marker 3 (\"End\") would be at beat 1000001, beyond beat 1000000");
    EXPECT_EQ(refused({1, 3, 5, 999999}), e + "bar + bars must be within 0..1000000 (got 1000004)");
    EXPECT_EQ(refused({1, 3, 1, 999996}), e + "meter entry 3 would be at bar 1000001, beyond bar 1000000");
    EXPECT_EQ(editor.document(), before);
    EXPECT_EQ(editor.revision(), before.revision);

    // Down to beat 0 (bar 0), onto what stands there.
    Document maps;
    maps.tempo = arranged_song().tempo;
    maps.meter = arranged_song().meter;
    DocumentEditor bare(maps);
    EXPECT_FALSE(bare.apply({edit::TimeShift{2, -2, 1, -1}}, nullptr, &error));
    EXPECT_EQ(error,
              e + "tempo point 2 at beat 2 would land on the first tempo point, at beat 0: delete it, or "
                  "give the first point its tempo, first");
    EXPECT_FALSE(bare.apply({edit::TimeShift{0.5, -0.5, 2, -2}}, nullptr, &error));
    EXPECT_EQ(error,
              e + "meter entry 2 at bar 2 would land on the first entry, at bar 0: delete it, or give the "
                  "first entry its meter, first");
    EXPECT_EQ(bare.document(), maps);

    // Nothing to move: accepted, nothing changes but the revision.
    EditEffect effect;
    ASSERT_TRUE(editor.apply({edit::TimeShift{4, 0, 1, 0}}, &effect, &error)) << error;
    Document same = editor.document();
    same.revision = before.revision;
    EXPECT_EQ(same, before);
    EXPECT_TRUE(effect.removed.empty() && effect.added.empty() && !effect.tempo_changed);
}

TEST(DocumentEditor, a_failed_batch_after_a_time_shift_restores_every_value_bit_for_bit) {
    Document doc = arranged_song();
    doc.tracks[0].notes.push_back(note(6, 1.0 / 3.0 + 4, 0.1));  // not dyadic: a sum would round
    doc.markers.push_back({0.1 * 70, "Odd"});
    DocumentEditor editor(doc);
    const Document before = editor.document();
    std::string error;
    EditEffect effect;
    EXPECT_FALSE(editor.apply(
        {edit::TimeShift{4.0 / 3.0, 0.7, 1, 1}, edit::TimeShift{2, 1e-3, 1, 1}, edit::NoteDelete{99}},
        &effect, &error));
    EXPECT_EQ(error, "edit 3 of 3 (note/delete): no note with id 99");
    EXPECT_EQ(editor.document(), before);
    EXPECT_FALSE(effect.tempo_changed);
    EXPECT_TRUE(effect.removed.empty() && effect.added.empty());
    // And the editor still finds every note where it was.
    for (const Track& t : before.tracks)
        for (const Note& n : t.notes) EXPECT_EQ(editor.find_note(n.id), (PlacedNote{t.id, n}));
}

}  // namespace
}  // namespace tactus
