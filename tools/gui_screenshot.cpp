// Takes the screenshots in docs/images: the main window with a document loaded and playing, the cursor
// mid-view; optionally one track edited, in drum mode, or with a controller lane shown (and, for the
// picture, a smooth curve drawn in it through the lane's own tools). Run under a real X server
// (tools/take-screenshots.sh starts Xvfb and a JACK dummy server): the picture is grabbed from the X
// screen, as a user would see it.
//
//   gui_screenshot DOCUMENT OUTPUT.png --jack-server NAME [--beat B] [--track NAME] [--drum-mode]
//                  [--lane CC] [--curve FROM:TO] [--automation CONTROL] [--arranger] [--select-bars A:B]
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScreen>
#include <QSplitter>
#include <QTest>

#include "gui/arranger.h"
#include "gui/arranger_lanes.h"
#include "gui/controller_edits.h"
#include "gui/lane_bar.h"
#include "gui/main_window.h"
#include "gui/piano_roll.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/transport_bar.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addPositionalArgument("document", "the document to show");
    parser.addPositionalArgument("output", "the PNG to write");
    QCommandLineOption jack_server("jack-server", "JACK server name", "name");
    QCommandLineOption engine("engine", "tactusd", "path");
    QCommandLineOption beat("beat", "take the picture once the cursor passes this beat", "beat", "10");
    QCommandLineOption port("port", "OSC port", "port", "7790");
    QCommandLineOption track("track", "edit the track of this name", "name");
    QCommandLineOption drum_mode("drum-mode", "show the track in drum mode, unused rows hidden");
    QCommandLineOption lane("lane", "show the controller lane of this CC number", "cc");
    QCommandLineOption curve("curve", "draw a smooth curve 0 to 127 and back in the lane over beats FROM:TO",
                             "from:to");
    QCommandLineOption automation("automation",
                                  "show the track's automation lane of CONTROL (level, pan); with --curve, "
                                  "points of every shape over beats FROM:TO",
                                  "control");
    QCommandLineOption in_arranger("arranger",
                                   "show the automation lane in the arranger, not the piano roll");
    QCommandLineOption select_bars("select-bars", "select bars A to B (0-based, B excluded) on every track",
                                   "a:b");
    parser.addOptions({jack_server, engine, beat, port, track, drum_mode, lane, curve, automation,
                       in_arranger, select_bars});
    parser.process(app);
    if (parser.positionalArguments().size() != 2) parser.showHelp(2);

    tactus::gui::AppOptions options;
    options.document = parser.positionalArguments()[0];
    options.engine.audio = "jack";
    options.engine.jackServer = parser.value(jack_server);
    options.engine.device = "none";
    options.engine.program = parser.value(engine);
    options.engine.port = quint16(parser.value(port).toInt());
    options.useSettings = false;
    options.autosaveSeconds = 0;
    options.recovery = tactus::gui::AppOptions::Recovery::Decline;
    tactus::gui::MainWindow window(options);
    window.resize(1400, 860);
    window.show();
    bool synced = false;
    QObject::connect(&window, &tactus::gui::MainWindow::engineSynced, [&] { synced = true; });
    if (!QTest::qWaitFor([&] { return synced; }, 15000)) {
        qCritical("the engine did not take the document");
        return 1;
    }
    using namespace tactus;
    if (parser.isSet(track)) {
        for (const Track& t : window.song().document().tracks)
            if (QString::fromStdString(t.name) == parser.value(track))
                window.rollState().setCurrentTrack(t.id);
    }
    if (parser.isSet(drum_mode)) {
        window.pianoRoll().setDrumMode(true);
        window.pianoRoll().setHideUnusedRows(true);
    }
    if (parser.isSet(lane)) {
        const gui::LaneTarget target{ControllerKind::ControlChange, parser.value(lane).toInt()};
        window.pianoRoll().laneBar()->choose(target);
        if (parser.isSet(curve)) {
            const QStringList span = parser.value(curve).split(':');
            const double from = span.value(0).toDouble(), to = span.value(1).toDouble(),
                         mid = (from + to) / 2;
            const Track* t = window.song().track(window.rollState().currentTrack());
            if (t) {
                auto points = gui::rampPoints(target, from, 0, mid, 127, 0.25, gui::CurveShape::Smooth);
                const auto down = gui::rampPoints(target, mid, 127, to, 20, 0.25, gui::CurveShape::Smooth);
                points.insert(points.end(), down.begin() + 1, down.end());
                window.song().apply({edit::TrackControllers{
                                        t->id, gui::replaceSpan(t->controllers, target, from, to, points)}},
                                    "curve");
            }
        }
    }
    if (parser.isSet(automation)) {
        const Track* t = window.song().track(window.rollState().currentTrack());
        if (!parser.isSet(in_arranger))
            window.pianoRoll().laneBar()->chooseAutomation(parser.value(automation));
        else if (t)
            window.arranger().showAutomation(
                AutomationTarget{AutomationOwner::Track, t->id, parser.value(automation).toStdString()});
        if (t && parser.isSet(curve)) {
            const QStringList span = parser.value(curve).split(':');
            const double from = span.value(0).toDouble(), to = span.value(1).toDouble(),
                         part = (to - from) / 4;
            const bool pan = parser.value(automation) == "pan";
            const auto v = [pan](double level, double side) { return pan ? side : level; };
            const std::vector<AutomationPoint> points{{from, v(0.1, -0.8), AutomationShape::Smooth},
                                                      {from + part, v(1.0, 0.6), AutomationShape::Linear},
                                                      {from + 2 * part, v(0.35, -0.2), AutomationShape::Hold},
                                                      {from + 3 * part, v(1.6, 0.9), AutomationShape::Smooth},
                                                      {to, v(0.7, 0.0), AutomationShape::Linear}};
            window.song().apply(
                {edit::AutomationSet{{AutomationOwner::Track, t->id, parser.value(automation).toStdString()},
                                     points}},
                "automation");
        }
    }
    if (parser.isSet(in_arranger))  // room for the tracks and the lane
        if (auto* views = window.findChild<QSplitter*>("viewsSplitter")) views->setSizes({330, 470});
    if (parser.isSet(select_bars)) {
        const QStringList span = parser.value(select_bars).split(':');
        gui::ArrangerLanes& lanes = window.arranger().lanes();
        gui::ArrangerRange range{
            {}, lanes.beatOfBar(span.value(0).toInt()), lanes.beatOfBar(span.value(1).toInt())};
        for (const Track& t : window.song().document().tracks) range.tracks.push_back(t.id);
        lanes.setSelection(range);
    }
    window.rollState().setFollowMode(tactus::gui::FollowMode::Continuous);  // cursor mid-view
    window.transport().play();
    const double target = parser.value(beat).toDouble();
    if (!QTest::qWaitFor([&] { return window.cursorBeat() >= target; }, 60000)) {
        qCritical("playback did not reach beat %g", target);
        return 1;
    }
    QTest::qWait(50);
    const QPixmap shot = window.screen()->grabWindow(
        0, window.x(), window.y(), window.frameGeometry().width(), window.frameGeometry().height());
    if (!shot.save(parser.positionalArguments()[1])) {
        qCritical("cannot write %s", qPrintable(parser.positionalArguments()[1]));
        return 1;
    }
    window.transport().stop();
    return 0;
}
