// Autosave and crash recovery. While the GUI runs it holds a lock file in the recovery folder and,
// every interval when there are unsaved changes, writes the document there (atomically, with the path
// it belongs to). A clean exit removes both. At start-up, a recovery file whose lock no process holds
// any more is work left by a session that died: the GUI offers it back.
#pragma once

#include <QDateTime>
#include <QLockFile>
#include <QString>
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

class Autosave {
public:
    explicit Autosave(QString folder);
    ~Autosave();

    // Files left by sessions that are gone (their lock is free), newest first.
    std::vector<RecoveredWork> abandoned() const;
    // Loads one (the document keeps its revision); nullopt with `error` set when it cannot be read.
    static std::optional<Document> load(const RecoveredWork& work, QString* error);
    // Removes a recovery file and its lock (after it was recovered or declined).
    static void discard(const RecoveredWork& work);

    // Writes the document now (atomically). False with `error` set when it could not.
    bool save(const Document& doc, const QString& originalPath, QString* error);
    // Removes this session's recovery file (after a save or on a clean exit).
    void clear();
    QString path() const { return path_; }

private:
    QString folder_;
    QString path_;
    std::unique_ptr<QLockFile> lock_;
};

}  // namespace tactus::gui
