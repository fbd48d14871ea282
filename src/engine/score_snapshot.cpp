#include "engine/score_snapshot.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace tactus {

namespace {

std::int16_t clamp_pitch(int pitch) {
    return static_cast<std::int16_t>(std::clamp(pitch, 0, 127));
}
std::uint8_t clamp_velocity(int velocity) {
    return static_cast<std::uint8_t>(std::clamp(velocity, 1, 127));
}

bool event_before(const ScoreEvent& a, const ScoreEvent& b) {
    return std::tie(a.frame, a.kind, a.track, a.key, a.controller) <
           std::tie(b.frame, b.kind, b.track, b.key, b.controller);
}

}  // namespace

Frame ScoreSnapshot::score_frame_at_beat(double beat) const {
    return frame_at_seconds(tempo_.seconds_at(beat), sample_rate_);
}

std::shared_ptr<const ScoreSnapshot> ScoreSnapshot::build(const Document& doc, double sample_rate) {
    auto snap = std::make_shared<ScoreSnapshot>();
    snap->sample_rate_ = sample_rate;
    snap->tempo_ = doc.tempo;

    double meter_beat = 0.0;
    for (std::size_t i = 0; i < doc.meter.size(); ++i) {
        const TimeSignature& ts = doc.meter[i];
        const double per_bar = ts.numerator * 4.0 / ts.denominator;
        if (i > 0) {
            const MeterSegment& prev = snap->meter_.back();
            meter_beat = prev.start_beat + (ts.bar - prev.first_bar) * prev.beats_per_bar;
        }
        snap->meter_.push_back({meter_beat, ts.bar, per_bar});
    }
    if (snap->meter_.empty()) snap->meter_.push_back({0.0, 0, 4.0});

    for (std::uint32_t t = 0; t < doc.tracks.size(); ++t) {
        const Track& track = doc.tracks[t];
        for (const Note& note : track.notes) {
            SnapshotNote n;
            n.on = snap->score_frame_at_beat(note.start);
            n.off = note.length > 0.0 ? snap->score_frame_at_beat(note.end()) : n.on;
            n.track = t;
            n.velocity = clamp_velocity(note.velocity);
            n.pitch = clamp_pitch(note.pitch);
            n.cents = static_cast<float>(note.cents);
            n.key = note.id;
            snap->notes_.push_back(n);
            snap->end_frame_ = std::max(snap->end_frame_, n.off);

            ScoreEvent on{n.on, t, ScoreEventKind::NoteOn, n.velocity, n.pitch, n.cents, n.key, 0};
            ScoreEvent off = on;
            off.frame = n.off;
            // A very short note can round to zero frames: it is then a shortest trigger too.
            off.kind = n.off == n.on ? ScoreEventKind::ZeroLengthNoteOff : ScoreEventKind::NoteOff;
            snap->events_.push_back(on);
            snap->events_.push_back(off);
        }
        for (const ControllerEvent& c : track.controllers) {
            ScoreEvent e;
            e.frame = snap->score_frame_at_beat(c.beat);
            e.track = t;
            e.kind = ScoreEventKind::Controller;
            e.controller = static_cast<std::uint32_t>(snap->controllers_.size());
            snap->controllers_.push_back(c);
            snap->events_.push_back(e);
        }
    }
    std::sort(snap->events_.begin(), snap->events_.end(), event_before);
    std::sort(snap->notes_.begin(), snap->notes_.end(),
              [](const SnapshotNote& a, const SnapshotNote& b) { return a.on < b.on; });

    // Chunk index: for chunk c, the notes with on < c*size < off.
    const std::size_t chunks = static_cast<std::size_t>(snap->end_frame_ >> kChunkShift) + 1;
    std::vector<std::vector<std::uint32_t>> per_chunk(chunks);
    for (std::uint32_t i = 0; i < snap->notes_.size(); ++i) {
        const SnapshotNote& n = snap->notes_[i];
        if (n.off <= 0) continue;
        std::size_t first = n.on < 0 ? 0 : static_cast<std::size_t>(n.on >> kChunkShift) + 1;
        for (std::size_t c = first; c < chunks && (Frame(c) << kChunkShift) < n.off; ++c)
            per_chunk[c].push_back(i);
    }
    snap->chunk_begin_.reserve(chunks + 1);
    snap->chunk_begin_.push_back(0);
    for (const auto& list : per_chunk) {
        snap->chunk_notes_.insert(snap->chunk_notes_.end(), list.begin(), list.end());
        snap->chunk_begin_.push_back(static_cast<std::uint32_t>(snap->chunk_notes_.size()));
    }
    return snap;
}

BarPosition ScoreSnapshot::bar_at_beat(double beat) const {
    auto it = std::upper_bound(meter_.begin(), meter_.end(), beat,
                               [](double b, const MeterSegment& m) { return b < m.start_beat; });
    const MeterSegment& m = it == meter_.begin() ? meter_.front() : *(it - 1);
    const double bars = std::floor((beat - m.start_beat) / m.beats_per_bar);
    BarPosition pos;
    pos.bar = m.first_bar + static_cast<int>(bars);
    pos.beat_in_bar = beat - m.start_beat - bars * m.beats_per_bar;
    return pos;
}

std::size_t ScoreSnapshot::first_event_at_or_after(Frame frame) const {
    auto it = std::lower_bound(events_.begin(), events_.end(), frame,
                               [](const ScoreEvent& e, Frame f) { return e.frame < f; });
    return static_cast<std::size_t>(it - events_.begin());
}

}  // namespace tactus
