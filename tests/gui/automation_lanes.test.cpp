// The automation lane under the piano roll against a real tactusd: the lane bar offers the edited
// track's level, pan and send automation; a click adds a point (snapped in time, at the height's value
// on the fader's dB scale), a drag moves it, a point's shape is chosen, Delete removes the selected
// points. Each gesture is one edit: checked in the engine's own document, and undone.
#include <QComboBox>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "gui/automation_lane_view.h"
#include "gui/lane_bar.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;
using gui::AutomationLaneView;

namespace {
constexpr BusId kReverb = 5;
const AutomationTarget kLevel{AutomationOwner::Track, 1, "level"};

std::vector<AutomationPoint> lanePoints(const Document& doc, const AutomationTarget& target) {
    for (const AutomationLane& lane : doc.automation)
        if (lane.target == target) return lane.points;
    return {};
}
}  // namespace

class AutomationLanes : public GuiTestCase {
    Q_OBJECT

private:
    AutomationLaneView* lane() { return window().pianoRoll().automationLane(); }
    QPoint at(double beat, double value) {
        return QPoint(int(std::lround(state().xOfBeat(beat))), int(std::lround(lane()->yOfValue(value))));
    }
    std::vector<AutomationPoint> guiPoints(const AutomationTarget& t = kLevel) {
        return lanePoints(window().song().document(), t);
    }
    void checkEngineAgrees(const AutomationTarget& t = kLevel) {
        QVERIFY(session_->waitUntilEngineCaughtUp());
        QCOMPARE(lanePoints(engineDocument(), t), guiPoints(t));
    }
    void undoTo(const std::vector<AutomationPoint>& before, const AutomationTarget& t = kLevel) {
        while (guiPoints(t) != before) QVERIFY(window().song().undo());
        checkEngineAgrees(t);
    }

private slots:
    void initTestCase() {
        Document doc;
        Track t;
        t.id = 1;
        t.preset = "pad";
        t.notes = {Note{1, 0.0, 8.0, 60, 0.0, 100}};
        t.sends = {Send{kReverb, 0.5, false}};
        doc.tracks = {t};
        Bus reverb;
        reverb.id = kReverb;
        reverb.name = "Reverb";
        doc.buses = {reverb};
        session_ = GuiSession::showing(doc, dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        window().resize(1200, 800);
        state().setCurrentTrack(1);
        state().setSnap(0.25);
        state().setAuditionEnabled(false);
        state().setFollowMode(gui::FollowMode::Off);
        state().setPixelsPerBeat(40.0, 0.0);
        state().setLeftBeat(0.0);
        window().pianoRoll().laneBar()->chooseAutomation("level");
        QVERIFY2(QTest::qWaitFor([&] { return lane()->isVisible() && lane()->width() > 450; }, 5000),
                 qPrintable(QString::number(lane()->width())));
    }
    void cleanupTestCase() { session_.reset(); }

    void the_lane_bar_offers_level_pan_and_each_sends_automation() {
        auto* choice = window().pianoRoll().laneBar()->findChild<QComboBox*>("laneChoice");
        QVERIFY(choice);
        QStringList items;
        for (int i = 0; i < choice->count(); ++i) items << choice->itemText(i);
        for (const char* name : {"Level automation", "Pan automation", "Send to Reverb automation"})
            QVERIFY2(items.contains(name), qPrintable(items.join(", ")));
        QCOMPARE(lane()->target(), kLevel);
    }

    void a_click_adds_a_point_on_the_grid_at_the_heights_level() {
        const auto before = guiPoints();
        const double minus6 = std::pow(10.0, -6.0 / 20);
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(1.1, minus6));
        auto points = guiPoints();
        QCOMPARE(points.size(), before.size() + 1);
        QCOMPARE(points[0].beat, 1.0);  // snapped to the quarter
        QCOMPARE(lane()->valueText(points[0].value), QStringLiteral("-6.0 dB"));
        QCOMPARE(points[0].shape, AutomationShape::Linear);
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(3.0, 1.0));
        points = guiPoints();
        QCOMPARE(points.size(), before.size() + 2);
        QCOMPARE(points[1].beat, 3.0);
        QCOMPARE(lane()->valueText(points[1].value), QStringLiteral("0.0 dB"));
        checkEngineAgrees();
        undoTo(before);
    }

    void dragging_a_point_moves_it_in_time_and_level_as_one_edit() {
        const auto before = guiPoints();
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(2.0, 1.0));
        const auto placed = guiPoints();
        QCOMPARE(placed.size(), std::size_t(1));
        const QPoint from = at(2.0, placed[0].value), to = at(4.0, std::pow(10.0, -12.0 / 20));
        QTest::mousePress(lane(), Qt::LeftButton, Qt::NoModifier, from);
        QTest::mouseMove(lane(), (from + to) / 2);
        QTest::mouseMove(lane(), to);
        QTest::mouseRelease(lane(), Qt::LeftButton, Qt::NoModifier, to);
        const auto moved = guiPoints();
        QCOMPARE(moved.size(), std::size_t(1));
        QCOMPARE(moved[0].beat, 4.0);
        QVERIFY2(moved[0].value < 0.3 && moved[0].value > 0.2, qPrintable(lane()->valueText(moved[0].value)));
        checkEngineAgrees();
        QVERIFY(window().song().undo());  // the move, then the click
        QCOMPARE(guiPoints(), placed);
        undoTo(before);
    }

    void a_points_shape_is_chosen_and_delete_removes_the_selected_points() {
        const auto before = guiPoints();
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(1.0, 1.0));
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(2.0, 0.5));
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(3.0, 1.0));
        QCOMPARE(guiPoints().size(), std::size_t(3));
        lane()->setPointShape(0, AutomationShape::Smooth);
        lane()->setPointShape(1, AutomationShape::Hold);
        QCOMPARE(guiPoints()[0].shape, AutomationShape::Smooth);
        QCOMPARE(guiPoints()[1].shape, AutomationShape::Hold);
        checkEngineAgrees();
        // Select the middle point (a click on it), Shift+click the last: Delete removes both.
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(2.0, guiPoints()[1].value));
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::ShiftModifier, at(3.0, guiPoints()[2].value));
        QCOMPARE(lane()->selection().size(), std::size_t(2));
        lane()->setFocus();
        QTest::keyClick(lane(), Qt::Key_Delete);
        QCOMPARE(guiPoints().size(), std::size_t(1));
        QCOMPARE(guiPoints()[0].beat, 1.0);
        checkEngineAgrees();
        undoTo(before);
    }

    void pan_and_send_lanes_edit_their_own_controls() {
        const AutomationTarget pan{AutomationOwner::Track, 1, "pan"};
        const AutomationTarget send{AutomationOwner::Track, 1, "send:5"};
        window().pianoRoll().laneBar()->chooseAutomation("pan");
        QCOMPARE(lane()->target(), pan);
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(1.0, -0.5));
        QCOMPARE(guiPoints(pan).size(), std::size_t(1));
        QCOMPARE(lane()->valueText(guiPoints(pan)[0].value), QStringLiteral("L 50"));
        window().pianoRoll().laneBar()->chooseAutomation("send:5");
        QCOMPARE(lane()->target(), send);
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(2.0, 0.5));
        QCOMPARE(guiPoints(send).size(), std::size_t(1));
        QVERIFY(guiPoints(kLevel).empty());  // the level lane untouched
        checkEngineAgrees(pan);
        checkEngineAgrees(send);
        undoTo({}, send);
        undoTo({}, pan);
        window().pianoRoll().laneBar()->chooseAutomation("level");
    }
};

QTEST_MAIN(AutomationLanes)
#include "automation_lanes.test.moc"
