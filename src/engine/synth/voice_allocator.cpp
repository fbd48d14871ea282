#include "engine/synth/voice_allocator.h"

#include <algorithm>
#include <limits>

namespace tactus::synth {

VoiceAllocator::VoiceAllocator(int limit, int slots)
    : slots_(static_cast<std::size_t>(std::max({2, slots, limit + 1}))), limit_(std::max(1, limit)) {}

int VoiceAllocator::find_held(VoiceKey key) const {
    for (int i = 0; i < slot_count(); ++i) {
        if (slots_[i].state == State::Held && slots_[i].key == key) return i;
    }
    return -1;
}

int VoiceAllocator::steal_victim() const {
    if (counted_ < limit_) return -1;
    int oldest_released = -1;
    int oldest_held = -1;
    for (int i = 0; i < slot_count(); ++i) {
        const Slot& s = slots_[i];
        if (s.state == State::Released) {
            if (oldest_released < 0 || s.order < slots_[oldest_released].order) oldest_released = i;
        } else if (s.state == State::Held) {
            if (oldest_held < 0 || s.order < slots_[oldest_held].order) oldest_held = i;
        }
    }
    return oldest_released >= 0 ? oldest_released : oldest_held;
}

int VoiceAllocator::acquire(VoiceKey key) {
    int chosen = -1;
    for (int i = 0; i < slot_count(); ++i) {
        if (slots_[i].state == State::Free) {
            chosen = i;
            break;
        }
    }
    if (chosen < 0) {
        std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
        for (int i = 0; i < slot_count(); ++i) {
            if (slots_[i].state == State::Fading && slots_[i].order < oldest) {
                oldest = slots_[i].order;
                chosen = i;
            }
        }
    }
    if (chosen < 0) {
        // Only reachable when the caller ignored steal_victim(): reuse the oldest counted slot.
        std::uint64_t oldest = std::numeric_limits<std::uint64_t>::max();
        for (int i = 0; i < slot_count(); ++i) {
            if (slots_[i].order < oldest) {
                oldest = slots_[i].order;
                chosen = i;
            }
        }
    }
    set_state(chosen, State::Held);
    Slot& s = slots_[chosen];
    s.key = key;
    s.order = ++clock_;
    s.sustained = false;
    return chosen;
}

void VoiceAllocator::release(int slot) {
    if (slots_[slot].state != State::Held) return;
    set_state(slot, State::Released);
    slots_[slot].sustained = false;
}

void VoiceAllocator::fade(int slot) {
    const State state = slots_[slot].state;
    if (state != State::Held && state != State::Released) return;
    set_state(slot, State::Fading);
    slots_[slot].order = ++clock_;
    slots_[slot].sustained = false;
}

void VoiceAllocator::free(int slot) {
    set_state(slot, State::Free);
    slots_[slot].sustained = false;
}

void VoiceAllocator::set_state(int slot, State state) {
    Slot& s = slots_[slot];
    const auto is_counted = [](State x) { return x == State::Held || x == State::Released; };
    counted_ += (is_counted(state) ? 1 : 0) - (is_counted(s.state) ? 1 : 0);
    active_ += (state != State::Free ? 1 : 0) - (s.state != State::Free ? 1 : 0);
    s.state = state;
}

}  // namespace tactus::synth
