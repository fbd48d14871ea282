// A generic editor for an LV2 plugin's controls (an insert's, or a track's LV2 instrument's), built from
// what the engine says the plugin has (/plugin/controls: symbol, name, range, default, unit, flags): a
// labelled slider per control with its value and unit, a check box for an on/off port, whole-number
// steps for an integer port, a logarithmic slider for a logarithmic one. Moving a control sets it live
// (PluginTarget::set: not an edit, kept in the document), at most one message per control every
// kIntervalMs. It follows the document (another client's values) and closes itself when its plugin
// leaves the place it edits (the insert removed or moved, the instrument changed).
//
// Threading: the UI thread.
#pragma once

#include <QWidget>
#include <map>
#include <string>

#include "gui/plugin_controls.h"
#include "gui/plugin_target.h"

class QGridLayout;
class QLabel;

namespace tactus::gui {

class SongModel;
class PluginCatalog;

// A control's slider positions: whole numbers for an integer port, else kSliderSteps steps over the
// range (logarithmic spacing for a logarithmic port), and the value at a position, and back.
int controlSteps(const PluginControl& c);
double controlValue(const PluginControl& c, int step);
int controlStep(const PluginControl& c, double value);
// "0.5 dB", "440 Hz", "on".
QString controlText(const PluginControl& c, double value);

class PluginParameterEditor : public QWidget {
    Q_OBJECT
public:
    PluginParameterEditor(SongModel& song, PluginControls& controls, PluginCatalog& catalog,
                          PluginTarget target, QWidget* parent = nullptr);
    static constexpr int kIntervalMs = 20;
    static constexpr int kSliderSteps = 1000;

    const PluginTarget& target() const { return target_; }
    QString uri() const { return uri_; }
    // Whether the controls are shown (the engine has listed them).
    bool isBuilt() const { return built_; }
    // The control of `symbol` (a QSlider, or a QCheckBox for an on/off port), its value label, its port.
    QWidget* control(const QString& symbol) const;
    QLabel* valueLabel(const QString& symbol) const;
    const PluginControl* port(const QString& symbol) const;
    QLabel* statusLabel() const { return status_; }
    // Shows the document's values (the plugin's defaults for those it does not hold), sending nothing.
    void refresh();

signals:
    void closedForGood();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    struct Row {
        PluginControl port;
        QWidget* control = nullptr;
        QLabel* value = nullptr;
    };
    void build();
    void moved(const std::string& symbol, double value);
    void sendMoved();
    void showValue(Row& row, double value);
    void documentChanged();

    SongModel& song_;
    PluginControls& controls_;
    PluginTarget target_;
    QString uri_;
    bool built_ = false;
    QGridLayout* grid_;
    QLabel* status_;
    std::map<std::string, Row> rows_;
    std::map<std::string, double> unsent_;
    class QTimer* throttle_;
};

// Opens (or raises) the editor of `target` as a window of its own.
PluginParameterEditor* openPluginEditor(SongModel& song, PluginControls& controls, PluginCatalog& catalog,
                                        const PluginTarget& target, QWidget* near);

}  // namespace tactus::gui
