// The live document and its edits: applies a batch of edits all or none, bumps the revision once per
// batch, keeps a log of recent batches (so a client can catch up from revision N), and reports what
// each batch changed so the engine can republish only that.
//
// The log is bounded in bytes, not batches: each batch's memory is estimated (estimated_bytes) and
// the oldest batches are dropped once the log holds more than log_byte_limit() (kLogBytes by
// default). The newest batch is always kept, however large, so last_batch() is there after apply().
//
// Automation lanes (Document::automation) are kept sorted by target (automation_target_less), on reset
// and on every edit, so that a lane removed and put back (an undo) lands where it was and equal
// content is an equal document. A lane goes with its track or bus, and a track's "send:BUS" lane with
// that bus. A send lane is allowed for a send the track does not have (yet): it stays silent until
// the send is there.
//
// Cost per edited note is O(1) on average (notes are found through an id index; a delete moves the
// track's last note into the hole, so note order within a track is not kept; documents are compared
// and written with notes in canonical order, see canonical_document()).
//
// Threading: one owner thread (the control thread); not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"

namespace tactus {

struct PlacedNote {
    TrackId track = 0;
    Note note;
    friend bool operator==(const PlacedNote&, const PlacedNote&) = default;
};

// What a batch changed, net: a note edited twice appears once, as it was and as it is now.
struct EditEffect {
    std::vector<PlacedNote> removed;  // notes as they were before the batch (deleted or changed)
    std::vector<PlacedNote> added;    // notes as they are after it (added or changed)
    bool tempo_changed = false;
    bool meter_changed = false;
    bool tracks_changed = false;               // added, removed or moved
    bool controllers_changed = false;          // some track's controller events replaced or moved
    std::vector<TrackId> instruments_changed;  // tracks added or given another instrument/preset
    std::vector<TrackId> tracks_removed;
    std::vector<BusId> buses_changed;  // added, or given other inserts
    std::vector<BusId> buses_removed;
    bool routing_changed = false;  // sends, buses or the master chain changed: the mixer is rebuilt
    bool master_changed = false;   // the master's insert chain was replaced
    // Some automation lane was set, made or removed (by automation/set, or with its track or bus), or
    // its points moved (time/shift): the score's automation is rebuilt.
    bool automation_changed = false;
};

// A mixer setting of one track (the fields given). Not an edit: no revision, not logged.
struct MixChange {
    std::optional<double> level{};
    std::optional<double> pan{};
    std::optional<bool> mute{};
    std::optional<bool> solo{};
};

// Checks a track's instrument and preset (the engine knows which exist); returns an error or "".
using InstrumentCheck = std::function<std::string(const Track&)>;

// The memory a logged batch holds (the batch, its edits and what they own on the heap), estimated
// from sizes and capacities; what the edit log's byte bound counts.
std::size_t estimated_bytes(const EditBatch& batch);

class DocumentEditor {
public:
    // The edit log's default bound: 64 MiB, e.g. about 330,000 note edits (an Edit takes ~200 bytes).
    static constexpr std::size_t kLogBytes = 64u << 20;

    DocumentEditor() = default;
    explicit DocumentEditor(Document doc) { reset(std::move(doc)); }

    // Replaces the document (a load); the log restarts at its revision. Automation lanes are put in
    // their order and each lane's points sorted by beat (stable).
    void reset(Document doc);
    const Document& document() const { return doc_; }
    std::uint64_t revision() const { return doc_.revision; }

    // Applies `edits` in order, all or none. A NoteAdd with id 0 gets a fresh id (written back into
    // the logged batch). On success the revision goes up by one and the batch is logged; on failure
    // the document and revision are unchanged and `error` names the edit ("edit 2 of 3
    // (note/move): no note with id 17").
    bool apply(std::vector<Edit> edits, EditEffect* effect, std::string* error,
               const InstrumentCheck& check_instrument = {});

