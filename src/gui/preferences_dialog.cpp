#include "gui/preferences_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>

namespace tactus::gui {

PreferencesDialog::PreferencesDialog(const Preferences& current, QWidget* parent)
    : QDialog(parent),
      current_(current),
      backend_(new QComboBox(this)),
      device_(new QLineEdit(this)),
      rate_(new QComboBox(this)),
      period_(new QComboBox(this)),
      jack_server_(new QLineEdit(this)),
      audition_(new QCheckBox(tr("Sound notes as they are drawn, moved or transposed"), this)),
      follow_(new QComboBox(this)) {
    setWindowTitle(tr("Preferences"));
    backend_->addItems({"auto", "jack", "alsa", "pulse", "default"});
    backend_->setCurrentText(current.engine.audio);
    device_->setText(current.engine.device);
    device_->setPlaceholderText(tr("default device"));
    for (int r : {44100, 48000, 88200, 96000}) rate_->addItem(QString::number(r), r);
    rate_->setCurrentText(QString::number(current.engine.sampleRate));
    for (int p : {32, 64, 128, 256, 512, 1024, 2048}) period_->addItem(QString::number(p), p);
    period_->setCurrentText(QString::number(current.engine.period));
    jack_server_->setText(current.engine.jackServer);
    jack_server_->setPlaceholderText(tr("default server"));
    audition_->setChecked(current.audition);
    follow_->addItem(tr("Page"), int(FollowMode::Page));
    follow_->addItem(tr("Continuous, centred"), int(FollowMode::Continuous));
    follow_->addItem(tr("Off"), int(FollowMode::Off));
    follow_->setCurrentIndex(follow_->findData(int(current.follow)));

    auto* form = new QFormLayout(this);
    form->addRow(tr("Audio backend"), backend_);
    form->addRow(tr("Device"), device_);
    form->addRow(tr("Sample rate (Hz)"), rate_);
    form->addRow(tr("Period (frames)"), period_);
    form->addRow(tr("JACK server"), jack_server_);
    form->addRow(audition_);
    form->addRow(tr("Follow playback"), follow_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

Preferences PreferencesDialog::result() const {
    Preferences p = current_;
    p.engine.audio = backend_->currentText();
    p.engine.device = device_->text();
    p.engine.sampleRate = rate_->currentData().toInt();
    p.engine.period = period_->currentData().toInt();
    p.engine.jackServer = jack_server_->text();
    p.audition = audition_->isChecked();
    p.follow = FollowMode(follow_->currentData().toInt());
    return p;
}

bool PreferencesDialog::audioChanged() const {
    const EngineOptions a = current_.engine, b = result().engine;
    return a.audio != b.audio || a.device != b.device || a.sampleRate != b.sampleRate ||
           a.period != b.period || a.jackServer != b.jackServer;
}

}  // namespace tactus::gui
