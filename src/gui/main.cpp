// tactus-gui: the Tactus desktop app. Options name the engine to use or start; see --help.
#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <memory>

#include "gui/classic_scheduler.h"
#include "gui/engine_link.h"
#include "gui/main_window.h"
#include "gui/platform_signals.h"
#include "gui/roll_state.h"
#include "gui/session_stats.h"

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
    QCommandLineOption attach("attach",
                              "Only attach to a running engine (this user's, through its private socket "
                              "for the port); never start one");
    QCommandLineOption rate("rate", "Sample rate when starting the engine (non-JACK)", "hz", "48000");
    QCommandLineOption period("period", "Period when starting the engine (non-JACK)", "frames", "256");
    parser.addOptions({port, audio, jack_server, engine, attach, rate, period});
    // For tests and benchmarks (tests/gui_flood, bench/gui_flood_xruns.sh).
    QCommandLineOption stats_file("stats-file", "On exit (also on SIGTERM), write counters as JSON here",
                                  "path");
    QCommandLineOption no_audition("no-audition", "Do not audition notes drawn or moved");
    QCommandLineOption edit_track("edit-track", "The track the piano roll edits at start", "id");
    QCommandLineOption classic("classic-scheduler",
                               "NEGATIVE CONTROL for tests only: play track FROM's notes on track TO by "
                               "UI-thread timers (see src/gui/classic_scheduler.h)",
                               "from:to");
    parser.addOptions({stats_file, no_audition, edit_track, classic});
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
    // The audio settings chosen in Preferences last time (MainWindow::showPreferences keeps them); an
    // option given here wins.
    {
        const QSettings settings;
        const auto remembered = [&](const QCommandLineOption& option, const char* key) {
            return !parser.isSet(option) && settings.contains(key);
        };
        if (remembered(audio, "audio")) options.engine.audio = settings.value("audio").toString();
        if (remembered(jack_server, "jackServer"))
            options.engine.jackServer = settings.value("jackServer").toString();
        if (remembered(rate, "rate")) options.engine.sampleRate = settings.value("rate").toInt();
        if (remembered(period, "period")) options.engine.period = settings.value("period").toInt();
        if (settings.contains("device")) options.engine.device = settings.value("device").toString();
    }
    if (!parser.positionalArguments().isEmpty()) options.document = parser.positionalArguments().front();

    tactus::TrackId classic_from = 0, classic_to = 0;
    if (parser.isSet(classic)) {
        const QStringList ids = parser.value(classic).split(':');
        if (ids.size() == 2) classic_from = ids[0].toULongLong(), classic_to = ids[1].toULongLong();
        if (classic_from == 0 || classic_to == 0) {
            qCritical("tactus-gui: --classic-scheduler wants FROM:TO track ids (got '%s')",
                      qPrintable(parser.value(classic)));
            return 2;
        }
    }

    // SIGTERM quits the event loop, so the stats are written and the engine is shut down as on a close.
    tactus::gui::QuitOnSignals quit_on_signals;
    quit_on_signals.install();
    tactus::gui::MainWindow window(options);
    if (parser.isSet(no_audition)) window.rollState().setAuditionEnabled(false);
    if (parser.isSet(edit_track)) window.rollState().setCurrentTrack(parser.value(edit_track).toULongLong());
    std::unique_ptr<tactus::gui::ClassicScheduler> scheduler;
    if (classic_from != 0) {
        scheduler = std::make_unique<tactus::gui::ClassicScheduler>(window.song(), window.link(),
                                                                    classic_from, classic_to);
        QObject::connect(&window.link(), &tactus::gui::EngineLink::positionReceived, scheduler.get(),
                         &tactus::gui::ClassicScheduler::onPosition);
    }
    const auto* stats = new tactus::gui::SessionStats(window);  // owned by the window
    window.show();
    const int status = app.exec();
    if (parser.isSet(stats_file)) {
        QString error;
        if (!stats->write(parser.value(stats_file), scheduler ? scheduler->stats() : QJsonObject(), &error))
            qWarning("tactus-gui: cannot write %s: %s", qPrintable(parser.value(stats_file)),
                     qPrintable(error));
    }
    return status;
}
