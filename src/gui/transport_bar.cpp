#include "gui/transport_bar.h"

#include <QAction>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QKeyEvent>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <cmath>

#include "gui/engine_link.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "server/osc_out.h"

namespace tactus::gui {

namespace {
struct SnapChoice {
    const char* name;
    double beats;
};
constexpr SnapChoice kSnaps[] = {{"Snap off", 0.0},
                                 {"1/4", 1.0},
                                 {"1/8", 0.5},
                                 {"1/16", 0.25},
                                 {"1/32", 0.125},
                                 {"1/4 triplet", 2.0 / 3},
                                 {"1/8 triplet", 1.0 / 3},
                                 {"1/16 triplet", 1.0 / 6}};
}  // namespace

TransportBar::TransportBar(SongModel& song, EngineLink& link, RollState& state, QWidget* parent)
    : QToolBar(tr("Transport"), parent),
      song_(song),
      link_(link),
      state_(state),
      meter_(song.document().meter),
      count_in_(new QSpinBox(this)),
      tempo_(new QDoubleSpinBox(this)),
      position_(new QLabel(this)),
      snap_(new QComboBox(this)) {
    setObjectName("transport");
    // Icons (the names stay as tooltips and for screen readers): the bar must fit a 1024-pixel window.
    setToolButtonStyle(Qt::ToolButtonIconOnly);
    play_ =
        addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"), this, &TransportBar::togglePlay);
    play_->setToolTip(tr("Play / stop (Space)"));
    play_->setCheckable(true);  // shown pressed while the engine plays
    pause_ = addAction(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this, &TransportBar::pause);
    stop_ = addAction(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this, &TransportBar::stop);
    panic_ = addAction(tr("Panic"), this, &TransportBar::panic);
    panic_->setToolTip(tr("Silence every sounding note"));
    addSeparator();
    position_->setFont(QFont("Monospace", 11));
    position_->setMinimumWidth(
        QFontMetrics(position_->font()).horizontalAdvance(QStringLiteral("999:9:999  99:99.999")) + 8);
    addWidget(position_);
    addSeparator();
    addWidget(new QLabel(tr(" BPM "), this));
    tempo_->setRange(1, 1000);
    tempo_->setDecimals(2);
    tempo_->setKeyboardTracking(false);
    tempo_->setToolTip(tr("The tempo at the cursor: a new value changes that tempo segment"));
    addWidget(tempo_);
    connect(tempo_, &QDoubleSpinBox::editingFinished, this, &TransportBar::applyTempo);
    // Space would go into the box (emptying it), Enter would leave the focus there: neither does what a
    // musician who just typed a tempo means.
    tempo_->installEventFilter(this);
    addSeparator();
    stop_at_end_ = addAction(tr("Stop at end"));
    stop_at_end_->setObjectName("stopAtEnd");
    stop_at_end_->setCheckable(true);
    stop_at_end_->setChecked(true);
    stop_at_end_->setToolTip(tr("Stop when playback passes the end of the last note (not while looping)"));
    loop_ = addAction(tr("Loop"));
    loop_->setCheckable(true);
    loop_->setToolTip(tr("Loop the region set by Shift-dragging on the ruler"));
    connect(loop_, &QAction::toggled, this,
            [this](bool on) { setLoop(on, state_.loopBegin(), state_.loopEnd()); });
    metronome_ = addAction(tr("Click"));
    metronome_->setCheckable(true);
    metronome_->setToolTip(tr("Metronome"));
    connect(metronome_, &QAction::toggled, this,
            [this](bool on) { link_.send(OscOut("/metronome").i(on ? 1 : 0).bytes()); });
    addWidget(new QLabel(tr(" Count-in "), this));
    count_in_->setRange(0, 8);
    count_in_->setSuffix(tr(" bars"));
    addWidget(count_in_);
    connect(count_in_, &QSpinBox::valueChanged, this,
            [this](int bars) { link_.send(OscOut("/countin").i(bars).bytes()); });
    addSeparator();
    for (const SnapChoice& s : kSnaps) snap_->addItem(tr(s.name), s.beats);
    snap_->setCurrentIndex(3);
    snap_->setToolTip(tr("Grid snap for drawing, moving and the ruler"));
    auto* snap_label = new QLabel(tr(" Snap "), this);
    snap_label->setBuddy(snap_);
    addWidget(snap_label);
    addWidget(snap_);
    connect(snap_, &QComboBox::currentIndexChanged, this,
            [this](int i) { state_.setSnap(snap_->itemData(i).toDouble()); });
    // Following playback is chosen in View > Follow playback (and the preferences).
    audition_ = addAction(style()->standardIcon(QStyle::SP_MediaVolume), tr("Audition"));
    audition_->setCheckable(true);
    audition_->setChecked(state_.auditionEnabled());
    audition_->setToolTip(tr("Sound notes as they are drawn, moved or transposed"));
    connect(audition_, &QAction::toggled, this, [this](bool on) { state_.setAuditionEnabled(on); });
    connect(&song_, &SongModel::documentChanged, this, [this] {
        meter_ = MeterMap(song_.document().meter);
        end_beat_ = song_.document().end_beat();
    });
    end_beat_ = song_.document().end_beat();
    showPosition(0, false, song_.document().tempo.bpm_at(0));
}

void TransportBar::showPosition(double beat, bool playing, double bpm) {
    // Passing the song's end (not being past it: playing on from there is a choice) stops it.
    if (playing && playing_ && stop_at_end_->isChecked() && !state_.loopOn() && end_beat_ > 0 &&
        shown_beat_ < end_beat_ && beat >= end_beat_)
        stop();
    shown_beat_ = beat;
    playing_ = playing;
    if (play_->isChecked() != playing) {
        const QSignalBlocker block(play_);
        play_->setChecked(playing);
    }
    const BarPosition bar = meter_.bar_at_beat(beat);
    const double seconds = song_.document().tempo.seconds_at(std::max(0.0, beat));
    const int beat_in_bar = int(std::floor(bar.beat_in_bar));
    const int ticks = int(std::floor((bar.beat_in_bar - beat_in_bar) * 960));
    const int minutes = int(seconds / 60);
    position_->setText(QStringLiteral("%1:%2:%3  %4:%5")
                           .arg(bar.bar + 1, 3)
                           .arg(beat_in_bar + 1)
                           .arg(ticks, 3, 10, QLatin1Char('0'))
                           .arg(minutes, 2, 10, QLatin1Char('0'))
                           .arg(seconds - minutes * 60, 6, 'f', 3, QLatin1Char('0')));
    if (std::abs(bpm - shown_bpm_) > 1e-6 && !tempo_->hasFocus()) {
        const QSignalBlocker block(tempo_);
        tempo_->setValue(bpm);
        shown_bpm_ = bpm;
    }
}

void TransportBar::play() {
    state_.resumeFollow();
    link_.send(OscOut("/play").bytes());
}
void TransportBar::pause() {
    link_.send(OscOut("/pause").bytes());
}
void TransportBar::stop() {
    link_.send(OscOut("/stop").bytes());
}
void TransportBar::togglePlay() {
    playing_ ? stop() : play();
}
void TransportBar::panic() {
    link_.send(OscOut("/panic").bytes());
}

void TransportBar::locate(double beat) {
    state_.resumeFollow();
    link_.send(OscOut("/locate/beat").d(beat).bytes());
}

void TransportBar::setLoop(bool on, double begin, double end) {
    state_.setLoop(on, begin, end);
    if (loop_->isChecked() != on) {
        const QSignalBlocker block(loop_);
        loop_->setChecked(on);
    }
    link_.send(OscOut("/loop").i(on ? 1 : 0).d(begin).d(end).bytes());
}

void TransportBar::resendState() {
    if (state_.loopOn()) setLoop(true, state_.loopBegin(), state_.loopEnd());
    if (metronome_->isChecked()) link_.send(OscOut("/metronome").i(1).bytes());
    if (count_in_->value() > 0) link_.send(OscOut("/countin").i(count_in_->value()).bytes());
}

bool TransportBar::eventFilter(QObject* watched, QEvent* event) {
    if (watched != tempo_ || (event->type() != QEvent::KeyPress && event->type() != QEvent::ShortcutOverride))
        return QToolBar::eventFilter(watched, event);
    const auto* key = static_cast<QKeyEvent*>(event);
    const bool space = key->key() == Qt::Key_Space && key->modifiers() == Qt::NoModifier;
    const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
    if (!space && !enter) return QToolBar::eventFilter(watched, event);
    if (event->type() == QEvent::ShortcutOverride) {  // Space: ours, not the Play shortcut's (handled here)
        event->accept();
        return true;
    }
    tempo_->interpretText();
    applyTempo();
    tempo_->clearFocus();  // back to the window: keys are shortcuts again
    if (space) togglePlay();
    return true;
}

void TransportBar::applyTempo() {
    // The tempo point in force at the cursor gets the new bpm; the rest of the map stays.
    std::vector<TempoPoint> points = song_.document().tempo.points();
    const double beat = state_.cursorBeat();
    std::size_t i = 0;
    while (i + 1 < points.size() && points[i + 1].beat <= beat) ++i;
    if (std::abs(points[i].bpm - tempo_->value()) < 1e-9) return;
    points[i].bpm = tempo_->value();
    song_.apply({edit::TempoReplace{points}}, tr("Change tempo"));
}

}  // namespace tactus::gui
