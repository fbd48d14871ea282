// The track list and mixer: a strip per track (in document order), the master level and meter, and
// buttons to add and remove tracks. Rebuilt when the track list changes; meters fed from position
// reports.
#pragma once

#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/score.h"
#include "gui/csound_choice.h"
#include "gui/soundfont_choice.h"

class QSlider;
class QVBoxLayout;

namespace tactus::gui {

class EngineLink;
class LevelMeter;
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
    LevelMeter* masterMeter() const { return master_meter_; }
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
    CsoundChooser chooser_;
    SoundFontChooser font_chooser_;
    QVBoxLayout* strip_layout_;
    std::vector<TrackStrip*> strips_;
    QSlider* master_level_;
    LevelMeter* master_meter_;
};

}  // namespace tactus::gui
