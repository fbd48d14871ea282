#include "gui/session_stats.h"

#include <QEvent>
#include <QJsonDocument>
#include <QSaveFile>

#include "gui/engine_link.h"
#include "gui/main_window.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/song_model.h"

namespace tactus::gui {

SessionStats::SessionStats(MainWindow& window)
    : QObject(&window),
      window_(window),
      grid_(window.pianoRoll().grid()),
      start_revision_(window.song().revision()) {
    window_.installEventFilter(this);
    grid_->installEventFilter(this);
}

bool SessionStats::eventFilter(QObject* watched, QEvent* event) {
    if (watched == &window_ && event->type() == QEvent::Resize) ++window_resizes_;
    if (watched == grid_ && event->type() == QEvent::Paint) ++grid_paints_;
    return false;  // count, never consume
}

QJsonObject SessionStats::toJson(const QJsonObject& extra) const {
    QJsonObject o;
    // JSON numbers are doubles: exact for counts far beyond what a session reaches.
    o["grid_mouse_events"] = double(window_.pianoRoll().grid()->eventsHandled());
    o["window_resizes"] = double(window_resizes_);
    o["grid_paints"] = double(grid_paints_);
    o["position_reports"] = double(window_.positionReports());
    // Every edit batch applied here is sent to the engine and raises the revision by one.
    o["edit_batches"] = double(window_.song().revision() - start_revision_);
    o["engine_packets_received"] = double(window_.link().packetsReceived());
    o["resyncs"] = double(window_.song().resyncs());
    for (auto it = extra.begin(); it != extra.end(); ++it) o[it.key()] = it.value();
    return o;
}

bool SessionStats::write(const QString& path, const QJsonObject& extra, QString* error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(toJson(extra)).toJson(QJsonDocument::Indented)) < 0 || !file.commit()) {
        if (error) *error = file.errorString();
        return false;
    }
    return true;
}

}  // namespace tactus::gui
