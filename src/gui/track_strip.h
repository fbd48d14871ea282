// One track's row in the track panel: name, instrument and preset, level, pan, mute, solo and a peak
// meter. Mixer controls act live (SongModel sends them to the engine at once); renaming and changing
// the instrument are undoable edits. Choosing "csound" asks for an orchestra and one of its
// instruments (csound_choice.h); choosing "SoundFont…" asks for a font and one of its presets by name
// (soundfont_choice.h), and a soundfont track shows as "SoundFont: <preset name>". The parameters the track's
// instrument offers (TrackParameters) show below as labelled controls: a slider over the declared range, a
// spin box where there is none; moving one sends /track/parameter (at most one message per parameter every
// kParameterIntervalMs). Choosing "LV2 plugin…" asks for an installed instrument plugin in the plugin
// browser (plugin_browser.h); an lv2 track shows as "LV2: <plugin name>" with a button that opens its
// parameter editor. Below: the track's insert chain (insert_slots.h) and sends (send_controls.h).
// Clicking the strip makes its track the one the piano roll edits.
#pragma once

#include <QFrame>
#include <QStringList>
#include <map>
#include <string>

#include "core/score.h"
#include "gui/csound_choice.h"
#include "gui/soundfont_choice.h"

class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QTimer;
class QLineEdit;
class QSlider;
class QToolButton;

namespace tactus::gui {

class LevelFader;
class PanDial;

class InsertSlots;
class LevelMeter;
class PluginServices;
class SendControls;
class SongModel;
class SoundFontPresets;
class TrackParameters;

class TrackStrip : public QFrame {
    Q_OBJECT
public:
    TrackStrip(SongModel& song, TrackParameters& parameters, SoundFontPresets& fonts, PluginServices& plugins,
               TrackId id, const QStringList& instruments, CsoundChooser chooser,
               SoundFontChooser font_chooser, QWidget* parent = nullptr);
    // The instrument menu's entry that asks for a SoundFont preset.
    static QString soundFontEntry();
    // The instrument menu's entry that asks for an LV2 instrument plugin.
    static QString pluginEntry();
    static constexpr int kParameterIntervalMs = 20;

    TrackId trackId() const { return id_; }
    void setCurrent(bool current);
    LevelMeter* meter() const { return meter_; }
    InsertSlots& inserts() const { return *inserts_; }
    SendControls& sends() const { return *sends_; }
    // Asks for an LV2 instrument in the plugin browser and gives it to the track (one undoable edit).
    bool choosePlugin();
    // The button that opens the LV2 instrument's parameter editor (shown for an lv2 track).
    QToolButton* instrumentEditButton() const { return edit_instrument_; }
    // Shows the document's (and mixer's) values without sending anything.
    void refresh();
    // Rebuilds the parameter controls from what the engine says the instrument offers.
    void showParameters();
    // Moves one parameter's control (another client set it) without sending anything.
    void showParameter(const QString& name, double value);
    // The control of parameter `name` (a QSlider or a QDoubleSpinBox), or nullptr.
    QWidget* parameterControl(const QString& name) const;

signals:
    void selected(TrackId id);

protected:
    void mousePressEvent(QMouseEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    struct ParameterControl {
        QSlider* slider = nullptr;  // over [minimum, maximum] in kSliderSteps steps
        QDoubleSpinBox* spin = nullptr;
        QLabel* value = nullptr;
        double minimum = 0.0;
        double maximum = 0.0;
    };
    static constexpr int kSliderSteps = 1000;
    void chooseCsound();
    void chooseSoundFont();
    QString instrumentKey(const Track& t) const;
    void parameterMoved(const std::string& name, double value);
    void sendParameters();
    void setControl(ParameterControl& control, double value);

    SongModel& song_;
    TrackParameters& parameters_;
    SoundFontPresets& fonts_;
    PluginServices& plugins_;
    TrackId id_;
    CsoundChooser chooser_;
    SoundFontChooser font_chooser_;
    QString shown_key_;  // the menu entry refresh() added for the track's instrument ("" for none)
    QGridLayout* layout_;
    std::map<std::string, ParameterControl> controls_;
    std::map<std::string, double> unsent_;  // moved, waiting for the throttle
    QTimer* throttle_;
    QLineEdit* name_;
    QComboBox* instrument_;
    LevelFader* level_;
    PanDial* pan_;
    QLabel* level_text_;
    QLabel* pan_text_;
    QToolButton* mute_;
    QToolButton* solo_;
    LevelMeter* meter_;
    QToolButton* edit_instrument_;
    InsertSlots* inserts_;
    SendControls* sends_;
};

}  // namespace tactus::gui
