#include "core/score.h"

#include <algorithm>
#include <utility>

namespace tactus {

namespace {
constexpr std::pair<ControllerKind, const char*> kControllerKindNames[] = {
    {ControllerKind::ControlChange, "cc"},
    {ControllerKind::PitchBend, "pitch_bend"},
    {ControllerKind::ProgramChange, "program"},
    {ControllerKind::ChannelPressure, "pressure"},
};
}  // namespace

const char* controller_kind_name(ControllerKind kind) {
    for (const auto& [k, name] : kControllerKindNames)
        if (k == kind) return name;
    return "cc";
}

std::optional<ControllerKind> controller_kind_from_name(std::string_view name) {
    for (const auto& [k, n] : kControllerKindNames)
        if (name == n) return k;
    return std::nullopt;
}

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
