// What the transport, the audition and the meters do, against a real tactusd: Play makes the engine
// play and the cursor move with it; a click on the ruler locates the engine there; Shift-drag on the
// ruler loops that region in the engine; drawing a note with audition on sounds it (the engine
// answers /note/audition), the side keyboard plays its pitch; the meters show the tracks that sound
// and a muted track stays silent.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/document_json.h"
#include "gui/engine_link.h"
#include "gui/level_meter.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/ruler.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui/transport_bar.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

class TransportAndSound : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;
    std::vector<std::string> replies_;  // first argument of every /reply the GUI received
    float loudest_ = 0.0f;              // the first track's largest peak in position reports since reset

    gui::MainWindow& window() { return session_->window(); }
    gui::RollState& state() { return window().rollState(); }
    bool replied(const std::string& address) {
        return std::find(replies_.begin(), replies_.end(), address) != replies_.end();
    }
    std::pair<double, bool> engineBeat() { return session_->engineBeat(); }

private slots:
    void initTestCase() {
        Document doc;
        doc.tempo = TempoMap(240.0);  // four beats a second: playback moves quickly
        Track sounding;
        sounding.id = 1;
        sounding.preset = "saw";
        Track muted = sounding;
        muted.id = 2;
        muted.mute = true;
        for (int i = 0; i < 400; ++i) {
            sounding.notes.push_back(Note{NoteId(i + 1), i * 0.5, 0.45, 57, 0.0, 110});
            muted.notes.push_back(Note{NoteId(1000 + i), i * 0.5, 0.45, 45, 0.0, 110});
        }
        doc.tracks = {sounding, muted};
        session_ = GuiSession::showing(doc, dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        connect(&window().link(), &gui::EngineLink::packetReceived, this, [this](const OscPacket& packet) {
            for (const OscMessage& m : packet.messages)
                if (m.address == "/reply" && !m.args.empty()) replies_.push_back(m.args[0].s);
        });
        connect(&window().link(), &gui::EngineLink::positionReceived, this,
                [this](const gui::PositionReport& r) {
                    if (!r.track_peaks.empty()) loudest_ = std::max(loudest_, r.track_peaks[0]);
                });
        state().setCurrentTrack(1);
        state().setPixelsPerBeat(80.0, 0.0);  // (opening framed all 200 beats: clicks want room)
        state().setLeftBeat(0.0);
    }
    void cleanupTestCase() { session_.reset(); }

    void play_moves_the_cursor_with_the_engine_and_the_meters_show_what_sounds() {
        window().transport().play();
        QVERIFY2(QTest::qWaitFor([&] { return window().cursorBeat() > 4.0; }, 30000),
                 "the cursor did not move");
        // The cursor is drawn from reports plus elapsed time: within a beat (a quarter second) of the
        // engine. The engine's beat is asked for between two readings of the cursor, so however long
        // the question takes on a busy machine, the beat lies between them (give or take that beat).
        const double cursor_before = window().cursorBeat();
        const auto [beat, playing] = engineBeat();
        const double cursor_after = window().cursorBeat();
        QVERIFY(playing);
        QVERIFY2(
            beat > cursor_before - 1.0 && beat < cursor_after + 1.0,
            qPrintable(QString("cursor %1 .. %2, engine %3").arg(cursor_before).arg(cursor_after).arg(beat)));
        const auto& strips = window().trackPanel().strips();
        QCOMPARE(strips.size(), std::size_t(2));
        QVERIFY2(QTest::qWaitFor([&] { return strips[0]->meter()->shown() > 0.01f; }, 18000),
                 "the sounding track's meter stays at zero");
        QVERIFY(window().trackPanel().masterMeter()->shown() > 0.01f);
        QCOMPARE(strips[1]->meter()->shown(), 0.0f);  // muted
        window().transport().stop();
        QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 18000));
    }

    void a_click_on_the_ruler_locates_the_engine_there() {
        gui::Ruler* ruler = window().pianoRoll().ruler();
        state().setSnap(1.0);
        const QPoint click(int(state().xOfBeat(6.0) + 2), ruler->height() / 2);
        QTest::mouseClick(ruler, Qt::LeftButton, Qt::NoModifier, click);
        QVERIFY2(QTest::qWaitFor([&] { return engineBeat().first == 6.0; }, 18000),
                 "the engine is not at beat 6");
        QVERIFY(QTest::qWaitFor([&] { return window().cursorBeat() == 6.0; }, 18000));
    }

    void shift_drag_on_the_ruler_loops_that_region() {
        gui::Ruler* ruler = window().pianoRoll().ruler();
        state().setSnap(1.0);
        const QPoint from(int(state().xOfBeat(8.0) + 2), ruler->height() / 2);
        const QPoint to(int(state().xOfBeat(10.0) + 2), ruler->height() / 2);
        QTest::mousePress(ruler, Qt::LeftButton, Qt::ShiftModifier, from);
        QTest::mouseMove(ruler, to);
        QTest::mouseRelease(ruler, Qt::LeftButton, Qt::ShiftModifier, to);
        QVERIFY(state().loopOn());
        QCOMPARE(state().loopBegin(), 8.0);
        QCOMPARE(state().loopEnd(), 10.0);
        QVERIFY(QTest::qWaitFor([&] { return replied("/loop"); }, 18000));
        window().transport().locate(8.0);
        window().transport().play();
        // Two beats at 240 bpm is half a second: after two seconds the engine must still be inside.
        QTest::qWait(2000);
        const auto [beat, playing] = engineBeat();
        QVERIFY(playing);
        QVERIFY2(beat >= 8.0 && beat < 10.0, qPrintable(QString("engine at beat %1").arg(beat)));
        window().transport().setLoop(false, 8.0, 10.0);
        window().transport().stop();
    }

    void drawing_with_audition_sounds_the_note_and_the_keyboard_plays_its_pitch() {
        // Stopped: what the track's peaks show is the audition alone.
        QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 18000));
        state().setAuditionEnabled(false);
        state().setSnap(0.25);
        QWidget* grid = window().pianoRoll().grid();
        const QPoint at(int(state().xOfBeat(3.0) + 3), int(state().yOfPitch(70) + state().keyHeight() / 2));
        QTest::qWait(300);  // the last notes' release
        loudest_ = 0.0f;
        QTest::mouseDClick(grid, Qt::LeftButton, Qt::NoModifier, at);
        QVERIFY(session_->waitUntilEngineCaughtUp());
        QTest::qWait(400);
        QVERIFY2(loudest_ == 0.0f, "audition is off, yet the track sounded");
        state().setAuditionEnabled(true);
        QTest::mouseDClick(grid, Qt::LeftButton, Qt::NoModifier,
                           at + QPoint(int(state().pixelsPerBeat()), 0));
        QVERIFY2(QTest::qWaitFor([&] { return loudest_ > 0.01f; }, 18000), "the drawn note was not heard");

        QWidget* keys = grid->parentWidget()->findChild<QWidget*>("pianoKeys");
        QVERIFY(keys);
        replies_.clear();
        QTest::mousePress(keys, Qt::LeftButton, Qt::NoModifier, QPoint(10, at.y()));
        QVERIFY(QTest::qWaitFor([&] { return replied("/note/on"); }, 18000));
        QTest::mouseRelease(keys, Qt::LeftButton, Qt::NoModifier, QPoint(10, at.y()));
        QVERIFY(QTest::qWaitFor([&] { return replied("/note/off"); }, 18000));
    }
};

QTEST_MAIN(TransportAndSound)
#include "transport_and_sound.test.moc"
