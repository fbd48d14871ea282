// Drum mode against a real tactusd: a drum track (MIDI channel 10) opens in it, with one row per sound
// named by General MIDI ("38 Acoustic Snare") and its hits drawn as marks wide enough to take (not the
// 1-2 px slivers of zero-length notes); with unused rows hidden only the kit's sounds have rows, and a
// hit dragged one row up lands on the next sound used (not the next semitone); a double-click on a row
// draws a hit of that sound; a melodic track stays a piano roll, and drum mode can be chosen for it by
// hand. Each edit is checked in the engine's own document.
#include <QAction>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "core/document_json.h"
#include "gui/note_grid.h"
#include "gui/piano_keys.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;

namespace {

constexpr TrackId kDrums = 1;
constexpr TrackId kBass = 2;

Document song() {
    Document doc;
    Track drums;
    drums.id = kDrums;
    drums.name = "Kit";
    drums.preset = "pluck";
    drums.midi_channel = 10;
    // Kick, snare and closed hi-hat as MIDI files have them: zero-length triggers.
    drums.notes = {Note{1, 0.0, 0.0, 36, 0.0, 120}, Note{2, 1.0, 0.0, 38, 0.0, 100},
                   Note{3, 0.5, 0.0, 42, 0.0, 40}, Note{4, 1.5, 0.0, 42, 0.0, 90}};
    Track bass;
    bass.id = kBass;
    bass.name = "Bass";
    bass.preset = "pluck";
    bass.notes = {Note{10, 0.0, 1.0, 40, 0.0, 100}};
    doc.tracks = {drums, bass};
    return doc;
}

}  // namespace

class DrumMode : public GuiTestCase {
    Q_OBJECT

private:
    gui::PianoRoll& roll() { return window().pianoRoll(); }
    gui::NoteGrid* grid() { return roll().grid(); }
    QAction* action(const char* name) { return window().findChild<QAction*>(name); }
    QPoint centreOf(const Note& n) { return grid()->noteRect(n).center().toPoint(); }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        state().setAuditionEnabled(false);
        state().setSnap(0.25);
        state().setPixelsPerBeat(80.0, 0.0);
        state().setLeftBeat(0.0);
        state().setCurrentTrack(kDrums);
    }
    void cleanupTestCase() { session_.reset(); }

    void a_drum_track_shows_named_rows_and_hits_wide_enough_to_take() {
        QVERIFY(roll().drumMode());
        QVERIFY(state().drumMode());
        QVERIFY(action("drumMode")->isChecked());
        QCOMPARE(roll().keys()->rowLabel(38), QString("38 Acoustic Snare"));
        QCOMPARE(roll().keys()->rowLabel(42), QString("42 Closed Hi-Hat"));
        QVERIFY(QTest::qWaitFor([&] { return roll().keys()->width() == gui::PianoKeys::kDrumWidth; }, 5000));
        // A zero-length hit is a mark at least 9 px wide, centred on its onset.
        const Note& kick = window().song().track(kDrums)->notes[0];
        const QRectF mark = grid()->noteRect(kick);
        QVERIFY2(mark.width() >= 9, qPrintable(QString::number(mark.width())));
        QCOMPARE(mark.center().x(), state().xOfBeat(0.0));
        // The kit is in view (the view scrolled to the track's notes).
        for (int pitch : {36, 38, 42}) {
            const double y = state().yOfPitch(pitch);
            QVERIFY2(y >= 0 && y < grid()->height(),
                     qPrintable(QString("pitch %1 at y %2").arg(pitch).arg(y)));
        }
    }

    void hidden_rows_leave_the_kits_sounds_and_a_drag_moves_a_hit_to_the_next_one() {
        action("hideUnusedRows")->trigger();
        QVERIFY(roll().hidesUnusedRows());
        QCOMPARE(state().rowCount(), 3);
        QCOMPARE(state().rows(), (std::vector<int>{36, 38, 42}));
        QCOMPARE(state().rowOf(37), -1);
        // Drag the kick one row up: it becomes the snare (38), not 37.
        const Note kick = window().song().track(kDrums)->notes[0];
        const QPoint from = centreOf(kick);
        const QPoint to = from - QPoint(0, int(std::lround(state().keyHeight())));
        QTest::mousePress(grid(), Qt::LeftButton, Qt::NoModifier, from);
        QTest::mouseMove(grid(), from - QPoint(0, 3));
        QTest::mouseMove(grid(), to);
        QTest::mouseRelease(grid(), Qt::LeftButton, Qt::NoModifier, to);
        QCOMPARE(noteIn(session_->engineDocument(), 1).pitch, 38);
        QCOMPARE(noteIn(session_->engineDocument(), 1).start, 0.0);
        // No kick left: its row goes.
        QCOMPARE(state().rows(), (std::vector<int>{38, 42}));
        QVERIFY(window().song().undo());
        QCOMPARE(noteIn(session_->engineDocument(), 1).pitch, 36);
        QCOMPARE(state().rows(), (std::vector<int>{36, 38, 42}));
    }

    void a_double_click_on_a_row_draws_a_hit_of_its_sound() {
        const std::size_t before = window().song().track(kDrums)->notes.size();
        const QPoint at(int(std::lround(state().xOfBeat(2.0) + 2)),
                        int(std::lround(state().yOfPitch(42) + state().keyHeight() / 2)));
        QTest::mouseDClick(grid(), Qt::LeftButton, Qt::NoModifier, at);
        const Document doc = session_->engineDocument();
        QCOMPARE(doc.tracks[0].notes.size(), before + 1);
        const Note& hit = doc.tracks[0].notes.back();
        QCOMPARE(hit.pitch, 42);
        QCOMPARE(hit.start, 2.0);
        QVERIFY(window().song().undo());
    }

    void a_melodic_track_stays_a_piano_roll_unless_chosen() {
        state().setCurrentTrack(kBass);
        QVERIFY(!roll().drumMode());
        QVERIFY(!state().drumMode());
        QCOMPARE(state().rowCount(), 128);  // hidden rows are a drum view's only
        QVERIFY(!action("drumMode")->isChecked());
        QCOMPARE(roll().keys()->rowLabel(60), QString("C4"));
        action("drumMode")->trigger();  // chosen by hand, kept for this track
        QVERIFY(roll().drumMode());
        state().setCurrentTrack(kDrums);
        state().setCurrentTrack(kBass);
        QVERIFY(roll().drumMode());
        action("drumMode")->trigger();
        QVERIFY(!roll().drumMode());
        state().setCurrentTrack(kDrums);
        QVERIFY(roll().drumMode());
    }
};

QTEST_MAIN(DrumMode)
#include "drum_mode.test.moc"
