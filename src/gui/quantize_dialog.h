// Edit > Quantize…: how strongly notes move to the grid (0-100 %), the swing of every second line
// (0-75 % of a step) and whether note ends are quantized too. The grid is the piano roll's snap.
// Threading: the UI thread.
#pragma once

#include <QDialog>

#include "gui/roll_commands.h"

class QCheckBox;
class QSpinBox;

namespace tactus::gui {

class QuantizeDialog : public QDialog {
    Q_OBJECT
public:
    QuantizeDialog(const QuantizeSettings& current, QWidget* parent = nullptr);
    QuantizeSettings result() const;  // with the grid of `current`

private:
    QuantizeSettings current_;
    QSpinBox* strength_;
    QSpinBox* swing_;
    QCheckBox* ends_;
};

}  // namespace tactus::gui
