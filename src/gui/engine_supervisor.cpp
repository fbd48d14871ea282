#include "gui/engine_supervisor.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <atomic>

#include "core/private_dir.h"
#include "gui/engine_link.h"
#include "server/osc_out.h"

namespace tactus::gui {

namespace {
constexpr int kConnectRetryMs = 25;
constexpr int kStartupTimeoutMs = 8000;
constexpr int kAttachRetryMs = 500;
// tactusd ends within 5 s of /quit whatever its audio system does (docs/protocol.md, "Lifetime"):
// waited for, with a margin, before it is killed.
constexpr int kQuitWaitMs = 6000;
// An engine we attached to and lost is waited for this long (its stop bound and a margin) before we
// start one of our own on its port.
constexpr int kTakeOverAfterMs = 6000;
}  // namespace

EngineSupervisor::EngineSupervisor(EngineLink& link, EngineOptions options, QObject* parent)
    : QObject(parent), link_(link), options_(std::move(options)) {
    retry_.setSingleShot(true);
    connect(&retry_, &QTimer::timeout, this, [this] {
        if (state_ == State::Spawning || state_ == State::Reconnecting || state_ == State::Attaching)
            link_.connectTo(options_.host, options_.port);
    });
    connect(&link_, &EngineLink::connected, this, &EngineSupervisor::onConnected);
    connect(&link_, &EngineLink::disconnected, this, &EngineSupervisor::onDisconnected);
    // A report file of this supervisor's own (a process may have several, one after another in tests).
    static std::atomic<int> supervisors{0};
    std::string error;
    if (const auto dir = private_runtime_dir(&error)) {
        const QString stem = QStringLiteral("%1/gui-%2-%3")
                                 .arg(QString::fromStdString(*dir))
                                 .arg(QCoreApplication::applicationPid())
                                 .arg(supervisors++);
        crash_report_ = stem + QStringLiteral(".crash");
        exit_reason_ = stem + QStringLiteral(".exit");
    } else {
        qWarning("tactus-gui: engines will not name a plugin that crashes them: %s", error.c_str());
    }
}

EngineSupervisor::~EngineSupervisor() {
    shutdown();
    if (!crash_report_.isEmpty()) QFile::remove(crash_report_);
    if (!exit_reason_.isEmpty()) QFile::remove(exit_reason_);
}

QString EngineSupervisor::program() const {
    if (!options_.program.isEmpty()) return options_.program;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString& candidate : {here.filePath("tactusd"), here.filePath("../server/tactusd")})
        if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).canonicalFilePath();
    return QStringLiteral("tactusd");  // from PATH
}

qint64 EngineSupervisor::enginePid() const {
    return process_ ? process_->processId() : 0;
}

void EngineSupervisor::start() {
    state_ = State::Attaching;
    emit statusMessage(tr("Looking for an engine on %1:%2").arg(options_.host).arg(options_.port));
    link_.connectTo(options_.host, options_.port);
}

void EngineSupervisor::restart(EngineOptions options) {
    const bool owned = process_ != nullptr;
    shutdown();
    options_ = std::move(options);
    state_ = State::Idle;
    candidates_.clear();
    // Only an engine we started is ours to replace; another program's engine keeps its settings.
    if (owned && options_.startEngine) {
        start_failures_.clear();
        candidates_ = options_.audio == "auto" ? QStringList{"jack", "default"} : QStringList{options_.audio};
        spawnNext();
    } else {
        start();
    }
}

void EngineSupervisor::retryBypassedPlugins() {
    if (bypassed_.isEmpty()) return;
    bypassed_.clear();
    emit bypassedPluginsChanged();
    if (process_ != nullptr) {
        emit statusMessage(tr("Restarting the engine with the bypassed plugins"));
        restart(options_);  // engineReady(true): the document is loaded again, plugins included
    }
}

