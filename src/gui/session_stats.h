// What a GUI session handled, as counters written to a JSON file on exit (tactus-gui --stats-file):
// how a test that floods the real window with input (tests/gui_flood) proves the input was handled,
// not just sent. The counters come from the widgets themselves or from event filters that only count
// (they never consume an event).
//
// Threading: the UI thread.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <cstdint>

namespace tactus::gui {

class MainWindow;

class SessionStats : public QObject {
    Q_OBJECT
public:
    // Starts counting the window's resize events and its note grid's paint events.
    explicit SessionStats(MainWindow& window);

    std::uint64_t windowResizes() const { return window_resizes_; }
    std::uint64_t gridPaints() const { return grid_paints_; }
    // Every counter, plus `extra` (e.g. the classic scheduler's), as one JSON object.
    QJsonObject toJson(const QJsonObject& extra = {}) const;
    // Writes toJson(extra) to `path` atomically. False with *error set when it could not.
    bool write(const QString& path, const QJsonObject& extra, QString* error) const;

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    MainWindow& window_;
    QObject* grid_;
    std::uint64_t window_resizes_ = 0;
    std::uint64_t grid_paints_ = 0;
    std::uint64_t start_revision_ = 0;
};

}  // namespace tactus::gui
