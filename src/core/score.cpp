#include "core/score.h"

#include <algorithm>

namespace tactus {

double Document::end_beat() const {
    double end = 0.0;
    for (const auto& track : tracks)
        for (const auto& note : track.notes) end = std::max(end, note.end());
    return end;
}

std::size_t Document::note_count() const {
    std::size_t count = 0;
    for (const auto& track : tracks) count += track.notes.size();
    return count;
}

NoteId Document::max_note_id() const {
    NoteId id = 0;
    for (const auto& track : tracks)
        for (const auto& note : track.notes) id = std::max(id, note.id);
    return id;
}

}  // namespace tactus
