// Which notes of a track lie in a span of beats, without looking at the others: the notes' positions
// sorted by start, and the longest note, so that a view's notes are a binary search and a short walk
// (painting then costs what is visible, not the song's size). Rebuilt only for a track whose notes
// changed in start, length, pitch or number (a cheap fingerprint is compared after every change).
// Threading: the UI thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/score.h"

namespace tactus::gui {

class NoteSpanIndex {
public:
    // Brings the index up to `doc` (call after the document changed; cheap when nothing did).
    void update(const Document& doc);
    // Calls fn(const Note&) for each note of `track` that overlaps [first, last] (beats), in start
    // order. `track` must be one of the document's last given to update().
    template <typename Fn>
    void forEachIn(const Track& track, double first, double last, Fn&& fn) const {
        const auto found = tracks_.find(track.id);
        if (found == tracks_.end() || found->second.order.size() != track.notes.size()) {
            for (const Note& n : track.notes)  // not indexed (yet): every note
                if (n.end() >= first && n.start <= last) fn(n);
            return;
        }
        const Entry& e = found->second;
        auto it = lowerBound(e, track, first - e.longest);
        for (; it != e.order.end(); ++it) {
            const Note& n = track.notes[*it];
            if (n.start > last) break;
            if (n.end() >= first) fn(n);
        }
    }

private:
    struct Entry {
        std::uint64_t fingerprint = 0;
        std::vector<std::uint32_t> order;  // positions in track.notes, by start
        double longest = 0;
    };
    static std::uint64_t fingerprintOf(const Track& track);
    static std::vector<std::uint32_t>::const_iterator lowerBound(const Entry& e, const Track& track,
                                                                 double beat);
    std::unordered_map<TrackId, Entry> tracks_;
};

}  // namespace tactus::gui
