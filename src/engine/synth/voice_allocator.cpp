#include "engine/synth/voice_allocator.h"

#include <algorithm>
#include <bit>

namespace tactus::synth {

VoiceAllocator::VoiceAllocator(int limit, int slots)
    : slots_(static_cast<std::size_t>(std::max({2, slots, limit + 1}))), limit_(std::max(1, limit)) {
    free_bits_.assign((slots_.size() + 63) / 64, 0);
    for (std::size_t i = 0; i < slots_.size(); ++i) free_bits_[i / 64] |= std::uint64_t{1} << (i % 64);
    index_.resize(std::bit_ceil(2 * slots_.size()));
}

int VoiceAllocator::find_held(VoiceKey key) const {
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = home(key);; i = (i + 1) & mask) {
        if (index_[i].slot < 0) return -1;
        if (index_[i].key == key) return index_[i].slot;
    }
}

int VoiceAllocator::steal_victim() const {
    if (counted_ < limit_) return -1;
    return released_.head >= 0 ? released_.head : held_.head;
}

int VoiceAllocator::acquire(VoiceKey key) {
    int slot = lowest_free();
    if (slot < 0) slot = fading_.head;
    if (slot < 0) slot = released_.head >= 0 ? released_.head : held_.head;  // only if the limit was ignored
    if (slots_[slot].state == State::Held) index_erase(slots_[slot].key);
    move_to(slot, State::Held);
    slots_[slot].key = key;
    slots_[slot].sustained = false;
    index_insert(key, slot);
    return slot;
}

void VoiceAllocator::release(int slot) {
    if (slots_[slot].state != State::Held) return;
    index_erase(slots_[slot].key);
    move_to(slot, State::Released);
    slots_[slot].sustained = false;
}

void VoiceAllocator::fade(int slot) {
    const State state = slots_[slot].state;
    if (state != State::Held && state != State::Released) return;
    if (state == State::Held) index_erase(slots_[slot].key);
    move_to(slot, State::Fading);
    slots_[slot].sustained = false;
}

void VoiceAllocator::free(int slot) {
    if (slots_[slot].state == State::Held) index_erase(slots_[slot].key);
    move_to(slot, State::Free);
    slots_[slot].sustained = false;
}

VoiceAllocator::List* VoiceAllocator::list_of(State state) {
    switch (state) {
        case State::Held:
            return &held_;
        case State::Released:
            return &released_;
        case State::Fading:
            return &fading_;
        case State::Free:
            break;
    }
    return nullptr;
}

void VoiceAllocator::move_to(int slot, State state) {
    Slot& s = slots_[slot];
    if (List* from = list_of(s.state)) {
        (s.prev >= 0 ? slots_[s.prev].next : from->head) = s.next;
        (s.next >= 0 ? slots_[s.next].prev : from->tail) = s.prev;
    } else {
        free_bits_[slot / 64] &= ~(std::uint64_t{1} << (slot % 64));
    }
    s.prev = -1;
    s.next = -1;
    if (List* to = list_of(state)) {
        s.prev = to->tail;
        (to->tail >= 0 ? slots_[to->tail].next : to->head) = slot;
        to->tail = slot;
    } else {
        free_bits_[slot / 64] |= std::uint64_t{1} << (slot % 64);
    }
    const auto is_counted = [](State x) { return x == State::Held || x == State::Released; };
    counted_ += (is_counted(state) ? 1 : 0) - (is_counted(s.state) ? 1 : 0);
    active_ += (state != State::Free ? 1 : 0) - (s.state != State::Free ? 1 : 0);
    s.state = state;
}

int VoiceAllocator::lowest_free() const {
    for (std::size_t w = 0; w < free_bits_.size(); ++w) {
        if (free_bits_[w] != 0)
            return static_cast<int>(w * 64 + static_cast<std::size_t>(std::countr_zero(free_bits_[w])));
    }
    return -1;
}

std::size_t VoiceAllocator::home(VoiceKey key) const {
    // Fibonacci hashing: the top bits of key * 2^64 / golden ratio.
    const std::uint64_t h = key * 0x9E3779B97F4A7C15ull;
    return static_cast<std::size_t>(h >> (64 - std::countr_zero(index_.size())));
}

void VoiceAllocator::index_insert(VoiceKey key, int slot) {
    const std::size_t mask = index_.size() - 1;
    std::size_t i = home(key);
    while (index_[i].slot >= 0) i = (i + 1) & mask;
    index_[i] = IndexEntry{key, slot};
}

void VoiceAllocator::index_erase(VoiceKey key) {
    const std::size_t mask = index_.size() - 1;
    std::size_t i = home(key);
    while (index_[i].slot >= 0 && index_[i].key != key) i = (i + 1) & mask;
    if (index_[i].slot < 0) return;
    // Backward-shift deletion: move later entries of the probe run into the hole, so that lookups
    // never need tombstones.
    std::size_t hole = i;
    for (std::size_t j = (hole + 1) & mask; index_[j].slot >= 0; j = (j + 1) & mask) {
        const std::size_t want = home(index_[j].key);
        // Entry j may fill the hole if its home is not cyclically within (hole, j].
        const bool home_after_hole = ((j - want) & mask) < ((j - hole) & mask);
        if (!home_after_hole) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = IndexEntry{};
}

}  // namespace tactus::synth
