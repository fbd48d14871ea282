// The transport: play, pause, stop, panic; position as bars:beats and time; loop, metronome and
// count-in; the tempo at the cursor (editing it changes that tempo segment, an undoable edit); snap,
// follow mode and audition. Commands go to the engine at once; what is shown comes from the engine's
// position reports.
#pragma once

#include <QToolBar>

#include "core/meter_map.h"
#include "core/score.h"

class QAction;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace tactus::gui {

class EngineLink;
class RollState;
class SongModel;

class TransportBar : public QToolBar {
    Q_OBJECT
public:
    TransportBar(SongModel& song, EngineLink& link, RollState& state, QWidget* parent = nullptr);

    void showPosition(double beat, bool playing, double bpm);
    void play();
    void pause();
    void stop();
    void togglePlay();  // space bar
    void panic();
    void locate(double beat);
    void setLoop(bool on, double begin, double end);
    // Re-sends loop, metronome and count-in (after the engine restarts).
    void resendState();
    bool isPlaying() const { return playing_; }

    QAction* playAction() const { return play_; }
    QAction* stopAction() const { return stop_; }

protected:
    // The tempo box gives Space to the transport: a typed tempo is taken, then Space plays or stops.
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void applyTempo();

    SongModel& song_;
    EngineLink& link_;
    RollState& state_;
    MeterMap meter_;
    QAction* play_;
    QAction* pause_;
    QAction* stop_;
    QAction* panic_;
    QAction* stop_at_end_;
    QAction* loop_;
    QAction* metronome_;
    QSpinBox* count_in_;
    QDoubleSpinBox* tempo_;
    QLabel* position_;
    QComboBox* snap_;
    QAction* audition_;
    bool playing_ = false;
    double shown_bpm_ = 0.0;
    double shown_beat_ = 0.0;
    double end_beat_ = 0.0;
};

}  // namespace tactus::gui
