// How the GUI reaches its engine, against a real tactusd: over the engine's private Unix-domain socket
// for its port (user-only), not over loopback TCP, so the GUI is the engine's owner. A document opened
// from a folder outside $HOME (a temporary folder) reaches the engine, and the engine writes its
// document into that folder when the GUI asks: a right of the owner only, as a loopback TCP client
// asking the same is refused (it is held to --allow-dir, by default $HOME).
#include <sys/stat.h>

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>
#include <optional>
#include <string>

#include "core/document_json.h"
#include "core/private_dir.h"
#include "gui/engine_link.h"
#include "gui/engine_supervisor.h"
#include "gui/song_model.h"
#include "gui_session.h"
#include "server/osc_out.h"

using namespace tactus;
using namespace tactus::test;

class EngineConnection : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<GuiSession> session_;

    gui::MainWindow& window() { return session_->window(); }
    static Document song(int notes, int pitch) {
        Document doc;
        Track t;
        t.id = 1;
        t.name = "Keys";
        t.preset = "pluck";
        for (int i = 0; i < notes; ++i)
            t.notes.push_back(Note{NoteId(i + 1), i * 0.5, 0.5, pitch + i % 12, 0.0, 90});
        doc.tracks = {t};
        return doc;
    }
    // Sends `packet` over the GUI's own link and waits for the /reply or /error about `address`.
    std::optional<OscMessage> callThroughGui(const std::vector<std::uint8_t>& packet,
                                             const std::string& address) {
        std::optional<OscMessage> answer;
        const auto watch =
            connect(&window().link(), &gui::EngineLink::packetReceived, this, [&](const OscPacket& received) {
                for (const OscMessage& m : received.messages)
                    if ((m.address == "/reply" || m.address == "/error") && !m.args.empty() &&
                        m.args[0].s == address && !answer)
                        answer = m;
            });
        window().link().send(packet);
        (void)QTest::qWaitFor([&] { return answer.has_value(); }, 30000);
        disconnect(watch);
        return answer;
    }
    static bool inside(const QString& path, const QString& folder) {
        const QString p = QFileInfo(path).canonicalFilePath(), f = QFileInfo(folder).canonicalFilePath();
        return !f.isEmpty() && (p == f || p.startsWith(f.endsWith('/') ? f : f + '/'));
    }

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        session_ = GuiSession::showing(song(8, 60), dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
    }
    void cleanupTestCase() { session_.reset(); }

    void the_gui_is_connected_through_the_engines_private_socket() {
        std::string error;
        const auto expected = engine_socket_path(session_->port(), &error);
        QVERIFY2(expected, error.c_str());
        QVERIFY(window().link().isConnected());
        QCOMPARE(window().link().connectedSocket(), QString::fromStdString(*expected));
        struct stat st {};
        QCOMPARE(::lstat(expected->c_str(), &st), 0);
        QVERIFY2(S_ISSOCK(st.st_mode), "the engine's socket path is not a socket");
        QCOMPARE(st.st_uid, ::getuid());
        QCOMPARE(int(st.st_mode & 077), 0);  // nobody but the user
        QCOMPARE(window().supervisor().options().port, session_->port());
    }

    void a_document_outside_home_opens_and_only_the_owner_may_save_there() {
        if (inside(dir_.path(), QDir::homePath()))
            QSKIP("the temporary folder lies in $HOME: a loopback client may use it too");
        // Opened from the temporary folder, the document reaches the engine.
        const QString path = dir_.filePath("outside-home.json");
        std::string error;
        QVERIFY2(save_document_file(song(24, 48), path.toStdString(), &error), error.c_str());
        QString open_error;
        QVERIFY2(window().openFile(path, &open_error), qPrintable(open_error));
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         const auto held = session_->probe().document(1000);
                         return held && !held->tracks.empty() && held->tracks.front().notes.size() == 24;
                     },
                     10000),
                 "the engine never held the document opened from outside $HOME");

        // The engine writes its document there for the GUI (its owner)...
        const QString owners_copy = dir_.filePath("owners-copy.json");
        const auto saved =
            callThroughGui(OscOut("/document").s(owners_copy.toStdString()).bytes(), "/document");
        QVERIFY2(saved, "the engine did not answer the GUI's /document PATH");
        QVERIFY2(saved->address == "/reply", saved->args.size() > 1 ? saved->args[1].s.c_str() : "refused");
        const LoadResult copy = load_document_file(owners_copy.toStdString());
        QVERIFY(copy.document);
        QCOMPARE(copy.document->tracks.front().notes.size(), std::size_t(24));

        // ...and refuses a loopback TCP client the same folder.
        const QString strangers_copy = dir_.filePath("tcp-copy.json");
        const auto refused =
            session_->probe().call(OscOut("/document").s(strangers_copy.toStdString()).bytes(), "/document");
        QVERIFY2(refused, "the engine did not answer the TCP client's /document PATH");
        QCOMPARE(QString::fromStdString(refused->address), QStringLiteral("/error"));
        qInfo("a loopback TCP client is told: %s",
              refused->args.size() > 1 ? refused->args[1].s.c_str() : "");
        QVERIFY(!QFileInfo::exists(strangers_copy));
    }
};

QTEST_MAIN(EngineConnection)
#include "engine_connection.test.moc"
