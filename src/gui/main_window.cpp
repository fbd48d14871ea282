#include "gui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QToolButton>

#include "core/atomic_file.h"
#include "core/document_json.h"
#include "core/midi_convert.h"
#include "gui/arranger.h"
#include "gui/autosave.h"
#include "gui/bar_beat.h"
#include "gui/engine_link.h"
#include "gui/note_grid.h"
#include "gui/piano_roll.h"
#include "gui/plugin_catalog.h"
#include "gui/plugin_services.h"
#include "gui/render_dialog.h"
#include "gui/roll_state.h"
#include "gui/song_model.h"
#include "gui/track_panel.h"
#include "gui/track_strip.h"
#include "gui/transport_bar.h"
#include "server/edit_journal.h"
#include "server/osc_out.h"

namespace tactus::gui {

namespace {

Document newSong() {
    Document doc;
    doc.title = "Untitled";
    Track t;
    t.id = 1;
    t.name = "Piano";
    t.instrument = "synth";
    t.preset = "pluck";
    doc.tracks.push_back(t);
    return doc;
}

constexpr int kMaxRecent = 8;

// `path` with ".<extensions[0]>" added unless it ends with one of `extensions` (any case): a name typed
// without one would otherwise be a file that nothing opens.
QString withExtension(const QString& path, const QStringList& extensions) {
    const QString suffix = QFileInfo(path).suffix();
    for (const QString& e : extensions)
        if (suffix.compare(e, Qt::CaseInsensitive) == 0) return path;
    return path + "." + extensions.front();
}

}  // namespace

MainWindow::MainWindow(AppOptions options, QWidget* parent)
    : QMainWindow(parent),
      options_(std::move(options)),
      link_(new EngineLink(this)),
      song_(new SongModel(*link_, this)),
      state_(new RollState(this)) {
    prefs_.engine = options_.engine;
    if (options_.useSettings) {
        QSettings s;
        recent_ = s.value("recent").toStringList();
        prefs_.audition = s.value("audition", true).toBool();
        prefs_.follow = FollowMode(s.value("follow", int(FollowMode::Page)).toInt());
    }
    state_->setAuditionEnabled(prefs_.audition);
    state_->setFollowMode(prefs_.follow);

    roll_ = new PianoRoll(*song_, *link_, *state_, this);
    tracks_ = new TrackPanel(*song_, *link_, *state_, this);
    transport_ = new TransportBar(*song_, *link_, *state_, this);
    addToolBar(Qt::TopToolBarArea, transport_);
    // The arranger above the piano roll: the whole song, then the track being edited.
    arranger_ = new Arranger(*song_, *state_, this);
    auto* views = new QSplitter(Qt::Vertical, this);
    views->setObjectName("viewsSplitter");
    views->addWidget(arranger_);
    views->addWidget(roll_);
    views->setStretchFactor(1, 1);
    views->setSizes({170, 600});
    auto* split = new QSplitter(this);
    split->addWidget(tracks_);
    split->addWidget(views);
    split->setStretchFactor(1, 1);
    setCentralWidget(split);
    status_bar_ = new EngineStatusBar(*statusBar());
    supervisor_ = new EngineSupervisor(*link_, options_.engine, this);

    connect(roll_, &PianoRoll::locateRequested, transport_, &TransportBar::locate);
    connect(arranger_, &Arranger::locateRequested, transport_, &TransportBar::locate);
    connect(arranger_, &Arranger::loopRequested, this,
            [this](double b, double e) { transport_->setLoop(true, b, e); });
    connect(arranger_, &Arranger::editRequested, this, &MainWindow::editInPianoRoll);
    connect(roll_, &PianoRoll::loopRequested, this,
            [this](double b, double e) { transport_->setLoop(true, b, e); });
    connect(link_, &EngineLink::packetReceived, song_, &SongModel::onPacket);
    connect(link_, &EngineLink::packetReceived, this, &MainWindow::onPacket);
    connect(link_, &EngineLink::positionReceived, this, &MainWindow::onPosition);
    connect(supervisor_, &EngineSupervisor::engineReady, this, &MainWindow::onEngineReady);
    connect(supervisor_, &EngineSupervisor::engineLost, this, &MainWindow::onEngineLost);
    connect(supervisor_, &EngineSupervisor::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, 5000); });
    connect(supervisor_, &EngineSupervisor::pluginCrashed, this, &MainWindow::onPluginCrashed);
    connect(supervisor_, &EngineSupervisor::engineUnavailable, this, &MainWindow::onEngineUnavailable);
    connect(supervisor_, &EngineSupervisor::bypassedPluginsChanged, this, &MainWindow::refreshBypassed);
    connect(&tracks_->plugins().catalog(), &PluginCatalog::listed, this, &MainWindow::refreshBypassed);
    connect(song_, &SongModel::engineLoaded, this, [this] {
        // After the supervisor's own messages about the restart: the user reads why it happened.
        if (!crash_notice_pending_ || crash_notice_.isEmpty()) return;
        crash_notice_pending_ = false;
        statusBar()->showMessage(crash_notice_, 30000);
    });
    connect(song_, &SongModel::engineRefused, this,
            [this](const QString& text) { statusBar()->showMessage(text, 8000); });
    connect(song_, &SongModel::documentChanged, this, &MainWindow::updateTitle);
    connect(song_, &SongModel::engineLoaded, this, &MainWindow::engineSynced);
    connect(song_, &SongModel::engineLoadFailed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("The engine refused the document: %1").arg(message), 15000);
    });

    bypassed_button_ = new QToolButton(this);
    bypassed_button_->setObjectName("bypassedPlugins");
    bypassed_button_->setAutoRaise(true);
    bypassed_button_->setStyleSheet(QStringLiteral("color: #e05040; font-weight: bold"));
    bypassed_button_->hide();
    statusBar()->addPermanentWidget(bypassed_button_);

    buildMenus();
    connect(bypassed_button_, &QToolButton::clicked, retry_bypassed_, &QAction::trigger);
    refreshBypassed();
    connect(song_, &SongModel::historyChanged, this, [this] {
        undo_->setEnabled(song_->canUndo());
        undo_->setText(song_->canUndo() ? tr("&Undo %1").arg(song_->undoText()) : tr("&Undo"));
        redo_->setEnabled(song_->canRedo());
        redo_->setText(song_->canRedo() ? tr("&Redo %1").arg(song_->redoText()) : tr("&Redo"));
    });

    const QString folder =
        options_.recoveryFolder.isEmpty()
            ? QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + "/recovery"
            : options_.recoveryFolder;
    autosave_ = std::make_unique<Autosave>(folder);
    connect(autosave_.get(), &Autosave::saveFailed, this, [this](const QString& error) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(error), 8000);
    });

    if (options_.document.isEmpty() || !openFile(options_.document)) song_->resetDocument(newSong());
    // Asking waits for the window to be on screen, so the question appears over it and not alone in a
    // corner of the screen; the automatic answers (tests, scripts) are taken at once.
    if (options_.recovery == AppOptions::Recovery::Ask)
        QTimer::singleShot(0, this, &MainWindow::offerRecovery);
    else
        offerRecovery();

    animation_.setTimerType(Qt::PreciseTimer);
    connect(&animation_, &QTimer::timeout, this, &MainWindow::animate);
    animation_.start(16);
    connect(&status_poll_, &QTimer::timeout, this, [this] { link_->send(OscOut("/status").bytes()); });
    status_poll_.start(1000);
    connect(&autosave_timer_, &QTimer::timeout, this, &MainWindow::doAutosave);
    if (options_.autosaveSeconds > 0) autosave_timer_.start(options_.autosaveSeconds * 1000);

    resize(1280, 780);
    updateTitle();
    supervisor_->start();
}