    // Records a live mixer change (level, pan, mute, solo) in the document, so that what is saved,
    // dumped or given to a new instrument of the track is what is heard. Mixer moves are not edits:
    // they neither bump the revision nor enter the log. False for an unknown track. Values are the
    // caller's to check (the protocol's ranges).
    bool set_mix(TrackId id, const MixChange& change);
    // The same for a bus, and for the level of a track's send to a bus (false: no such send).
    bool set_bus_mix(BusId id, const MixChange& change);
    bool set_send_level(TrackId track, BusId bus, double level);
    // The same for a control of an insert (`id`: the track or bus; unused for the master).
    bool set_insert_parameter(InsertOwner owner, std::uint64_t id, std::size_t insert,
                              const std::string& symbol, double value);
    // The insert chain of a track, a bus or the master, or nullptr for an unknown id.
    const std::vector<Insert>* inserts_of(InsertOwner owner, std::uint64_t id) const;
    // The same for a live parameter change (/track/parameter): recorded in the track, not an edit.
    bool set_parameter(TrackId id, const std::string& name, double value);

    // The batches after `revision`, oldest first; nullopt when the log no longer reaches back that
    // far (or `revision` is ahead of the document): fetch the whole document instead.
    std::optional<std::vector<const EditBatch*>> batches_since(std::uint64_t revision) const;
    const EditBatch* last_batch() const { return log_.empty() ? nullptr : &log_.back(); }
    // The log's bound and what it holds now (estimated_bytes of each batch, summed).
    std::size_t log_byte_limit() const { return log_byte_limit_; }
    void set_log_byte_limit(std::size_t bytes);
    std::size_t log_bytes() const { return log_bytes_; }
    std::size_t log_batches() const { return log_.size(); }

    // A note and its track, or nullopt.
    std::optional<PlacedNote> find_note(NoteId id) const;
    std::optional<std::size_t> track_position(TrackId id) const;
    std::optional<std::size_t> bus_position(BusId id) const;

private:
    struct Location {
        TrackId track = 0;
        std::size_t index = 0;
    };
    std::string apply_one(Edit& e);
    std::string shift_time(const edit::TimeShift& shift);  // time/shift
    Track* track_by_id(TrackId id);
    Bus* bus_by_id(BusId id);
    std::string check_sends(const std::vector<Send>& sends) const;
    // Positions of the tracks from `from` on (the ones before it have not moved): an append is O(1).
    void reindex_tracks(std::size_t from = 0);
    // Journaled primitives: each pushes its own undo.
    void push_note(TrackId track, const Note& note);
    void erase_note(NoteId id);
    void set_note(NoteId id, const Note& note);
    void insert_track(std::size_t position, Track track);
    Track take_track(std::size_t position);
    // Replaces the points of the lane of `target` (points sorted; none: the lane goes).
    void set_lane(const AutomationTarget& target, std::vector<AutomationPoint> points);
    // Removes the lanes whose target `which` picks; true when there were any.
    bool remove_lanes(const std::function<bool(const AutomationTarget&)>& which);
    void touch(NoteId id);
    void trim_log();  // drops the oldest batches beyond the byte bound, never the newest

    Document doc_;
    std::unordered_map<NoteId, Location> notes_;
    std::unordered_map<TrackId, std::size_t> tracks_;
    NoteId next_note_id_ = 1;
    std::deque<EditBatch> log_;
    std::deque<std::size_t> log_sizes_;  // estimated_bytes of each batch in log_
    std::size_t log_bytes_ = 0;
    std::size_t log_byte_limit_ = kLogBytes;
    std::uint64_t log_base_ = 0;  // the revision the log starts after

    // State of the batch being applied.
    std::vector<std::function<void()>> undo_;
    std::unordered_map<NoteId, std::optional<PlacedNote>> before_;
    EditEffect* effect_ = nullptr;
    const InstrumentCheck* check_instrument_ = nullptr;
};

// `doc` with every track's notes sorted by (start, id) and its automation lanes by target: the form
// documents are written and compared in.
Document canonical_document(Document doc);

}  // namespace tactus
