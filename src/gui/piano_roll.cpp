#include "gui/piano_roll.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollBar>
#include <QStackedWidget>
#include <QWheelEvent>
#include <cmath>

#include "gui/automation_lane_view.h"
#include "gui/controller_lane.h"
#include "gui/lane_bar.h"
#include "gui/note_grid.h"
#include "gui/piano_keys.h"
#include "gui/quantize_dialog.h"
#include "gui/roll_state.h"
#include "gui/ruler.h"
#include "gui/song_model.h"
#include "gui/tempo_lane.h"
#include "gui/velocity_lane.h"

namespace tactus::gui {

PianoRoll::PianoRoll(SongModel& song, EngineLink& link, RollState& state, QWidget* parent)
    : QWidget(parent),
      song_(song),
      state_(state),
      ruler_(new Ruler(song, state, this)),
      tempo_(new TempoLane(song, state, this)),
      keys_(new PianoKeys(link, state, this)),
      grid_(new NoteGrid(song, state, this)),
      velocity_(new VelocityLane(song, state, this)),
      controller_(new ControllerLane(song, state, this)),
      automation_(new AutomationLaneView(song, state, this)),
      lane_bar_(new LaneBar(song, state, this)),
      lanes_(new QStackedWidget(this)),
      lane_label_(new QLabel(tr("Vel"), this)),
      hbar_(new QScrollBar(Qt::Horizontal, this)),
      vbar_(new QScrollBar(Qt::Vertical, this)) {
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    auto* tempo_label = new QLabel(tr("Tempo"), this);
    tempo_label->setAlignment(Qt::AlignCenter);
    layout->addWidget(ruler_, 0, 1);
    layout->addWidget(tempo_label, 1, 0);
    layout->addWidget(tempo_, 1, 1);
    layout->addWidget(keys_, 2, 0);
    layout->addWidget(grid_, 2, 1);
    layout->addWidget(vbar_, 2, 2);
    layout->addWidget(lane_bar_, 3, 0, 1, 2);
    lane_label_->setAlignment(Qt::AlignCenter);
    layout->addWidget(lane_label_, 4, 0);
    lanes_->addWidget(velocity_);
    lanes_->addWidget(controller_);
    lanes_->addWidget(automation_);
    lanes_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    lanes_->setFixedHeight(controller_->height());
    layout->addWidget(lanes_, 4, 1);
    layout->addWidget(hbar_, 5, 1);
    layout->setRowStretch(2, 1);
    layout->setColumnStretch(1, 1);
    connect(lane_bar_, &LaneBar::laneChosen, this, [this](std::optional<LaneTarget> target) {
        if (target) controller_->setTarget(*target);
        lanes_->setCurrentWidget(target ? static_cast<QWidget*>(controller_) : velocity_);
        lane_label_->setText(target ? laneShortName(*target) : tr("Vel"));
    });
    connect(lane_bar_, &LaneBar::toolChosen, controller_, &ControllerLane::setTool);
    connect(lane_bar_, &LaneBar::automationChosen, this, [this](const QString& control) {
        automation_->setControl(control);
        lanes_->setCurrentWidget(automation_);
        lane_label_->setText(control == QStringLiteral("level") ? tr("Level")
                             : control == QStringLiteral("pan") ? tr("Pan")
                                                                : tr("Send"));
    });

    for (QWidget* w :
         std::initializer_list<QWidget*>{ruler_, tempo_, keys_, grid_, velocity_, controller_, automation_})
        w->installEventFilter(this);
    connect(ruler_, &Ruler::locateRequested, this, &PianoRoll::locateRequested);
    connect(ruler_, &Ruler::loopRequested, this, &PianoRoll::loopRequested);
    connect(&state_, &RollState::changed, this, &PianoRoll::updateScrollBars);
    connect(&state_, &RollState::trackChanged, this, [this] {
        updateDrumView();
        frameTrackNotes();
    });
    connect(&song_, &SongModel::documentChanged, this, [this] {
        updateDrumView();  // a track that became a drum track, or a sound used for the first time
        updateScrollBars();
    });
    connect(hbar_, &QScrollBar::valueChanged, this, [this](int v) {
        if (!syncing_) state_.setLeftBeat(v / state_.pixelsPerBeat());
    });
    connect(hbar_, &QScrollBar::actionTriggered, this, [this] { state_.pauseFollow(); });
    connect(vbar_, &QScrollBar::valueChanged, this, [this](int v) {
        if (!syncing_) state_.setTopPitch(state_.rowCount() - v / state_.keyHeight());
    });
    updateDrumView();
    updateScrollBars();
}

void PianoRoll::updateScrollBars() {
    syncing_ = true;
    const double ppb = state_.pixelsPerBeat();
    const double beats =
        std::max(song_.document().end_beat() + 32.0, state_.leftBeat() + grid_->width() / ppb);
    hbar_->setRange(0, std::max(0, int(beats * ppb) - grid_->width()));
    hbar_->setPageStep(grid_->width());
    hbar_->setSingleStep(int(ppb));
    hbar_->setValue(int(std::lround(state_.leftBeat() * ppb)));
    const double kh = state_.keyHeight();
    const double rows = state_.rowCount();
    vbar_->setRange(0, std::max(0, int(rows * kh) - grid_->height()));
    vbar_->setPageStep(grid_->height());
    vbar_->setSingleStep(int(kh));
    vbar_->setValue(int(std::lround((rows - state_.topPitch()) * kh)));
    syncing_ = false;
}

void PianoRoll::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    updateScrollBars();
}

