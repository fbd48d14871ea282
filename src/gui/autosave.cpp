#include "gui/autosave.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

#include "core/document_json.h"
#include "gui/autosave_worker.h"

namespace tactus::gui {

namespace {
QString infoPath(const QString& recovery) {
    return recovery + ".info";
}
QString lockPath(const QString& recovery) {
    return recovery + ".lock";
}
}  // namespace

Autosave::Autosave(QString folder, QObject* parent) : QObject(parent), folder_(std::move(folder)) {
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
    worker_ = std::make_unique<AutosaveWorker>(
        path_.toStdString(), infoPath(path_).toStdString(),
        [this](std::uint64_t epoch, bool ok, const std::string& error) {
            // On the worker thread: hand the outcome to ours. A report still queued when this object
            // is destroyed is discarded with it.
            QMetaObject::invokeMethod(
                this,
                [this, epoch, ok, message = QString::fromStdString(error)] { report(epoch, ok, message); },
                Qt::QueuedConnection);
        });
}

Autosave::~Autosave() {
    worker_.reset();  // joins the writer while this object (and its lock) is still whole
}

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

void Autosave::saveInBackground(Document doc, const QString& originalPath) {
    const QByteArray info = QJsonDocument(QJsonObject{{"original", originalPath}}).toJson();
    worker_->submit(std::move(doc), info.toStdString());
}

void Autosave::clear() {
    worker_->cancelAndRemove();
}

bool Autosave::busy() const {
    return worker_->busy();
}

void Autosave::report(std::uint64_t epoch, bool ok, const QString& error) {
    if (epoch != worker_->epoch()) return;  // made before a clear(): no longer news
    if (ok)
        emit saved();
    else
        emit saveFailed(error);
}

}  // namespace tactus::gui