MainWindow::~MainWindow() {
    supervisor_->shutdown();
    if (!song_->isModified()) autosave_->clear();
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New"), QKeySequence::New, this, [this] {
        if (maybeSave()) newDocument();
    });
    file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::open);
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    refreshRecentMenu();
    file->addAction(tr("&Save"), QKeySequence::Save, this, &MainWindow::save);
    file->addAction(tr("Save &As…"), QKeySequence::SaveAs, this, &MainWindow::saveAs);
    file->addSeparator();
    file->addAction(tr("&Import MIDI…"), this, &MainWindow::importMidi);
    file->addAction(tr("&Export MIDI…"), this, &MainWindow::exportMidi);
    file->addAction(tr("&Render to WAV…"), this, &MainWindow::renderToWav);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    undo_ = edit->addAction(tr("&Undo"), QKeySequence::Undo, song_, &SongModel::undo);
    redo_ = edit->addAction(tr("&Redo"), QKeySequence::Redo, song_, &SongModel::redo);
    undo_->setEnabled(false);
    redo_->setEnabled(false);
    edit->addSeparator();
    edit->addAction(tr("Cu&t"), QKeySequence::Cut, roll_, &PianoRoll::cutSelection);
    edit->addAction(tr("&Copy"), QKeySequence::Copy, roll_, &PianoRoll::copySelection);
    edit->addAction(tr("&Paste at cursor"), QKeySequence::Paste, roll_, &PianoRoll::paste);
    edit->addAction(tr("&Delete"), QKeySequence::Delete, roll_, &PianoRoll::deleteSelection);
    edit->addAction(tr("Select &All"), QKeySequence::SelectAll, roll_, &PianoRoll::selectAll);
    edit->addSeparator();
    edit->addAction(tr("&Quantize"), QKeySequence(Qt::Key_Q), roll_, &PianoRoll::quantize);
    edit->addAction(tr("Quantize &with…"), QKeySequence(Qt::SHIFT | Qt::Key_Q), roll_,
                    &PianoRoll::quantizeWithDialog);
    edit->addAction(tr("Transpose up"), QKeySequence(Qt::Key_Up), roll_, [this] { roll_->transpose(1); });
    edit->addAction(tr("Transpose down"), QKeySequence(Qt::Key_Down), roll_,
                    [this] { roll_->transpose(-1); });
    edit->addAction(tr("Octave up"), QKeySequence(Qt::SHIFT | Qt::Key_Up), roll_,
                    [this] { roll_->transpose(12); });
    edit->addAction(tr("Octave down"), QKeySequence(Qt::SHIFT | Qt::Key_Down), roll_,
                    [this] { roll_->transpose(-12); });
    edit->addAction(tr("Nudge later"), QKeySequence(Qt::Key_Right), roll_, [this] { roll_->nudge(1); });
    edit->addAction(tr("Nudge earlier"), QKeySequence(Qt::Key_Left), roll_, [this] { roll_->nudge(-1); });
    edit->addSeparator();
    edit->addAction(tr("Add &Track"), this, [this] { tracks_->addTrack(); });
    edit->addAction(tr("Remove Track"), this, [this] { tracks_->removeCurrentTrack(); });

    QMenu* transport = menuBar()->addMenu(tr("&Transport"));
    transport->addAction(tr("Play / Stop"), QKeySequence(Qt::Key_Space), transport_,
                         &TransportBar::togglePlay);
    transport->addAction(tr("Pause"), transport_, &TransportBar::pause);
    transport->addAction(tr("Go to start"), QKeySequence(Qt::Key_Home), transport_, [this] {
        transport_->locate(0);
        roll_->revealBeat(0);
    });
    transport->addAction(tr("Panic"), QKeySequence(Qt::Key_Escape), transport_, &TransportBar::panic);
    transport->addAction(tr("Resume following"), QKeySequence(Qt::Key_F), this,
                         [this] { state_->resumeFollow(); });
    transport->addSeparator();
    // Markers: jump to the next or previous one from the cursor, or to any by name.
    const auto jumpToMarker = [this](int direction) {
        const double at = state_->cursorBeat();
        std::optional<double> target;
        for (const Marker& m : song_->document().markers)
            if (direction > 0 ? m.beat > at + 1e-9 && (!target || m.beat < *target)
                              : m.beat < at - 1e-9 && (!target || m.beat > *target))
                target = m.beat;
        if (!target) return;
        transport_->locate(*target);
        roll_->revealBeat(*target);
    };
    QAction* next_marker = transport->addAction(tr("Next marker"), QKeySequence(Qt::ALT | Qt::Key_Right),
                                                this, [jumpToMarker] { jumpToMarker(1); });
    next_marker->setObjectName("nextMarker");
    QAction* previous_marker =
        transport->addAction(tr("Previous marker"), QKeySequence(Qt::ALT | Qt::Key_Left), this,
                             [jumpToMarker] { jumpToMarker(-1); });
    previous_marker->setObjectName("previousMarker");
    QMenu* markers = transport->addMenu(tr("&Markers"));
    markers->setObjectName("markersMenu");
    connect(markers, &QMenu::aboutToShow, this, [this, markers] {
        markers->clear();
        const MeterMap meter(song_->document().meter);
        for (const Marker& m : song_->document().markers)
            markers->addAction(
                QStringLiteral("%1   %2").arg(QString::fromStdString(m.name), barBeatText(meter, m.beat)),
                this, [this, beat = m.beat] {
                    transport_->locate(beat);
                    roll_->revealBeat(beat);
                });
        if (markers->isEmpty())
            markers->addAction(tr("(none: add one from the ruler's menu)"))->setEnabled(false);
    });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const auto zoomTime = [this](double factor) {
        state_->setPixelsPerBeat(state_->pixelsPerBeat() * factor, roll_->grid()->width() / 2.0);
    };
    const auto zoomPitch = [this](double factor) {
        state_->setKeyHeight(state_->keyHeight() * factor, roll_->grid()->height() / 2.0);
    };
    // Ctrl+= as well as Ctrl++ (which is Ctrl+Shift+= on most layouts). Pitch zoom stays off Shift: on a
    // US layout Ctrl+Shift+= is Ctrl++, and two actions on one key make Qt fire neither.
    QAction* zoomIn = view->addAction(tr("Zoom in"), this, [zoomTime] { zoomTime(1.25); });
    zoomIn->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Equal), QKeySequence(Qt::CTRL | Qt::Key_Plus)});
    view->addAction(tr("Zoom out"), QKeySequence(Qt::CTRL | Qt::Key_Minus), this,
                    [zoomTime] { zoomTime(0.8); });
    QMenu* follow = view->addMenu(tr("&Follow playback"));
    auto* follow_modes = new QActionGroup(follow);
    for (const auto& [mode, name] :
         {std::pair{FollowMode::Page, tr("By &page")}, std::pair{FollowMode::Continuous, tr("&Centred")},
          std::pair{FollowMode::Off, tr("&Off")}}) {
        QAction* a = follow->addAction(name, this, [this, mode] { state_->setFollowMode(mode); });
        a->setCheckable(true);
        a->setData(int(mode));
        follow_modes->addAction(a);
    }
    const auto showFollowMode = [this, follow_modes] {
        for (QAction* a : follow_modes->actions())
            if (a->data().toInt() == int(state_->followMode()) && !a->isChecked()) a->setChecked(true);
    };
    connect(state_, &RollState::changed, follow, showFollowMode);
    showFollowMode();
    QAction* drum_mode = view->addAction(tr("&Drum mode"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    drum_mode->setObjectName("drumMode");
    drum_mode->setCheckable(true);
    drum_mode->setToolTip(tr("One named row per sound, hits as marks (on by default for drum tracks)"));
    connect(drum_mode, &QAction::triggered, roll_, &PianoRoll::setDrumMode);
    QAction* hide_rows = view->addAction(tr("&Hide unused drum rows"));
    hide_rows->setObjectName("hideUnusedRows");
    hide_rows->setCheckable(true);
    connect(hide_rows, &QAction::triggered, roll_, &PianoRoll::setHideUnusedRows);
    const auto showDrumView = [this, drum_mode, hide_rows] {
        drum_mode->setChecked(roll_->drumMode());
        hide_rows->setChecked(roll_->hidesUnusedRows());
        hide_rows->setEnabled(roll_->drumMode());
    };
    connect(roll_, &PianoRoll::drumViewChanged, this, showDrumView);
    connect(state_, &RollState::trackChanged, this, showDrumView);
    showDrumView();
    view->addAction(tr("Zoom to fit"), QKeySequence(Qt::CTRL | Qt::Key_0), roll_, &PianoRoll::frameSong);
    QAction* show_arranger = view->addAction(tr("&Arranger"));
    show_arranger->setObjectName("showArranger");
    show_arranger->setCheckable(true);
    show_arranger->setChecked(true);
    show_arranger->setToolTip(tr("Every track over the whole song, above the piano roll"));
    connect(show_arranger, &QAction::toggled, arranger_, &QWidget::setVisible);
    view->addAction(tr("Taller keys"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Equal), this,
                    [zoomPitch] { zoomPitch(1.25); });
    view->addAction(tr("Shorter keys"), QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_Minus), this,
                    [zoomPitch] { zoomPitch(0.8); });
    view->addAction(tr("Scroll up"), QKeySequence(Qt::Key_PageUp), this,
                    [this] { state_->setTopPitch(state_->topPitch() + 12); });
    view->addAction(tr("Scroll down"), QKeySequence(Qt::Key_PageDown), this,
                    [this] { state_->setTopPitch(state_->topPitch() - 12); });
    const auto scrollTime = [this](double pages) {
        state_->pauseFollow();
        state_->setLeftBeat(state_->leftBeat() + pages * roll_->grid()->width() / state_->pixelsPerBeat());
    };
    view->addAction(tr("Scroll earlier"), QKeySequence(Qt::CTRL | Qt::Key_Left), this,
                    [scrollTime] { scrollTime(-0.5); });
    view->addAction(tr("Scroll later"), QKeySequence(Qt::CTRL | Qt::Key_Right), this,
                    [scrollTime] { scrollTime(0.5); });

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("&Preferences…"), QKeySequence::Preferences, this, &MainWindow::showPreferences);
    // Plugins that crashed the engine are left out of it until this (or the next start of the GUI).
    retry_bypassed_ = settings->addAction(tr("Retry &Bypassed Plugins"), this, [this] {
        if (supervisor_->bypassedPlugins().isEmpty()) return;
        crash_notice_pending_ = false;
        if (supervisor_->ownsEngine())
            status_bar_->setConnected(false, tr("restarting with the bypassed plugins"));
        supervisor_->retryBypassedPlugins();  // engineReady(true) loads the document again
    });
    retry_bypassed_->setObjectName("retryBypassedPlugins");
}

