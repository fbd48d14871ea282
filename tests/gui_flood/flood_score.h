// The score the GUI flood plays: eight 1/16-beat clicks a second at 120 bpm on track 1 (hard left,
// each followed by exact silence), for as long as asked. Each click sits on the 1/4-beat grid plus
// k/128 beat (k in 0..16); at 120 bpm 1/128 beat is 187.5 frames, so odd k put it on exactly .5
// frames, where round-half-up decides. Track 2 is the one the GUI's piano roll edits under the flood:
// empty at first and muted, so what the drags draw and move never sounds. Track 3 is where the
// negative control's classic scheduler plays track 1's notes (track 1 is then muted instead).
#pragma once

#include <random>
#include <vector>

#include "jack/click_score.h"
#include "support/score_builder.h"

namespace tactus::test {

inline constexpr TrackId kClickTrack = 1;
inline constexpr TrackId kEditedTrack = 2;
inline constexpr TrackId kClassicTrack = 3;
inline const std::vector<RefTempoPoint> kFloodTempo = {{0, 120, false}};

// `seconds` of clicks from beat 1 (half a second of lead-in). `classic`: track 1 muted, track 3 not.
inline Document flood_score(double seconds, bool classic) {
    Document doc;
    doc.title = "GUI flood click timing";
    doc.tempo = tempo_map({{0, 120, false}});
    std::mt19937 rng(20260214);
    std::uniform_int_distribution<int> steps(0, 16), pitch(60, 84);
    std::vector<Note> notes;
    const int slots = int(seconds * 8);
    for (int slot = 0; slot < slots; ++slot)
        notes.push_back(note(NoteId(slot + 1), 1.0 + slot / 4.0 + steps(rng) / 128.0, 1.0 / 16, pitch(rng)));
    Track clicks = track(kClickTrack, "click", notes, -1.0);
    clicks.mute = classic;
    Track edited = track(kEditedTrack, "pluck");
    edited.name = "edited under the flood (muted)";
    edited.mute = true;
    Track played = track(kClassicTrack, "click", {}, -1.0);
    played.name = "classic scheduler output";
    played.mute = !classic;
    doc.tracks = {clicks, edited, played};
    return doc;
}

}  // namespace tactus::test
