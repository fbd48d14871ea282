// The mixer's effect buses: a strip per bus (in document order) and "Add bus". Rebuilt when the bus list
// changes (added, removed, renamed, a new document).
//
// Threading: the UI thread.
#pragma once

#include <QWidget>
#include <vector>

#include "core/score.h"

class QVBoxLayout;

namespace tactus::gui {

class BusStrip;
class PluginServices;
class SongModel;

class BusPanel : public QWidget {
    Q_OBJECT
public:
    BusPanel(SongModel& song, PluginServices& plugins, QWidget* parent = nullptr);

    const std::vector<BusStrip*>& strips() const { return strips_; }
    BusStrip* strip(BusId id) const;
    // Adds a bus named "Bus N" at the end (one undoable edit); its id, or 0 when it could not be added.
    BusId addBus();

private:
    void rebuild();

    SongModel& song_;
    PluginServices& plugins_;
    QVBoxLayout* strip_layout_;
    std::vector<BusStrip*> strips_;
};

}  // namespace tactus::gui
