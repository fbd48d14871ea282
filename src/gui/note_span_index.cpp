#include "gui/note_span_index.h"

#include <algorithm>
#include <bit>
#include <unordered_set>

namespace tactus::gui {

std::uint64_t NoteSpanIndex::fingerprintOf(const Track& track) {
    // FNV-1a over what places a note in time and row, in the vector's order (positions are what the
    // index stores).
    std::uint64_t h = 1469598103934665603ull ^ track.notes.size();
    const auto mix = [&h](std::uint64_t v) { h = (h ^ v) * 1099511628211ull; };
    for (const Note& n : track.notes) {
        mix(std::bit_cast<std::uint64_t>(n.start));
        mix(std::bit_cast<std::uint64_t>(n.length));
        mix(std::uint64_t(n.pitch));
    }
    return h;
}

void NoteSpanIndex::update(const Document& doc) {
    std::unordered_set<TrackId> present;
    for (const Track& t : doc.tracks) {
        present.insert(t.id);
        const std::uint64_t fingerprint = fingerprintOf(t);
        Entry& e = tracks_[t.id];
        if (e.fingerprint == fingerprint && e.order.size() == t.notes.size()) continue;
        e.fingerprint = fingerprint;
        e.order.resize(t.notes.size());
        for (std::uint32_t i = 0; i < e.order.size(); ++i) e.order[i] = i;
        std::stable_sort(e.order.begin(), e.order.end(), [&t](std::uint32_t a, std::uint32_t b) {
            return t.notes[a].start < t.notes[b].start;
        });
        e.longest = 0;
        for (const Note& n : t.notes) e.longest = std::max(e.longest, n.length);
    }
    std::erase_if(tracks_, [&present](const auto& entry) { return present.count(entry.first) == 0; });
}

std::vector<std::uint32_t>::const_iterator NoteSpanIndex::lowerBound(const Entry& e, const Track& track,
                                                                     double beat) {
    return std::lower_bound(e.order.begin(), e.order.end(), beat,
                            [&track](std::uint32_t i, double b) { return track.notes[i].start < b; });
}

}  // namespace tactus::gui
