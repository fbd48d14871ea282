// The GUI's copy of the document and its edit history. Every user action becomes one batch of edits
// (core/score_edit.h): applied here at once (the view never waits for the engine), sent to tactusd as
// one bundle (so it applies there all or none), and remembered with its inverse for undo and redo.
//
// Staying in step with the engine: the engine answers each batch with its revision; a batch the engine
// refuses, or another client's batch arriving while ours are in flight, makes the model fetch the
// engine's document (/document) and re-apply what it sent after asking. Edits other clients make are
// pushed to us (/edits/subscribe) and applied as they come. Mixer settings (a track's or a bus's level,
// pan, mute, solo; a send's level; an insert's control) are part of the document but not edits (no
// revision, no undo): set here and in the engine at once; other clients' changes are pushed to us like
// edits. Insert chains, sends and buses themselves are edits (undoable).
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <QString>
#include <QTimer>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/document_editor.h"
#include "server/osc_message.h"

namespace tactus::gui {

class EngineLink;

class SongModel : public QObject {
    Q_OBJECT
public:
    explicit SongModel(EngineLink& link, QObject* parent = nullptr);

    const Document& document() const { return editor_.document(); }
    std::uint64_t revision() const { return editor_.revision(); }
    std::optional<PlacedNote> findNote(NoteId id) const { return editor_.find_note(id); }
    const Track* track(TrackId id) const;
    const Bus* bus(BusId id) const;
    // The insert chain of a track, a bus (by id) or the master (id unused); nullptr for an unknown id.
    const std::vector<Insert>* inserts(InsertOwner owner, std::uint64_t id) const {
        return editor_.inserts_of(owner, id);
    }

    // A user action: applies `edits` as one undoable step named `description`, sends them (with
    // `auditions`, note ids to sound at once, after them in the same bundle). False, with the reason
    // in lastError(), when the edits are invalid; nothing changes then.
    bool apply(std::vector<Edit> edits, const QString& description, std::vector<NoteId> auditions = {});
    bool canUndo() const { return !undo_.empty(); }
    bool canRedo() const { return !redo_.empty(); }
    QString undoText() const { return undo_.empty() ? QString() : undo_.back().description; }
    QString redoText() const { return redo_.empty() ? QString() : redo_.back().description; }
    bool undo();
    bool redo();
    QString lastError() const { return last_error_; }

    // Fresh ids for new notes and tracks (the largest in use, plus one).
    NoteId newNoteId();
    TrackId newTrackId() const;
    BusId newBusId() const;

    // Replaces the document (new, open, import): clears the history and loads it into the engine.
    void resetDocument(Document doc);
    // Sends the whole document to the engine with its revision (after a (re)start of the engine),
    // then, when the document has a file, names it (/journal) so the engine journals every edit
    // beside it (docs/architecture.md, "The edit journal").
    void loadIntoEngine();
    // The file the document continues ("" for none: a new or imported document). Set before
    // resetDocument() so that the load names it.
    void setJournalPath(const QString& documentPath) { journal_path_ = documentPath; }
    QString journalPath() const { return journal_path_; }
    // The document was saved to its file: the engine starts a fresh journal on it.
    void journalSaved();
    // The document's edits were saved or discarded and it is being closed: its journal goes.
    void endJournal();
    // The connection is gone: forgets what was in flight (the next engine gets the whole document).
    void onDisconnected();
    // Asks the engine for its document and adopts it (attaching to an engine that already runs).
    void fetchFromEngine();
    // Back on an engine that kept running while we were away: adopts its document (with what other
    // clients did meanwhile), then applies and sends, in order, the batches and mixer changes made
    // here while disconnected (and those made until its document arrives).
    void rejoinEngine();
    // The engine cannot be rejoined: it must get our whole document (a document was opened while
    // disconnected, a load was in flight at the drop, or the engine refused our load).
    bool needsFullLoad() const { return needs_full_load_; }

    // Mixer (not edits): applied to the engine at once and kept in the document (saved with it).
    struct Mixer {
        double level = 1.0;
        double pan = 0.0;
        bool mute = false;
        bool solo = false;
    };
    Mixer mixer(TrackId id) const;
    void setTrackLevel(TrackId id, double level);
    void setTrackPan(TrackId id, double pan);
    void setTrackMute(TrackId id, bool on);
    void setTrackSolo(TrackId id, bool on);
    // An instrument parameter set live (/track/parameter): kept in the document like the mixer, sent
    // at once (dropped while no engine is connected: the next full load carries the document's value).
    void setTrackParameter(TrackId id, const std::string& name, double value);
    // A bus's mixer (/bus/level, pan, mute, solo), a send's level (/track/send) and one control of an
    // insert (/track|bus|master/insert/parameter): like the track's mixer, kept in the document, sent
    // at once (queued while no engine is connected).
    Mixer busMixer(BusId id) const;
    void setBusLevel(BusId id, double level);
    void setBusPan(BusId id, double pan);
    void setBusMute(BusId id, bool on);
    void setBusSolo(BusId id, bool on);
    void setSendLevel(TrackId track, BusId bus, double level);
    void setInsertParameter(InsertOwner owner, std::uint64_t id, std::size_t insert,
                            const std::string& symbol, double value);
    // A finished mixer gesture (a fader drag from press to release, a knob turn, a typed value, a reset)
    // becomes one undo step: undo sets `before` again, redo `after`, live like the gesture itself.
    struct MixerGesture {
        enum class Control { TrackLevel, TrackPan, BusLevel, BusPan, SendLevel };
        Control control = Control::TrackLevel;
        std::uint64_t id = 0;  // the track (TrackLevel, TrackPan, SendLevel) or bus
        BusId bus = 0;         // SendLevel: the bus sent to
        double before = 0, after = 0;
    };
    void recordMixerGesture(const MixerGesture& gesture);
    // The document as saved, and as a (re)started engine loads it.
    Document snapshot() const { return canonical_document(editor_.document()); }

