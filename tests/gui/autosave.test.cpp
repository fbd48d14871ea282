// Autosave writes on a thread of its own: a save hands the document over and returns before the file
// exists, and the file then loads back as the document; clear() while a write is in flight leaves no
// recovery file behind, however far that write got; a write that cannot happen is reported on the UI
// thread. No engine is needed: these drive gui::Autosave directly.
#include "gui/autosave.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include "core/document_json.h"

using namespace tactus;

namespace {

constexpr int kWaitMs = 120000;  // a safety net for slow (sanitizer) builds, not a bound under test

// Notes in canonical order (by start, then id), as SongModel::snapshot() gives them.
Document song(int notes, std::string title = "large") {
    Document doc;
    doc.title = std::move(title);
    doc.revision = 42;
    Track t;
    t.id = 1;
    t.name = "Keys";
    t.preset = "pluck";
    t.notes.reserve(std::size_t(notes));
    for (int i = 0; i < notes; ++i)
        t.notes.push_back(
            Note{NoteId(i + 1), i * 0.125, 0.1 + (i % 7) * 0.01, 36 + i % 60, 0.0, 1 + i % 127});
    doc.tracks = {t};
    return doc;
}

std::optional<Document> loadBack(const QString& path) {
    LoadResult loaded = load_document_file(path.toStdString());
    for (const auto& e : loaded.errors) qWarning("%s", e.to_string().c_str());
    return loaded.document;
}

bool waitUntilIdle(const gui::Autosave& autosave) {
    return QTest::qWaitFor([&] { return !autosave.busy(); }, kWaitMs);
}

}  // namespace

class AutosaveInBackground : public QObject {
    Q_OBJECT

private slots:
    void a_save_returns_before_the_file_is_written_and_the_file_loads_back_equal() {
        QTemporaryDir dir;
        gui::Autosave autosave(dir.path());
        const Document doc = song(100000);
        QSignalSpy saved(&autosave, &gui::Autosave::saved);

        autosave.saveInBackground(doc, "/songs/large.json");
        QVERIFY2(!QFileInfo::exists(autosave.path()), "the file was written before the call returned");
        QVERIFY(autosave.busy());
        QCOMPARE(saved.count(), 0);

        QVERIFY2(saved.wait(kWaitMs), "the write never finished");
        QVERIFY(!autosave.busy());
        QVERIFY(QFileInfo::exists(autosave.path()));
        const auto loaded = loadBack(autosave.path());
        QVERIFY(loaded);
        QCOMPARE(loaded->note_count(), doc.note_count());
        QVERIFY(*loaded == doc);
    }

    void the_newest_of_several_quick_saves_is_the_one_left() {
        QTemporaryDir dir;
        gui::Autosave autosave(dir.path());
        autosave.saveInBackground(song(100000, "first"), "");
        autosave.saveInBackground(song(1000, "second"), "");
        const Document newest = song(2000, "third");
        autosave.saveInBackground(newest, "");
        QVERIFY(waitUntilIdle(autosave));
        const auto loaded = loadBack(autosave.path());
        QVERIFY(loaded);
        QVERIFY(*loaded == newest);
    }

    // Cleared at different points of the write (waiting, serialising, replacing the file, done): each
    // time, once the worker is idle, no recovery file is there and nothing reported a save.
    void clear_during_a_write_leaves_no_recovery_file_data() {
        QTest::addColumn<int>("delayMs");
        for (int delay : {0, 1, 5, 20, 50, 100, 200, 400})
            QTest::addRow("cleared after %d ms", delay) << delay;
    }
    void clear_during_a_write_leaves_no_recovery_file() {
        QFETCH(int, delayMs);
        QTemporaryDir dir;
        gui::Autosave autosave(dir.path());
        QSignalSpy saved(&autosave, &gui::Autosave::saved);
        QSignalSpy failed(&autosave, &gui::Autosave::saveFailed);

        autosave.saveInBackground(song(100000), "/songs/large.json");
        if (delayMs > 0) QThread::msleep(ulong(delayMs));  // the UI thread busy elsewhere: no events
        autosave.clear();
        QVERIFY2(!QFileInfo::exists(autosave.path()), "clear() returned with the file still there");

        QVERIFY(waitUntilIdle(autosave));
        QTest::qWait(50);  // deliver any report the worker queued
        QVERIFY2(!QFileInfo::exists(autosave.path()), "a write finished after clear() brought the file back");
        QVERIFY(!QFileInfo::exists(autosave.path() + ".info"));
        QCOMPARE(saved.count(), 0);
        QCOMPARE(failed.count(), 0);

        // The next save is not cancelled by the earlier clear().
        const Document next = song(100, "after clear");
        autosave.saveInBackground(next, "");
        QVERIFY(saved.wait(kWaitMs));
        const auto loaded = loadBack(autosave.path());
        QVERIFY(loaded);
        QVERIFY(*loaded == next);
    }

    void destroying_it_during_a_write_is_safe_and_leaves_no_torn_file() {
        QTemporaryDir dir;
        QString path;
        const Document doc = song(100000);
        {
            gui::Autosave autosave(dir.path());
            path = autosave.path();
            autosave.saveInBackground(doc, "");
        }
        // The destructor let the write finish or dropped it before it started: whole or absent.
        if (QFileInfo::exists(path)) {
            const auto loaded = loadBack(path);
            QVERIFY(loaded);
            QVERIFY(*loaded == doc);
        }
    }

    void a_write_that_fails_is_reported_on_the_ui_thread() {
        QTemporaryDir dir;
        // A folder below a plain file: unwritable even for root, which ignores permission bits.
        const QString plainFile = dir.filePath("plain-file");
        {
            QFile file(plainFile);
            QVERIFY(file.open(QIODevice::WriteOnly));
        }
        gui::Autosave autosave(plainFile + "/recovery");
        QThread* reportedOn = nullptr;
        QString message;
        connect(&autosave, &gui::Autosave::saveFailed, this, [&](const QString& error) {
            reportedOn = QThread::currentThread();
            message = error;
        });
        QSignalSpy saved(&autosave, &gui::Autosave::saved);
        QSignalSpy failed(&autosave, &gui::Autosave::saveFailed);

        autosave.saveInBackground(song(1000), "");
        QVERIFY2(failed.wait(kWaitMs), "the failure was never reported");
        QCOMPARE(reportedOn, QThread::currentThread());
        QVERIFY2(message.contains(QFileInfo(autosave.path()).fileName()), qPrintable(message));
        QCOMPARE(saved.count(), 0);
        QVERIFY(!autosave.busy());
    }
};

QTEST_GUILESS_MAIN(AutosaveInBackground)
#include "autosave.test.moc"