double MainWindow::cursorBeat() const {
    return state_->cursorBeat();
}

void MainWindow::onEngineReady(bool started) {
    status_bar_->setConnected(true, {});
    link_->subscribePositions(options_.positionRateHz);
    if (!started && joined_engine_ && !song_->needsFullLoad()) {
        // The same engine, back after a dropped connection: it kept the document (and may have
        // other clients' edits); ours made meanwhile go on top. It also kept playing.
        song_->rejoinEngine();
        resume_playing_ = false;
    } else if (started || !options_.document.isEmpty() || song_->isModified() || song_->revision() > 0 ||
               supervisor_->restarts() > 0) {
        song_->loadIntoEngine();
    } else {
        song_->fetchFromEngine();
    }
    joined_engine_ = true;
    transport_->resendState();
    tracks_->resendMaster();
    instruments_.clear();
    link_->send(OscOut("/instruments").bytes());
    link_->send(OscOut("/status").bytes());
    if (resume_playing_) {
        resume_playing_ = false;
        link_->send(OscOut("/play").d(resume_beat_).bytes());
    }
}

// Not a status line that goes by: without an engine nothing sounds, and the user needs to know why
// and what to do. Not modal, so the window stays usable for editing, saving and rendering.
void MainWindow::onEngineUnavailable(const QString& why) {
    auto* box =
        new QMessageBox(QMessageBox::Warning, tr("No audio engine"),
                        tr("The engine could not start, so nothing will sound."), QMessageBox::Ok, this);
    box->setObjectName("engineUnavailable");
    box->setInformativeText(
        tr("%1\n\nStart a JACK server or connect an audio device, then choose it in Settings > Preferences "
           "(the engine starts again). Editing, saving and File > Render to WAV work without one.")
            .arg(why));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setModal(false);
    box->show();
}

