// An immutable, indexed compilation of a Document for one sample rate: every note-on, note-off and
// controller event with its score frame computed once (timing.md: round half up from exact seconds).
//
// The events live in chunks of a few hundred, each chunk shared (copy-on-write) between snapshots:
// an edit builds a new snapshot that copies only the chunks it touches plus the table of chunk
// pointers, so publishing an edit to a huge score costs a small fraction of a full build.
//
// Threading: built off the audio thread (build() and with_notes_changed() allocate); after that it
// is read-only, and every const method is audio-thread-safe: no allocation, cost O(log chunks +
// result).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/frames.h"
#include "core/meter_map.h"
#include "core/score.h"
#include "engine/automation_lanes.h"
#include "engine/controller_chase.h"
#include "engine/instrument.h"

namespace tactus {

// Order of events that share a frame: a note ending frees its voice before a new one starts on the
// same frame, and a zero-length note's release comes after its own start.
// An automation point's event (the start of its segment) comes last: it changes a mixer control, not
// a voice.
enum class ScoreEventKind : std::uint8_t {
    NoteOff = 0,
    Controller = 1,
    NoteOn = 2,
    ZeroLengthNoteOff = 3,
    Automation = 4
};

struct ScoreEvent {
    Frame frame = 0;
    Frame off = 0;            // NoteOn: the frame its note ends (so a chase needs no other lookup)
    std::uint32_t track = 0;  // the track's slot in the TrackMixer
    ScoreEventKind kind = ScoreEventKind::NoteOn;
    std::uint8_t velocity = 0;
    std::int16_t pitch = 0;
    float cents = 0.0f;
    VoiceKey key = 0;              // the note's id, for note events; Automation: the point's index
    std::uint32_t controller = 0;  // index into ScoreSnapshot::controllers(), for Controller events;
                                   // Automation: the lane's index in automation().lanes()

    friend bool operator==(const ScoreEvent&, const ScoreEvent&) = default;
};

struct SnapshotNote {
    Frame on = 0;
    Frame off = 0;
    std::uint32_t track = 0;
    std::uint8_t velocity = 0;
    std::int16_t pitch = 0;
    float cents = 0.0f;
    VoiceKey key = 0;

    friend bool operator==(const SnapshotNote&, const SnapshotNote&) = default;
};

// The events with frames in [start, next chunk's start), sorted, and the notes sounding across
// `start` (on < start < off) for chasing.
struct EventChunk {
    Frame start = 0;
    std::vector<ScoreEvent> events;
    std::vector<SnapshotNote> sounding;
};

// A position in the event sequence. Valid for the snapshot that made it.
struct EventCursor {
    std::size_t chunk = 0;
    std::size_t index = 0;
};

class ScoreSnapshot {
public:
    // Chunks are split when an edit grows them past this many events.
    static constexpr std::size_t kMaxChunkEvents = 512;

    // Compiles `doc` at `sample_rate`. The document must already be valid (see document_json.h).
    // `track_slots[i]` is the mixer slot of document track i (default: slot i), `bus_slots[i]` the
    // same for bus i.
    static std::shared_ptr<const ScoreSnapshot> build(const Document& doc, double sample_rate,
                                                      std::span<const std::uint32_t> track_slots = {},
                                                      std::span<const std::uint32_t> bus_slots = {});

    // `note` of the track in `slot`, compiled with this snapshot's tempo map and rate.
    SnapshotNote compile(const Note& note, std::uint32_t slot) const;
    // A new snapshot without `removed` and with `added` (each compiled by compile()); every chunk
    // it does not touch is shared with this one. Equal, event for event, to a build() of the
    // edited document. `removed` notes must be in this snapshot.
    std::shared_ptr<const ScoreSnapshot> with_notes_changed(std::span<const SnapshotNote> removed,
                                                            std::span<const SnapshotNote> added) const;

