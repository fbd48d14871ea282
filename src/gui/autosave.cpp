#include "gui/autosave.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

#include "core/atomic_file.h"
#include "core/document_json.h"

namespace tactus::gui {

namespace {
QString infoPath(const QString& recovery) {
    return recovery + ".info";
}
QString lockPath(const QString& recovery) {
    return recovery + ".lock";
}
}  // namespace

Autosave::Autosave(QString folder) : folder_(std::move(folder)) {
    QDir().mkpath(folder_);
    // Unique per session, also for two windows of one process.
    static int sessions = 0;
    path_ = QDir(folder_).filePath(QStringLiteral("autosave-%1-%2-%3.json")
                                       .arg(QCoreApplication::applicationPid())
                                       .arg(QDateTime::currentMSecsSinceEpoch())
                                       .arg(++sessions));
    lock_ = std::make_unique<QLockFile>(lockPath(path_));
    lock_->setStaleLockTime(0);  // a lock is stale only when its process is gone
    lock_->tryLock(0);
}

Autosave::~Autosave() = default;

std::vector<RecoveredWork> Autosave::abandoned() const {
    std::vector<RecoveredWork> out;
    const QDir dir(folder_);
    for (const QFileInfo& file : dir.entryInfoList({"autosave-*.json"}, QDir::Files)) {
        const QString recovery = file.absoluteFilePath();
        if (recovery == path_) continue;
        QLockFile lock(lockPath(recovery));
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0)) continue;  // its session still runs
        lock.unlock();
        RecoveredWork work{recovery, {}, file.lastModified()};
        QFile info(infoPath(recovery));
        if (info.open(QIODevice::ReadOnly)) {
            const QJsonObject o = QJsonDocument::fromJson(info.readAll()).object();
            work.originalPath = o.value("original").toString();
        }
        out.push_back(work);
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.savedAt > b.savedAt; });
    return out;
}

std::optional<Document> Autosave::load(const RecoveredWork& work, QString* error) {
    LoadResult loaded = load_document_file(work.recoveryFile.toStdString());
    if (!loaded.document) {
        if (error)
            *error = QString::fromStdString(loaded.errors.empty() ? "unreadable"
                                                                  : loaded.errors.front().to_string());
        return std::nullopt;
    }
    return loaded.document;
}

void Autosave::discard(const RecoveredWork& work) {
    QFile::remove(work.recoveryFile);
    QFile::remove(infoPath(work.recoveryFile));
    QFile::remove(lockPath(work.recoveryFile));
}

bool Autosave::save(const Document& doc, const QString& originalPath, QString* error) {
    std::string message;
    if (!save_document_file(doc, path_.toStdString(), &message)) {
        if (error) *error = QString::fromStdString(message);
        return false;
    }
    const QByteArray info = QJsonDocument(QJsonObject{{"original", originalPath}}).toJson();
    if (!write_file_atomically(infoPath(path_).toStdString(), info.toStdString(), &message)) {
        if (error) *error = QString::fromStdString(message);
        return false;
    }
    return true;
}

void Autosave::clear() {
    QFile::remove(path_);
    QFile::remove(infoPath(path_));
}

}  // namespace tactus::gui
