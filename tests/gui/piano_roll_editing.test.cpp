// The piano roll against a real tactusd (through a JACK dummy server): notes drawn, moved, resized and
// deleted with simulated mouse gestures, undo and redo, save and open, and edits by another client,
// each checked in the document the engine itself holds (/document), not only in the GUI's copy.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/document_json.h"
#include "gui/engine_link.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {

Document startingSong() {
    Document doc;
    doc.title = "editing";
    Track piano;
    piano.id = 1;
    piano.name = "Piano";
    piano.preset = "pluck";
    piano.notes = {Note{1, 0.0, 1.0, 60, 0.0, 90}, Note{2, 1.0, 1.0, 62, 0.0, 90}};
    Track bass;
    bass.id = 2;
    bass.name = "Bass";
    bass.preset = "bass";
    bass.notes = {Note{3, 0.0, 2.0, 36, 0.0, 100}};
    doc.tracks = {piano, bass};
    return doc;
}

const Note* noteAt(const Document& doc, TrackId track, double start, int pitch) {
    for (const Track& t : doc.tracks)
        if (t.id == track)
            for (const Note& n : t.notes)
                if (n.start == start && n.pitch == pitch) return &n;
    return nullptr;
}

}  // namespace

class PianoRollEditing : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    QString songPath_;

    gui::MainWindow& window() { return session_->window(); }
    gui::RollState& state() { return window().rollState(); }
    QWidget* grid() { return window().pianoRoll().grid(); }
    // The centre of beat `beat`'s column (plus `dx` pixels) in pitch row `pitch`, in grid coordinates.
    QPoint at(double beat, int pitch, double dx = 0.0) {
        return QPoint(int(std::lround(state().xOfBeat(beat) + dx)),
                      int(std::lround(state().yOfPitch(pitch) + state().keyHeight() / 2)));
    }
    void drag(QPoint from, QPoint to, Qt::MouseButton button = Qt::LeftButton) {
        QTest::mousePress(grid(), button, Qt::NoModifier, from);
        // Intermediate moves, as a real drag sends (QTest::mouseMove moves with the button held).
        for (int i = 1; i <= 4; ++i) QTest::mouseMove(grid(), from + (to - from) * i / 4);
        QTest::mouseRelease(grid(), button, Qt::NoModifier, to);
    }
    Document engineDocument() { return session_->engineDocument(); }
    void expectEngineMatchesGui() {
        const Document engine = engineDocument();
        QCOMPARE(engine.revision, window().song().revision());
        QVERIFY(comparable(engine) == comparable(window().song().snapshot()));
    }

