// Preferences: the engine's audio (backend, device, sample rate, period, JACK server), which apply by
// restarting the engine with the document intact, and editing habits (audition, follow mode).
#pragma once

#include <QDialog>

#include "gui/engine_supervisor.h"
#include "gui/roll_state.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace tactus::gui {

struct Preferences {
    EngineOptions engine;
    bool audition = true;
    FollowMode follow = FollowMode::Page;
};

class PreferencesDialog : public QDialog {
    Q_OBJECT
public:
    PreferencesDialog(const Preferences& current, QWidget* parent = nullptr);
    Preferences result() const;
    // Whether the audio settings differ from `current` (the engine must restart).
    bool audioChanged() const;

private:
    Preferences current_;
    QComboBox* backend_;
    QLineEdit* device_;
    QComboBox* rate_;
    QComboBox* period_;
    QLineEdit* jack_server_;
    QCheckBox* audition_;
    QComboBox* follow_;
};

}  // namespace tactus::gui
