// No lost edit: the GUI names its document's file to the engine it starts (/journal), the engine
// journals every batch and fader move beside it, and when GUI and engine die together (the engine
// by SIGKILL, the window gone without another turn of its event loop, no autosave) the next GUI that
// opens the file offers the journaled state back; on accept it holds all of it, and so does its
// engine. After a save, only the later edits are in the journal. Declined, the file opens as saved.
#include "server/edit_journal.h"

#include <signal.h>

#include <QTemporaryDir>
#include <QTest>
#include <optional>

#include "core/document_json.h"
#include "gui/song_model.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;

namespace {

Document song() {
    Document doc;
    doc.title = "journal";
    Track t;
    t.id = 1;
    t.name = "Keys";
    t.preset = "pluck";
    for (int i = 0; i < 16; ++i) t.notes.push_back(Note{NoteId(i + 1), i * 0.5, 0.25, 60 + i % 12, 0.0, 100});
    doc.tracks = {t};
    return doc;
}

std::size_t journalRecords(const std::string& path) {
    std::string error;
    const auto contents = read_journal(path, &error);
    return contents ? contents->records.size() : 0;
}

}  // namespace

class EditJournalGui : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;

    QString writeSong(const QString& name) {
        const QString path = dir_.filePath(name);
        std::string error;
        if (!save_document_file(song(), path.toStdString(), &error)) qFatal("%s", error.c_str());
        return path;
    }

    // Fifty edits and a fader move through the GUI's model, then engine and GUI die together.
    // Returns the document they had; nullopt (with a warning saying why) when the session failed.
    std::optional<Document> editAndDie(const QString& path) {
        GuiSessionOptions options;
        options.document = path;
        options.autosaveSeconds = 0;  // only the journal can bring anything back
        auto session = std::make_unique<GuiSession>(options);
        const auto failed = [](const QString& why) {
            qWarning("%s", qPrintable(why));
            return std::nullopt;
        };
        if (!session->error().isEmpty()) return failed(session->error());
        if (!session->waitUntilSynced()) return failed("the engine never took the document");
        gui::SongModel& model = session->window().song();
        for (int i = 0; i < 50; ++i)
            model.apply(
                {edit::NoteAdd{1, Note{NoteId(1000 + i), 8.0 + i * 0.25, 0.25, 48 + i % 24, 0.0, 90}}},
                "add");
        model.setTrackLevel(1, 0.3);
        if (!session->waitUntilEngineCaughtUp()) return failed("the engine did not answer every batch");
        // The journal's writer runs behind the engine's replies: kill -9 keeps what it has written.
        const std::string journal = journal_path_for(path.toStdString());
        if (!QTest::qWaitFor([&] { return journalRecords(journal) == 51; }, 10000))
            return failed(QString("the journal holds %1 records, not 51").arg(journalRecords(journal)));
        const Document had = model.snapshot();
        const qint64 pid = session->window().supervisor().enginePid();
        if (pid <= 0 || ::kill(pid_t(pid), SIGKILL) != 0) return failed("could not kill the engine");
        session.reset();  // the window goes before its event loop sees the engine die
        return had;
    }

private slots:
    void fifty_edits_survive_a_kill_of_engine_and_gui_together_and_are_offered_back() {
        const QString path = writeSong("kept.json");
        const auto died = editAndDie(path);
        QVERIFY(died);
        const Document& had = *died;
        QCOMPARE(had.revision, 50u);

        GuiSessionOptions options;
        options.document = path;
        options.recovery = gui::AppOptions::Recovery::Accept;
        GuiSession session(options);
        QVERIFY2(session.error().isEmpty(), qPrintable(session.error()));
        QVERIFY(session.waitUntilSynced());
        const gui::SongModel& model = session.window().song();
        QCOMPARE(model.revision(), 50u);
        QCOMPARE(model.document().note_count(), std::size_t(16 + 50));
        QVERIFY(comparable(model.snapshot()) == comparable(had));
        QCOMPARE(model.document().tracks.at(0).level, 0.3);
        QVERIFY2(model.isModified(), "recovered edits are not in the file: the document must say so");
        QCOMPARE(session.window().currentPath(), path);
        const auto engine = session.probe().document();
        QVERIFY(engine);
        QCOMPARE(engine->revision, 50u);
        QVERIFY(comparable(*engine) == comparable(had));
    }

    void after_a_save_only_the_later_edits_are_journaled_and_offered_back() {
        const QString path = writeSong("saved.json");
        const std::string journal = journal_path_for(path.toStdString());
        Document had;
        {
            GuiSessionOptions options;
            options.document = path;
            auto session = std::make_unique<GuiSession>(options);
            QVERIFY2(session->error().isEmpty(), qPrintable(session->error()));
            QVERIFY(session->waitUntilSynced());
            gui::SongModel& model = session->window().song();
            model.apply({edit::NoteAdd{1, Note{2000, 9.0, 0.5, 70, 0.0, 90}}}, "add");
            QVERIFY(session->waitUntilEngineCaughtUp());
            QString error;
            QVERIFY2(session->window().saveTo(path, &error), qPrintable(error));
            QVERIFY2(QTest::qWaitFor([&] { return journalRecords(journal) == 0; }, 5000),
                     "the saved edit is still in the journal");
            model.apply({edit::NoteAdd{1, Note{2001, 9.5, 0.5, 72, 0.0, 90}}}, "add");
            QVERIFY(session->waitUntilEngineCaughtUp());
            QVERIFY(QTest::qWaitFor([&] { return journalRecords(journal) == 1; }, 5000));
            had = model.snapshot();
            QCOMPARE(::kill(pid_t(session->window().supervisor().enginePid()), SIGKILL), 0);
            session.reset();
        }
        GuiSessionOptions options;
        options.document = path;
        options.recovery = gui::AppOptions::Recovery::Accept;
        GuiSession session(options);
        QVERIFY(session.waitUntilSynced());
        QCOMPARE(session.window().song().revision(), 2u);
        QVERIFY(comparable(session.window().song().snapshot()) == comparable(had));
    }

    void declined_the_file_opens_as_saved_and_the_stale_journal_is_replaced() {
        const QString path = writeSong("declined.json");
        QVERIFY(editAndDie(path));
        {
            GuiSessionOptions options;
            options.document = path;
            options.recovery = gui::AppOptions::Recovery::Decline;
            GuiSession session(options);
            QVERIFY2(session.error().isEmpty(), qPrintable(session.error()));
            QVERIFY(session.waitUntilSynced());
            QCOMPARE(session.window().song().document().note_count(), std::size_t(16));
            QVERIFY(!session.window().song().isModified());
            // The engine's journal now starts from the file as it is: the declined edits are gone.
            const std::string journal = journal_path_for(path.toStdString());
            QVERIFY(QTest::qWaitFor([&] { return journalRecords(journal) == 0; }, 5000));
        }
        GuiSessionOptions options;
        options.document = path;
        options.recovery = gui::AppOptions::Recovery::Accept;
        GuiSession session(options);
        QVERIFY(session.waitUntilSynced());
        QCOMPARE(session.window().song().document().note_count(), std::size_t(16));
    }
};

QTEST_MAIN(EditJournalGui)
#include "edit_journal.test.moc"
