// Small helpers that make test scores read like music: beats(1.5), a track of notes, a tempo map.
#pragma once

#include "core/score.h"

namespace tactus::test {

inline Note note(NoteId id, double start, double length, int pitch = 60, int velocity = 100) {
    Note n;
    n.id = id;
    n.start = start;
    n.length = length;
    n.pitch = pitch;
    n.velocity = velocity;
    return n;
}

inline Track track(TrackId id, std::string preset, std::vector<Note> notes = {}, double pan = 0.0) {
    Track t;
    t.id = id;
    t.name = preset;
    t.preset = std::move(preset);
    t.pan = pan;
    t.notes = std::move(notes);
    return t;
}

inline TempoMap tempo_map(std::vector<TempoPoint> points) {
    std::string error;
    auto map = TempoMap::from_points(std::move(points), &error);
    if (!map) throw std::runtime_error("bad test tempo map: " + error);
    return *map;
}

}  // namespace tactus::test
