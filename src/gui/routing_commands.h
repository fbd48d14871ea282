// Sends and buses as batches of edits: pure functions of the document, applied through SongModel (one
// undo step each). A send is added at unity level, post-fader; removing a bus first removes the sends to
// it, in the same batch (the engine refuses a bus that tracks still send to).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/score.h"
#include "core/score_edit.h"

namespace tactus::gui {

// Track `track`'s sends with one more to `bus` (nullopt: the track is unknown or already sends to it).
std::optional<std::vector<Edit>> addSend(const Document& doc, TrackId track, BusId bus);
std::optional<std::vector<Edit>> removeSend(const Document& doc, TrackId track, BusId bus);
std::optional<std::vector<Edit>> setSendPreFader(const Document& doc, TrackId track, BusId bus,
                                                 bool pre_fader);

// A new bus at the end of the list.
std::vector<Edit> addBus(const Document& doc, BusId id, const std::string& name);
// The sends to the bus removed from every track, then the bus (nullopt: no such bus).
std::optional<std::vector<Edit>> removeBus(const Document& doc, BusId id);

}  // namespace tactus::gui