void MainWindow::onEngineLost(const QString& why) {
    status_bar_->setConnected(false, why);
    song_->onDisconnected();
    if (clock_.playing()) {
        resume_playing_ = true;
        resume_beat_ = state_->cursorBeat();
    }
    clock_.update(0, state_->cursorBeat(), bpm_, false);
}

QString MainWindow::crashNotice(const QString& uri) const {
    const PluginInfo* plugin = tracks_->plugins().catalog().find(uri);
    const QString which = plugin && !plugin->name.isEmpty() ? tr("%1 (%2)").arg(plugin->name, uri) : uri;
    return tr("The engine crashed in the LV2 plugin %1. It was restarted with that plugin bypassed: its "
              "inserts pass audio through and its instrument tracks are silent.")
        .arg(which);
}

void MainWindow::onPluginCrashed(const QString& uri) {
    crash_notice_ = crashNotice(uri);
    crash_notice_pending_ = true;
    qWarning("tactus-gui: %s", qPrintable(crash_notice_));
    statusBar()->showMessage(crash_notice_, 30000);
    refreshBypassed();
}

void MainWindow::refreshBypassed() {
    const QStringList& bypassed = supervisor_->bypassedPlugins();
    retry_bypassed_->setEnabled(!bypassed.isEmpty());
    bypassed_button_->setVisible(!bypassed.isEmpty());
    if (bypassed.isEmpty()) {
        crash_notice_.clear();
        return;
    }
    crash_notice_ = crashNotice(bypassed.last());  // the plugin's name, once the catalogue has it
    QStringList names, notices;
    for (const QString& uri : bypassed) {
        const PluginInfo* plugin = tracks_->plugins().catalog().find(uri);
        names << (plugin && !plugin->name.isEmpty() ? plugin->name : uri);
        notices << crashNotice(uri);
    }
    bypassed_button_->setText(tr("Bypassed: %1").arg(names.join(", ")));
    bypassed_button_->setToolTip(notices.join('\n') + '\n' +
                                 tr("Click to restart the engine with them (Settings ▸ Retry Bypassed "
                                    "Plugins)."));
}

