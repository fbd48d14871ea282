// What a newcomer tripped on (issue 17), each against a real tactusd, checked in what the engine holds:
// a click on empty grid clears the selection and draws nothing (a drag or a double-click draws); the
// zoom shortcuts the README names fire, and no two actions share a key; undoing back to the saved
// state clears the modified mark; Space after typing a tempo takes it and plays; Home and a locate
// while stopped bring the view to the cursor; playback stops at the song's end unless looping;
// exported MIDI gets its extension and a confirmation; the velocity lane takes the chord note meant;
// a note dragged past the edge scrolls the view; a new track's strip is scrolled into view; an opened file is
// framed, and a change of track frames its notes; a MIDI file opens under its own name and enters Open Recent
// once, however its path is written; without an audio output the engine's own reason is given.
#include <QAction>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <map>

#include "core/document_json.h"
#include "gui/engine_link.h"
#include "gui/engine_supervisor.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/ruler.h"
#include "gui/song_model.h"
#include "gui/tempo_lane.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui/transport_bar.h"
#include "gui/velocity_lane.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {

Document song() {
    Document doc;
    doc.title = "newcomer";
    doc.tempo = TempoMap(92.0);
    Track piano;
    piano.id = 1;
    piano.name = "Piano";
    piano.preset = "pluck";
    piano.notes = {Note{1, 0.0, 1.0, 60, 0.0, 90}, Note{2, 1.0, 1.0, 62, 0.0, 90}};
    doc.tracks = {piano};
    return doc;
}

std::size_t noteCount(const Document& doc) {
    std::size_t n = 0;
    for (const Track& t : doc.tracks) n += t.notes.size();
    return n;
}

}  // namespace

class NewcomerFixes : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;

    gui::MainWindow& window() { return session_->window(); }
    gui::RollState& state() { return window().rollState(); }
    QWidget* grid() { return window().pianoRoll().grid(); }
    QPoint at(double beat, int pitch) {
        return QPoint(int(std::lround(state().xOfBeat(beat) + 3)),
                      int(std::lround(state().yOfPitch(pitch) + state().keyHeight() / 2)));
    }
    bool modifiedMark() { return window().windowTitle().contains('*'); }
    std::pair<double, bool> engineBeat() { return session_->engineBeat(); }

