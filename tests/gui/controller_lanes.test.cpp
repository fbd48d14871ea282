// The controller lane under the piano roll against a real tactusd: the draw tool lays a point on each
// grid step of a stroke, the line and curve tools lay points along a straight line and a half-cosine,
// the select tool picks points by click or band and moves them in time and value, Delete removes them,
// a program lane sets programs, and events of the lanes not edited stay as they were. Each edit is
// checked in the engine's own document, and undone.
#include <QComboBox>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "core/document_json.h"
#include "gui/controller_lane.h"
#include "gui/lane_bar.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/velocity_lane.h"
#include "gui_session.h"

using namespace tactus;
using namespace tactus::test;
using gui::ControllerLane;
using gui::LaneTarget;

namespace {

constexpr LaneTarget kModulation{ControllerKind::ControlChange, 1};
constexpr LaneTarget kBend{ControllerKind::PitchBend, 0};
constexpr LaneTarget kProgram{ControllerKind::ProgramChange, 0};
const ControllerEvent kPedalDown{0.5, ControllerKind::ControlChange, 64, 127.0};
const ControllerEvent kPedalUp{3.0, ControllerKind::ControlChange, 64, 0.0};

std::vector<ControllerEvent> of(const std::vector<ControllerEvent>& events, const LaneTarget& target) {
    std::vector<ControllerEvent> out;
    for (const ControllerEvent& e : events)
        if (target.matches(e)) out.push_back(e);
    return out;
}

}  // namespace

class ControllerLanes : public GuiTestCase {
    Q_OBJECT

private:
    ControllerLane* lane() { return window().pianoRoll().controllerLane(); }
    std::vector<ControllerEvent> engineControllers() {
        const Document doc = session_->engineDocument();
        return doc.tracks.empty() ? std::vector<ControllerEvent>{} : doc.tracks.front().controllers;
    }
    std::vector<ControllerEvent> guiControllers() { return window().song().track(1)->controllers; }
    QPoint at(double beat, double value) {
        return QPoint(int(std::lround(state().xOfBeat(beat))), int(std::lround(lane()->yOfValue(value))));
    }
    void drag(QPoint from, QPoint to, Qt::KeyboardModifiers mods = Qt::NoModifier) {
        QTest::mousePress(lane(), Qt::LeftButton, mods, from);
        QTest::mouseMove(lane(), (from + to) / 2);
        QTest::mouseMove(lane(), to);
        QTest::mouseRelease(lane(), Qt::LeftButton, mods, to);
    }
    // The engine holds what the GUI shows, and the pedal events (another lane) are untouched.
    void checkEngineAgrees() {
        QVERIFY(session_->waitUntilEngineCaughtUp());
        QCOMPARE(engineControllers(), guiControllers());
        const auto pedal = of(guiControllers(), {ControllerKind::ControlChange, 64});
        QCOMPARE(pedal, (std::vector<ControllerEvent>{kPedalDown, kPedalUp}));
    }
    void undoAll(const std::vector<ControllerEvent>& before) {
        while (guiControllers() != before) QVERIFY(window().song().undo());
        QVERIFY(session_->waitUntilEngineCaughtUp());
        QCOMPARE(engineControllers(), before);
    }

private slots:
    void initTestCase() {
        Document doc;
        Track t;
        t.id = 1;
        t.preset = "pluck";
        t.notes = {Note{1, 0.0, 1.0, 60, 0.0, 100}};
        t.controllers = {kPedalDown, kPedalUp};
        doc.tracks = {t};
        session_ = GuiSession::showing(doc, dir_.path());
        QVERIFY2(session_->error().isEmpty(), qPrintable(session_->error()));
        window().resize(1200, 800);
        state().setCurrentTrack(1);
        state().setSnap(0.25);
        state().setAuditionEnabled(false);
        state().setFollowMode(gui::FollowMode::Off);
        state().setPixelsPerBeat(40.0, 0.0);
        state().setLeftBeat(0.0);
        window().pianoRoll().laneBar()->choose(kModulation);
        QVERIFY2(QTest::qWaitFor([&] { return lane()->width() > 450; }, 5000),
                 qPrintable(QString::number(lane()->width())));
    }
    void cleanupTestCase() { session_.reset(); }

