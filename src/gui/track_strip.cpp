#include "gui/track_strip.h"

#include <QComboBox>
#include <QDial>
#include <QEvent>
#include <QGridLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QToolButton>

#include "gui/level_meter.h"
#include "gui/song_model.h"

namespace tactus::gui {

namespace {
QString instrumentKey(const Track& t) {
    return QString::fromStdString(t.instrument) + "/" + QString::fromStdString(t.preset);
}
}  // namespace

TrackStrip::TrackStrip(SongModel& song, TrackId id, const QStringList& instruments, QWidget* parent)
    : QFrame(parent),
      song_(song),
      id_(id),
      name_(new QLineEdit(this)),
      instrument_(new QComboBox(this)),
      level_(new QSlider(Qt::Horizontal, this)),
      pan_(new QDial(this)),
      mute_(new QToolButton(this)),
      solo_(new QToolButton(this)),
      meter_(new LevelMeter(this)) {
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    instrument_->addItems(instruments);
    level_->setRange(0, 200);  // percent of unity; the engine takes 0..4
    level_->setToolTip(tr("Level"));
    pan_->setRange(-100, 100);
    pan_->setFixedSize(30, 30);
    pan_->setToolTip(tr("Pan"));
    mute_->setText(tr("M"));
    mute_->setCheckable(true);
    mute_->setToolTip(tr("Mute"));
    solo_->setText(tr("S"));
    solo_->setCheckable(true);
    solo_->setToolTip(tr("Solo"));
    meter_->setFixedWidth(8);

    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(3);
    layout->addWidget(name_, 0, 0, 1, 3);
    layout->addWidget(mute_, 0, 3);
    layout->addWidget(solo_, 0, 4);
    layout->addWidget(meter_, 0, 5, 3, 1);
    layout->addWidget(instrument_, 1, 0, 1, 5);
    layout->addWidget(level_, 2, 0, 1, 3);
    layout->addWidget(pan_, 2, 3, 1, 2);

    connect(name_, &QLineEdit::editingFinished, this, [this] {
        const Track* t = song_.track(id_);
        const std::string name = name_->text().toStdString();
        if (t && t->name != name) song_.apply({edit::TrackRename{id_, name}}, tr("Rename track"));
    });
    connect(instrument_, &QComboBox::activated, this, [this](int) {
        const QStringList parts = instrument_->currentText().split('/');
        const Track* t = song_.track(id_);
        if (!t || parts.size() != 2) return;
        if (!song_.apply({edit::TrackInstrument{id_, parts[0].toStdString(), parts[1].toStdString()}},
                         tr("Change instrument")))
            refresh();
    });
    connect(level_, &QSlider::valueChanged, this, [this](int v) { song_.setTrackLevel(id_, v / 100.0); });
    connect(pan_, &QDial::valueChanged, this, [this](int v) { song_.setTrackPan(id_, v / 100.0); });
    connect(mute_, &QToolButton::toggled, this, [this](bool on) { song_.setTrackMute(id_, on); });
    connect(solo_, &QToolButton::toggled, this, [this](bool on) { song_.setTrackSolo(id_, on); });
    for (QWidget* w : std::initializer_list<QWidget*>{name_, instrument_, level_, pan_, mute_, solo_})
        w->installEventFilter(this);
    refresh();
}

void TrackStrip::refresh() {
    const Track* t = song_.track(id_);
    if (!t) return;
    const SongModel::Mixer m = song_.mixer(id_);
    const QSignalBlocker b1(level_), b2(pan_), b3(mute_), b4(solo_), b5(instrument_);
    if (!name_->hasFocus()) name_->setText(QString::fromStdString(t->name));
    const QString key = instrumentKey(*t);
    if (instrument_->findText(key) < 0) instrument_->addItem(key);
    instrument_->setCurrentText(key);
    level_->setValue(int(std::lround(m.level * 100)));
    pan_->setValue(int(std::lround(m.pan * 100)));
    mute_->setChecked(m.mute);
    solo_->setChecked(m.solo);
}

void TrackStrip::setCurrent(bool current) {
    setBackgroundRole(current ? QPalette::Highlight : QPalette::Window);
}

bool TrackStrip::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::FocusIn) emit selected(id_);
    return QFrame::eventFilter(watched, event);
}

void TrackStrip::mousePressEvent(QMouseEvent* event) {
    emit selected(id_);
    QFrame::mousePressEvent(event);
}

}  // namespace tactus::gui
