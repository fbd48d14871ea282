// The parameters each track's instrument offers (a Csound orchestra's input channels), as the engine
// lists them (/track/parameters ID: name, min, max, default, value). Asked again whenever a track's
// instrument may have changed (the track list changed, a document was loaded into the engine); the
// values set live travel through SongModel (/track/parameter, kept in the document).
//
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <map>
#include <string>
#include <vector>

#include "core/score.h"
#include "server/osc_message.h"

namespace tactus::gui {

class EngineLink;
class SongModel;

struct OfferedParameter {
    std::string name;
    double minimum = 0.0;
    double maximum = 0.0;  // == minimum: no declared range
    double default_value = 0.0;
    double value = 0.0;  // the engine's (the document's, else the default)
    bool hasRange() const { return maximum > minimum; }
};

class TrackParameters : public QObject {
    Q_OBJECT
public:
    TrackParameters(SongModel& song, EngineLink& link, QObject* parent = nullptr);

    // What track `id` offers (empty until the engine answered, and for an instrument without any).
    const std::vector<OfferedParameter>& offered(TrackId id) const;
    // Asks the engine for the parameters of every csound track of the document.
    void requestAll();

signals:
    void offeredChanged(TrackId id);

private:
    void onPacket(const OscPacket& packet);

    SongModel& song_;
    EngineLink& link_;
    std::map<TrackId, std::vector<OfferedParameter>> offered_;
};

}  // namespace tactus::gui