void MainWindow::onPacket(const OscPacket& packet) {
    for (const OscMessage& m : packet.messages) {
        if (qEnvironmentVariableIsSet("TACTUS_GUI_TRACE"))
            qInfo("engine: %s %s %s", m.address.c_str(), m.types.c_str(),
                  m.args.empty() ? "" : m.args[0].s.c_str());
        if (m.address == "/instrument" && !m.args.empty() && m.args[0].s == "soundfont") {
            // One entry: its dialog lists the presets of any font by name (soundfont_choice.h).
            instruments_ << TrackStrip::soundFontEntry();
        } else if (m.address == "/instrument" && !m.args.empty() && m.args[0].s == "lv2") {
            // One entry: the plugin browser lists the engine's plugins (plugin_browser.h).
            instruments_ << TrackStrip::pluginEntry();
        } else if (m.address == "/instrument" && !m.args.empty()) {
            for (std::size_t i = 1; i < m.args.size(); ++i)
                instruments_ << QString::fromStdString(m.args[0].s + "/" + m.args[i].s);
            if (m.args.size() == 1) instruments_ << QString::fromStdString(m.args[0].s);  // csound: a file
        } else if (m.address == "/status") {
            EngineStatus s;
            if (decodeStatus(m, s)) status_bar_->show(s);
        } else if (m.address == "/reply" && !m.args.empty()) {
            if (m.args[0].s == "/instruments") tracks_->setInstruments(instruments_);
        } else if ((m.address == "/error" || m.address == "/warning") && m.args.size() >= 2 &&
                   m.args[0].s != "/load/json") {
            // A warning: applied, but not all is well (a csound track whose orchestra does not load plays
            // silent).
            statusBar()->showMessage(QString::fromStdString(m.args[0].s + ": " + m.args[1].s), 8000);
        }
    }
}