    double sample_rate() const { return sample_rate_; }
    const TempoMap& tempo() const { return tempo_; }
    std::span<const ControllerEvent> controllers() const { return *controllers_; }
    // The controller state a locate or loop wrap to `frame` must chase (engine/controller_chase.h).
    const ControllerChase& controller_chase() const { return *chase_; }
    // The automation lanes, by mixer control; each point is also an Automation event on its frame.
    const CompiledAutomation& automation() const { return *automation_; }
    std::size_t chunk_count() const { return chunks_.size(); }
    const EventChunk& chunk(std::size_t i) const { return *chunks_[i]; }

    // The first event whose frame is >= frame.
    EventCursor first_event_at_or_after(Frame frame) const;
    // The event at `cursor` (moved past exhausted chunks), or nullptr after the last one.
    const ScoreEvent* event_at(EventCursor& cursor) const {
        while (cursor.chunk < chunks_.size()) {
            const auto& events = chunks_[cursor.chunk]->events;
            if (cursor.index < events.size()) return &events[cursor.index];
            ++cursor.chunk;
            cursor.index = 0;
        }
        return nullptr;
    }
    // Calls fn(const ScoreEvent&) for every event in order.
    template <class Fn>
    void for_each_event(Fn&& fn) const {
        for (const auto& c : chunks_)
            for (const ScoreEvent& e : c->events) fn(e);
    }

    // Frame at which the last note ends (0 for an empty score).
    Frame end_frame() const { return end_frame_; }

    // Calls fn(const SnapshotNote&) for every note that started before `frame` and ends after it:
    // the notes a locate or loop wrap to `frame` must chase. Notes starting exactly at `frame` are
    // not included: they are ordinary events of the block that starts there.
    template <class Fn>
    void for_each_note_sounding_at(Frame frame, Fn&& fn) const;

    Frame score_frame_at_beat(double beat) const { return tempo_.frame_at_beat(beat, sample_rate_); }
    // The (fractional) beat heard at a score frame; the exact beat of a fine grid when one falls on
    // this frame, so positions round-trip (TempoMap::beat_at_frame).
    double beat_at_score_frame(Frame frame) const { return tempo_.beat_at_frame(frame, sample_rate_); }
    // The beat at the frame's exact time, not rounded to a grid: for re-anchoring (a tempo change
    // keeps the beat being heard, timing.md), where half a frame of rounding would move every later note.
    double exact_beat_at_score_frame(Frame frame) const {
        return tempo_.beat_at(double(frame) / sample_rate_);
    }
    // Bars and beats of the meter; beats before 0 count back in the first meter.
    BarPosition bar_at_beat(double beat) const;

private:
    std::size_t chunk_index_at(Frame frame) const {
        return static_cast<std::size_t>(std::upper_bound(chunk_starts_.begin(), chunk_starts_.end(), frame) -
                                        chunk_starts_.begin()) -
               1;
    }
    void update_end_frame();

    double sample_rate_ = 48000.0;
    TempoMap tempo_;
    MeterMap meter_;
    std::shared_ptr<const std::vector<ControllerEvent>> controllers_;
    std::shared_ptr<const ControllerChase> chase_ = std::make_shared<const ControllerChase>();
    std::shared_ptr<const CompiledAutomation> automation_ = std::make_shared<const CompiledAutomation>();
    std::vector<std::shared_ptr<const EventChunk>> chunks_;  // chunk 0 starts before any frame
    std::vector<Frame> chunk_starts_;                        // chunks_[i]->start, for binary search
    Frame end_frame_ = 0;

    friend class SnapshotEditor;
};

inline SnapshotNote note_of(const ScoreEvent& on) {
    return {on.frame, on.off, on.track, on.velocity, on.pitch, on.cents, on.key};
}

template <class Fn>
void ScoreSnapshot::for_each_note_sounding_at(Frame frame, Fn&& fn) const {
    const EventChunk& c = *chunks_[chunk_index_at(frame)];
    for (const SnapshotNote& n : c.sounding)
        if (n.off > frame) fn(n);
    for (const ScoreEvent& e : c.events) {
        if (e.frame >= frame) break;
        if (e.kind == ScoreEventKind::NoteOn && e.off > frame) fn(note_of(e));
    }
}

}  // namespace tactus
