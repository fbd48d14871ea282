// Turns live MIDI the engine recorded (RecordedMidi, with the score frame each message fell on) into
// edits of the armed track: a note is added when its key is released, at the beat it was pressed
// (snapped to the input quantize grid, if any), if it starts inside the punch range. In replace mode
// the track's old notes are deleted as recording passes over them (from where recording started up to
// each recorded note's end, and up to the stop position at the end).
//
// Threading: control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"
#include "engine/engine_command.h"

namespace tactus {

struct RecordingOptions {
    TrackId track = 0;
    bool replace = false;           // false: overdub
    double quantize_beats = 0.0;    // 0: none
    double punch_in_beat = 0.0;     // notes starting before are not recorded
    double punch_out_beat = 1e300;  // nor from here on
};

class MidiRecorder {
public:
    // `beat_at` converts a score frame to the beat heard there (the current tempo map).
    explicit MidiRecorder(std::function<double(Frame)> beat_at) : beat_at_(std::move(beat_at)) {}

    void start(const RecordingOptions& options);
    // Drops everything held (a new document was loaded).
    void cancel() {
        active_ = false;
        held_.clear();
    }
    bool active() const { return active_; }
    const RecordingOptions& options() const { return options_; }

    // The edits one recorded message makes (none for a key press; a note add on its release). The
    // caller gives `doc` (the current document) so replace mode can find the notes to delete.
    std::vector<Edit> feed(const RecordedMidi& message, const Document& doc);
    // Recording ends (or the transport stopped) at `beat`: notes still held end there.
    std::vector<Edit> finish(double beat, const Document& doc);

private:
    struct Held {
        double beat;
        int velocity;
    };
    std::vector<Edit> note_ended(int channel, int pitch, double end_beat, const Document& doc);
    void erase_until(double beat, const Document& doc, std::vector<Edit>& edits);

    std::function<double(Frame)> beat_at_;
    RecordingOptions options_;
    bool active_ = false;
    std::map<std::pair<int, int>, Held> held_;  // (channel, pitch)
    std::optional<double> erased_from_;         // replace mode: old notes are gone from here...
    double erased_until_ = 0.0;                 // ...to here
};

}  // namespace tactus
