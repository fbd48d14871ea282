// Who ends the engine when the GUI dies (docs/architecture.md, "Engine lifetime"): tactus-gui, a real
// process (offscreen), killed with SIGKILL so that it can tell nobody. The engine it started ends with
// it (tactusd --owner-pid) and says why in its log; an engine it only attached to plays on.
//
// The engine's stderr is the GUI's (QProcess forwards it), a file here. The test waits far longer than
// a stop takes before calling an engine immortal; an engine that must stay is asked a while after the
// kill, when one tied to the GUI would long have gone.
#include <signal.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <thread>

#include "core/document_json.h"
#include "gui_session.h"
#include "server/osc_out.h"
#include "support/process_tree.h"

using namespace tactus;
using namespace tactus::test;
using namespace std::chrono_literals;

#ifndef TACTUS_GUI_PATH
#error "TACTUS_GUI_PATH must name the tactus-gui executable"
#endif

namespace {

Document song(const std::string& title) {
    Document doc;
    doc.title = title;
    Track t;
    t.id = 1;
    t.name = "Keys";
    t.preset = "pluck";
    for (int i = 0; i < 16; ++i) t.notes.push_back(Note{NoteId(i + 1), i * 0.5, 0.25, 60 + i % 12, 0.0, 100});
    doc.tracks = {t};
    return doc;
}

QString readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Whether the engine on `port` holds a document with this title (the GUI has joined it and loaded).
bool engineHolds(quint16 port, const std::string& title, int timeout_ms) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeout_ms) {
        EngineProbe probe(port);
        if (auto doc = probe.document(1000); doc && doc->title == title) return true;
        QTest::qWait(100);
    }
    return false;
}

bool engineAnswers(quint16 port) {
    EngineProbe probe(port);
    return probe.call(OscOut("/ping").bytes(), "/ping", 3000).has_value();
}

}  // namespace

class EngineLifetime : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;  // the GUI's HOME (no settings or recovery files from elsewhere), logs, the song
    std::unique_ptr<JackServer> jack_;
    quint16 port_ = 0;

    // tactus-gui on the song (title `title`), as a user starts it: it attaches to an engine serving
    // port_ if there is one, else starts one. Its stdout and stderr (and its engine's) go to `log`.
    std::unique_ptr<QProcess> startGui(const std::string& title, const QString& log) {
        const QString path = dir_.filePath(QString::fromStdString(title) + ".json");
        std::string error;
        if (!save_document_file(song(title), path.toStdString(), &error)) qFatal("%s", error.c_str());
        auto gui = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("HOME", dir_.path());
        env.insert("XDG_CONFIG_HOME", dir_.filePath("config"));
        env.insert("XDG_DATA_HOME", dir_.filePath("data"));
        env.insert("XDG_CACHE_HOME", dir_.filePath("cache"));
        env.insert("QT_QPA_PLATFORM", "offscreen");
        gui->setProcessEnvironment(env);
        gui->setProcessChannelMode(QProcess::MergedChannels);
        gui->setStandardOutputFile(log);
        QStringList args{"--port",   QString::number(port_), "--audio",
                         "jack",     "--jack-server",        QString::fromStdString(jack_->name()),
                         "--engine", TACTUS_DAEMON_PATH};
        gui->start(TACTUS_GUI_PATH, args << path);
        if (!gui->waitForStarted(10000))
            qFatal("tactus-gui did not start: %s", qPrintable(gui->errorString()));
        return gui;
    }

