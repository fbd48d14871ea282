#include "engine/controller_chase.h"

namespace tactus {

void ControllerChase::add_track(std::uint32_t slot, int program, std::span<const ControllerEvent> events,
                                std::span<const Frame> frames) {
    if (events.empty()) return;
    tracks_.push_back({slot, program, static_cast<std::uint32_t>(events_.size()),
                       static_cast<std::uint32_t>(events.size())});
    events_.insert(events_.end(), events.begin(), events.end());
    frames_.insert(frames_.end(), frames.begin(), frames.end());
}

bool ControllerChase::reset_event(int key, int program, ControllerEvent& out) {
    out = {};
    if (key == 128) {
        out.kind = ControllerKind::ProgramChange;
        out.number = program;
        return true;
    }
    if (key == 129 || key == 130) {
        out.kind = key == 129 ? ControllerKind::PitchBend : ControllerKind::ChannelPressure;
        return true;
    }
    // Data entry (6, 38, 96, 97), parameter numbers (98-101) and channel mode messages (120-127).
    if (key == 6 || key == 38 || (key >= 96 && key <= 101) || key >= 120) return false;
    out.kind = ControllerKind::ControlChange;
    out.number = key;
    out.value = key == 7 ? 100.0 : key == 10 ? 64.0 : key == 11 ? 127.0 : 0.0;
    return true;
}

}  // namespace tactus
