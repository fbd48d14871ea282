#include "gui/quantize_dialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QSpinBox>
#include <cmath>

namespace tactus::gui {

QuantizeDialog::QuantizeDialog(const QuantizeSettings& current, QWidget* parent)
    : QDialog(parent),
      current_(current),
      strength_(new QSpinBox(this)),
      swing_(new QSpinBox(this)),
      ends_(new QCheckBox(tr("Quantize note ends too"), this)) {
    setWindowTitle(tr("Quantize"));
    auto* form = new QFormLayout(this);
    strength_->setRange(0, 100);
    strength_->setSuffix(tr(" %"));
    strength_->setValue(int(std::lround(current.strength * 100)));
    strength_->setToolTip(tr("How far each note moves toward its grid line (100 %: onto it)"));
    form->addRow(tr("Strength"), strength_);
    swing_->setRange(0, 75);
    swing_->setSuffix(tr(" %"));
    swing_->setValue(int(std::lround(current.swing * 100)));
    swing_->setToolTip(tr("Every second grid line is this much of a step later (50 %: a triplet feel)"));
    form->addRow(tr("Swing"), swing_);
    ends_->setChecked(current.ends);
    form->addRow(ends_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

QuantizeSettings QuantizeDialog::result() const {
    QuantizeSettings s = current_;
    s.strength = strength_->value() / 100.0;
    s.swing = swing_->value() / 100.0;
    s.ends = ends_->isChecked();
    return s;
}

}  // namespace tactus::gui
