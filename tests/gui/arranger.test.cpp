// The arranger against a real tactusd: every track a lane; a drag selects whole bars across tracks;
// delete, copy and paste, and a drag of the selection act on the range's notes, controller events and
// automation points of those tracks only; inserting and removing bars moves everything after them
// (other tracks, markers, tempo and meter too); a double-click edits the track's bar in the piano roll;
// a name dragged reorders the tracks. Each command is one edit: the engine's document is compared
// after each, and undone.
#include "gui/arranger.h"

#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "gui/arranger_lanes.h"
#include "gui/automation_lane_view.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;
using gui::ArrangerLanes;
using gui::ArrangerRange;

namespace {

// Three tracks of 4/4 bars: a note at the start of each of bars 0..5 on every track (pitches 60 + 12
// track), a CC 1 event in bar 1 and bar 3 of track 1, a level automation point in bars 1 and 3 of
// track 1; markers on bars 2 and 4; a tempo change on bar 3.
Document song() {
    Document doc;
    NoteId id = 1;
    for (TrackId t = 1; t <= 3; ++t) {
        Track track;
        track.id = t;
        track.name = "T" + std::to_string(t);
        for (int bar = 0; bar < 6; ++bar)
            track.notes.push_back(Note{id++, bar * 4.0, 2.0, 48 + 12 * int(t), 0.0, 100});
        doc.tracks.push_back(track);
    }
    doc.tracks[0].controllers = {{5.0, ControllerKind::ControlChange, 1, 64.0},
                                 {13.0, ControllerKind::ControlChange, 1, 20.0}};
    doc.automation = {{{AutomationOwner::Track, 1, "level"},
                       {{4.5, 0.5, AutomationShape::Linear}, {12.5, 1.0, AutomationShape::Linear}}}};
    doc.markers = {{8.0, "B"}, {16.0, "C"}};
    Bus reverb;
    reverb.id = 9;
    reverb.name = "Reverb";
    doc.buses = {reverb};
    std::string error;
    doc.tempo = *TempoMap::from_points({{0.0, 120.0, false}, {12.0, 90.0, false}}, &error);
    return doc;
}

// The tracks with their notes in id order (the order of a track's notes means nothing: the editor
// removes a note by moving the last one into its place).
std::vector<Track> byId(std::vector<Track> tracks) {
    for (Track& t : tracks)
        std::sort(t.notes.begin(), t.notes.end(), [](const Note& a, const Note& b) { return a.id < b.id; });
    return tracks;
}

std::vector<double> starts(const Document& doc, TrackId track) {
    std::vector<double> out;
    for (const Track& t : doc.tracks)
        if (t.id == track)
            for (const Note& n : t.notes) out.push_back(n.start);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

class ArrangerTest : public GuiTestCase {
    Q_OBJECT

private:
    ArrangerLanes* lanes() { return &window().arranger().lanes(); }
    const Document& doc() { return window().song().document(); }
    QPoint at(int row, double beat) {
        return QPoint(int(std::lround(window().arranger().view().xOfBeat(beat))),
                      int(std::lround(lanes()->yOfRow(row) + ArrangerLanes::kLaneHeight / 2.0)));
    }
    // The engine holds what the GUI shows.
    void checkEngineAgrees() {
        QVERIFY(session_->waitUntilEngineCaughtUp());
        const Document engine = engineDocument();
        QCOMPARE(byId(engine.tracks), byId(doc().tracks));
        QCOMPARE(engine.markers, doc().markers);
        QCOMPARE(engine.tempo.points(), doc().tempo.points());
        QCOMPARE(engine.meter, doc().meter);
        QCOMPARE(engine.automation, doc().automation);
    }
    void undoTo(const Document& before) {
        for (int i = 0;
             i < 10 && !(byId(doc().tracks) == byId(before.tracks) && doc().markers == before.markers &&
                         doc().tempo == before.tempo && doc().automation == before.automation);
             ++i)
            QVERIFY(window().song().undo());
        QCOMPARE(byId(doc().tracks), byId(before.tracks));
        QCOMPARE(doc().tempo.points(), before.tempo.points());
        checkEngineAgrees();
    }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        window().resize(1300, 900);
        state().setAuditionEnabled(false);
        state().setFollowMode(gui::FollowMode::Off);
        window().arranger().view().setPixelsPerBeat(20.0, 0.0);
        window().arranger().view().setLeftBeat(0.0);
        QVERIFY2(QTest::qWaitFor([&] { return lanes()->width() > 500 && lanes()->height() >= 3 * 30; }, 5000),
                 qPrintable(QStringLiteral("%1 x %2").arg(lanes()->width()).arg(lanes()->height())));
    }
    void cleanupTestCase() { session_.reset(); }

    void a_drag_selects_whole_bars_across_the_tracks_crossed() {
        QTest::mousePress(lanes(), Qt::LeftButton, Qt::NoModifier, at(0, 5.0));  // bar 1
        QTest::mouseMove(lanes(), at(1, 9.0));
        QTest::mouseRelease(lanes(), Qt::LeftButton, Qt::NoModifier, at(1, 10.0));  // bar 2
        const ArrangerRange& r = lanes()->selection();
        QCOMPARE(r.tracks, (std::vector<TrackId>{1, 2}));
        QCOMPARE(r.begin, 4.0);
        QCOMPARE(r.end, 12.0);
        QCOMPARE(state().currentTrack(), TrackId(1));  // the track pressed is the piano roll's
    }

    void deleting_a_range_takes_its_notes_events_and_points_from_those_tracks_only() {
        const Document before = doc();
        lanes()->setSelection({{1, 2}, 4.0, 12.0});
        lanes()->setFocus();
        QTest::keyClick(lanes(), Qt::Key_Delete);
        QCOMPARE(starts(doc(), 1), (std::vector<double>{0, 12, 16, 20}));
        QCOMPARE(starts(doc(), 2), (std::vector<double>{0, 12, 16, 20}));
        QCOMPARE(starts(doc(), 3), starts(before, 3));
        QCOMPARE(doc().tracks[0].controllers.size(), std::size_t(1));
        QCOMPARE(doc().tracks[0].controllers[0].beat, 13.0);
        QCOMPARE(doc().automation[0].points.size(), std::size_t(1));
        QCOMPARE(doc().automation[0].points[0].beat, 12.5);
        checkEngineAgrees();
        undoTo(before);
    }

    void copy_and_paste_put_the_ranges_copies_at_the_cursors_bar() {
        const Document before = doc();
        lanes()->setSelection({{1}, 4.0, 8.0});  // bar 1 of track 1
        lanes()->copySelection();
        lanes()->pasteAt(21.0);  // bar 5 (beats 20..24)
        QCOMPARE(starts(doc(), 1), (std::vector<double>{0, 4, 8, 12, 16, 20, 20}));
        // The event and the point came along, 16 beats later, replacing none (there were none there).
        QCOMPARE(doc().tracks[0].controllers.back().beat, 21.0);
        QCOMPARE(doc().automation[0].points.back().beat, 20.5);
        checkEngineAgrees();
        undoTo(before);
    }

    void dragging_the_selection_moves_it_by_whole_bars() {
        const Document before = doc();
        lanes()->setSelection({{1}, 4.0, 8.0});
        // Press inside it (bar 1), release two bars on: one edit moving everything in it 8 beats.
        QTest::mousePress(lanes(), Qt::LeftButton, Qt::NoModifier, at(0, 5.0));
        QTest::mouseMove(lanes(), at(0, 9.0));
        QTest::mouseRelease(lanes(), Qt::LeftButton, Qt::NoModifier, at(0, 13.0));
        QCOMPARE(starts(doc(), 1), (std::vector<double>{0, 8, 12, 12, 16, 20}));
        // The moved event (5 -> 13) replaced the one that stood in the destination bar (13).
        QCOMPARE(doc().tracks[0].controllers.size(), std::size_t(1));
        QCOMPARE(doc().tracks[0].controllers[0].beat, 13.0);
        QCOMPARE(doc().tracks[0].controllers[0].value, 64.0);
        QCOMPARE(lanes()->selection().begin, 12.0);  // the selection went with it
        QCOMPARE(window().song().undoText(), QStringLiteral("Move range"));
        checkEngineAgrees();
        undoTo(before);
    }

    void inserting_bars_moves_everything_after_them_on_every_track() {
        const Document before = doc();
        lanes()->setSelection({{2}, 8.0, 12.0});  // bar 2: one bar goes in before it
        lanes()->insertBars();
        for (TrackId t = 1; t <= 3; ++t)
            QCOMPARE(starts(doc(), t), (std::vector<double>{0, 4, 12, 16, 20, 24}));
        QCOMPARE(doc().markers[0].beat, 12.0);
        QCOMPARE(doc().markers[1].beat, 20.0);
        QCOMPARE(doc().tempo.points()[1].beat, 16.0);
        QCOMPARE(doc().automation[0].points[1].beat, 16.5);
        checkEngineAgrees();
        undoTo(before);
    }

    void removing_bars_takes_what_is_in_them_and_keeps_the_tempo_after_them() {
        const Document before = doc();
        lanes()->setSelection({{3}, 8.0, 16.0});  // bars 2 and 3 (the tempo change at beat 12 is in them)
        lanes()->removeBars();
        for (TrackId t = 1; t <= 3; ++t) QCOMPARE(starts(doc(), t), (std::vector<double>{0, 4, 8, 12}));
        QCOMPARE(doc().markers.size(), std::size_t(1));  // "B" was in them; "C" moved from 16 to 8
        QCOMPARE(doc().markers[0].name, std::string("C"));
        QCOMPARE(doc().markers[0].beat, 8.0);
        // What followed played at 90 bpm: it still does, from where the bars were.
        QCOMPARE(doc().tempo.bpm_at(9.0), 90.0);
        QCOMPARE(doc().tempo.bpm_at(7.0), 120.0);
        checkEngineAgrees();
        undoTo(before);
    }

    void a_double_click_edits_the_tracks_bar_in_the_piano_roll() {
        lanes()->setSelection({});
        QTest::mouseDClick(lanes(), Qt::LeftButton, Qt::NoModifier, at(2, 13.0));
        QCOMPARE(state().currentTrack(), TrackId(3));
        // Bar 3 (beats 12..16) fills the piano roll.
        QVERIFY2(std::abs(state().leftBeat() - 11.8) < 0.05, qPrintable(QString::number(state().leftBeat())));
        const double shown = window().pianoRoll().grid()->width() / state().pixelsPerBeat();
        QVERIFY2(shown > 4.0 && shown < 5.0, qPrintable(QString::number(shown)));
    }

    void a_buss_level_is_automated_in_the_arrangers_lane_and_moves_with_removed_bars() {
        const Document before = doc();
        const AutomationTarget target{AutomationOwner::Bus, 9, "level"};
        window().arranger().showAutomation(target);
        gui::AutomationLaneView& lane = window().arranger().automationLane();
        QVERIFY(QTest::qWaitFor([&] { return lane.isVisible() && lane.height() > 40; }, 3000));
        const QPoint click(int(std::lround(window().arranger().view().xOfBeat(12.0))),
                           int(std::lround(lane.yOfValue(0.5))));
        QTest::mouseClick(&lane, Qt::LeftButton, Qt::NoModifier, click);
        QCOMPARE(doc().automation.back().target, target);
        QCOMPARE(doc().automation.back().points.size(), std::size_t(1));
        QCOMPARE(doc().automation.back().points[0].beat, 12.0);
        checkEngineAgrees();
        lanes()->setSelection({{1}, 4.0, 8.0});
        lanes()->removeBars();  // bar 1: the bus's point moves from beat 12 to 8 with the rest
        QCOMPARE(doc().automation.back().points[0].beat, 8.0);
        checkEngineAgrees();
        undoTo(before);
        window().arranger().showAutomation(std::nullopt);
        QVERIFY(!lane.isVisible());
    }

    void dragging_a_track_name_reorders_the_tracks() {
        const Document before = doc();
        auto* headers = reinterpret_cast<QWidget*>(&window().arranger().headers());
        const auto row = [&](int r) {
            return QPoint(40, int(lanes()->yOfRow(r) + ArrangerLanes::kLaneHeight / 2));
        };
        QTest::mousePress(headers, Qt::LeftButton, Qt::NoModifier, row(0));
        QTest::mouseMove(headers, row(1));
        QTest::mouseRelease(headers, Qt::LeftButton, Qt::NoModifier, row(2));
        QCOMPARE(doc().tracks[0].id, TrackId(2));
        QCOMPARE(doc().tracks[2].id, TrackId(1));
        checkEngineAgrees();
        QVERIFY(window().song().undo());
        QCOMPARE(byId(doc().tracks), byId(before.tracks));
        checkEngineAgrees();
    }
};

QTEST_MAIN(ArrangerTest)
#include "arranger.test.moc"
