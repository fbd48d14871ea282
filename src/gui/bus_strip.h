// One effect bus in the mixer: its name (renaming is an undoable edit), level, pan, mute and solo (live,
// like a track's: /bus/level, pan, mute, solo), its insert chain, and remove (the sends to it are
// removed in the same edit). No meter: the engine's position reports carry no bus peaks.
//
// Threading: the UI thread.
#pragma once

#include <QFrame>

#include "core/score.h"

class QLabel;
class QLineEdit;
class QSlider;
class QToolButton;

namespace tactus::gui {

class LevelFader;
class PanDial;

class InsertSlots;
class PluginServices;
class SongModel;

class BusStrip : public QFrame {
    Q_OBJECT
public:
    BusStrip(SongModel& song, PluginServices& plugins, BusId id, QWidget* parent = nullptr);

    BusId busId() const { return id_; }
    InsertSlots& inserts() const { return *inserts_; }
    LevelFader* levelSlider() const { return level_; }
    QLineEdit* nameEdit() const { return name_; }
    // Removes the bus and the sends to it (one undoable edit).
    bool removeBus();
    // Shows the document's name and mixer without sending anything.
    void refresh();

private:
    SongModel& song_;
    BusId id_;
    QLineEdit* name_;
    LevelFader* level_;
    PanDial* pan_;
    QLabel* level_text_;
    QLabel* pan_text_;
    QToolButton* mute_;
    QToolButton* solo_;
    QToolButton* remove_;
    InsertSlots* inserts_;
};

}  // namespace tactus::gui