    // Saved-state tracking for the unsaved-changes prompt and the title's star: the document is as
    // saved when the undo history stands where it stood at the save (undoing back to it counts), no
    // other client changed it since and no mixer change is unsaved.
    bool isModified() const {
        return static_cast<long>(undo_.size()) != saved_depth_ || foreign_changes_ || mixer_modified_;
    }
    void markSaved() {
        saved_depth_ = static_cast<long>(undo_.size()), foreign_changes_ = mixer_modified_ = false;
    }
    void markUnsaved() { saved_depth_ = -1; }  // recovered work: not on disk yet
    // Batches sent that the engine has not yet answered.
    std::size_t pendingBatches() const { return pending_.size(); }
    std::uint64_t resyncs() const { return resyncs_; }

    // Routes a packet from the engine (EngineLink::packetReceived).
    void onPacket(const OscPacket& packet);

signals:
    void documentChanged();  // anything in the document, including the track list
    void tracksChanged();    // tracks added, removed, renamed, moved, re-instrumented, or a new document
    void historyChanged();   // undo/redo availability
    void engineRefused(const QString& message);
    void mixerChanged(TrackId id);  // another client changed a track's mixer settings
    void parameterChanged(TrackId id, const QString& name, double value);  // another client set one
    void busesChanged();                                            // added, removed, renamed, new document
    void busMixerChanged(BusId id);                                 // another client's bus mixer change
    void sendLevelChanged(TrackId track, BusId bus, double level);  // another client moved a send
    // Another client moved an insert's control (`id`: the track or bus; 0 for the master).
    void insertParameterChanged(tactus::InsertOwner owner, std::uint64_t id, int insert,
                                const QString& symbol, double value);
    void engineInSync(std::uint64_t revision);  // the engine answered every batch we sent
    void engineLoaded(std::uint64_t revision);  // the engine took the document loadIntoEngine() sent
    void engineLoadFailed(const QString& message);

private:
    struct Step {
        QString description;
        std::vector<Edit> forward;
        std::vector<Edit> backward;
        std::optional<MixerGesture> mixer;  // set: a mixer gesture, not edits
    };
    void applyMixerGesture(const MixerGesture& gesture, double value);
    struct Pending {
        std::uint64_t revision = 0;  // the revision the engine should answer with
        std::vector<Edit> edits;
        bool auditions = false;  // the bundle also auditions notes (the engine may refuse it for them)
    };
    bool applyLocal(std::vector<Edit>& edits, std::vector<Edit>* inverse);
    bool replay(std::vector<Step>& from, std::vector<Step>& to, bool forward);
    void send(const std::vector<Edit>& edits, const std::vector<NoteId>& auditions);
    void onEditBatchPushed(const OscPacket& packet);
    void onDocument(const OscMessage& message);
    void requestResync();
    // A live setting (not an edit): `apply` sets it in a document; `key` names the setting (a newer value
    // of it replaces one queued while disconnected); `track` the track it belongs to (0: none).
    struct LiveSetting {
        std::string key;
        TrackId track = 0;
        std::function<bool(DocumentEditor&)> apply;
        std::vector<std::uint8_t> message;
    };
    void setLive(LiveSetting setting);
    void setMixer(TrackId id, const MixChange& change, std::vector<std::uint8_t> message);
    void setBusMixer(BusId id, const MixChange& change, std::vector<std::uint8_t> message);
    bool onMixerPushed(const OscMessage& m);
    bool onRoutingPushed(const OscMessage& m);

    EngineLink& link_;
    DocumentEditor editor_;
    std::vector<Step> undo_;
    std::vector<Step> redo_;
    std::deque<Pending> pending_;
    // Batches the engine may not have: made with no engine connected, or in flight when the
    // connection dropped (maybe applied: every edit carries absolute values, so applying one again
    // changes nothing or is refused as already done).
    // Mixer changes made while disconnected wait in the same queue, in order with the edits.
    struct Unsent {
        std::vector<Edit> edits;
        bool maybe_applied = false;
        std::optional<LiveSetting> mixer;  // set: a mixer change, not a batch
    };
    std::vector<Unsent> unsent_;
    bool holding() const;  // nothing goes to the engine now: queue it in unsent_
    void replayUnsent();
    bool rejoining_ = false;        // asked for the document of an engine we rejoin; not here yet
    bool needs_full_load_ = false;  // see needsFullLoad()
    QTimer* resync_timer_ = nullptr;
    bool resync_requested_ = false;
    bool awaiting_load_ = false;
    long saved_depth_ = 0;          // undo steps at the last save (-1: the saved state cannot come back)
    bool foreign_changes_ = false;  // another client (or a resync) changed the document since
    bool mixer_modified_ = false;
    std::uint64_t resyncs_ = 0;
    // Mixer changes sent after asking for the engine's document: that answer may predate them.
    std::vector<std::function<bool(DocumentEditor&)>> mixer_unconfirmed_;
    NoteId next_note_id_ = 1;
    QString last_error_;
    QString journal_path_;
};

// True for a structural edit (its application changes the track list).
bool changesTracks(const Edit& e);
// True for an edit that changes the bus list (added, removed, renamed).
bool changesBuses(const Edit& e);

}  // namespace tactus::gui
