// The timing score of the end-to-end tests: ~20 s of "click" notes, hard left, each followed by exact
// silence, across a tempo jump and a ramp, many of them on positions that fall on exactly .5 frames
// at 48 kHz (where round-half-up decides). And the check that the recorded onsets are on their frames.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/jack_recorder.h"
#include "support/reference_timing.h"
#include "support/score_builder.h"

namespace tactus::test {

// 120 bpm for 10 beats (5 s), a jump to 96 (beats 10..18, 5 s), a ramp 96 -> 144 over beats 18..30
// (6.08 s), then 144 to the end (beat 40, 4.17 s): 20.25 s.
inline const std::vector<RefTempoPoint> kClickTempo = {
    {0, 120, false}, {10, 96, false}, {18, 96, true}, {30, 144, false}};
inline constexpr double kClickScoreBeats = 40.0;

// Four notes a beat, each a 1/16-beat click (the click decays to exact silence within 30 ms; the
// next note is at least 1/8 beat later, >= 52 ms at 144 bpm).
inline Document click_score() {
    std::vector<TempoPoint> points;
    for (const auto& p : kClickTempo) points.push_back({double(p.beat), double(p.bpm), p.ramp});
    Document doc;
    doc.title = "end-to-end click timing";
    doc.tempo = tempo_map(points);
    std::mt19937 rng(20261125);
    std::uniform_int_distribution<int> steps(0, 16), pitch(60, 84);
    std::vector<Note> notes;
    NoteId id = 1;
    for (int slot = 0; slot < int(kClickScoreBeats * 4); ++slot) {
        const double grid = slot / 4.0;
        double start = grid;
        double length = 1.0 / 16;
        if (grid == 10 || grid == 18 || grid == 30) {
            start = grid;  // exactly on a tempo change
        } else if (grid == 29.75) {
            start = 29.8125, length = 0.25;  // starts in the ramp, ends after it (silent by then)
        } else if (grid < 10) {
            // At 120 bpm 1/128 beat is 187.5 frames: odd steps end in exactly .5 frames.
            int k = steps(rng);
            if (id % 2 == 1 && k % 2 == 0) k += 1;
            start = grid + k / 128.0;
        } else if (grid < 18) {
            // At 96 bpm from 5 s, 1/128 beat is 234.375 frames: steps of 4 (mod 8) end in .5 frames.
            int k = steps(rng);
            if (id % 3 == 0) k = (k < 8) ? 4 : 12;
            start = grid + k / 128.0;
        } else {
            start = grid + steps(rng) / 128.0;
        }
        notes.push_back(note(id++, start, length, pitch(rng)));
    }
    doc.tracks.push_back(track(1, "click", notes, -1.0));
    return doc;
}

struct ExpectedOnset {
    std::size_t index = 0;  // note index in the track
    double beat = 0;
    std::int64_t score_frame = 0;
    JackFrame frame = 0;  // JACK frame: play frame + score frame
    std::string what;     // how failure messages name it ("" = note index, beat and score frame)
};

inline std::vector<ExpectedOnset> expected_onsets(const Document& doc,
                                                  const std::vector<RefTempoPoint>& tempo,
                                                  JackFrame play_frame, double rate) {
    const ReferenceTiming ref(tempo);
    std::vector<ExpectedOnset> out;
    const auto& notes = doc.tracks.at(0).notes;
    for (std::size_t i = 0; i < notes.size(); ++i) {
        const std::int64_t f = ref.frame_at(notes[i].start, rate);
        out.push_back({i, notes[i].start, f, play_frame + f, {}});
    }
    return out;
}

// Notes whose exact position lies on x.5 frames (where round-half-up decides).
inline int half_frame_notes(const Document& doc, const std::vector<RefTempoPoint>& tempo, double rate) {
    const ReferenceTiming ref(tempo);
    int n = 0;
    for (const Note& note : doc.tracks.at(0).notes) {
        const long double exact = ref.seconds_at(note.start) * rate;
        if (exact - std::floor(exact) == 0.5L) ++n;
    }
    return n;
}

struct OnsetCheck {
    int observable = 0;                 // notes whose frame and the 64 frames before it were recorded
    int unobservable = 0;               // notes in (or right after) cycles that were lost
    std::int64_t max_error = 0;         // over observable notes: |found - expected| (or the search window)
    std::vector<std::string> failures;  // one line per note off its frame, or onset nobody expected
    std::vector<std::size_t> lost_notes;
};

// Every expected onset whose frame (and the 64 frames before) was recorded must be a recorded onset
// on exactly that frame; every onset recorded in [from, to) must be an expected one. `play_frame` only
// names score frames in messages (0: there is no score).
inline OnsetCheck check_onsets(const JackRecorder& recorder, const std::vector<ExpectedOnset>& expected,
                               JackFrame play_frame, JackFrame from, JackFrame to, int min_silence = 64) {
    OnsetCheck check;
    const OnsetScan scan = recorder.onsets(0, from, min_silence);
    std::vector<JackFrame> found;
    for (JackFrame f : scan.onsets)
        if (f < to) found.push_back(f);
    const JackFrame window = 4800;  // 100 ms: the nearest onset within it is "the" onset of a note
    for (const ExpectedOnset& e : expected) {
        if (e.frame < from || e.frame >= to) continue;
        if (!recorder.recorded(e.frame - min_silence, e.frame + 1)) {
            ++check.unobservable;
            check.lost_notes.push_back(e.index);
            continue;
        }
        ++check.observable;
        auto it = std::lower_bound(found.begin(), found.end(), e.frame);
        JackFrame nearest = -1;
        if (it != found.end()) nearest = *it;
        if (it != found.begin() && (nearest < 0 || e.frame - *(it - 1) < nearest - e.frame))
            nearest = *(it - 1);
        std::ostringstream line;
        if (e.what.empty()) {
            line << "note " << e.index << " (beat " << e.beat << ", score frame " << e.score_frame
                 << "): expected onset at JACK frame " << e.frame << " (play frame " << play_frame << " + "
                 << e.score_frame << "), ";
        } else {
            line << e.what << ": expected onset at JACK frame " << e.frame << ", ";
        }
        if (nearest < 0 || std::abs(nearest - e.frame) > window) {
            check.max_error = std::max(check.max_error, window);
            const auto at = recorder.sample_at(0, e.frame);
            line << "found no onset within " << window << " frames (sample there: " << (at ? *at : 0.0f)
                 << ")";
            check.failures.push_back(line.str());
        } else if (nearest != e.frame) {
            check.max_error = std::max(check.max_error, std::abs(nearest - e.frame));
            line << "found it at " << nearest << " (" << (nearest - e.frame) << " samples)";
            check.failures.push_back(line.str());
        }
    }
    for (JackFrame f : found) {
        const bool known = std::any_of(expected.begin(), expected.end(),
                                       [&](const ExpectedOnset& e) { return e.frame == f; });
        if (!known) {
            std::ostringstream line;
            line << "unexpected onset at JACK frame " << f;
            if (play_frame != 0) line << " (score frame " << (f - play_frame) << ")";
            line << ": nothing was due to start there";
            check.failures.push_back(line.str());
        }
    }
    return check;
}

// The notes of a judged test heard in some round: each round's check adds the notes it could observe.
class HeardNotes {
public:
    explicit HeardNotes(std::size_t notes) : heard_(notes, false) {}
    void add(const OnsetCheck& check) {
        std::vector<bool> lost(heard_.size(), false);
        for (std::size_t i : check.lost_notes) lost[i] = true;
        for (std::size_t i = 0; i < heard_.size(); ++i)
            if (!lost[i] && !heard_[i]) heard_[i] = true, ++count_;
    }
    std::int64_t count() const { return count_; }

private:
    std::vector<bool> heard_;
    std::int64_t count_ = 0;
};

// Every observable onset of `check` on its exact frame: each one off it is a failure, named.
inline void expect_exact_onsets(const OnsetCheck& check, const std::string& during = "") {
    for (const std::string& failure : check.failures) ADD_FAILURE() << failure;
    EXPECT_EQ(check.max_error, 0) << "largest onset error in samples over " << check.observable
                                  << " observable notes" << during;
}

}  // namespace tactus::test