void MainWindow::onPosition(const PositionReport& report) {
    ++position_reports_;
    clock_.update(report.heard_at_ns, report.beat, report.bpm, report.playing);
    bpm_ = report.bpm;
    const std::int64_t now = CursorClock::nowNs();
    const double elapsed = last_peaks_ns_ ? double(now - last_peaks_ns_) / 1e9 : 0.0;
    last_peaks_ns_ = now;
    tracks_->showPeaks(report, elapsed);
}

void MainWindow::editInPianoRoll(TrackId track, double begin, double end) {
    state_->setCurrentTrack(track);
    const double width = roll_->grid()->width();
    if (end > begin && width > 0)
        state_->setPixelsPerBeat(std::clamp(width / ((end - begin) * 1.1), RollState::kMinPixelsPerBeat,
                                            RollState::kMaxPixelsPerBeat),
                                 0.0);
    state_->setLeftBeat(std::max(0.0, begin - (end - begin) * 0.05));
    state_->pauseFollow();  // the span stays in view until play or the user moves on
    roll_->grid()->setFocus();
}

void MainWindow::animate() {
    const double beat = clock_.beatAt(CursorClock::nowNs());
    roll_->showCursor(beat, clock_.playing());
    if (arranger_->isVisible()) arranger_->showCursor(beat, clock_.playing());
    transport_->showPosition(beat, clock_.playing(), bpm_);
}

void MainWindow::updateTitle() {
    const QString name = !path_.isEmpty() ? QFileInfo(path_).fileName()
                         : !imported_from_.isEmpty()
                             ? tr("%1 (imported)").arg(QFileInfo(imported_from_).fileName())
                             : tr("Untitled");
    setWindowTitle(QStringLiteral("%1%2 — Tactus").arg(name, song_->isModified() ? "*" : ""));
}

