#include "gui/track_parameters.h"

#include "gui/engine_link.h"
#include "gui/song_model.h"
#include "server/osc_out.h"

namespace tactus::gui {

TrackParameters::TrackParameters(SongModel& song, EngineLink& link, QObject* parent)
    : QObject(parent), song_(song), link_(link) {
    connect(&link_, &EngineLink::packetReceived, this, &TrackParameters::onPacket);
    // Sent after the edit or load that changed the instruments, on the same stream: answered for them.
    connect(&song_, &SongModel::tracksChanged, this, &TrackParameters::requestAll);
    connect(&song_, &SongModel::engineLoaded, this, &TrackParameters::requestAll);
}

const std::vector<OfferedParameter>& TrackParameters::offered(TrackId id) const {
    static const std::vector<OfferedParameter> none;
    const auto it = offered_.find(id);
    return it == offered_.end() ? none : it->second;
}

void TrackParameters::requestAll() {
    if (!link_.isConnected()) return;
    for (const Track& t : song_.document().tracks) {
        if (t.instrument == "csound")
            link_.send(OscOut("/track/parameters").h(std::int64_t(t.id)).bytes());
        else if (offered_.erase(t.id))
            emit offeredChanged(t.id);
    }
}

// `/track/parameters ,h (sdddd)...`
void TrackParameters::onPacket(const OscPacket& packet) {
    for (const OscMessage& m : packet.messages) {
        if (m.address != "/track/parameters" || m.args.empty() || m.types[0] != 'h' ||
            (m.args.size() - 1) % 5 != 0)
            continue;
        const auto id = static_cast<TrackId>(m.args[0].i);
        std::vector<OfferedParameter> list;
        for (std::size_t i = 1; i + 4 < m.args.size(); i += 5) {
            if (m.types.compare(i, 5, "sdddd") != 0) break;
            list.push_back({m.args[i].s, m.args[i + 1].f, m.args[i + 2].f, m.args[i + 3].f, m.args[i + 4].f});
        }
        offered_[id] = std::move(list);
        emit offeredChanged(id);
    }
}

}  // namespace tactus::gui
