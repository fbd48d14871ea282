// The GUI outlives its engine: killed with SIGKILL during playback, tactusd is started again and holds
// the same document at the same revision, and plays on; an engine restart for new audio settings
// keeps the document too; a dropped connection to an engine that lives on is rejoined without a
// reload, keeping another client's edits and the GUI's made meanwhile; and work autosaved by a
// session that died is offered back at start-up.
#include <signal.h>

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "core/document_json.h"
#include "gui/autosave.h"
#include "gui/engine_link.h"
#include "gui/engine_supervisor.h"
#include "gui/song_model.h"
#include "gui/transport_bar.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

namespace {

Document song() {
    Document doc;
    doc.title = "recovery";
    Track t;
    t.id = 1;
    t.name = "Keys";
    t.preset = "pluck";
    for (int i = 0; i < 64; ++i) t.notes.push_back(Note{NoteId(i + 1), i * 0.5, 0.25, 60 + i % 12, 0.0, 100});
    doc.tracks = {t};
    return doc;
}

}  // namespace

class EngineRecovery : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString writeSong() {
        const QString path = dir_.filePath("song.json");
        std::string error;
        if (!save_document_file(song(), path.toStdString(), &error)) qFatal("%s", error.c_str());
        return path;
    }
    GuiSessionOptions onSong() {
        GuiSessionOptions options;
        options.document = writeSong();
        return options;
    }
    // Drops the GUI's connection to its engine (which lives on) and waits until the GUI has noticed.
    static bool dropConnection(gui::MainWindow& window) {
        QSignalSpy lost(&window.supervisor(), &gui::EngineSupervisor::engineLost);
        window.link().disconnectFromEngine();
        return lost.count() == 1 || lost.wait(12000);
    }
    // An edit through the GUI's model, as a user's would be, so the revision moves past the file's.
    static void editTwice(gui::SongModel& model) {
        model.apply({edit::NoteMove{3, 7.25, 0}}, "move");
        model.apply({edit::NoteAdd{1, Note{500, 9.0, 1.0, 72, 0.0, 90}}}, "add");
    }

