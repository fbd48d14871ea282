// The GUI benchmarks' big song: 64 tracks of 10,000 sixteenth notes each (2,500 beats), pitches at
// random in 36..96 (seeded: the same song every run).
#pragma once

#include <random>
#include <string>

#include "core/score.h"

namespace tactus::bench {

inline Document bigSong() {
    Document doc;
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> pitch(36, 96);
    NoteId id = 1;
    for (TrackId t = 1; t <= 64; ++t) {
        Track track;
        track.id = t;
        track.name = "Track " + std::to_string(t);
        for (int i = 0; i < 10'000; ++i)
            track.notes.push_back(Note{id++, i * 0.25, 0.25, pitch(rng), 0.0, 100});
        doc.tracks.push_back(std::move(track));
    }
    return doc;
}

}  // namespace tactus::bench