void EngineSupervisor::shutdown() {
    const bool already = state_ == State::Stopped;  // (the destructor comes again, after the link is gone)
    state_ = State::Stopped;
    retry_.stop();
    if (!process_) {  // an engine we attached to keeps running; we only let go of it
        if (!already) link_.disconnectFromEngine();
        return;
    }
    QProcess* p = process_;
    process_ = nullptr;
    p->disconnect(this);
    if (link_.isConnected()) {
        link_.send(OscOut("/quit").bytes());
        link_.flush(500);
    }
    // The connection stays open until the engine has gone: closed at once, the engine's reply to a
    // request still ahead of /quit (a window closed right after it opened) fails, and the engine drops
    // the connection with /quit unread (it then ran on until killed, 10 s later).
    if (!p->waitForFinished(kQuitWaitMs)) {
        p->kill();
        p->waitForFinished(1000);
    }
    link_.disconnectFromEngine();
    p->deleteLater();
}

QStringList EngineSupervisor::argumentsFor(const QString& audio) const {
    // --owner-pid: the engine we start ends when this GUI ends, a crash or SIGKILL included (an engine
    // we only attached to is not ours and is left alone).
    QStringList args{"--audio",     audio,
                     "--listen",    QStringLiteral("%1:%2").arg(options_.host).arg(options_.port),
                     "--owner-pid", QString::number(QCoreApplication::applicationPid())};
    if (audio == "jack") {
        if (!options_.jackServer.isEmpty()) args << "--jack-server" << options_.jackServer;
        if (!options_.device.isEmpty()) args << "--device" << options_.device;
    } else {
        args << "--rate" << QString::number(options_.sampleRate) << "--period"
             << QString::number(options_.period);
        if (!options_.device.isEmpty()) args << "--device" << options_.device;
    }
    // The engine names a plugin that crashes it there; plugins that crashed one before are not made.
    if (!crash_report_.isEmpty()) args << "--crash-report" << crash_report_;
    if (!exit_reason_.isEmpty()) args << "--exit-reason" << exit_reason_;
    for (const QString& uri : bypassed_) args << "--bypass-plugin" << uri;
    return args + options_.extraArgs;
}

void EngineSupervisor::spawnNext() {
    if (candidates_.isEmpty()) {
        state_ = State::Stopped;
        const QString why = start_failures_.isEmpty() ? last_error_ : start_failures_.join("; ");
        start_failures_.clear();
        emit statusMessage(tr("No engine: tactusd could not start (%1)").arg(why));
        emit engineLost(why);
        emit engineUnavailable(why);
        return;
    }
    const QString audio = candidates_.takeFirst();
    process_ = new QProcess(this);
    // Its output goes straight to ours (and stays there should this GUI die first); why it could not
    // start comes from its --exit-reason file.
    process_->setProcessChannelMode(QProcess::ForwardedChannels);
    connect(process_, &QProcess::finished, this, &EngineSupervisor::onProcessFinished);
    connect(process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) onProcessFinished(-1, QProcess::CrashExit);
    });
    backend_ = audio;
    state_ = State::Spawning;
    since_start_.start();
    emit statusMessage(tr("Starting the engine (%1)").arg(audio));
    process_->start(program(), argumentsFor(audio));
    retry_.start(kConnectRetryMs);
}

void EngineSupervisor::onConnected() {
    // A new process has no document; an engine that stayed up while the connection was down still
    // has it, with whatever other clients did meanwhile.
    const bool started = process_ != nullptr && state_ == State::Spawning;
    if (state_ == State::Stopped) return;
    state_ = State::Connected;
    candidates_.clear();
    if (recovering_) {
        recovering_ = false;
        last_recovery_ms_ = since_loss_.elapsed();
    }
    emit statusMessage(started ? tr("Engine started (%1)").arg(backend_) : tr("Connected to the engine"));
    emit engineReady(started);
}

