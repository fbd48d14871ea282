// One track's row in the track panel: name, instrument and preset, level, pan, mute, solo and a peak
// meter. Mixer controls act live (SongModel sends them to the engine at once); renaming and changing
// the instrument are undoable edits. Clicking the strip makes its track the one the piano roll edits.
#pragma once

#include <QFrame>
#include <QStringList>

#include "core/score.h"

class QComboBox;
class QDial;
class QLineEdit;
class QSlider;
class QToolButton;

namespace tactus::gui {

class LevelMeter;
class SongModel;

class TrackStrip : public QFrame {
    Q_OBJECT
public:
    TrackStrip(SongModel& song, TrackId id, const QStringList& instruments, QWidget* parent = nullptr);

    TrackId trackId() const { return id_; }
    void setCurrent(bool current);
    LevelMeter* meter() const { return meter_; }
    // Shows the document's (and mixer's) values without sending anything.
    void refresh();

signals:
    void selected(TrackId id);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    SongModel& song_;
    TrackId id_;
    QLineEdit* name_;
    QComboBox* instrument_;
    QSlider* level_;
    QDial* pan_;
    QToolButton* mute_;
    QToolButton* solo_;
    LevelMeter* meter_;
};

}  // namespace tactus::gui
