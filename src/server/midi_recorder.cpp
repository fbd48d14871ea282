#include "server/midi_recorder.h"

#include <algorithm>
#include <cmath>

namespace tactus {

void MidiRecorder::start(const RecordingOptions& options) {
    options_ = options;
    active_ = true;
    held_.clear();
    erased_from_.reset();
    erased_until_ = 0.0;
}

std::vector<Edit> MidiRecorder::feed(const RecordedMidi& message, const Document& doc) {
    if (!active_ || message.size < 3) return {};
    const int type = message.bytes[0] & 0xF0;
    const int channel = message.bytes[0] & 0x0F;
    const int pitch = message.bytes[1] & 0x7F;
    const int velocity = message.bytes[2] & 0x7F;
    const double beat = beat_at_(message.score_frame);
    if (type == 0x90 && velocity > 0) {
        held_[{channel, pitch}] = {beat, velocity};
        if (options_.replace && !erased_from_)
            erased_from_ = erased_until_ = std::max(beat, options_.punch_in_beat);
        return {};
    }
    if (type == 0x80 || type == 0x90) return note_ended(channel, pitch, beat, doc);
    return {};
}

std::vector<Edit> MidiRecorder::finish(double beat, const Document& doc) {
    std::vector<Edit> edits;
    while (!held_.empty()) {
        const auto [key, held] = *held_.begin();
        auto more = note_ended(key.first, key.second, std::max(beat, held.beat), doc);
        edits.insert(edits.end(), more.begin(), more.end());
    }
    if (options_.replace && erased_from_) erase_until(std::min(beat, options_.punch_out_beat), doc, edits);
    active_ = false;
    return edits;
}

std::vector<Edit> MidiRecorder::note_ended(int channel, int pitch, double end_beat, const Document& doc) {
    const auto it = held_.find({channel, pitch});
    if (it == held_.end()) return {};
    const Held held = it->second;
    held_.erase(it);
    double start = held.beat;
    if (options_.quantize_beats > 0)
        start = std::round(start / options_.quantize_beats) * options_.quantize_beats;
    start = std::max(start, 0.0);
    if (start < options_.punch_in_beat || start >= options_.punch_out_beat) return {};
    std::vector<Edit> edits;
    if (options_.replace)
        erase_until(std::min(start + (end_beat - held.beat), options_.punch_out_beat), doc, edits);
    Note note;
    note.id = 0;  // the editor picks a fresh id
    note.start = start;
    note.length = std::max(end_beat - held.beat, 0.0);
    note.pitch = pitch;
    note.velocity = std::clamp(held.velocity, 1, 127);
    edits.push_back(edit::NoteAdd{options_.track, note});
    return edits;
}

// Replace mode: deletes the armed track's notes that start in [erased_until_, beat).
void MidiRecorder::erase_until(double beat, const Document& doc, std::vector<Edit>& edits) {
    if (beat <= erased_until_) return;
    for (const Track& t : doc.tracks) {
        if (t.id != options_.track) continue;
        for (const Note& n : t.notes)
            if (n.start >= erased_until_ && n.start < beat) edits.push_back(edit::NoteDelete{n.id});
    }
    erased_until_ = beat;
}

}  // namespace tactus
