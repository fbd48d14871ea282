// Choosing a SoundFont preset for a track: the font (the default General MIDI font, or a .sf2/.sf3
// file), one of its presets by name, grouped by bank (bank 128: the drum kits), and whether the track
// is a drum track. The presets are the engine's answer to /soundfont/presets (SoundFontPresets): the
// GUI never reads a font itself, so a font the engine may not read is refused with its error.
//
// Threading: the UI thread.
#pragma once

#include <QDialog>
#include <QString>
#include <functional>
#include <optional>

#include "core/score_edit.h"

class QCheckBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTreeWidget;
class QTreeWidgetItem;

namespace tactus::gui {

class SoundFontPresets;

struct SoundFontPick {
    QString font;  // "" for the default General MIDI font, else an absolute path
    int bank = 0;
    int program = 0;
    bool drums = false;
    QString name;  // the preset's name in the font
};

class SoundFontDialog : public QDialog {
    Q_OBJECT
public:
    // Starts on the track's `current` font and preset (selected once the engine has listed them; bank
    // -1: none selected).
    SoundFontDialog(SoundFontPresets& presets, const edit::SoundFontChoice& current,
                    QWidget* parent = nullptr);

    // Shows another font's presets ("" for the default General MIDI font), asking the engine for them.
    void setSoundFont(const QString& font);
    QString soundFont() const { return font_; }
    // Selects a listed preset; false when the font has no such preset (or is not listed yet).
    bool selectPreset(int bank, int program);
    // The selected preset, or nullopt when none is.
    std::optional<SoundFontPick> pick() const;
    QTreeWidget* presetTree() const { return tree_; }
    QCheckBox* drumsBox() const { return drums_; }
    QLabel* statusLabel() const { return status_; }

private:
    void chooseFile();
    void fill();
    void filter(const QString& text);
    void selected(QTreeWidgetItem* item);

    SoundFontPresets& presets_;
    QString font_;
    int wanted_bank_ = -1;  // the preset to select once the font is listed
    int wanted_program_ = -1;
    QLabel* font_label_;
    QLineEdit* search_;
    QTreeWidget* tree_;
    QCheckBox* drums_;
    QLabel* status_;
    QDialogButtonBox* buttons_;
};

// Asks the user with a SoundFontDialog; nullopt when cancelled.
std::optional<SoundFontPick> askForSoundFont(QWidget* parent, SoundFontPresets& presets,
                                             const edit::SoundFontChoice& current);

// How a track strip asks (tests drive the dialog themselves).
using SoundFontChooser = std::function<std::optional<SoundFontPick>(
    QWidget* parent, SoundFontPresets& presets, const edit::SoundFontChoice& current)>;

}  // namespace tactus::gui
