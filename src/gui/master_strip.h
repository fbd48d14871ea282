// The master strip: the master level (/master/level: the engine's, not kept in the document), its peak
// meter, and the master's insert chain (after every track and bus, before the master level).
//
// Threading: the UI thread.
#pragma once

#include <QFrame>

class QLabel;

namespace tactus::gui {

class EngineLink;
class InsertSlots;
class LevelFader;
class LevelMeter;
class PluginServices;
class SongModel;

class MasterStrip : public QFrame {
    Q_OBJECT
public:
    MasterStrip(SongModel& song, EngineLink& link, PluginServices& plugins, QWidget* parent = nullptr);

    LevelMeter* meter() const { return meter_; }
    InsertSlots& inserts() const { return *inserts_; }
    LevelFader* levelFader() const { return level_; }
    // Sends the master level again (to an engine that restarted).
    void resendLevel();

private:
    EngineLink& link_;
    LevelFader* level_;
    QLabel* level_text_;
    LevelMeter* meter_;
    InsertSlots* inserts_;
};

}  // namespace tactus::gui
