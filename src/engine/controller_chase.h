// The controller state a locate or loop wrap must give the instruments (a "chase"): per track, the
// last event of each controller before the new position, and for a controller the track moves only
// later, its reset value, so that a sustain pedal pressed late in a loop does not stay down at its
// start. Built with the snapshot (allocates); read on the audio thread (no allocation).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/frames.h"
#include "core/score.h"

namespace tactus {

class ControllerChase {
public:
    // One track's controller events, sorted by frame (frames[i] is events[i]'s score frame).
    void add_track(std::uint32_t slot, int program, std::span<const ControllerEvent> events,
                   std::span<const Frame> frames);

    // Calls fn(slot, const ControllerEvent&) for every track with controllers: resets first, then the
    // last events before `frame` in score order (a bank select before the program it selects). Events
    // exactly at `frame` are not included: they are ordinary events of the block that starts there.
    template <class Fn>
    void for_each_at(Frame frame, Fn&& fn) const;

private:
    // 0..127 a CC, then the program, pitch bend and channel pressure.
    static constexpr int kKeys = 131;
    static int key_of(const ControllerEvent& e) {
        switch (e.kind) {
            case ControllerKind::ControlChange:
                return std::clamp(e.number, 0, 127);
            case ControllerKind::ProgramChange:
                return 128;
            case ControllerKind::PitchBend:
                return 129;
            case ControllerKind::ChannelPressure:
                return 130;
        }
        return 0;
    }
    // The value a controller has before a track moves it; false: never chased (channel mode messages,
    // data entry and parameter numbers, whose meaning depends on what came before).
    static bool reset_event(int key, int program, ControllerEvent& out);

    struct Track {
        std::uint32_t slot;
        int program;
        std::uint32_t first, count;
    };
    std::vector<Track> tracks_;
    std::vector<ControllerEvent> events_;
    std::vector<Frame> frames_;
};

template <class Fn>
void ControllerChase::for_each_at(Frame frame, Fn&& fn) const {
    for (const Track& t : tracks_) {
        std::array<std::uint32_t, kKeys> last;
        last.fill(UINT32_MAX);
        std::array<bool, kKeys> used{};
        for (std::uint32_t i = t.first; i < t.first + t.count; ++i) {
            const int key = key_of(events_[i]);
            used[std::size_t(key)] = true;
            if (frames_[i] < frame) last[std::size_t(key)] = i;
        }
        std::array<std::uint32_t, kKeys> order;
        std::size_t n = 0;
        for (int key = 0; key < kKeys; ++key) {
            if (!used[std::size_t(key)]) continue;
            ControllerEvent reset;
            if (last[std::size_t(key)] != UINT32_MAX)
                order[n++] = last[std::size_t(key)];
            else if (reset_event(key, t.program, reset))
                fn(t.slot, reset);
        }
        std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n));
        for (std::size_t i = 0; i < n; ++i) fn(t.slot, events_[order[i]]);
    }
}

}  // namespace tactus
