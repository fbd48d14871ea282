#include "gui/routing_commands.h"

#include <algorithm>

namespace tactus::gui {

namespace {
const Track* findTrack(const Document& doc, TrackId id) {
    for (const Track& t : doc.tracks)
        if (t.id == id) return &t;
    return nullptr;
}
bool sendsTo(const Track& t, BusId bus) {
    return std::any_of(t.sends.begin(), t.sends.end(), [bus](const Send& s) { return s.bus == bus; });
}
}  // namespace

std::optional<std::vector<Edit>> addSend(const Document& doc, TrackId track, BusId bus) {
    const Track* t = findTrack(doc, track);
    if (!t || sendsTo(*t, bus)) return std::nullopt;
    std::vector<Send> sends = t->sends;
    sends.push_back(Send{bus, 1.0, false});
    return std::vector<Edit>{edit::TrackSends{track, std::move(sends)}};
}

std::optional<std::vector<Edit>> removeSend(const Document& doc, TrackId track, BusId bus) {
    const Track* t = findTrack(doc, track);
    if (!t || !sendsTo(*t, bus)) return std::nullopt;
    std::vector<Send> sends = t->sends;
    std::erase_if(sends, [bus](const Send& s) { return s.bus == bus; });
    return std::vector<Edit>{edit::TrackSends{track, std::move(sends)}};
}

std::optional<std::vector<Edit>> setSendPreFader(const Document& doc, TrackId track, BusId bus,
                                                 bool pre_fader) {
    const Track* t = findTrack(doc, track);
    if (!t) return std::nullopt;
    std::vector<Send> sends = t->sends;
    for (Send& s : sends)
        if (s.bus == bus && s.pre_fader != pre_fader) {
            s.pre_fader = pre_fader;
            return std::vector<Edit>{edit::TrackSends{track, std::move(sends)}};
        }
    return std::nullopt;
}

std::vector<Edit> addBus(const Document& doc, BusId id, const std::string& name) {
    Bus bus;
    bus.id = id;
    bus.name = name;
    return {edit::BusAdd{std::move(bus), doc.buses.size()}};
}

std::optional<std::vector<Edit>> removeBus(const Document& doc, BusId id) {
    if (std::none_of(doc.buses.begin(), doc.buses.end(), [id](const Bus& b) { return b.id == id; }))
        return std::nullopt;
    std::vector<Edit> edits;
    for (const Track& t : doc.tracks) {
        if (!sendsTo(t, id)) continue;
        std::vector<Send> sends = t.sends;
        std::erase_if(sends, [id](const Send& s) { return s.bus == id; });
        edits.push_back(edit::TrackSends{t.id, std::move(sends)});
    }
    edits.push_back(edit::BusRemove{id});
    return edits;
}

}  // namespace tactus::gui