bool PianoRoll::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::Wheel) return QWidget::eventFilter(watched, event);
    auto* wheel = static_cast<QWheelEvent*>(event);
    const double notches =
        wheel->angleDelta().y() != 0 ? wheel->angleDelta().y() / 120.0 : wheel->angleDelta().x() / 120.0;
    const QPointF at = wheel->position();
    const auto mods = wheel->modifiers();
    if ((mods & Qt::ControlModifier) && (mods & Qt::ShiftModifier)) {
        state_.setKeyHeight(state_.keyHeight() * std::pow(1.15, notches), at.y());
    } else if (mods & Qt::ControlModifier) {
        state_.setPixelsPerBeat(state_.pixelsPerBeat() * std::pow(1.2, notches), at.x());
    } else if ((mods & Qt::ShiftModifier) || wheel->angleDelta().x() != 0) {
        state_.pauseFollow();
        state_.setLeftBeat(state_.leftBeat() - notches * 80.0 / state_.pixelsPerBeat());
    } else {
        state_.setTopPitch(state_.topPitch() + notches * 3);
    }
    return true;
}

void PianoRoll::showCursor(double beat, bool playing) {
    state_.setCursorBeat(beat);
    const double visible = grid_->width() / state_.pixelsPerBeat();
    const double left = state_.leftBeat();
    const bool located = !playing && std::abs(beat - shown_beat_) > 1e-6;
    shown_beat_ = beat;
    if (located) {
        revealBeat(beat);
    } else if (playing && !state_.followPaused()) {
        if (state_.followMode() == FollowMode::Continuous) {
            const double target = std::max(0.0, beat - visible / 2);
            if (std::abs(target - left) * state_.pixelsPerBeat() >= 0.5) state_.setLeftBeat(target);
        } else if (state_.followMode() == FollowMode::Page &&
                   (beat >= left + visible * 0.95 || beat < left)) {
            state_.setLeftBeat(std::max(0.0, beat - visible * 0.05));
        }
    }
    grid_->moveCursor(beat);
    ruler_->moveCursor(beat);
}

void PianoRoll::revealBeat(double beat) {
    const double visible = grid_->width() / state_.pixelsPerBeat();
    const double left = state_.leftBeat();
    if (beat < left || beat >= left + visible * 0.95)
        state_.setLeftBeat(std::max(0.0, beat - visible * 0.05));
}

void PianoRoll::frameSong() {
    const double beats =
        std::max(song_.document().end_beat(), 4.0) * 1.05;  // a little room after the last note
    state_.setPixelsPerBeat(grid_->width() / beats, 0.0);
    state_.setLeftBeat(0.0);
    frameTrackNotes();
}

