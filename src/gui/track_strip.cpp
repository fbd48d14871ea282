#include "gui/track_strip.h"

#include <QComboBox>
#include <QDial>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFileInfo>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QTimer>
#include <QToolButton>
#include <algorithm>
#include <cmath>
#include <utility>

#include "core/general_midi_font.h"
#include "gui/insert_slots.h"
#include "gui/level_meter.h"
#include "gui/mixer_controls.h"
#include "gui/plugin_catalog.h"
#include "gui/plugin_services.h"
#include "gui/send_controls.h"
#include "gui/song_model.h"
#include "gui/soundfont_presets.h"
#include "gui/track_parameters.h"

namespace tactus::gui {

namespace {
const QString kCsound = QStringLiteral("csound");
const QString kSoundFont = QStringLiteral("SoundFont");
const QString kLv2 = QStringLiteral("LV2");
// The rows below the parameters' (which start at row 3, one per parameter).
constexpr int kInsertsRow = 1000;
constexpr int kSendsRow = 1001;

QString shortNumber(double v) {
    return QString::number(v, 'g', 5);
}
}  // namespace

QString TrackStrip::soundFontEntry() {
    return kSoundFont + QStringLiteral("…");
}

QString TrackStrip::pluginEntry() {
    return kLv2 + QStringLiteral(" plugin…");
}

// The menu's text for a track's instrument: "synth/pluck", "csound: bell.orc Bell", or
// "SoundFont: Yamaha Grand Piano" (the preset's name once the engine listed the font, else its bank
// and program; a font other than the General MIDI one is named after it: "SoundFont: Kit (drums.sf2)").
QString TrackStrip::instrumentKey(const Track& t) const {
    if (t.instrument == "csound")
        return kCsound + ": " + QFileInfo(QString::fromStdString(t.orchestra)).fileName() + " " +
               QString::fromStdString(t.csound_instrument);
    if (t.instrument == "soundfont") {
        const QString font = QString::fromStdString(t.soundfont);
        QString name = fonts_.presetName(font, t.bank, t.program, t.drums);
        if (name.isEmpty()) name = tr("bank %1 program %2").arg(t.drums ? 128 : t.bank).arg(t.program);
        if (!font.isEmpty() && font != kGeneralMidiFont) name += " (" + QFileInfo(font).fileName() + ")";
        return kSoundFont + ": " + name;
    }
    if (t.instrument == "lv2")
        return kLv2 + ": " + plugins_.catalog().displayName(QString::fromStdString(t.plugin));
    return QString::fromStdString(t.instrument) + "/" + QString::fromStdString(t.preset);
}

TrackStrip::TrackStrip(SongModel& song, TrackParameters& parameters, SoundFontPresets& fonts,
                       PluginServices& plugins, TrackId id, const QStringList& instruments,
                       CsoundChooser chooser, SoundFontChooser font_chooser, QWidget* parent)
    : QFrame(parent),
      song_(song),
      parameters_(parameters),
      fonts_(fonts),
      plugins_(plugins),
      id_(id),
      chooser_(std::move(chooser)),
      font_chooser_(std::move(font_chooser)),
      layout_(new QGridLayout(this)),
      throttle_(new QTimer(this)),
      name_(new QLineEdit(this)),
      instrument_(new QComboBox(this)),
      level_(new LevelFader(this)),
      pan_(new PanDial(this)),
      level_text_(new QLabel(this)),
      pan_text_(new QLabel(this)),
      mute_(new QToolButton(this)),
      solo_(new QToolButton(this)),
      meter_(new LevelMeter(this)),
      edit_instrument_(new QToolButton(this)),
      inserts_(new InsertSlots(song, plugins, {InsertOwner::Track, id}, this)),
      sends_(new SendControls(song, id, this)) {
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    instrument_->addItems(instruments);
    pan_->setFixedSize(30, 30);
    level_text_->setMinimumWidth(level_text_->fontMetrics().horizontalAdvance(QStringLiteral("-60.0 dB")));
    level_text_->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    pan_text_->setMinimumWidth(pan_text_->fontMetrics().horizontalAdvance(QStringLiteral("R 100")));
    connect(level_, &LevelFader::valueShown, level_text_, &QLabel::setText);
    connect(pan_, &PanDial::valueShown, pan_text_, &QLabel::setText);
    mute_->setText(tr("M"));
    mute_->setCheckable(true);
    mute_->setToolTip(tr("Mute"));
    solo_->setText(tr("S"));
    solo_->setCheckable(true);
    solo_->setToolTip(tr("Solo"));
    meter_->setFixedWidth(8);

    auto* layout = layout_;
    layout->setContentsMargins(4, 3, 4, 3);
    layout->setSpacing(3);
    layout->addWidget(name_, 0, 0, 1, 3);
    layout->addWidget(mute_, 0, 3);
    layout->addWidget(solo_, 0, 4);
    layout->addWidget(meter_, 0, 5, 3, 1);
    layout->addWidget(instrument_, 1, 0, 1, 4);
    layout->addWidget(edit_instrument_, 1, 4);
    layout->addWidget(inserts_, kInsertsRow, 0, 1, 5);
    layout->addWidget(sends_, kSendsRow, 0, 1, 5);
    edit_instrument_->setText(tr("⚙"));
    edit_instrument_->setToolTip(tr("Edit the instrument plugin's controls"));
    edit_instrument_->setObjectName(QStringLiteral("editInstrument"));
    connect(edit_instrument_, &QToolButton::clicked, this,
            [this] { plugins_.edit(PluginTarget::trackInstrument(id_), this); });
    connect(&plugins_.catalog(), &PluginCatalog::listed, this, &TrackStrip::refresh);
    layout->addWidget(level_, 2, 0, 1, 2);
    layout->addWidget(level_text_, 2, 2);
    layout->addWidget(pan_, 2, 3);
    layout->addWidget(pan_text_, 2, 4);

    connect(name_, &QLineEdit::editingFinished, this, [this] {
        const Track* t = song_.track(id_);
        const std::string name = name_->text().toStdString();
        if (t && t->name != name) song_.apply({edit::TrackRename{id_, name}}, tr("Rename track"));
    });
    connect(instrument_, &QComboBox::activated, this, [this](int) {
        if (instrument_->currentText().startsWith(kCsound)) return chooseCsound();
        if (instrument_->currentText().startsWith(kSoundFont)) return chooseSoundFont();
        if (instrument_->currentText().startsWith(kLv2)) return void(choosePlugin());
        const QStringList parts = instrument_->currentText().split('/');
        const Track* t = song_.track(id_);
        if (!t || parts.size() != 2) return;
        if (!song_.apply({edit::TrackInstrument{id_, parts[0].toStdString(), parts[1].toStdString()}},
                         tr("Change instrument")))
            refresh();
    });
    connect(level_, &LevelFader::levelEdited, this,
            [this](double level) { song_.setTrackLevel(id_, level); });
    using Gesture = SongModel::MixerGesture;
    connect(level_, &LevelFader::gestureFinished, this, [this](double before, double after) {
        song_.recordMixerGesture({Gesture::Control::TrackLevel, id_, 0, before, after});
    });
    connect(pan_, &PanDial::gestureFinished, this, [this](int before, int after) {
        song_.recordMixerGesture({Gesture::Control::TrackPan, id_, 0, before / 100.0, after / 100.0});
    });
    connect(pan_, &QDial::valueChanged, this, [this](int v) { song_.setTrackPan(id_, v / 100.0); });
    connect(mute_, &QToolButton::toggled, this, [this](bool on) { song_.setTrackMute(id_, on); });
    connect(solo_, &QToolButton::toggled, this, [this](bool on) { song_.setTrackSolo(id_, on); });
    for (QWidget* w : std::initializer_list<QWidget*>{name_, instrument_, level_, pan_, mute_, solo_})
        w->installEventFilter(this);
    throttle_->setSingleShot(true);
    throttle_->setInterval(kParameterIntervalMs);
    connect(throttle_, &QTimer::timeout, this, &TrackStrip::sendParameters);
    connect(&parameters_, &TrackParameters::offeredChanged, this, [this](TrackId changed) {
        if (changed == id_) showParameters();
    });
    refresh();
    showParameters();
}

// An orchestra and instrument for the track, as one undoable edit; the parameters set on the track are
// kept when the orchestra stays the same (they name its channels), otherwise they start from its defaults.
void TrackStrip::chooseCsound() {
    const Track* t = song_.track(id_);
    const std::optional<CsoundPick> pick = chooser_ ? chooser_(this) : std::nullopt;
    if (!t || !pick) return refresh();
    edit::CsoundChoice csound{pick->orchestra.toStdString(), pick->instrument.toStdString(), {}};
    if (t->orchestra == csound.orchestra) csound.parameters = t->parameters;
    // The preset stays (unused by csound, and a document's preset is never empty).
    if (!song_.apply({edit::TrackInstrument{id_, "csound", t->preset, std::move(csound)}},
                     tr("Choose Csound orchestra")))
        refresh();
}

// A font and one of its presets for the track, as one undoable edit (/track/soundfont). The document's
// preset is "BANK:PROGRAM" as the engine keeps it; the strip shows the preset's name from the font.
void TrackStrip::chooseSoundFont() {
    const Track* t = song_.track(id_);
    if (!t) return;
    const edit::SoundFontChoice current =
        t->instrument == "soundfont" ? soundfont_of(*t) : edit::SoundFontChoice{{}, -1, -1, false};
    const std::optional<SoundFontPick> pick =
        font_chooser_ ? font_chooser_(this, fonts_, current) : std::nullopt;
    if (!pick) return refresh();
    edit::SoundFontChoice choice{pick->font.toStdString(), pick->bank, pick->program, pick->drums};
    if (!song_.apply({edit::TrackInstrument{id_, "soundfont", soundFontPresetLabel(pick->bank, pick->program),
                                            std::nullopt, std::move(choice)}},
                     tr("Choose SoundFont preset")))
        refresh();
}

// An LV2 instrument for the track, as one undoable edit (/track/plugin); the values set on the track are
// kept when the plugin stays the same.
bool TrackStrip::choosePlugin() {
    const Track* t = song_.track(id_);
    const std::optional<QString> uri = t ? plugins_.choose(this, PluginKind::Instrument) : std::nullopt;
    t = song_.track(id_);  // the dialog ran the event loop
    if (!t || !uri || uri->isEmpty()) {
        refresh();
        return false;
    }
    edit::PluginChoice choice{uri->toStdString(), {}, {}};
    if (t->instrument == "lv2" && t->plugin == choice.plugin) choice.parameters = t->parameters;
    if (!song_.apply(
            {edit::TrackInstrument{id_, "lv2", "plugin", std::nullopt, std::nullopt, std::move(choice)}},
            tr("Choose LV2 instrument"))) {
        refresh();
        return false;
    }
    return true;
}

void TrackStrip::showParameters() {
    for (auto& [name, control] : controls_) {
        delete control.slider;
        delete control.spin;
        delete control.value;
    }
    for (QLabel* label : findChildren<QLabel*>(QStringLiteral("parameterName"))) delete label;
    controls_.clear();
    const Track* t = song_.track(id_);
    if (!t) return;
    int row = 3;
    for (const OfferedParameter& p : parameters_.offered(id_)) {
        const QString name = QString::fromStdString(p.name);
        const auto set = t->parameters.find(p.name);
        const double value = set != t->parameters.end() ? set->second : p.value;
        auto* label = new QLabel(name, this);
        label->setObjectName(QStringLiteral("parameterName"));
        ParameterControl control;
        control.minimum = p.minimum;
        control.maximum = p.maximum;
        if (p.hasRange()) {
            control.slider = new QSlider(Qt::Horizontal, this);
            control.slider->setRange(0, kSliderSteps);
            control.slider->setObjectName(name);
            control.slider->setToolTip(
                tr("%1 (%2 to %3, default %4)")
                    .arg(name, shortNumber(p.minimum), shortNumber(p.maximum), shortNumber(p.default_value)));
            control.value = new QLabel(this);
            control.value->setMinimumWidth(40);
            connect(control.slider, &QSlider::valueChanged, this, [this, n = p.name](int step) {
                const ParameterControl& c = controls_.at(n);
                const double v = c.minimum + (c.maximum - c.minimum) * step / kSliderSteps;
                c.value->setText(shortNumber(v));
                parameterMoved(n, v);
            });
            layout_->addWidget(label, row, 0);
            layout_->addWidget(control.slider, row, 1, 1, 3);
            layout_->addWidget(control.value, row, 4);
        } else {
            control.spin = new QDoubleSpinBox(this);
            control.spin->setObjectName(name);
            control.spin->setRange(-1e9, 1e9);
            control.spin->setDecimals(3);
            control.spin->setToolTip(
                tr("%1 (no declared range, default %2)").arg(name, shortNumber(p.default_value)));
            connect(control.spin, &QDoubleSpinBox::valueChanged, this,
                    [this, n = p.name](double v) { parameterMoved(n, v); });
            layout_->addWidget(label, row, 0);
            layout_->addWidget(control.spin, row, 1, 1, 4);
        }
        setControl(controls_[p.name] = control, value);
        ++row;
    }
}

void TrackStrip::setControl(ParameterControl& control, double value) {
    if (control.slider) {
        const QSignalBlocker block(control.slider);
        const double at = (value - control.minimum) / (control.maximum - control.minimum);
        control.slider->setValue(int(std::lround(std::clamp(at, 0.0, 1.0) * kSliderSteps)));
        control.value->setText(shortNumber(value));
    } else if (control.spin) {
        const QSignalBlocker block(control.spin);
        control.spin->setValue(value);
    }
}

void TrackStrip::showParameter(const QString& name, double value) {
    const auto it = controls_.find(name.toStdString());
    if (it == controls_.end()) return;
    unsent_.erase(it->first);  // the other client's value is the newest
    setControl(it->second, value);
}

QWidget* TrackStrip::parameterControl(const QString& name) const {
    const auto it = controls_.find(name.toStdString());
    if (it == controls_.end()) return nullptr;
    return it->second.slider ? static_cast<QWidget*>(it->second.slider) : it->second.spin;
}

// A drag makes many values: the first goes at once, then the newest every kParameterIntervalMs.
void TrackStrip::parameterMoved(const std::string& name, double value) {
    unsent_[name] = value;
    if (!throttle_->isActive()) {
        sendParameters();
        throttle_->start();
    }
}

void TrackStrip::sendParameters() {
    for (const auto& [name, value] : std::exchange(unsent_, {})) song_.setTrackParameter(id_, name, value);
}

void TrackStrip::refresh() {
    const Track* t = song_.track(id_);
    if (!t) return;
    const SongModel::Mixer m = song_.mixer(id_);
    const QSignalBlocker b1(level_), b2(pan_), b3(mute_), b4(solo_), b5(instrument_);
    if (!name_->hasFocus()) name_->setText(QString::fromStdString(t->name));
    const QString key = instrumentKey(*t);
    // One entry of the track's own (an orchestra, a SoundFont preset) at a time.
    if (!shown_key_.isEmpty() && shown_key_ != key)
        instrument_->removeItem(instrument_->findText(shown_key_));
    shown_key_.clear();
    if (instrument_->findText(key) < 0) {
        instrument_->addItem(key);
        shown_key_ = key;
    }
    instrument_->setCurrentText(key);
    edit_instrument_->setVisible(t->instrument == "lv2");
    level_->setLevel(m.level);
    level_text_->setText(LevelFader::text(level_->level()));  // (its own signal is blocked here)
    pan_->setValue(int(std::lround(m.pan * 100)));
    pan_text_->setText(PanDial::text(pan_->value()));
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