    void the_lane_bar_offers_named_controllers_and_marks_the_ones_in_use() {
        auto* choice = window().pianoRoll().laneBar()->findChild<QComboBox*>("laneChoice");
        QVERIFY(choice);
        QStringList items;
        for (int i = 0; i < choice->count(); ++i) items << choice->itemText(i);
        QVERIFY2(items.contains("CC 64 Sustain  ●"), qPrintable(items.join(", ")));  // the track has pedal
        QVERIFY2(items.contains("CC 1 Modulation"), qPrintable(items.join(", ")));
        QVERIFY(items.contains("Pitch bend") && items.contains("Program") && items.contains("Other CC…"));
        window().pianoRoll().laneBar()->choose(kModulation);
        QVERIFY(lane()->isVisible());
        QCOMPARE(lane()->target(), kModulation);
    }

    void the_draw_tool_lays_a_point_on_each_grid_step_of_a_stroke() {
        const auto before = guiControllers();
        window().pianoRoll().laneBar()->choose(kModulation);
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Draw);
        // From beat 1 at 0 to beat 2 at 127, in one quick move: no step is skipped.
        QTest::mousePress(lane(), Qt::LeftButton, Qt::NoModifier, at(1.0, 0.0));
        QTest::mouseMove(lane(), at(2.0, 127.0));
        QTest::mouseRelease(lane(), Qt::LeftButton, Qt::NoModifier, at(2.0, 127.0));
        const auto drawn = of(guiControllers(), kModulation);
        QCOMPARE(drawn.size(), std::size_t(5));
        for (std::size_t i = 0; i < drawn.size(); ++i) {
            QCOMPARE(drawn[i].beat, 1.0 + 0.25 * double(i));
            QCOMPARE(drawn[i].value, std::round(127.0 * double(i) / 4.0));
        }
        checkEngineAgrees();
        // A second stroke over the same span replaces what stood there.
        QTest::mousePress(lane(), Qt::LeftButton, Qt::NoModifier, at(1.0, 64.0));
        QTest::mouseMove(lane(), at(1.5, 64.0));
        QTest::mouseRelease(lane(), Qt::LeftButton, Qt::NoModifier, at(1.5, 64.0));
        const auto redrawn = of(guiControllers(), kModulation);
        QCOMPARE(redrawn.size(), std::size_t(3));  // 64 at 1 (a flat stroke keeps its first), 1.75, 2
        QCOMPARE(redrawn[0].beat, 1.0);
        QCOMPARE(redrawn[0].value, 64.0);
        QCOMPARE(redrawn[1].beat, 1.75);
        checkEngineAgrees();
        undoAll(before);
    }

    void the_line_and_curve_tools_lay_points_along_their_shape() {
        const auto before = guiControllers();
        window().pianoRoll().laneBar()->choose(kModulation);
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Line);
        drag(at(4.0, 0.0), at(6.0, 127.0));
        auto line = of(guiControllers(), kModulation);
        QCOMPARE(line.size(), std::size_t(9));
        for (std::size_t i = 0; i < line.size(); ++i) {
            QCOMPARE(line[i].beat, 4.0 + 0.25 * double(i));
            QCOMPARE(line[i].value, std::round(127.0 * double(i) / 8.0));
        }
        checkEngineAgrees();
        // Pitch bend along a half-cosine from -1 to +1: flat at both ends, 0 in the middle.
        window().pianoRoll().laneBar()->choose(kBend);
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Curve);
        drag(at(8.0, -1.0), at(10.0, 1.0));
        const auto curve = of(guiControllers(), kBend);
        QCOMPARE(curve.size(), std::size_t(9));
        for (std::size_t i = 0; i < curve.size(); ++i) {
            const double t = double(i) / 8.0;
            const double expected = std::round((-std::cos(M_PI * t)) * 8192.0) / 8192.0;
            QCOMPARE(curve[i].beat, 8.0 + 0.25 * double(i));
            QCOMPARE(curve[i].value, expected);
        }
        QCOMPARE(curve[4].value, 0.0);
        QVERIFY(curve[1].value - curve[0].value < curve[4].value - curve[3].value);  // eases in
        checkEngineAgrees();
        undoAll(before);
    }

    void the_select_tool_moves_points_and_delete_removes_them() {
        const auto before = guiControllers();
        window().pianoRoll().laneBar()->choose(kModulation);
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Line);
        drag(at(4.0, 0.0), at(5.0, 100.0));  // about 0, 25, 50, 75, 100 at 4, 4.25 … 5
        const auto line = of(guiControllers(), kModulation);
        QCOMPARE(line.size(), std::size_t(5));
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Select);
        // Click the point at 4.5 (50), Shift-click the one at 5 (100); drag both a beat later and 10 up.
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, at(4.5, 50.0));
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::ShiftModifier, at(5.0, 100.0));
        QCOMPARE(lane()->selection().size(), std::size_t(2));
        const QPoint from = at(4.5, 50.0);
        const QPoint to = from + QPoint(int(std::lround(state().pixelsPerBeat())), -6);
        const double change = lane()->valueChangeOfDrag(-6);
        QVERIFY(change >= 10 && change <= 11);  // 6 pixels of a lane 72 high for 0..127
        drag(from, to);
        auto moved = of(guiControllers(), kModulation);
        QCOMPARE(moved.size(), std::size_t(5));
        QCOMPARE(moved[2].beat, 4.75);  // the points not selected stayed
        QCOMPARE(moved[3].beat, 5.5);
        QCOMPARE(moved[3].value, line[2].value + change);
        QCOMPARE(moved[4].beat, 6.0);
        QCOMPARE(moved[4].value, std::min(127.0, line[4].value + change));
        checkEngineAgrees();
        // A band around the first two points, then Delete: only they go (the lane has the key, not the
        // piano roll's note deletion).
        lane()->setFocus();
        drag(at(3.9, 127.0), at(4.3, 0.0));
        QCOMPARE(lane()->selection().size(), std::size_t(2));
        QTest::keyClick(lane(), Qt::Key_Delete);
        const auto left = of(guiControllers(), kModulation);
        QCOMPARE(left.size(), std::size_t(3));
        QCOMPARE(left[0].beat, 4.75);
        QCOMPARE(window().song().track(1)->notes.size(), std::size_t(1));  // the note is still there
        checkEngineAgrees();
        undoAll(before);
    }

    void a_program_lane_sets_programs() {
        const auto before = guiControllers();
        window().pianoRoll().laneBar()->choose(kProgram);
        window().pianoRoll().laneBar()->chooseTool(ControllerLane::Tool::Draw);
        const QPoint click = at(2.0, 40.0);
        QTest::mouseClick(lane(), Qt::LeftButton, Qt::NoModifier, click);
        const auto programs = of(guiControllers(), kProgram);
        QCOMPARE(programs.size(), std::size_t(1));
        QCOMPARE(programs[0].beat, 2.0);
        // A program change keeps its program as its number: the one at the height clicked.
        QCOMPARE(programs[0].number, int(lane()->valueOfY(click.y())));
        QVERIFY(std::abs(programs[0].number - 40) <= 1);
        checkEngineAgrees();
        undoAll(before);
        window().pianoRoll().laneBar()->choose(std::nullopt);
        QVERIFY(window().pianoRoll().velocityLane()->isVisible());
    }
};

QTEST_MAIN(ControllerLanes)
#include "controller_lanes.test.moc"