private slots:
    void init() {
        QVERIFY(dir_.isValid());
        jack_ = std::make_unique<JackServer>();
        QVERIFY2(jack_->running(), jack_->error().c_str());
        port_ = freePort();
    }
    void cleanup() { jack_.reset(); }

    void killing_the_gui_ends_the_engine_it_started() {
        const QString log = dir_.filePath("started.log");
        auto gui = startGui("started", log);
        QVERIFY2(engineHolds(port_, "started", 30000), qPrintable(readAll(log)));
        const auto engines = children_named(pid_t(gui->processId()), "tactusd");
        QCOMPARE(engines.size(), std::size_t(1));
        const pid_t engine = engines.front();
        const qint64 gui_pid = gui->processId();

        gui->kill();  // SIGKILL: the GUI says nothing to its engine
        QVERIFY(gui->waitForFinished(10000));
        const bool ended = wait_until([&] { return process_has_ended(engine); }, 30s);
        if (!ended) kill(engine, SIGKILL);  // leave nothing behind
        QVERIFY2(ended, qPrintable("the engine outlived its GUI; the log:\n" + readAll(log)));
        const QString text = readAll(log);
        QVERIFY2(
            text.contains(QString("tactusd: the process that started this engine (pid %1, --owner-pid) has "
                                  "ended; stopping")
                              .arg(gui_pid)),
            qPrintable(text));
        QVERIFY2(text.contains("tactusd: stopped (owner ended)"), qPrintable(text));
    }

    void killing_a_gui_that_attached_leaves_the_engine_running() {
        // An engine started by someone else (here: the test).
        QProcess engine;
        const QString engine_log = dir_.filePath("engine.log");
        engine.setProcessChannelMode(QProcess::MergedChannels);
        engine.setStandardOutputFile(engine_log);
        engine.start(TACTUS_DAEMON_PATH,
                     {"--audio", "jack", "--jack-server", QString::fromStdString(jack_->name()), "--device",
                      "none", "--listen", QString("127.0.0.1:%1").arg(port_)});
        QVERIFY(engine.waitForStarted(10000));
        QVERIFY2(wait_until([&] { return engineAnswers(port_); }, 20s), qPrintable(readAll(engine_log)));

        const QString log = dir_.filePath("attached.log");
        auto gui = startGui("attached", log);
        QVERIFY2(engineHolds(port_, "attached", 30000), qPrintable(readAll(log)));
        QVERIFY(children_named(pid_t(gui->processId()), "tactusd").empty());  // it started none
        gui->kill();
        QVERIFY(gui->waitForFinished(10000));

        // Long after an engine tied to the GUI would have gone, this one still runs and answers.
        QTest::qWait(2000);
        QCOMPARE(engine.state(), QProcess::Running);
        QVERIFY(engineAnswers(port_));
        QVERIFY(!readAll(engine_log).contains("owner"));
        EngineProbe probe(port_);
        QVERIFY(probe.call(OscOut("/quit").bytes(), "/quit"));
        QVERIFY(engine.waitForFinished(30000));
        QCOMPARE(engine.exitCode(), 0);
    }

    // Two GUIs on one engine: the one that started it dies, the engine ends with it, and the other
    // starts an engine of its own (tied to itself) with its document, instead of waiting forever.
    void a_gui_whose_engine_ended_with_its_starter_starts_its_own() {
        const QString log_a = dir_.filePath("first.log"), log_b = dir_.filePath("second.log");
        auto first = startGui("first", log_a);
        QVERIFY2(engineHolds(port_, "first", 30000), qPrintable(readAll(log_a)));
        auto second = startGui("second", log_b);
        QVERIFY2(engineHolds(port_, "second", 30000), qPrintable(readAll(log_b)));
        QVERIFY(children_named(pid_t(second->processId()), "tactusd").empty());  // it attached
        const pid_t old_engine = children_named(pid_t(first->processId()), "tactusd").front();

        first->kill();
        QVERIFY(first->waitForFinished(10000));
        QVERIFY(wait_until([&] { return process_has_ended(old_engine); }, 30s));
        QVERIFY2(wait_until([&] { return children_named(pid_t(second->processId()), "tactusd").size() == 1; },
                            60s),
                 qPrintable(readAll(log_b)));
        QVERIFY2(engineHolds(port_, "second", 30000), qPrintable(readAll(log_b)));
        second->kill();
        QVERIFY(second->waitForFinished(10000));
    }
};

QTEST_MAIN(EngineLifetime)
#include "engine_lifetime.test.moc"
