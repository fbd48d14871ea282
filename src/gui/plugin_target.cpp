#include "gui/plugin_target.h"

#include <QObject>

#include "gui/song_model.h"

namespace tactus::gui {

namespace {
const Insert* insertAt(const SongModel& song, const ChainRef& chain, std::size_t index) {
    const std::vector<Insert>* inserts = song.inserts(chain.owner, chain.id);
    return inserts && index < inserts->size() ? &(*inserts)[index] : nullptr;
}
}  // namespace

QString PluginTarget::uri(const SongModel& song) const {
    if (instrument) {
        const Track* t = song.track(chain.id);
        return t && t->instrument == "lv2" ? QString::fromStdString(t->plugin) : QString();
    }
    const Insert* found = insertAt(song, chain, insert);
    return found ? QString::fromStdString(found->plugin) : QString();
}

const std::map<std::string, double>* PluginTarget::values(const SongModel& song) const {
    if (instrument) {
        const Track* t = song.track(chain.id);
        return t ? &t->parameters : nullptr;
    }
    const Insert* found = insertAt(song, chain, insert);
    return found ? &found->parameters : nullptr;
}

void PluginTarget::set(SongModel& song, const std::string& symbol, double value) const {
    if (instrument)
        song.setTrackParameter(chain.id, symbol, value);
    else
        song.setInsertParameter(chain.owner, chain.id, insert, symbol, value);
}

QString PluginTarget::describe(const SongModel& song) const {
    QString owner;
    if (chain.owner == InsertOwner::Master) {
        owner = QObject::tr("Master");
    } else if (chain.owner == InsertOwner::Bus) {
        const Bus* b = song.bus(chain.id);
        owner = QObject::tr("Bus %1").arg(b ? QString::fromStdString(b->name) : QString::number(chain.id));
    } else {
        const Track* t = song.track(chain.id);
        owner =
            t && !t->name.empty() ? QString::fromStdString(t->name) : QObject::tr("Track %1").arg(chain.id);
    }
    return instrument ? QObject::tr("%1 instrument").arg(owner)
                      : QObject::tr("%1 insert %2").arg(owner).arg(insert + 1);
}

}  // namespace tactus::gui
