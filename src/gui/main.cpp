// tactus-gui: the Tactus desktop app. Options name the engine to use or start; see --help.
#include <QApplication>
#include <QCommandLineParser>

#include "gui/main_window.h"

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Tactus");
    QApplication::setApplicationName("Tactus");
    QCommandLineParser parser;
    parser.setApplicationDescription("Tactus: a sequencer whose timing never slips");
    parser.addHelpOption();
    parser.addPositionalArgument("document", "A document (.json) or MIDI file (.mid) to open");
    QCommandLineOption port({"p", "port"}, "The engine's OSC port (default 7770)", "port", "7770");
    QCommandLineOption audio(
        "audio", "Audio backend when starting the engine: auto, jack, alsa, pulse, default", "kind", "auto");
    QCommandLineOption jack_server("jack-server", "JACK server name", "name");
    QCommandLineOption engine("engine", "The tactusd executable to start", "path");
    QCommandLineOption attach("attach", "Only attach to a running engine; never start one");
    QCommandLineOption rate("rate", "Sample rate when starting the engine (non-JACK)", "hz", "48000");
    QCommandLineOption period("period", "Period when starting the engine (non-JACK)", "frames", "256");
    parser.addOptions({port, audio, jack_server, engine, attach, rate, period});
    parser.process(app);

    tactus::gui::AppOptions options;
    bool ok = false;
    const int p = parser.value(port).toInt(&ok);
    if (!ok || p <= 0 || p > 65535) {
        qCritical("tactus-gui: --port must be a port number (got '%s')", qPrintable(parser.value(port)));
        return 2;
    }
    options.engine.port = quint16(p);
    options.engine.audio = parser.value(audio);
    options.engine.jackServer = parser.value(jack_server);
    options.engine.program = parser.value(engine);
    options.engine.startEngine = !parser.isSet(attach);
    options.engine.sampleRate = parser.value(rate).toInt();
    options.engine.period = parser.value(period).toInt();
    if (!parser.positionalArguments().isEmpty()) options.document = parser.positionalArguments().front();

    tactus::gui::MainWindow window(options);
    window.show();
    return app.exec();
}
