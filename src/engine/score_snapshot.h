// An immutable, indexed compilation of a Document for one sample rate: every note-on, note-off and
// controller event with its score frame computed once (timing.md: round half up from exact seconds).
//
// Threading: built off the audio thread (build() allocates); after that it is read-only, and every
// const method is audio-thread-safe: no allocation, cost O(log events + result).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/frames.h"
#include "core/score.h"
#include "engine/instrument.h"

namespace tactus {

// Order of events that share a frame: a note ending frees its voice before a new one starts on the
// same frame, and a zero-length note's release comes after its own start.
enum class ScoreEventKind : std::uint8_t { NoteOff = 0, Controller = 1, NoteOn = 2, ZeroLengthNoteOff = 3 };

struct ScoreEvent {
    Frame frame = 0;
    std::uint32_t track = 0;  // the track's index in the document (and in the TrackMixer)
    ScoreEventKind kind = ScoreEventKind::NoteOn;
    std::uint8_t velocity = 0;
    std::int16_t pitch = 0;
    float cents = 0.0f;
    VoiceKey key = 0;              // the note's id, for note events
    std::uint32_t controller = 0;  // index into ScoreSnapshot::controllers(), for Controller events
};

struct SnapshotNote {
    Frame on = 0;
    Frame off = 0;
    std::uint32_t track = 0;
    std::uint8_t velocity = 0;
    std::int16_t pitch = 0;
    float cents = 0.0f;
    VoiceKey key = 0;
};

// A run of bars of one meter, from `start_beat` (bar `first_bar`) on.
struct MeterSegment {
    double start_beat = 0.0;
    int first_bar = 0;
    double beats_per_bar = 4.0;  // in quarter-note beats: 6/8 has 3
};

struct BarPosition {
    int bar = 0;               // 0-based
    double beat_in_bar = 0.0;  // 0-based, in beats
};

class ScoreSnapshot {
public:
    // Compiles `doc` at `sample_rate`. The document must already be valid (see document_json.h).
    static std::shared_ptr<const ScoreSnapshot> build(const Document& doc, double sample_rate);

    double sample_rate() const { return sample_rate_; }
    const TempoMap& tempo() const { return tempo_; }
    std::span<const ScoreEvent> events() const { return events_; }
    std::span<const ControllerEvent> controllers() const { return controllers_; }
    std::span<const SnapshotNote> notes() const { return notes_; }  // sorted by `on`

    // Index of the first event whose frame is >= frame.
    std::size_t first_event_at_or_after(Frame frame) const;
    // Frame at which the last note ends (0 for an empty score).
    Frame end_frame() const { return end_frame_; }

    // Calls fn(const SnapshotNote&) for every note that started before `frame` and ends after it:
    // the notes a locate or loop wrap to `frame` must chase. Notes starting exactly at `frame` are
    // not included: they are ordinary events of the block that starts there.
    template <class Fn>
    void for_each_note_sounding_at(Frame frame, Fn&& fn) const;

    Frame score_frame_at_beat(double beat) const;
    // The (fractional) beat heard at a score frame.
    double beat_at_score_frame(Frame frame) const { return tempo_.beat_at(double(frame) / sample_rate_); }
    // Bars and beats of the meter; beats before 0 count back in the first meter.
    BarPosition bar_at_beat(double beat) const;

private:
    // Notes sounding across each chunk boundary are listed per chunk, so a chase query scans one
    // chunk's list plus the notes starting inside that chunk: independent of score length.
    static constexpr int kChunkShift = 16;  // 65536 frames, ~1.4 s at 48 kHz

    double sample_rate_ = 48000.0;
    TempoMap tempo_;
    std::vector<MeterSegment> meter_;
    std::vector<ScoreEvent> events_;
    std::vector<ControllerEvent> controllers_;
    std::vector<SnapshotNote> notes_;
    std::vector<std::uint32_t> chunk_begin_;  // offsets into chunk_notes_, one past per chunk
    std::vector<std::uint32_t> chunk_notes_;  // note indices sounding at each chunk's first frame
    Frame end_frame_ = 0;
};

template <class Fn>
void ScoreSnapshot::for_each_note_sounding_at(Frame frame, Fn&& fn) const {
    if (frame < 0 || notes_.empty()) return;
    const std::size_t chunk = static_cast<std::size_t>(frame >> kChunkShift);
    if (chunk + 1 >= chunk_begin_.size()) return;  // past the last note's end
    const Frame chunk_start = Frame(chunk) << kChunkShift;
    // Notes that cross the chunk's first frame (started before it).
    for (std::uint32_t i = chunk_begin_[chunk]; i < chunk_begin_[chunk + 1]; ++i) {
        const SnapshotNote& n = notes_[chunk_notes_[i]];
        if (n.on < frame && n.off > frame) fn(n);
    }
    // Notes that start inside the chunk, before `frame`.
    auto first = std::lower_bound(notes_.begin(), notes_.end(), chunk_start,
                                  [](const SnapshotNote& n, Frame f) { return n.on < f; });
    for (auto it = first; it != notes_.end() && it->on < frame; ++it)
        if (it->on >= chunk_start && it->off > frame) fn(*it);
}

}  // namespace tactus
