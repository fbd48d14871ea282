#include "gui/roll_commands.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/document_json.h"

namespace tactus::gui {

std::vector<Note> selectedNotes(const Document& doc, TrackId track, const std::set<NoteId>& selection) {
    std::vector<Note> out;
    for (const Track& t : doc.tracks) {
        if (t.id != track) continue;
        for (const Note& n : t.notes)
            if (selection.count(n.id)) out.push_back(n);
    }
    std::sort(out.begin(), out.end(), [](const Note& a, const Note& b) {
        return a.start != b.start ? a.start < b.start : a.id < b.id;
    });
    return out;
}

std::vector<Edit> deleteNotes(const std::vector<Note>& notes) {
    std::vector<Edit> edits;
    for (const Note& n : notes) edits.push_back(edit::NoteDelete{n.id});
    return edits;
}

std::vector<Edit> shiftNotes(const std::vector<Note>& notes, double beats, int semitones) {
    for (const Note& n : notes) {
        const double start = n.start + beats;
        if (start < 0 || start > kMaxDocumentBeat || n.pitch + semitones < 0 || n.pitch + semitones > 127)
            return {};
    }
    std::vector<Edit> edits;
    for (const Note& n : notes) {
        if (beats != 0) edits.push_back(edit::NoteMove{n.id, n.start + beats, 0});
        if (semitones != 0) edits.push_back(edit::NotePitch{n.id, n.pitch + semitones, n.cents});
    }
    return edits;
}

std::vector<Edit> moveNotes(const std::vector<Note>& notes, double beats,
                            const std::function<int(int)>& pitchOf) {
    for (const Note& n : notes)
        if (n.start + beats < 0 || n.start + beats > kMaxDocumentBeat) return {};
    std::vector<Edit> edits;
    for (const Note& n : notes) {
        if (beats != 0) edits.push_back(edit::NoteMove{n.id, n.start + beats, 0});
        if (const int pitch = std::clamp(pitchOf(n.pitch), 0, 127); pitch != n.pitch)
            edits.push_back(edit::NotePitch{n.id, pitch, n.cents});
    }
    return edits;
}

double nearestGridLine(double beat, double grid, double swing) {
    const double pair = 2 * grid;
    const double first = std::floor(beat / pair) - 1;
    double best = 0, distance = std::numeric_limits<double>::infinity();
    for (double q = first; q <= first + 2; ++q)
        for (const double line : {q * pair, q * pair + grid + swing * grid})
            if (line >= 0 && std::abs(line - beat) < distance) distance = std::abs(line - beat), best = line;
    return best;
}

std::vector<Edit> quantizeNotes(const std::vector<Note>& notes, const QuantizeSettings& s) {
    std::vector<Edit> edits;
    if (s.grid <= 0) return edits;
    const double strength = std::clamp(s.strength, 0.0, 1.0), swing = std::clamp(s.swing, 0.0, 0.75);
    const auto toward = [&](double beat) {
        return beat + strength * (nearestGridLine(beat, s.grid, swing) - beat);
    };
    for (const Note& n : notes) {
        const double start = std::max(0.0, toward(n.start));
        if (std::abs(start - n.start) > 1e-12) edits.push_back(edit::NoteMove{n.id, start, 0});
        if (!s.ends || n.length <= 0) continue;
        double end = toward(n.end());
        if (end <= start + 1e-9) end = start + s.grid;  // not to nothing
        if (std::abs((end - start) - n.length) > 1e-12) edits.push_back(edit::NoteResize{n.id, end - start});
    }
    return edits;
}

std::vector<Edit> resizeNotes(const std::vector<Note>& notes, double delta_beats, double min_length) {
    std::vector<Edit> edits;
    for (const Note& n : notes) {
        const double length = std::max(min_length, n.length + delta_beats);
        if (length != n.length) edits.push_back(edit::NoteResize{n.id, length});
    }
    return edits;
}

Clip copyNotes(const std::vector<Note>& notes) {
    Clip clip;
    if (notes.empty()) return clip;
    double first = notes.front().start;
    for (const Note& n : notes) first = std::min(first, n.start);
    for (Note n : notes) {
        n.start -= first;
        clip.notes.push_back(n);
    }
    return clip;
}

std::vector<Edit> pasteClip(const Clip& clip, TrackId track, double beat, NoteId& next_id) {
    std::vector<Edit> edits;
    for (Note n : clip.notes) {
        n.start += beat;
        if (n.start > kMaxDocumentBeat) continue;
        n.id = next_id++;
        edits.push_back(edit::NoteAdd{track, n});
    }
    return edits;
}

}  // namespace tactus::gui