bool MainWindow::maybeSave() {
    if (!song_->isModified()) return true;
    const auto answer =
        QMessageBox::warning(this, tr("Unsaved changes"), tr("The document has unsaved changes. Save them?"),
                             QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::newDocument() {
    path_.clear();
    imported_from_.clear();
    song_->endJournal();
    song_->resetDocument(newSong());
    updateTitle();
}

bool MainWindow::openFile(const QString& path, QString* error) {
    LoadResult loaded = load_document_file(path.toStdString());
    if (!loaded.document) {
        QStringList lines;
        for (const LoadError& e : loaded.errors) lines << QString::fromStdString(e.to_string());
        if (error)
            *error = lines.join('\n');
        else
            QMessageBox::critical(this, tr("Cannot open %1").arg(path), lines.join('\n'));
        return false;
    }
    const bool midi =
        path.endsWith(".mid", Qt::CaseInsensitive) || path.endsWith(".midi", Qt::CaseInsensitive);
    // Our own live journal is not a crash's: reopening the file being edited reloads it as saved.
    const bool recovered = !midi && path != song_->journalPath() && offerJournal(path, *loaded.document);
    path_ = midi ? QString() : path;  // a MIDI file is imported, then saved as a document
    imported_from_ = midi ? path : QString();
    song_->endJournal();
    song_->setJournalPath(path_);
    song_->resetDocument(std::move(*loaded.document));
    roll_->frameTrackNotes();
    QTimer::singleShot(0, arranger_, &Arranger::frameSong);  // once its width is known
    if (recovered) {
        song_->markUnsaved();
        journal_recovered_ = path;
    }
    if (!loaded.warnings.empty())
        statusBar()->showMessage(
            tr("Opened with %n warning(s); the first: %1", nullptr, int(loaded.warnings.size()))
                .arg(QString::fromStdString(loaded.warnings.front())),
            15000);
    addRecent(path);
    updateTitle();
    return true;
}

void MainWindow::open() {
    if (!maybeSave()) return;
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open"), {},
        tr("Tactus documents and MIDI files (*.json *.mid *.midi);;Tactus documents (*.json);;"
           "MIDI files (*.mid *.midi)"));
    if (!path.isEmpty()) openFile(path);
}

bool MainWindow::saveTo(const QString& path, QString* error) {
    std::string message;
    if (!save_document_file(song_->snapshot(), path.toStdString(), &message)) {
        if (error)
            *error = QString::fromStdString(message);
        else
            QMessageBox::critical(this, tr("Cannot save"), QString::fromStdString(message));
        return false;
    }
    path_ = path;
    imported_from_.clear();
    song_->markSaved();
    song_->setJournalPath(path);
    song_->journalSaved();  // the saved file is the base of a fresh journal
    autosave_->clear();
    addRecent(path);
    updateTitle();
    return true;
}

bool MainWindow::save() {
    return path_.isEmpty() ? saveAs() : saveTo(path_);
}

bool MainWindow::saveAs() {
    QString path = QFileDialog::getSaveFileName(this, tr("Save as"), suggestedPath("json"),
                                                tr("Tactus documents (*.json)"));
    if (path.isEmpty()) return false;
    if (!path.endsWith(".json")) path += ".json";
    return saveTo(path);
}

void MainWindow::importMidi() {
    if (!maybeSave()) return;
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Import MIDI"), {}, tr("MIDI files (*.mid *.midi)"));
    if (!path.isEmpty()) openFile(path);
}

bool MainWindow::exportMidiTo(const QString& chosen, QString* error) {
    const QString path = withExtension(chosen, {"mid", "midi"});
    const auto bytes = serialise_midi(export_midi(song_->snapshot()).file);
    std::string message;
    if (write_file_atomically(path.toStdString(), std::string(bytes.begin(), bytes.end()), &message)) {
        statusBar()->showMessage(tr("Exported MIDI to %1").arg(path), 10000);
        return true;
    }
    if (error)
        *error = QString::fromStdString(message);
    else
        QMessageBox::critical(this, tr("Cannot export"), QString::fromStdString(message));
    return false;
}

void MainWindow::exportMidi() {
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export MIDI"), suggestedPath("mid"), tr("MIDI files (*.mid)"));
    if (!path.isEmpty()) exportMidiTo(path);
}

// Where a file made from the document goes by default: beside it, with its name and `extension`.
QString MainWindow::suggestedPath(const QString& extension) const {
    const QString& from = path_.isEmpty() ? imported_from_ : path_;  // an imported MIDI file's name
    if (from.isEmpty()) return QStringLiteral("untitled.") + extension;
    const QFileInfo info(from);
    return info.dir().filePath(info.completeBaseName() + "." + extension);
}

void MainWindow::renderToWav() {
    const QString chosen = QFileDialog::getSaveFileName(this, tr("Render to WAV"), suggestedPath("wav"),
                                                        tr("WAV files (*.wav)"));
    if (chosen.isEmpty()) return;
    const QString path = withExtension(chosen, {"wav"});
    RenderDialog dialog(song_->snapshot(), path, options_.cliProgram, this);
    dialog.exec();
    if (dialog.succeeded()) statusBar()->showMessage(tr("Rendered to %1").arg(path), 10000);
}

void MainWindow::showPreferences() {
    prefs_.follow = state_->followMode();  // as chosen meanwhile in View > Follow playback
    PreferencesDialog dialog(prefs_, this);
    if (dialog.exec() != QDialog::Accepted) return;
    const bool restart = dialog.audioChanged();
    prefs_ = dialog.result();
    state_->setAuditionEnabled(prefs_.audition);
    state_->setFollowMode(prefs_.follow);
    if (options_.useSettings) {
        QSettings s;
        s.setValue("audition", prefs_.audition);
        s.setValue("follow", int(prefs_.follow));
        s.setValue("audio", prefs_.engine.audio);
        s.setValue("device", prefs_.engine.device);
        s.setValue("rate", prefs_.engine.sampleRate);
        s.setValue("period", prefs_.engine.period);
        s.setValue("jackServer", prefs_.engine.jackServer);
    }
    if (restart) {
        status_bar_->setConnected(false, tr("restarting with the new audio settings"));
        supervisor_->restart(prefs_.engine);  // engineReady(true) loads the document again
    }
}

bool MainWindow::offerJournal(const QString& path, Document& doc) {
    std::string note;
    auto found = recover_from_journal(path.toStdString(), doc, &note);
    if (!note.empty()) qWarning("%s: %s", qPrintable(path), note.c_str());
    if (!found || found->replay.records_used == 0 || options_.recovery == AppOptions::Recovery::Decline)
        return false;
    if (options_.recovery == AppOptions::Recovery::Ask) {
        const auto answer = QMessageBox::question(
            this, tr("Recover unsaved edits?"),
            tr("Tactus stopped unexpectedly while editing %1.\nIts journal holds %n edit(s) made since it "
               "was last saved. Recover them?",
               nullptr, int(found->replay.batches + found->replay.mixer_changes))
                .arg(path));
        if (answer != QMessageBox::Yes) return false;
    }
    doc = std::move(found->replay.document);
    statusBar()->showMessage(tr("Recovered %n edit(s) from the journal", nullptr, int(found->replay.batches)),
                             15000);
    return true;
}

void MainWindow::offerRecovery() {
    std::vector<RecoveredWork> abandoned = autosave_->abandoned();
    // A journal just recovered holds every edit to that file, synced: its autosaves are older.
    std::erase_if(abandoned, [this](const RecoveredWork& work) {
        const bool older = !journal_recovered_.isEmpty() && work.originalPath == journal_recovered_;
        if (older) Autosave::discard(work);
        return older;
    });
    if (abandoned.empty() || options_.recovery == AppOptions::Recovery::Decline) {
        for (const auto& work : abandoned) Autosave::discard(work);
        return;
    }
    const RecoveredWork& work = abandoned.front();
    if (options_.recovery == AppOptions::Recovery::Ask) {
        const QString from = work.originalPath.isEmpty() ? tr("an unsaved document") : work.originalPath;
        const auto answer = QMessageBox::question(this, tr("Recover unsaved work?"),
                                                  tr("Tactus stopped unexpectedly while editing %1.\nWork "
                                                     "autosaved at %2 can be recovered. Recover it?")
                                                      .arg(from, work.savedAt.toString(Qt::TextDate)));
        if (answer != QMessageBox::Yes) {
            Autosave::discard(work);
            return;
        }
    }
    QString error;
    auto doc = Autosave::load(work, &error);
    if (!doc) {
        QMessageBox::warning(this, tr("Cannot recover"), error);
        return;
    }
    path_ = work.originalPath;
    song_->setJournalPath(path_);
    song_->resetDocument(std::move(*doc));
    song_->markUnsaved();
    Autosave::discard(work);
    doAutosave();
    updateTitle();
}

void MainWindow::doAutosave() {
    if (!song_->isModified()) return;
    // Only the copy is made here; serialising and writing happen on the autosave thread.
    autosave_->saveInBackground(song_->snapshot(), path_);
}

void MainWindow::addRecent(const QString& path) {
    // One entry per file, however it was named ("song.json", "./song.json", a link to it).
    const auto normal = [](const QString& p) {
        const QFileInfo info(p);
        const QString canonical = info.canonicalFilePath();
        return canonical.isEmpty() ? info.absoluteFilePath() : canonical;
    };
    QStringList recent{normal(path)};
    for (const QString& earlier : recent_)
        if (!recent.contains(normal(earlier))) recent.append(normal(earlier));
    while (recent.size() > kMaxRecent) recent.removeLast();
    recent_ = recent;
    if (options_.useSettings) QSettings().setValue("recent", recent_);
    refreshRecentMenu();
}

QStringList MainWindow::recentFiles() const {
    return recent_;
}

void MainWindow::refreshRecentMenu() {
    recent_menu_->clear();
    for (const QString& path : recent_)
        recent_menu_->addAction(path, this, [this, path] {
            if (maybeSave()) openFile(path);
        });
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybeSave()) return event->ignore();
    song_->endJournal();  // saved or discarded: nothing left to recover
    autosave_->clear();
    supervisor_->shutdown();
    event->accept();
}

}  // namespace tactus::gui
