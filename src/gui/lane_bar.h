// The bar above the piano roll's bottom lane: which lane it shows (velocity, or a controller: the
// common ones by name, any CC the edited track uses, "Other CC…" for any number; or the track's level,
// pan or a send's level automation) and the controller tools (draw, line, curve, select). Lanes whose
// target the track has events or points for are marked "●".
// Threading: the UI thread.
#pragma once

#include <QWidget>
#include <optional>

#include "gui/controller_lane.h"

class QComboBox;
class QToolButton;

namespace tactus::gui {

class RollState;
class SongModel;

class LaneBar : public QWidget {
    Q_OBJECT
public:
    LaneBar(SongModel& song, RollState& state, QWidget* parent = nullptr);

    // Chooses what the lane shows (nullopt: velocity), as the user would.
    void choose(std::optional<LaneTarget> target);
    std::optional<LaneTarget> chosen() const { return chosen_; }
    void chooseTool(ControllerLane::Tool tool);
    // Chooses an automation lane of the edited track: "level", "pan", "send:BUS_ID".
    void chooseAutomation(const QString& control);
    QString chosenAutomation() const { return chosen_automation_; }

signals:
    void laneChosen(std::optional<LaneTarget> target);
    void automationChosen(const QString& control);
    void toolChosen(ControllerLane::Tool tool);

private:
    void refill();  // the choices, after a change of track or of its controllers
    void onActivated(int index);

    SongModel& song_;
    RollState& state_;
    QComboBox* lanes_;
    QToolButton* tools_[4];
    std::optional<LaneTarget> chosen_;
    QString chosen_automation_;  // set: an automation lane is shown (chosen_ is then nullopt)
};

}  // namespace tactus::gui