private slots:
    void initTestCase() {
        session_ = GuiSession::showing(song(), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        state().setCurrentTrack(1);
        state().setSnap(0.25);
        state().setAuditionEnabled(false);
    }

    void cleanupTestCase() { session_.reset(); }

    void a_click_on_empty_grid_clears_the_selection_and_draws_nothing() {
        state().setSelection({1, 2});
        const Document before = session_->engineDocument();
        QTest::mouseClick(grid(), Qt::LeftButton, Qt::NoModifier, at(6.0, 70));
        QVERIFY(state().selection().empty());
        const Document after = session_->engineDocument();
        QCOMPARE(noteCount(after), noteCount(before));
        QCOMPARE(after.revision, before.revision);
    }

    void a_double_click_on_empty_grid_draws_a_note_of_the_snaps_length() {
        const Document before = session_->engineDocument();
        QTest::mouseDClick(grid(), Qt::LeftButton, Qt::NoModifier, at(6.0, 70));
        const Document after = session_->engineDocument();
        QCOMPARE(noteCount(after), noteCount(before) + 1);
        const Note* drawn = nullptr;
        for (const Note& n : after.tracks[0].notes)
            if (n.start == 6.0 && n.pitch == 70) drawn = &n;
        QVERIFY2(drawn, "no note at beat 6, pitch 70 in the engine");
        QCOMPARE(drawn->length, 0.25);
        QCOMPARE(state().selection(), std::set<NoteId>{drawn->id});
        QVERIFY(window().song().undo());
        QCOMPARE(noteCount(session_->engineDocument()), noteCount(before));
    }

    void the_readmes_zoom_keys_fire_and_no_two_actions_share_a_key() {
        grid()->setFocus();
        const double ppb = state().pixelsPerBeat();
        QTest::keyClick(grid(), Qt::Key_Equal, Qt::ControlModifier);
        QCOMPARE(state().pixelsPerBeat(), ppb * 1.25);
        // Ctrl++ (the keypad's +, or a layout where + needs no Shift).
        QTest::keyClick(grid(), Qt::Key_Plus, Qt::ControlModifier);
        QCOMPARE(state().pixelsPerBeat(), ppb * 1.25 * 1.25);
        QTest::keyClick(grid(), Qt::Key_Minus, Qt::ControlModifier);
        QTest::keyClick(grid(), Qt::Key_Minus, Qt::ControlModifier);
        QVERIFY(std::abs(state().pixelsPerBeat() - ppb) < 1e-9);
        const double keys = state().keyHeight();
        QTest::keyClick(grid(), Qt::Key_Equal, Qt::ControlModifier | Qt::AltModifier);
        QCOMPARE(state().keyHeight(), keys * 1.25);
        QTest::keyClick(grid(), Qt::Key_Minus, Qt::ControlModifier | Qt::AltModifier);
        QVERIFY(std::abs(state().keyHeight() - keys) < 1e-9);
        // An ambiguous key does nothing at all in Qt: every shortcut belongs to one action.
        std::map<QString, QString> owner;
        for (QAction* action : window().findChildren<QAction*>())
            for (const QKeySequence& key : action->shortcuts()) {
                const QString text = key.toString();
                const auto [it, fresh] = owner.emplace(text, action->text());
                QVERIFY2(fresh, qPrintable(text + " is both " + it->second + " and " + action->text()));
            }
    }

    void undoing_back_to_the_saved_state_clears_the_modified_mark() {
        QTest::mouseDClick(grid(), Qt::LeftButton, Qt::NoModifier, at(8.0, 74));  // a step before the save
        QString error;
        QVERIFY2(window().saveTo(dir_.filePath("song.json"), &error), qPrintable(error));
        QVERIFY(!window().song().isModified());
        QVERIFY(!modifiedMark());
        QTest::mouseDClick(grid(), Qt::LeftButton, Qt::NoModifier, at(7.0, 72));
        QVERIFY(modifiedMark());
        QVERIFY(window().song().undo());
        QVERIFY2(!modifiedMark(), qPrintable(window().windowTitle()));
        QVERIFY(window().song().redo());
        QVERIFY(modifiedMark());
        QVERIFY(window().song().undo());
        QVERIFY(!modifiedMark());
        // Below the save, a new edit loses the saved state for good (its redo is gone), even where the
        // history is as deep as it was at the save.
        QVERIFY(window().song().undo());
        QVERIFY(modifiedMark());
        QTest::mouseDClick(grid(), Qt::LeftButton, Qt::NoModifier, at(7.0, 72));
        QVERIFY(modifiedMark());
        QVERIFY(window().song().undo());
        QVERIFY(modifiedMark());
        QVERIFY(session_->waitUntilEngineCaughtUp());
    }

    void the_tempo_box_shows_the_songs_tempo() {
        auto* tempo = window().findChild<QDoubleSpinBox*>();
        QVERIFY(tempo);
        QVERIFY2(QTest::qWaitFor([&] { return tempo->value() == 92.0; }, 5000),
                 qPrintable(QString("the box shows %1 for a 92 bpm song").arg(tempo->value())));
    }

    void space_after_typing_a_tempo_takes_it_and_plays() {
        auto* tempo = window().findChild<QDoubleSpinBox*>();
        QVERIFY(tempo);
        tempo->setFocus();
        tempo->selectAll();
        QTest::keyClicks(tempo, "150");
        QTest::keyClick(tempo, Qt::Key_Space);
        QCOMPARE(tempo->value(), 150.0);
        QVERIFY(!tempo->hasFocus());
        QVERIFY(QTest::qWaitFor([&] { return engineBeat().second; }, 10000));
        QCOMPARE(session_->engineDocument().tempo.bpm_at(0.0), 150.0);
        window().transport().stop();
        QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 10000));
    }

    void home_and_a_locate_while_stopped_bring_the_view_to_the_cursor() {
        QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 10000));
        const auto inView = [&](double beat) {
            const double visible = grid()->width() / state().pixelsPerBeat();
            return beat >= state().leftBeat() && beat < state().leftBeat() + visible;
        };
        // The cursor away from the start first, so that Home's locate is seen arriving.
        QVERIFY(session_->probe().call(OscOut("/locate/beat").d(40.0).bytes(), "/locate/beat"));
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 40.0; }, 10000));
        state().setLeftBeat(200.0);
        QVERIFY(!inView(0.0));
        grid()->setFocus();
        QTest::keyClick(grid(), Qt::Key_Home);
        QVERIFY(inView(0.0));
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 0.0; }, 10000));
        // Another client's locate moves the cursor: the view goes with it.
        QVERIFY(session_->probe().call(OscOut("/locate/beat").d(300.0).bytes(), "/locate/beat"));
        QVERIFY2(QTest::qWaitFor([&] { return inView(300.0); }, 10000),
                 qPrintable(QString("view from beat %1").arg(state().leftBeat())));
        // Scrolling by hand while stopped stays where it was put.
        state().setLeftBeat(10.0);
        QTest::qWait(300);
        QVERIFY2(state().leftBeat() == 10.0, qPrintable(QString("view from %1, cursor %2, engine %3")
                                                            .arg(state().leftBeat())
                                                            .arg(state().cursorBeat())
                                                            .arg(engineBeat().first)));
    }

    void playback_stops_where_the_last_note_ends_unless_looping() {
        QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 10000));
        const double end = 2.0;  // the last note: beat 1, one beat long
        auto* stopAtEnd = window().transport().findChild<QAction*>("stopAtEnd");
        QVERIFY(stopAtEnd && stopAtEnd->isChecked());
        window().transport().locate(0.0);
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 0.0; }, 10000));
        window().transport().play();
        QVERIFY(QTest::qWaitFor([&] { return engineBeat().second; }, 10000));
        QVERIFY2(QTest::qWaitFor([&] { return !engineBeat().second; }, 10000), "it played on past the end");
        // Looping over the end, or with the option off, it plays on.
        for (const bool looping : {true, false}) {
            window().transport().setLoop(looping, 0.0, 4.0);
            stopAtEnd->setChecked(looping);
            window().transport().locate(0.0);
            window().transport().play();
            QVERIFY(QTest::qWaitFor([&] { return engineBeat().second; }, 10000));
            QTest::qWait(2500);  // 6 beats at 150 bpm
            const auto [beat, playing] = engineBeat();
            QVERIFY2(playing, looping ? "a loop over the end stopped" : "stopped with Stop at end off");
            QVERIFY(looping || beat > end);
            window().transport().stop();
            QVERIFY(QTest::qWaitFor([&] { return !engineBeat().second; }, 10000));
        }
        window().transport().setLoop(false, 0.0, 4.0);
        stopAtEnd->setChecked(true);
    }

    void exported_midi_gets_its_extension_and_a_confirmation() {
        const QString chosen = dir_.filePath("for-the-band");
        QString error;
        QVERIFY2(window().exportMidiTo(chosen, &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(chosen + ".mid"));
        QVERIFY(!QFileInfo::exists(chosen));
        QVERIFY2(window().statusBar()->currentMessage().contains(chosen + ".mid"),
                 qPrintable(window().statusBar()->currentMessage()));
        // A name that has one keeps it.
        QVERIFY2(window().exportMidiTo(dir_.filePath("take.MIDI"), &error), qPrintable(error));
        QVERIFY(QFileInfo::exists(dir_.filePath("take.MIDI")));
    }

    void the_velocity_lane_takes_the_chord_note_meant() {
        std::vector<Edit> chord;
        for (const auto& [pitch, velocity] : {std::pair{60, 40}, std::pair{64, 80}, std::pair{67, 120}})
            chord.push_back(edit::NoteAdd{1, Note{0, 12.0, 1.0, pitch, 0.0, velocity}});
        QVERIFY(window().song().apply(chord, "chord"));
        std::map<int, NoteId> id;  // by pitch
        for (const Note& n : window().song().document().tracks[0].notes)
            if (n.start == 12.0) id[n.pitch] = n.id;
        QCOMPARE(id.size(), std::size_t(3));
        // The cursor there first: a cursor that moves while stopped brings the view along.
        window().transport().locate(12.0);
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 12.0; }, 10000));
        state().setLeftBeat(10.0);
        auto* lane = window().findChild<gui::VelocityLane*>();
        QVERIFY(lane);
        const int x = int(std::lround(state().xOfBeat(12.0))) + 1;
        const int h = lane->height();
        const auto yOf = [&](int v) { return int(std::lround(h - 4 - (h - 8) * v / 127.0)); };
        const auto velocityAt = [&](int y) {
            return std::clamp(int(std::lround(127.0 * (h - 4 - y) / (h - 8))), 1, 127);
        };
        const auto dragStalk = [&](int fromVelocity, int toVelocity) {
            QTest::mousePress(lane, Qt::LeftButton, Qt::NoModifier, QPoint(x, yOf(fromVelocity)));
            QTest::mouseMove(lane, QPoint(x, yOf(toVelocity)));
            QTest::mouseRelease(lane, Qt::LeftButton, Qt::NoModifier, QPoint(x, yOf(toVelocity)));
        };
        const auto velocities = [&] {
            std::map<int, int> v;
            const Document doc = session_->engineDocument();  // (held: a loop over a temporary's member
            for (const Note& n : doc.tracks[0].notes)         //  would outlive it)
                if (n.start == 12.0) v[n.pitch] = n.velocity;
            return v;
        };
        // Nothing selected: the stalk whose top is nearest the press.
        state().setSelection({});
        dragStalk(118, 110);
        QCOMPARE(velocities(), (std::map<int, int>{{60, 40}, {64, 80}, {67, velocityAt(yOf(110))}}));
        // A selected note of the chord, wherever on its x the press is.
        state().setSelection({id[60]});
        dragStalk(60, 90);  // (nearest to 64's top: the selection wins)
        QCOMPARE(velocities(),
                 (std::map<int, int>{{60, velocityAt(yOf(90))}, {64, 80}, {67, velocityAt(yOf(110))}}));
    }

    void a_note_dragged_past_the_edge_scrolls_the_view_and_lands_beyond_it() {
        window().transport().locate(0.0);
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 0.0; }, 10000));
        state().setLeftBeat(0.0);
        const double visibleEnd = state().beatOfX(grid()->width());
        const QPoint from = at(1.0, 62);  // note 2: beat 1, pitch 62
        const QPoint past(grid()->width() + 40, from.y());
        QTest::mousePress(grid(), Qt::LeftButton, Qt::NoModifier, from);
        QTest::mouseMove(grid(), QPoint(grid()->width() - 2, from.y()));
        QTest::mouseMove(grid(), past);
        QTest::qWait(600);  // held there: the view scrolls on
        QVERIFY2(state().leftBeat() > 0.0, "the view did not scroll");
        QTest::mouseRelease(grid(), Qt::LeftButton, Qt::NoModifier, past);
        const auto moved = window().song().findNote(2);
        QVERIFY(moved);
        QVERIFY2(moved->note.start > visibleEnd,
                 qPrintable(QString("note at %1, view ended at %2").arg(moved->note.start).arg(visibleEnd)));
        QCOMPARE(session_->engineDocument().tracks[0].notes.size(),
                 window().song().document().tracks[0].notes.size());
        QVERIFY(window().song().undo());
        QCOMPARE(window().song().findNote(2)->note.start, 1.0);
    }

    void labels_stay_clear_and_the_transport_fits_a_1024_pixel_window() {
        // A marker where the cursor stands: its label is right of the cursor's mark, not under it.
        QVERIFY(window().song().apply({edit::MarkersReplace{{{0.0, "Intro"}}}}, "marker"));
        window().transport().locate(0.0);
        QVERIFY(QTest::qWaitFor([&] { return state().cursorBeat() == 0.0; }, 10000));
        state().setLeftBeat(0.0);
        gui::Ruler* ruler = window().pianoRoll().ruler();
        QVERIFY(QTest::qWaitFor(
            [&] { return std::abs(ruler->cursorMarkRect().center().x() - state().xOfBeat(0.0)) < 1; }, 5000));
        const QRectF label = ruler->markerLabelRect({0.0, "Intro"});
        QVERIFY(!ruler->cursorMarkRect().intersects(label));
        QVERIFY(label.width() > 10);
        // The last tempo change at the lane's right end: its number is written inside the lane.
        gui::TempoLane* lane = window().pianoRoll().tempoLane();
        const double edge = state().snapBeat(state().beatOfX(lane->width() - 4));
        std::vector<TempoPoint> points = window().song().document().tempo.points();
        points.push_back({edge, 127.5, false});
        QVERIFY(window().song().apply({edit::TempoReplace{points}}, "tempo"));
        const QRectF number = lane->labelRect(window().song().document().tempo.points().size() - 1);
        QVERIFY2(QRectF(lane->rect()).contains(number),
                 qPrintable(QString("label at %1..%2 in a lane %3 wide")
                                .arg(number.left())
                                .arg(number.right())
                                .arg(lane->width())));
        QVERIFY(window().song().undo());
        QVERIFY(window().song().undo());
        // The snap box is named; play, pause and stop have icons; the bar fits a 1024-pixel window.
        bool named = false;
        for (QLabel* l : window().transport().findChildren<QLabel*>())
            named = named || l->text().trimmed() == "Snap";
        QVERIFY(named);
        QVERIFY(!window().transport().playAction()->icon().isNull());
        QVERIFY(!window().transport().stopAction()->icon().isNull());
        QString widths;  // what each item takes, for the failure message
        for (QAction* a : window().transport().actions())
            if (QWidget* w = window().transport().widgetForAction(a))
                widths += QString(" %1=%2")
                              .arg(a->text().isEmpty() ? w->metaObject()->className() : a->text())
                              .arg(w->sizeHint().width());
        QVERIFY2(window().transport().sizeHint().width() <= 1024,
                 qPrintable(QString("the transport wants %1 pixels:%2")
                                .arg(window().transport().sizeHint().width())
                                .arg(widths)));
    }

    void without_an_audio_output_the_engines_own_reason_is_given() {
        // A JACK server that is not there stands for a machine with no audio output: the engine started
        // with it fails, and the failure names the server, not an exit code.
        gui::EngineLink link;
        gui::EngineOptions options;
        options.program = TACTUS_DAEMON_PATH;
        options.audio = "jack";
        options.jackServer = QStringLiteral("tactus-absent-%1").arg(QCoreApplication::applicationPid());
        options.port = freePort();
        gui::EngineSupervisor supervisor(link, options);
        QSignalSpy unavailable(&supervisor, &gui::EngineSupervisor::engineUnavailable);
        supervisor.start();
        QVERIFY(unavailable.wait(30000));
        const QString why = unavailable.front().front().toString();
        QVERIFY2(why.contains("jack: cannot connect to the JACK server '" + options.jackServer + "'"),
                 qPrintable(why));
        QVERIFY2(!why.contains("exited with"), qPrintable(why));
        QVERIFY(!supervisor.ownsEngine());
    }

    // Last: it replaces the document.
    void a_new_track_is_scrolled_into_view() {
        for (int i = 0; i < 24; ++i) window().trackPanel().addTrack();
        const TrackId added = state().currentTrack();
        gui::TrackStrip* strip = nullptr;
        for (gui::TrackStrip* s : window().trackPanel().strips())
            if (s->trackId() == added) strip = s;
        QVERIFY(strip);
        QVERIFY2(QTest::qWaitFor([&] { return !strip->visibleRegion().isEmpty(); }, 5000),
                 "the new track's strip is out of view");
        QCOMPARE(session_->engineDocument().tracks.size(), window().song().document().tracks.size());
    }

    void opening_a_file_and_a_track_change_frame_the_tracks_notes() {
        // 48 beats of low notes on track 1, high ones on track 2.
        Document doc;
        Track low, high;
        low.id = 1, low.preset = "pluck";
        high.id = 2, high.preset = "pluck";
        for (int k = 0; k < 48; ++k) {
            low.notes.push_back(Note{NoteId(100 + k), double(k), 1.0, 28 + k % 8, 0.0, 100});
            high.notes.push_back(Note{NoteId(200 + k), double(k), 1.0, 100 + k % 6, 0.0, 100});
        }
        doc.tracks = {low, high};
        const QString path = dir_.filePath("framed.json");
        std::string error;
        QVERIFY(save_document_file(doc, path.toStdString(), &error));
        state().setPixelsPerBeat(400.0, 0.0);
        state().setLeftBeat(30.0);
        state().setTopPitch(84.0);
        QString message;
        QVERIFY2(window().openFile(path, &message), qPrintable(message));
        state().setCurrentTrack(1);
        const auto rowsShown = [&](int pitch) {
            const double y = state().yOfPitch(pitch);
            return y >= 0.0 && y + state().keyHeight() <= grid()->height() + 0.5;
        };
        QVERIFY(rowsShown(28) && rowsShown(35));
        state().setCurrentTrack(2);
        QVERIFY(rowsShown(100) && rowsShown(105));
    }

    void a_midi_file_opens_under_its_name_and_enters_open_recent_once() {
        const QString mid = dir_.filePath("piece.mid");
        QString error;
        QVERIFY2(window().exportMidiTo(mid, &error), qPrintable(error));
        QVERIFY2(window().openFile(mid, &error), qPrintable(error));
        QVERIFY2(window().windowTitle().contains("piece.mid"), qPrintable(window().windowTitle()));
        QVERIFY(window().currentPath().isEmpty());  // saved as a document of its own
        // Named three ways: one entry.
        QVERIFY2(window().openFile(dir_.path() + "/./piece.mid", &error), qPrintable(error));
        QVERIFY2(window().openFile(dir_.path() + "/../" + QFileInfo(dir_.path()).fileName() + "/piece.mid",
                                   &error),
                 qPrintable(error));
        const QStringList recent = window().recentFiles();
        QCOMPARE(recent.count(QFileInfo(mid).canonicalFilePath()), 1);
        QCOMPARE(recent.front(), QFileInfo(mid).canonicalFilePath());
    }
};

QTEST_MAIN(NewcomerFixes)
#include "newcomer_fixes.test.moc"
