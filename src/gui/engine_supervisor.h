// Keeps an engine there for the GUI: attaches to a tactusd of this user already serving the port (its
// private socket for that port is there: EngineLink), or starts one (trying the audio backends in
// order), and starts it again at once if it dies. The engine raises its own audio thread to realtime
// priority where the system allows (src/audio/realtime_platform). An engine it starts is given
// --owner-pid (this process), so it ends when the GUI dies, however it dies; one it attached to is
// never ended by the GUI. When an engine it attached to goes away for good (e.g. the GUI that started
// it died), it starts one of its own after a few seconds and loads its document there.
//
// An engine it starts is given --crash-report (a file of the supervisor's own in the user's private
// directory, core/private_dir.h) and --bypass-plugin for every plugin on its bypass list: when an LV2
// plugin crashes the engine, tactusd names it in that file (docs/plugins.md, "When a plugin crashes"),
// and the supervisor adds it to the list, says so (pluginCrashed) and restarts the engine as for any
// crash; the restarted engine does not make that plugin (its inserts pass audio through, its instrument
// tracks play silent). The list lasts as long as the supervisor (retryBypassedPlugins empties it). A
// crash that names no plugin is restarted as before.
//
// Nothing here blocks: connection attempts and process start-up are driven by signals and timers.
// Threading: the UI thread.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace tactus::gui {

class EngineLink;

struct EngineOptions {
    QString program;  // the tactusd executable ("" = next to this program, or in the build tree)
    // The engine's UDP/TCP address (--listen; loopback) and OSC port. The port also names the engine's
    // private socket (engine_socket_path), which the GUI connects to.
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 7770;
    QString audio = QStringLiteral("auto");  // auto (jack, then default) | jack | alsa | pulse | default
    QString device;
    int sampleRate = 48000;
    int period = 256;
    QString jackServer;
    bool startEngine = true;  // false: only attach to one that runs
    QStringList extraArgs;
};

class EngineSupervisor : public QObject {
    Q_OBJECT
public:
    EngineSupervisor(EngineLink& link, EngineOptions options, QObject* parent = nullptr);
    ~EngineSupervisor() override;

    void start();
    // Stops the engine we started (if any) and starts one with `options`.
    void restart(EngineOptions options);
    // Asks an engine we started to quit (waits briefly for it); leaves one we attached to running.
    void shutdown();

    const EngineOptions& options() const { return options_; }
    bool ownsEngine() const { return process_ != nullptr; }
    qint64 enginePid() const;
    QString backend() const { return backend_; }  // the audio kind the engine we started uses
    // How long the last recovery took: from noticing the engine died to being connected again.
    qint64 lastRecoveryMs() const { return last_recovery_ms_; }
    int restarts() const { return restarts_; }
    // The LV2 plugins (URIs) engines we start are told not to make: each crashed an engine of ours.
    const QStringList& bypassedPlugins() const { return bypassed_; }
    // Empties the bypass list and restarts an engine we started (engineReady(true) follows).
    void retryBypassedPlugins();
    // The file engines we start name a crashing plugin in ("" when the private directory is unusable).
    QString crashReportPath() const { return crash_report_; }

signals:
    // Connected. `started` is true when the engine is a process we just (re)started: it has no
    // document. False for an engine that was already running (also one of ours whose connection
    // dropped while the process lived on).
    void engineReady(bool started);
    void engineLost(const QString& why);
    void statusMessage(const QString& text);
    // The engine we started crashed in this LV2 plugin; it is on the bypass list now, and the engine is
    // being restarted without it. Emitted before the restart's engineReady.
    void pluginCrashed(const QString& uri);
    void bypassedPluginsChanged();
    // No engine could start with any of the audio backends tried (none is running now, and none will be
    // started until start() or restart()). `why` gives each backend's own error, as tactusd printed it
    // ("jack: cannot connect to the JACK server 'default' …; default: no audio output device found").
    void engineUnavailable(const QString& why);

private:
    enum class State { Idle, Attaching, Spawning, Connected, Reconnecting, Stopped };
    void tryAttach();
    void spawnNext();
    void onConnected();
    void onDisconnected(const QString& why);
    void onProcessFinished(int code, QProcess::ExitStatus status);
    QStringList argumentsFor(const QString& audio) const;
    QString program() const;
    QString takeCrashReport();
    QString takeExitReason();

    EngineLink& link_;
    EngineOptions options_;
    State state_ = State::Idle;
    QProcess* process_ = nullptr;
    QStringList candidates_;  // audio kinds still to try
    QString backend_;
    QTimer retry_;
    QElapsedTimer since_start_;
    QElapsedTimer since_loss_;
    bool recovering_ = false;
    qint64 last_recovery_ms_ = -1;
    int restarts_ = 0;
    QString last_error_;
    QStringList start_failures_;  // why each backend tried since the last start failed
    QString crash_report_;
    QString exit_reason_;  // tactusd --exit-reason: its last error line when it exits with an error
    QStringList bypassed_;
};

}  // namespace tactus::gui
