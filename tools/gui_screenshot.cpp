// Takes the screenshots in docs/images: the main window with a document loaded and playing, the cursor
// mid-view. Run under a real X server (tools/take-screenshots.sh starts Xvfb and a JACK dummy server):
// the picture is grabbed from the X screen, as a user would see it.
//
//   gui_screenshot DOCUMENT OUTPUT.png --jack-server NAME [--beat B]
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QScreen>
#include <QTest>

#include "gui/main_window.h"
#include "gui/roll_state.h"
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
    parser.addOptions({jack_server, engine, beat, port});
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
