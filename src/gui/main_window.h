// The Tactus desktop window: piano roll, track panel and mixer, transport, menus and status bar,
// around one EngineLink to tactusd (started and watched by EngineSupervisor). The GUI is a client of
// the protocol only: it includes no engine code, and nothing it does makes the engine wait.
#pragma once

#include <QMainWindow>
#include <QTimer>
#include <memory>

#include "gui/cursor_clock.h"
#include "gui/engine_status_bar.h"
#include "gui/engine_supervisor.h"
#include "gui/preferences_dialog.h"

class QAction;
class QMenu;
class QToolButton;

namespace tactus::gui {

class Autosave;
class EngineLink;
class Arranger;
class PianoRoll;
class RollState;
class SongModel;
class TrackPanel;
class TransportBar;
struct PositionReport;

struct AppOptions {
    EngineOptions engine;
    QString document;        // opened at start; "" = a new document
    QString recoveryFolder;  // "" = the user's data folder
    int autosaveSeconds = 30;
    enum class Recovery { Ask, Accept, Decline } recovery = Recovery::Ask;
    double positionRateHz = 60.0;
    bool useSettings = true;  // read and write QSettings (tests turn this off)
    QString cliProgram;       // the `tactus` command used to render ("" = next to this program)
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(AppOptions options, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Opens a document (JSON or MIDI); false with a message box (or `error`) when it cannot.
    bool openFile(const QString& path, QString* error = nullptr);
    bool saveTo(const QString& path, QString* error = nullptr);
    // The document as a Standard MIDI File (format 1, 480 PPQ), at `path` with ".mid" added when it has
    // no MIDI extension; the status bar says where it went.
    bool exportMidiTo(const QString& path, QString* error = nullptr);
    QString currentPath() const { return path_; }
    // The recent files (File > Open Recent), newest first, one entry per file.
    QStringList recentFiles() const;

    SongModel& song() const { return *song_; }
    EngineLink& link() const { return *link_; }
    RollState& rollState() const { return *state_; }
    PianoRoll& pianoRoll() const { return *roll_; }
    Arranger& arranger() const { return *arranger_; }
    TrackPanel& trackPanel() const { return *tracks_; }
    TransportBar& transport() const { return *transport_; }
    EngineSupervisor& supervisor() const { return *supervisor_; }
    const EngineStatus& engineStatus() const { return status_bar_->last(); }
    Autosave& autosave() const { return *autosave_; }
    // What the user was told about the last plugin that crashed the engine (the engine was restarted
    // with it bypassed); "" when no plugin is bypassed.
    QString pluginCrashNotice() const { return crash_notice_; }
    QAction& retryBypassedAction() const { return *retry_bypassed_; }
    double cursorBeat() const;
    std::uint64_t positionReports() const { return position_reports_; }

signals:
    // The engine holds our document (after a start, a restart or a load), at this revision.
    void engineSynced(std::uint64_t revision);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildMenus();
    void onEngineReady(bool started);
    void onEngineUnavailable(const QString& why);
    void onEngineLost(const QString& why);
    void onPluginCrashed(const QString& uri);
    // The message for a plugin that crashed the engine, named as the engine's plugin list has it.
    QString crashNotice(const QString& uri) const;
    void refreshBypassed();  // the status bar's bypass button and the retry action
    void onPacket(const OscPacket& packet);
    void onPosition(const PositionReport& report);
    // The arranger's double-click: `track` in the piano roll, the span [begin, end) filling its width.
    void editInPianoRoll(TrackId track, double begin, double end);
    void animate();
    void updateTitle();
    bool maybeSave();
    void newDocument();
    void open();
    bool save();
    bool saveAs();
    void importMidi();
    void exportMidi();
    void renderToWav();
    QString suggestedPath(const QString& extension) const;
    void showPreferences();
    void offerRecovery();
    // A journal beside the file `path` (holding `doc`) left by a crash: offered, and on accept `doc`
    // becomes the state it recovers. True when it was taken.
    bool offerJournal(const QString& path, Document& doc);
    void doAutosave();
    void addRecent(const QString& path);
    void refreshRecentMenu();

    AppOptions options_;
    Preferences prefs_;
    EngineLink* link_;
    SongModel* song_;
    RollState* state_;
    EngineSupervisor* supervisor_;
    PianoRoll* roll_;
    Arranger* arranger_;
    TrackPanel* tracks_;
    TransportBar* transport_;
    EngineStatusBar* status_bar_;
    std::unique_ptr<Autosave> autosave_;
    QString path_;
    QString imported_from_;
    QStringList recent_;  // newest first (kept in QSettings when options_.useSettings)  // the MIDI file the
                          // document was imported from, until it is saved
    QString journal_recovered_;  // the file whose journal was taken (its autosaves are older)
    QMenu* recent_menu_ = nullptr;
    QAction* undo_ = nullptr;
    QAction* redo_ = nullptr;
    QAction* retry_bypassed_ = nullptr;
    QToolButton* bypassed_button_ = nullptr;  // in the status bar while plugins are bypassed
    QString crash_notice_;
    bool crash_notice_pending_ = false;  // shown again once the restarted engine holds the document
    QTimer animation_;
    QTimer status_poll_;
    QTimer autosave_timer_;
    CursorClock clock_;
    double bpm_ = 120.0;
    std::int64_t last_peaks_ns_ = 0;
    std::uint64_t position_reports_ = 0;
    bool resume_playing_ = false;  // the engine died while playing: play again where it was
    bool joined_engine_ = false;   // an engine has had our document (a later attach is a rejoin)
    double resume_beat_ = 0.0;
    QStringList instruments_;
};

}  // namespace tactus::gui
