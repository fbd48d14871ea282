// Autosave and crash recovery. While the GUI runs it holds a lock file in the recovery folder and,
// every interval when there are unsaved changes, writes the document there (atomically, with the path
// it belongs to). A clean exit removes both. At start-up, a recovery file whose lock no process holds
// any more is work left by a session that died: the GUI offers it back.
// Writing happens on a thread of its own (gui/autosave_worker.h): the UI thread only hands over a copy
// of the document, so a large song does not make the time cursor stutter at every autosave.
#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QObject>
#include <QString>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/score.h"

namespace tactus::gui {

struct RecoveredWork {
    QString recoveryFile;  // the autosave itself
    QString originalPath;  // the document it was made from ("" for an unsaved one)
    QDateTime savedAt;
};

class AutosaveWorker;

class Autosave : public QObject {
    Q_OBJECT
public:
    explicit Autosave(QString folder, QObject* parent = nullptr);
    // Waits for a write in flight (so the lock outlives it); a request still waiting is dropped.
    ~Autosave() override;

    // Files left by sessions that are gone (their lock is free), newest first.
    std::vector<RecoveredWork> abandoned() const;
    // Loads one (the document keeps its revision); nullopt with `error` set when it cannot be read.
    static std::optional<Document> load(const RecoveredWork& work, QString* error);
    // Removes a recovery file and its lock (after it was recovered or declined).
    static void discard(const RecoveredWork& work);

    // Asynchronous: hands the document to the writer thread and returns before anything is written.
    // At most one write runs; a newer request replaces one still waiting for it. The outcome arrives
    // later on this object's thread as saved() or saveFailed().
    void saveInBackground(Document doc, const QString& originalPath);
    // Removes this session's recovery file (after a save or on a clean exit). No save requested
    // before the call writes anything after it, nor reports anything; waits only if a write is
    // replacing the file at this very moment.
    void clear();
    // A save is waiting or being written.
    bool busy() const;
    QString path() const { return path_; }

signals:
    void saved();
    void saveFailed(const QString& error);

private:
    void report(std::uint64_t epoch, bool ok, const QString& error);

    QString folder_;
    QString path_;
    std::unique_ptr<QLockFile> lock_;
    std::unique_ptr<AutosaveWorker> worker_;
};

}  // namespace tactus::gui
