// The piano roll: ruler, tempo lane, side keyboard, note grid and a bottom lane (velocity, or a
// controller: LaneBar chooses) around one shared RollState, with
// scroll bars, wheel zoom and scroll, the edit commands (delete, transpose, nudge, quantize, copy,
// paste, select all), and the cursor that follows playback.
//
// Wheel: scroll pitches; Shift+wheel: scroll time; Ctrl+wheel: zoom time around the mouse;
// Ctrl+Shift+wheel: zoom pitch rows. A manual scroll in time pauses following until play starts
// again or the user turns following back on, so the view and the user never fight.
#pragma once

#include <QWidget>
#include <map>

#include "gui/roll_commands.h"

class QLabel;
class QScrollBar;
class QStackedWidget;

namespace tactus::gui {

class AutomationLaneView;
class ControllerLane;
class EngineLink;
class LaneBar;
class NoteGrid;
class PianoKeys;
class RollState;
class Ruler;
class TempoLane;
class SongModel;
class VelocityLane;

class PianoRoll : public QWidget {
    Q_OBJECT
public:
    PianoRoll(SongModel& song, EngineLink& link, RollState& state, QWidget* parent = nullptr);

    // Called at display rate with the beat being heard: moves the cursor and follows it while playing.
    // Stopped, a cursor that moved (a locate: Home, the ruler, another client) or is shown for the first
    // time (a window attaching to a running engine) is brought into view, whatever the follow mode.
    void showCursor(double beat, bool playing);
    // Scrolls so that `beat` is in view (near the left edge) when it is not.
    void revealBeat(double beat);
    // Zooms time so that the whole song fits the width (from beat 0), and frames the edited track's
    // notes (View > Zoom to fit; not on opening: a long song zoomed out paints every note).
    void frameSong();
    // Scrolls pitches so that the edited track's notes are in view (centred) when they are not: on a
    // change of track, whose notes may sit in another register (a drum kit's kick and snare).
    void frameTrackNotes();
    // Drum mode for the edited track: one named row per sound, hits as fixed-width marks. On by default
    // for a drum track (its `drums` flag, or MIDI channel 10); the choice is kept per track while the
    // window lives. With unused rows hidden, only the sounds the track uses have rows.
    bool drumMode() const;
    void setDrumMode(bool on);
    bool hidesUnusedRows() const { return hide_unused_rows_; }
    void setHideUnusedRows(bool hide);
    NoteGrid* grid() const { return grid_; }
    PianoKeys* keys() const { return keys_; }
    Ruler* ruler() const { return ruler_; }
    TempoLane* tempoLane() const { return tempo_; }
    // Strength, swing and ends for Quantize (the grid is the snap's).
    const QuantizeSettings& quantizeSettings() const { return quantize_; }
    void setQuantizeSettings(const QuantizeSettings& settings) { quantize_ = settings; }
    LaneBar* laneBar() const { return lane_bar_; }
    ControllerLane* controllerLane() const { return controller_; }
    AutomationLaneView* automationLane() const { return automation_; }
    VelocityLane* velocityLane() const { return velocity_; }

public slots:
    void deleteSelection();
    void transpose(int semitones);
    void nudge(int steps);      // by the snap (or a 16th when snap is off)
    void quantize();            // the selection, to the snap, with the quantize settings
    void quantizeWithDialog();  // asks for strength, swing and ends, then quantizes
    void copySelection();
    void cutSelection();
    void paste();  // at the cursor
    void selectAll();

signals:
    void drumViewChanged();  // drum mode or hidden rows, for the menu's check marks
    void locateRequested(double beat);
    void loopRequested(double begin, double end);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void updateScrollBars();
    bool drumModeOf(TrackId track) const;
    void updateDrumView();
    std::vector<Note> selection() const;

    SongModel& song_;
    RollState& state_;
    Ruler* ruler_;
    TempoLane* tempo_;
    PianoKeys* keys_;
    NoteGrid* grid_;
    VelocityLane* velocity_;
    ControllerLane* controller_;
    AutomationLaneView* automation_;
    LaneBar* lane_bar_;
    QStackedWidget* lanes_;
    QLabel* lane_label_;
    QScrollBar* hbar_;
    QScrollBar* vbar_;
    bool syncing_ = false;
    Clip clip_;
    QuantizeSettings quantize_;
    double shown_beat_ = -1.0;
    std::map<TrackId, bool> drum_choice_;  // drum mode chosen by hand, per track
    bool hide_unused_rows_ = false;        // the cursor's beat at the last showCursor (-1: never shown)
};

}  // namespace tactus::gui