private slots:
    void sigkill_during_playback_brings_back_the_same_document_and_revision() {
        GuiSession session(onSong());
        QVERIFY2(session.error().isEmpty(), qPrintable(session.error()));
        QVERIFY(session.waitUntilSynced());
        editTwice(session.window().song());
        QVERIFY(session.waitUntilEngineCaughtUp());
        const std::uint64_t revision = session.window().song().revision();
        QCOMPARE(revision, 2u);

        session.window().transport().play();
        QVERIFY2(QTest::qWaitFor([&] { return session.window().transport().isPlaying(); }, 30000),
                 "the GUI never saw the engine play");
        QTest::qWait(300);
        const qint64 pid = session.window().supervisor().enginePid();
        QVERIFY(pid > 0);
        QSignalSpy synced(&session.window(), &gui::MainWindow::engineSynced);
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);
        QVERIFY2(synced.wait(60000), "the GUI did not bring the engine back");
        const qint64 recovered_ms = timer.elapsed();
        QVERIFY(session.window().supervisor().enginePid() != pid);
        QCOMPARE(synced.takeFirst().at(0).value<std::uint64_t>(), revision);

        const auto engine = session.probe().document();
        QVERIFY(engine);
        QCOMPARE(engine->revision, revision);
        QVERIFY(comparable(*engine) == comparable(session.window().song().snapshot()));
        QVERIFY2(QTest::qWaitFor([&] { return session.window().transport().isPlaying(); }, 30000),
                 "playback did not resume after the restart");
        qInfo("engine killed -> new engine holds the document: %lld ms (supervisor: %lld ms)", recovered_ms,
              session.window().supervisor().lastRecoveryMs());
    }

    void a_dropped_connection_to_a_living_engine_is_rejoined_keeping_everyones_edits() {
        GuiSession session(onSong());
        QVERIFY(session.waitUntilSynced());
        gui::MainWindow& window = session.window();
        editTwice(window.song());
        QVERIFY(session.waitUntilEngineCaughtUp());
        window.transport().play();
        QVERIFY(QTest::qWaitFor([&] { return window.transport().isPlaying(); }, 30000));
        const qint64 pid = window.supervisor().enginePid();

        // The GUI's connection drops; tactusd lives on. While it is down, the user moves a note and
        // another client changes a velocity and turns a track down.
        QSignalSpy back(&window.link(), &gui::EngineLink::connected);
        QVERIFY(dropConnection(window));
        QVERIFY(window.song().apply({edit::NoteMove{5, 11.0, 0}}, "move while away"));
        window.song().setTrackPan(1, 0.5);
        Track strings;  // a track added while away, and its fader dragged: in order, the last value kept
        strings.id = 7;
        strings.name = "Strings";
        strings.preset = "pad";
        QVERIFY(window.song().apply({edit::TrackAdd{strings, 1}}, "add while away"));
        for (int step = 1; step <= 20; ++step) window.song().setTrackLevel(7, step * 0.05);
        const auto velocity =
            session.probe().call(OscOut("/note/velocity").h(6).i(33).bytes(), "/note/velocity");
        QVERIFY(velocity && velocity->address == "/reply");
        const auto level = session.probe().call(OscOut("/track/level").h(1).d(0.3).bytes(), "/track/level");
        QVERIFY(level && level->address == "/reply");

        QVERIFY2(back.wait(30000), "the GUI did not reconnect");
        // 2 + the other client's + our two: the engine was not reloaded.
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto doc = session.probe().document();
                         return doc && doc->revision == 5 && window.song().pendingBatches() == 0;
                     },
                     5000),
                 "the engine did not get the edits made while away on top of the other client's");
        QCOMPARE(window.supervisor().enginePid(), pid);
        const auto engine = session.probe().document();
        QVERIFY(engine);
        QCOMPARE(window.song().revision(), 5u);
        QVERIFY(comparable(*engine) == comparable(window.song().snapshot()));
        QCOMPARE(window.song().findNote(5)->note.start, 11.0);
        QCOMPARE(window.song().findNote(6)->note.velocity, 33);
        QCOMPARE(engine->tracks[0].level, 0.3);
        QCOMPARE(engine->tracks[0].pan, 0.5);
        QCOMPARE(engine->tracks.size(), std::size_t(2));
        QCOMPARE(engine->tracks[1].name, std::string("Strings"));
        QCOMPARE(engine->tracks[1].level, 1.0);  // the last of the 20 steps
        QVERIFY2(window.transport().isPlaying(), "rejoining stopped the transport");
    }

    void a_document_opened_while_the_engine_was_unreachable_is_what_it_holds_after() {
        GuiSession session(onSong());
        QVERIFY(session.waitUntilSynced());
        gui::MainWindow& window = session.window();
        QSignalSpy synced(&window, &gui::MainWindow::engineSynced);
        QVERIFY(dropConnection(window));
        Document other;
        other.title = "opened while away";
        Track t;
        t.id = 3;
        t.name = "Bass";
        t.preset = "bass";
        t.notes = {Note{1, 0.0, 2.0, 36, 0.0, 110}};
        other.tracks = {t};
        window.song().resetDocument(other);
        QVERIFY2(synced.wait(30000), "the engine was not given the document opened while away");
        const auto engine = session.probe().document();
        QVERIFY(engine);
        QCOMPARE(engine->title, std::string("opened while away"));
        QVERIFY(comparable(*engine) == comparable(window.song().snapshot()));
    }

    void an_engine_restart_for_new_audio_settings_keeps_the_document() {
        GuiSession session(onSong());
        QVERIFY(session.waitUntilSynced());
        editTwice(session.window().song());
        QVERIFY(session.waitUntilEngineCaughtUp());
        const qint64 pid = session.window().supervisor().enginePid();
        QSignalSpy synced(&session.window(), &gui::MainWindow::engineSynced);
        session.window().supervisor().restart(session.window().supervisor().options());
        QVERIFY(synced.wait(60000));
        QVERIFY(session.window().supervisor().enginePid() != pid);
        const auto engine = session.probe().document();
        QVERIFY(engine);
        QCOMPARE(engine->revision, 2u);
        QVERIFY(comparable(*engine) == comparable(session.window().song().snapshot()));
    }

    void autosaved_work_of_a_session_that_died_is_offered_back() {
        QTemporaryDir recovery;
        Document expected;
        {
            GuiSessionOptions options;
            options.document = writeSong();
            options.recoveryFolder = recovery.path();
            options.autosaveSeconds = 1;
            GuiSession session(options);
            QVERIFY2(session.error().isEmpty(), qPrintable(session.error()));
            QVERIFY(session.waitUntilSynced());
            editTwice(session.window().song());
            const QString autosave = session.window().autosave().path();
            QVERIFY2(QTest::qWaitFor([&] { return QFileInfo::exists(autosave); }, 30000),
                     "nothing was autosaved");
            expected = session.window().song().snapshot();
            // The window goes away with unsaved changes and without a save: its recovery file stays,
            // and its lock is released, as when a process dies.
        }
        GuiSessionOptions options;
        options.recoveryFolder = recovery.path();
        options.recovery = gui::AppOptions::Recovery::Accept;
        GuiSession session(options);
        QVERIFY2(session.error().isEmpty(), qPrintable(session.error()));
        QVERIFY(session.waitUntilSynced());
        QVERIFY(comparable(session.window().song().snapshot()) == comparable(expected));
        QCOMPARE(session.window().song().revision(), 2u);
        QVERIFY(session.window().song().isModified());
        QCOMPARE(session.window().currentPath(), dir_.filePath("song.json"));
        const auto engine = session.probe().document();
        QVERIFY(engine);
        QVERIFY(comparable(*engine) == comparable(expected));
        // Recovered once: a third session finds nothing (the second one's own file is live).
        gui::Autosave other(recovery.path());
        for (const auto& work : other.abandoned())
            QVERIFY2(work.recoveryFile == session.window().autosave().path(), qPrintable(work.recoveryFile));
    }
};

QTEST_MAIN(EngineRecovery)
#include "engine_recovery.test.moc"