private slots:
    void initTestCase() {
        songPath_ = dir_.filePath("song.json");
        session_ = GuiSession::showing(startingSong(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        state().setCurrentTrack(1);
        state().setSnap(0.25);
        state().setAuditionEnabled(false);
    }

    void cleanupTestCase() { session_.reset(); }

    void a_drag_on_empty_space_draws_a_note_the_engine_holds() {
        const std::uint64_t before = window().song().revision();
        drag(at(2.0, 64, 3), at(3.0, 64, 3));
        const Document engine = engineDocument();
        const Note* drawn = noteAt(engine, 1, 2.0, 64);
        QVERIFY2(drawn, "the engine has no note at beat 2, pitch 64 on the edited track");
        QCOMPARE(drawn->length, 1.0);
        QCOMPARE(drawn->velocity, 100);
        QCOMPARE(engine.revision, before + 1);
        expectEngineMatchesGui();
    }

    void dragging_a_note_moves_it_in_time_and_pitch() {
        drag(at(2.5, 64), at(3.5, 66));
        const Document engine = engineDocument();
        QVERIFY2(!noteAt(engine, 1, 2.0, 64), "the note is still at its old place");
        const Note* moved = noteAt(engine, 1, 3.0, 66);
        QVERIFY2(moved, "the engine has no note at beat 3, pitch 66");
        QCOMPARE(moved->length, 1.0);
        expectEngineMatchesGui();
    }

    void dragging_the_right_edge_resizes_the_note() {
        const double right = state().xOfBeat(4.0) - 2;  // inside the note, on its right edge
        const QPoint from(int(right), at(3.0, 66).y());
        drag(from, from + QPoint(int(state().pixelsPerBeat() / 2), 0));
        const Note* resized = noteAt(engineDocument(), 1, 3.0, 66);
        QVERIFY(resized);
        QCOMPARE(resized->length, 1.5);
        expectEngineMatchesGui();
    }

    void shift_drag_selects_and_delete_removes_the_selection() {
        // Rubber band around the two starting notes (beats 0..2, pitches 60 and 62).
        state().setSelection({});
        QTest::mousePress(grid(), Qt::LeftButton, Qt::ShiftModifier, at(0.0, 63, 2));
        QTest::mouseMove(grid(), at(1.9, 59));
        QTest::mouseRelease(grid(), Qt::LeftButton, Qt::ShiftModifier, at(1.9, 59));
        QCOMPARE(state().selection(), (std::set<NoteId>{1, 2}));
        window().pianoRoll().deleteSelection();
        const Document engine = engineDocument();
        QVERIFY(!noteAt(engine, 1, 0.0, 60));
        QVERIFY(!noteAt(engine, 1, 1.0, 62));
        QVERIFY2(noteAt(engine, 2, 0.0, 36), "the other track's note must stay");
        expectEngineMatchesGui();
    }

    void right_click_deletes_a_note() {
        drag(at(5.0, 70, 3), at(5.5, 70, 3));  // draw one to delete
        QVERIFY(noteAt(engineDocument(), 1, 5.0, 70));
        QTest::mouseClick(grid(), Qt::RightButton, Qt::NoModifier, at(5.2, 70));
        QVERIFY(!noteAt(engineDocument(), 1, 5.0, 70));
        expectEngineMatchesGui();
    }

    void undo_takes_the_engine_back_step_by_step_and_redo_forward() {
        gui::SongModel& song = window().song();
        const Document now = comparable(engineDocument());
        const int steps = 6;  // draw, move, resize, delete two, draw, right-click delete
        for (int i = 0; i < steps; ++i) QVERIFY2(song.undo(), qPrintable(song.lastError()));
        QVERIFY(!song.canUndo());
        const Document undone = engineDocument();
        QVERIFY2(comparable(undone) == comparable(startingSong()),
                 "undoing everything must give the opened song");
        QCOMPARE(undone.revision, window().song().revision());
        for (int i = 0; i < steps; ++i) QVERIFY(song.redo());
        QVERIFY(comparable(engineDocument()) == now);
        expectEngineMatchesGui();
    }

    void save_and_open_round_trip_through_the_engine() {
        const QString saved = dir_.filePath("saved.json");
        QString error;
        QVERIFY2(window().saveTo(saved, &error), qPrintable(error));
        QVERIFY(!window().song().isModified());
        LoadResult loaded = load_document_file(saved.toStdString());
        QVERIFY(loaded.document);
        QVERIFY(comparable(*loaded.document) == comparable(engineDocument()));
        QCOMPARE(loaded.document->revision, window().song().revision());

        drag(at(8.0, 72, 3), at(9.0, 72, 3));  // change it, then open the saved file again
        QVERIFY(window().song().isModified());
        QSignalSpy synced(&window(), &gui::MainWindow::engineSynced);
        QVERIFY2(window().openFile(saved, &error), qPrintable(error));
        QVERIFY(synced.wait(30000));
        const Document engine = engineDocument();
        QVERIFY(comparable(engine) == comparable(*loaded.document));
        QCOMPARE(engine.revision, loaded.document->revision);
        QVERIFY(!window().song().canUndo());
    }

    void an_edit_the_engine_refuses_brings_the_gui_back_in_step() {
        // Another client deletes a note; before the GUI hears of it, the user transposes that note
        // with audition on. The engine refuses the GUI's bundle; the GUI must end as the engine is.
        window().song().apply({edit::NoteAdd{1, Note{700, 12.0, 1.0, 50, 0.0, 100}}}, "add");
        QVERIFY(session_->waitUntilEngineCaughtUp());
        auto deleted = session_->probe().call(OscOut("/note/delete").h(700).bytes(), "/note/delete");
        QVERIFY(deleted && deleted->address == "/reply");
        state().setAuditionEnabled(true);
        state().setSelection({700});
        window().pianoRoll().transpose(1);  // sent before the push of the delete is read
        state().setAuditionEnabled(false);
        QVERIFY2(session_->waitUntilEngineCaughtUp(),
                 "the GUI still waits for an answer to the refused bundle");
        QVERIFY(QTest::qWaitFor([&] { return !window().song().findNote(700); }, 30000));
        expectEngineMatchesGui();
    }

    void another_clients_edit_appears_live() {
        const std::uint64_t before = window().song().revision();
        auto reply = session_->probe().call(OscOut("/note/add").h(2).h(900).d(4.0).d(0.5).i(43).i(77).bytes(),
                                            "/note/add");
        QVERIFY(reply && reply->address == "/reply");
        QVERIFY2(QTest::qWaitFor([&] { return window().song().findNote(900).has_value(); }, 30000),
                 "the GUI never showed the note another client added");
        QCOMPARE(window().song().revision(), before + 1);
        const auto placed = window().song().findNote(900);
        QCOMPARE(placed->track, TrackId(2));
        QCOMPARE(placed->note.pitch, 43);
        QCOMPARE(placed->note.velocity, 77);
        expectEngineMatchesGui();
    }
};

QTEST_MAIN(PianoRollEditing)
#include "piano_roll_editing.test.moc"
