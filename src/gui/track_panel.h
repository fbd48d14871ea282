// The track list and mixer: a strip per track (in document order) with its inserts and sends, the effect
// buses (bus_panel.h), buttons to add and remove tracks, and the master strip (level, meter, inserts).
// Rebuilt when the track list changes; meters fed from position reports.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/score.h"
#include "gui/csound_choice.h"
#include "gui/plugin_browser.h"
#include "gui/soundfont_choice.h"

class QScrollArea;
class QVBoxLayout;

namespace tactus::gui {

class BusPanel;
class EngineLink;
class LevelMeter;
class MasterStrip;
class PluginServices;
class RollState;
class SongModel;
class SoundFontPresets;
class TrackParameters;
class TrackStrip;
struct PositionReport;

class TrackPanel : public QWidget {
    Q_OBJECT
public:
    TrackPanel(SongModel& song, EngineLink& link, RollState& state, QWidget* parent = nullptr);

    // "instrument/preset" entries the engine offers (/instruments).
    void setInstruments(const QStringList& instruments);
    void showPeaks(const PositionReport& report, double elapsed_seconds);
    void addTrack();
    void removeCurrentTrack();
    const std::vector<TrackStrip*>& strips() const { return strips_; }
    LevelMeter* masterMeter() const;
    MasterStrip& masterStrip() const { return *master_; }
    BusPanel& busPanel() const { return *buses_; }
    PluginServices& plugins() const { return *plugins_; }
    // How strips ask for a plugin (default: the plugin browser; tests drive it).
    void setPluginChooser(PluginChooser chooser);
    // Sends the master level again (to an engine that restarted).
    void resendMaster();
    // How a strip asks for a Csound orchestra (default: askForCsound's dialogs; tests answer themselves).
    void setCsoundChooser(CsoundChooser chooser);
    TrackParameters& parameters() const { return *parameters_; }
    // How a strip asks for a SoundFont preset (default: askForSoundFont's dialog; tests drive it).
    void setSoundFontChooser(SoundFontChooser chooser);
    SoundFontPresets& soundFonts() const { return *fonts_; }

private:
    void rebuild();
    // Asks the engine for the presets of every soundfont track's font (to name them on the strips).
    void requestFonts();
    void select(TrackId id);

    SongModel& song_;
    EngineLink& link_;
    RollState& state_;
    QStringList instruments_;
    TrackParameters* parameters_;
    SoundFontPresets* fonts_;
    PluginServices* plugins_;
    CsoundChooser chooser_;
    SoundFontChooser font_chooser_;
    QVBoxLayout* strip_layout_;
    QScrollArea* scroll_ = nullptr;
    std::vector<TrackStrip*> strips_;
    BusPanel* buses_;
    MasterStrip* master_;
};

}  // namespace tactus::gui