void EngineSupervisor::onDisconnected(const QString& why) {
    switch (state_) {
        case State::Attaching:
            if (options_.startEngine) {
                start_failures_.clear();
                candidates_ =
                    options_.audio == "auto" ? QStringList{"jack", "default"} : QStringList{options_.audio};
                spawnNext();
            } else {
                retry_.start(kAttachRetryMs);
            }
            break;
        case State::Spawning:
            if (since_start_.elapsed() < kStartupTimeoutMs)
                retry_.start(kConnectRetryMs);
            else if (process_)
                process_->kill();  // hung at start: onProcessFinished tries the next backend
            break;
        case State::Connected:
            last_error_ = why;
            state_ = State::Reconnecting;
            recovering_ = true;
            since_loss_.start();
            emit engineLost(why);
            // Reconnect; if an engine we own has died, onProcessFinished starts a new one instead.
            retry_.start(kAttachRetryMs);
            break;
        case State::Reconnecting:
            // An engine we attached to that has gone for longer than a stop takes is not coming
            // back (its own GUI ended it): start our own, which loads our document.
            if (!process_ && options_.startEngine && since_loss_.elapsed() > kTakeOverAfterMs) {
                start_failures_.clear();
                candidates_ =
                    options_.audio == "auto" ? QStringList{"jack", "default"} : QStringList{options_.audio};
                spawnNext();
            } else {
                retry_.start(kAttachRetryMs);
            }
            break;
        default:
            break;
    }
}

// The engine's own words for why it ended with an error ("jack: cannot connect to …"), or "".
QString EngineSupervisor::takeExitReason() {
    if (exit_reason_.isEmpty()) return {};
    QFile file(exit_reason_);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QString line = QString::fromUtf8(file.readLine(4096)).trimmed();
    file.close();
    file.remove();
    static const QString kAudio = QStringLiteral("tactusd: cannot open audio: ");
    static const QString kOwn = QStringLiteral("tactusd: ");
    if (line.startsWith(kAudio)) return line.mid(kAudio.size());
    if (line.startsWith(kOwn)) return line.mid(kOwn.size());
    return line;
}

// The URI of the plugin the engine that ended crashed in (the report's first line), or "". The file is
// removed, so that a report is read once (the next engine creates it again, empty).
QString EngineSupervisor::takeCrashReport() {
    if (crash_report_.isEmpty()) return {};
    QFile file(crash_report_);
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QString uri = QString::fromUtf8(file.readLine(4096)).trimmed();
    file.close();
    file.remove();
    return uri;
}

void EngineSupervisor::onProcessFinished(int code, QProcess::ExitStatus status) {
    if (!process_) return;
    process_->deleteLater();
    process_ = nullptr;
    if (state_ == State::Stopped) return;
    retry_.stop();
    const QString blamed = takeCrashReport();
    const QString reason = takeExitReason();
    if (state_ == State::Spawning) {  // it could not start with this backend: try the next
        last_error_ =
            !reason.isEmpty() ? reason : tr("tactusd --audio %1 exited with %2").arg(backend_).arg(code);
        start_failures_ << last_error_;
        link_.disconnectFromEngine();
        return spawnNext();
    }
    // It died while we used it: start it again at once with what worked.
    const QString why = !blamed.isEmpty() ? tr("the engine crashed in the LV2 plugin %1").arg(blamed)
                        : status == QProcess::CrashExit ? tr("the engine crashed")
                        : !reason.isEmpty()             ? tr("the engine stopped: %1").arg(reason)
                                                        : tr("the engine exited (%1)").arg(code);
    last_error_ = why;
    if (!recovering_) {
        recovering_ = true;
        since_loss_.start();
        emit engineLost(why);
    }
    // A plugin crashed it: the next engine does not make that plugin (a crash that names none, or one
    // already bypassed, is restarted as it was).
    if (!blamed.isEmpty() && !bypassed_.contains(blamed)) {
        bypassed_ << blamed;
        emit bypassedPluginsChanged();
        emit pluginCrashed(blamed);
    }
    state_ = State::Reconnecting;  // so that the disconnect below is not reported as a second loss
    link_.disconnectFromEngine();
    ++restarts_;
    start_failures_.clear();
    candidates_ = QStringList{backend_};
    spawnNext();
}

}  // namespace tactus::gui