void PianoRoll::frameTrackNotes() {
    const Track* track = song_.track(state_.currentTrack());
    if (!track || track->notes.empty()) return;
    int low = 127, high = 0;  // in rows (pitches unless rows are hidden)
    for (const Note& n : track->notes) {
        const int row = state_.rowOf(n.pitch);
        if (row >= 0) low = std::min(low, row), high = std::max(high, row);
    }
    if (low > high) return;
    const double rows = grid_->height() / state_.keyHeight();
    const double top = state_.topPitch();  // the row at the top edge; rows below it are in view
    if (high <= top && low >= top - rows + 1) return;
    const double count = state_.rowCount();
    state_.setTopPitch(std::clamp((low + high) / 2.0 + rows / 2.0, std::min(count, rows), count));
}

bool PianoRoll::drumMode() const {
    return drumModeOf(state_.currentTrack());
}

bool PianoRoll::drumModeOf(TrackId id) const {
    if (const auto chosen = drum_choice_.find(id); chosen != drum_choice_.end()) return chosen->second;
    const Track* track = song_.track(id);
    return track && (track->drums || track->midi_channel == 10);
}

void PianoRoll::setDrumMode(bool on) {
    drum_choice_[state_.currentTrack()] = on;
    updateDrumView();
    frameTrackNotes();
}

void PianoRoll::setHideUnusedRows(bool hide) {
    hide_unused_rows_ = hide;
    updateDrumView();
    frameTrackNotes();
}

void PianoRoll::updateDrumView() {
    const bool drums = drumMode();
    std::vector<int> rows;
    if (drums && hide_unused_rows_)
        if (const Track* track = song_.track(state_.currentTrack())) {
            std::vector<bool> used(128, false);
            for (const Note& n : track->notes) used[std::size_t(std::clamp(n.pitch, 0, 127))] = true;
            for (int pitch = 0; pitch < 128; ++pitch)
                if (used[std::size_t(pitch)]) rows.push_back(pitch);
        }
    const bool changed = drums != state_.drumMode() || rows != state_.rows();
    state_.setDrumView(drums, std::move(rows));
    if (changed) {
        updateScrollBars();
        emit drumViewChanged();
    }
}

std::vector<Note> PianoRoll::selection() const {
    return selectedNotes(song_.document(), state_.currentTrack(), state_.selection());
}

void PianoRoll::deleteSelection() {
    const auto notes = selection();
    if (notes.empty()) return;
    song_.apply(deleteNotes(notes), notes.size() > 1 ? tr("Delete notes") : tr("Delete note"));
    state_.setSelection({});
}

void PianoRoll::transpose(int semitones) {
    const auto notes = selection();
    std::vector<NoteId> auditions;
    if (state_.auditionEnabled() && !notes.empty()) auditions.push_back(notes.front().id);
    song_.apply(shiftNotes(notes, 0, semitones), tr("Transpose"), auditions);
}

void PianoRoll::nudge(int steps) {
    song_.apply(shiftNotes(selection(), steps * state_.gridStep(), 0), tr("Nudge"));
}

void PianoRoll::quantize() {
    QuantizeSettings settings = quantize_;
    settings.grid = state_.gridStep();
    song_.apply(quantizeNotes(selection(), settings), tr("Quantize"));
}

void PianoRoll::quantizeWithDialog() {
    QuantizeDialog dialog(quantize_, this);
    if (dialog.exec() != QDialog::Accepted) return;
    quantize_ = dialog.result();
    quantize();
}

void PianoRoll::copySelection() {
    clip_ = copyNotes(selection());
}

void PianoRoll::cutSelection() {
    copySelection();
    deleteSelection();
}

void PianoRoll::paste() {
    if (clip_.empty() || !song_.track(state_.currentTrack())) return;
    NoteId next = song_.newNoteId();
    auto edits =
        pasteClip(clip_, state_.currentTrack(), std::max(0.0, state_.floorSnap(state_.cursorBeat())), next);
    std::set<NoteId> pasted;
    for (const Edit& e : edits) pasted.insert(std::get<edit::NoteAdd>(e).note.id);
    if (song_.apply(std::move(edits), tr("Paste"))) state_.setSelection(pasted);
}

void PianoRoll::selectAll() {
    std::set<NoteId> all;
    if (const Track* t = song_.track(state_.currentTrack()))
        for (const Note& n : t->notes) all.insert(n.id);
    state_.setSelection(all);
}

}  // namespace tactus::gui
