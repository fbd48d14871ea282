// The lanes around the piano roll against a real tactusd: a click on the tempo lane adds a tempo
// change at the tempo in force there, a drag of its handle changes it by half a BPM a pixel and a
// double-click types a tempo and a ramp; a drag in the velocity lane sets a note's velocity;
// the keyboard commands transpose, nudge, quantize (with strength, swing and ends) and paste; markers and the
// meter change through edits. Each is checked in the engine's own document.
#include <QAction>
#include <QMenu>
#include <QTemporaryDir>
#include <QTest>

#include "core/document_json.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/ruler.h"
#include "gui/song_model.h"
#include "gui/tempo_lane.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;

class LanesEditing : public GuiTestCase {
    Q_OBJECT

private slots:
    void initTestCase() {
        Document doc;
        Track t;
        t.id = 1;
        t.preset = "pluck";
        t.notes = {Note{1, 0.1, 0.5, 60, 0.0, 100}, Note{2, 1.05, 0.5, 64, 0.0, 100},
                   Note{3, 4.0, 1.0, 67, 0.0, 50}};
        doc.tracks = {t};
        session_ = GuiSession::showing(doc, dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        state().setCurrentTrack(1);
        state().setSnap(0.25);
        state().setAuditionEnabled(false);
    }
    void cleanupTestCase() { session_.reset(); }

    void a_click_on_the_tempo_lane_adds_a_tempo_change_and_a_drag_edits_it() {
        gui::TempoLane* lane = window().pianoRoll().tempoLane();
        const double before = engineDocument().tempo.bpm_at(8.0);
        const QPoint click(int(state().xOfBeat(8.0)), int(lane->yOfBpm(150.0)));
        QTest::mouseClick(lane, Qt::LeftButton, Qt::NoModifier, click);
        auto points = engineDocument().tempo.points();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[1].beat, 8.0);
        QCOMPARE(points[1].bpm, before);  // the tempo in force there, whatever the height clicked
        // Drag that handle up 20 pixels: half a BPM a pixel, from where it was.
        const QPoint handle(click.x(), int(std::lround(lane->yOfBpm(before))));
        const QPoint up = handle - QPoint(0, 20);
        QTest::mousePress(lane, Qt::LeftButton, Qt::NoModifier, handle);
        QTest::mouseMove(lane, up);
        QTest::mouseRelease(lane, Qt::LeftButton, Qt::NoModifier, up);
        points = engineDocument().tempo.points();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[1].beat, 8.0);
        QCOMPARE(points[1].bpm, before + 10.0);
        // A double-click types a tempo (and a ramp where there is a next change to ramp to).
        std::vector<bool> could_ramp;
        lane->setPointEditor([&](const TempoPoint& point, bool can_ramp) {
            could_ramp.push_back(can_ramp);
            TempoPoint edited = point;
            edited.bpm = 133.5;
            edited.ramp = true;
            return std::optional<TempoPoint>(edited);
        });
        QTest::mouseDClick(lane, Qt::LeftButton, Qt::NoModifier,
                           QPoint(click.x(), int(std::lround(lane->yOfBpm(before + 10.0)))));
        QTest::mouseDClick(
            lane, Qt::LeftButton, Qt::NoModifier,
            QPoint(int(std::lround(state().xOfBeat(0.0))), int(std::lround(lane->yOfBpm(before)))));
        points = engineDocument().tempo.points();
        QCOMPARE(could_ramp, (std::vector<bool>{false, true}));
        QCOMPARE(points[1].bpm, 133.5);
        QVERIFY(!points[1].ramp);  // the last change has nothing to ramp to
        QCOMPARE(points[0].bpm, 133.5);
        QVERIFY(points[0].ramp);
        // Undo every step: back to the single tempo of the file.
        for (int i = 0; i < 4; ++i) QVERIFY(window().song().undo());
        QCOMPARE(engineDocument().tempo.points().size(), std::size_t(1));
        QCOMPARE(engineDocument().tempo.points()[0].bpm, before);
    }

    void quantize_moves_by_its_strength_to_swung_lines_and_can_take_the_ends() {
        const std::vector<Note> notes = {Note{100, 0.6, 0.3, 50, 0.0, 90}, Note{101, 1.3, 0.3, 52, 0.0, 90}};
        std::vector<Edit> adds;
        for (const Note& n : notes) adds.push_back(edit::NoteAdd{1, n});
        QVERIFY(window().song().apply(adds, "notes"));
        state().setSnap(0.25);
        state().setSelection({100, 101});
        // Half strength, 50 % swing (the second 16th of each pair at .375), ends too.
        window().pianoRoll().setQuantizeSettings({0.25, 0.5, 0.5, true});
        window().pianoRoll().quantize();
        const Document doc = engineDocument();
        // 0.6 is nearest 0.5: half way there. Its end 0.9 is nearest the swung 0.875.
        QCOMPARE(noteIn(doc, 100).start, 0.55);
        QCOMPARE(noteIn(doc, 100).end(), 0.8875);
        // 1.3 is nearest the swung 1.375 (not 1.25); its end 1.6 nearest 1.5.
        QCOMPARE(noteIn(doc, 101).start, 1.3375);
        QCOMPARE(noteIn(doc, 101).end(), 1.55);
        QVERIFY(window().song().undo());
        QCOMPARE(noteIn(engineDocument(), 101).start, 1.3);
        QVERIFY(window().song().undo());
        window().pianoRoll().setQuantizeSettings({});
        state().setSelection({});
    }

    void keyboard_commands_transpose_nudge_quantize_and_paste() {
        state().setSelection({1, 2});
        window().pianoRoll().transpose(12);
        Document doc = engineDocument();
        QCOMPARE(noteIn(doc, 1).pitch, 72);
        QCOMPARE(noteIn(doc, 2).pitch, 76);
        window().pianoRoll().quantize();  // to the 1/16 grid: 0.1 -> 0, 1.05 -> 1
        doc = engineDocument();
        QCOMPARE(noteIn(doc, 1).start, 0.0);
        QCOMPARE(noteIn(doc, 2).start, 1.0);
        window().pianoRoll().nudge(2);  // two 16ths later
        doc = engineDocument();
        QCOMPARE(noteIn(doc, 1).start, 0.5);
        QCOMPARE(noteIn(doc, 2).start, 1.5);
        window().pianoRoll().copySelection();
        state().setCursorBeat(16.0);
        window().pianoRoll().paste();
        doc = engineDocument();
        QCOMPARE(state().selection().size(), std::size_t(2));
        for (NoteId id : state().selection()) {
            const Note& n = noteIn(doc, id);
            QVERIFY(n.start == 16.0 || n.start == 17.0);
        }
        QCOMPARE(doc.note_count(), std::size_t(5));
    }

    void markers_move_rename_list_and_jump() {
        gui::SongModel& song = window().song();
        QVERIFY(song.apply({edit::MarkersReplace{{{4, "Verse"}, {12, "Chorus"}}}}, "markers"));
        state().setSnap(0.25);
        state().setPixelsPerBeat(40.0, 0.0);
        state().setLeftBeat(0.0);
        gui::Ruler* ruler = window().pianoRoll().ruler();
        // Drag Verse's label two beats later: moved, snapped, one edit.
        const QPoint verse = ruler->markerLabelRect({4, "Verse"}).center().toPoint();
        const QPoint later = verse + QPoint(80, 0);
        QTest::mousePress(ruler, Qt::LeftButton, Qt::NoModifier, verse);
        QTest::mouseMove(ruler, verse + QPoint(10, 0));
        QTest::mouseMove(ruler, later);
        QTest::mouseRelease(ruler, Qt::LeftButton, Qt::NoModifier, later);
        QCOMPARE(engineDocument().markers, (std::vector<Marker>{{6, "Verse"}, {12, "Chorus"}}));
        QCOMPARE(song.undoText(), QString("Move marker"));
        // Double-click Chorus to rename it.
        ruler->setNameEditor([](const Marker&) { return std::optional<QString>("Hook"); });
        QTest::mouseDClick(ruler, Qt::LeftButton, Qt::NoModifier,
                           ruler->markerLabelRect({12, "Chorus"}).center().toPoint());
        QCOMPARE(engineDocument().markers, (std::vector<Marker>{{6, "Verse"}, {12, "Hook"}}));
        // A click on a label jumps there; Next and Previous marker go from the cursor.
        QTest::mouseClick(ruler, Qt::LeftButton, Qt::NoModifier,
                          ruler->markerLabelRect({6, "Verse"}).center().toPoint());
        QVERIFY(QTest::qWaitFor([&] { return session_->engineBeat().first == 6.0; }, 5000));
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 6.0; }, 5000));
        window().findChild<QAction*>("nextMarker")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return session_->engineBeat().first == 12.0; }, 5000));
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 12.0; }, 5000));
        window().findChild<QAction*>("previousMarker")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return session_->engineBeat().first == 6.0; }, 5000));
        // The Markers menu lists them by name and bar:beat (4/4: beat 6 is bar 2, beat 3).
        auto* menu = window().findChild<QMenu*>("markersMenu");
        QVERIFY(menu);
        emit menu->aboutToShow();
        QStringList items;
        for (QAction* a : menu->actions()) items << a->text();
        QCOMPARE(items, (QStringList{"Verse   2:3", "Hook   4:1"}));
        menu->actions()[1]->trigger();
        QVERIFY(QTest::qWaitFor([&] { return session_->engineBeat().first == 12.0; }, 5000));
        ruler->setNameEditor({});
        while (!engineDocument().markers.empty()) QVERIFY(song.undo());
    }

    void markers_and_meter_change_through_edits() {
        gui::SongModel& song = window().song();
        QVERIFY(song.apply({edit::MarkersReplace{{{0, "Intro"}, {8, "Verse"}}}}, "markers"));
        QVERIFY(song.apply({edit::MeterReplace{{{0, 4, 4}, {2, 3, 4}}}}, "meter"));
        const Document doc = engineDocument();
        QCOMPARE(doc.markers.size(), std::size_t(2));
        QCOMPARE(doc.markers[1].name, std::string("Verse"));
        QCOMPARE(doc.meter.size(), std::size_t(2));
        QCOMPARE(doc.meter[1].numerator, 3);
        QVERIFY(!song.apply({edit::MeterReplace{{{0, 4, 4}, {2, 3, 5}}}}, "bad meter"));
        QVERIFY(song.lastError().contains("power of two"));
    }
};

QTEST_MAIN(LanesEditing)
#include "lanes_editing.test.moc"
