// Which voice slot plays which note, and which slot a new note takes or steals. Bookkeeping only:
// it never touches audio; the instrument applies its decisions to the voices.
//
// A slot is Free, Held (its key is down), Released (key up or detached, still sounding) or Fading
// (stolen / killed, a few ms from silence). Held and Released slots count against the voice limit;
// Fading slots do not, which is why an instrument has more slots than its limit: a stolen voice
// fades out in its own slot while the new note starts in another, so a steal never cuts a sound.
//
// Every operation is O(1) or a short scan of a bitset, whatever the number of voices: slots sit in
// age-ordered lists per state, held keys in a small hash index. Choices depend only on the order
// of calls (never on when render() frees a slot within a block): a new note takes the
// lowest-numbered free slot, which keeps the instrument's mixing order canonical.
//
// Audio thread only; no allocation after construction.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/instrument.h"

namespace tactus::synth {

class VoiceAllocator {
public:
    enum class State : std::uint8_t { Free, Held, Released, Fading };

    // `limit` >= 1 voices may sound at once, in `slots` >= limit + 1 slots.
    VoiceAllocator(int limit, int slots);

    int limit() const { return limit_; }
    int slot_count() const { return static_cast<int>(slots_.size()); }
    State state(int slot) const { return slots_[slot].state; }
    VoiceKey key(int slot) const { return slots_[slot].key; }
    bool sustained(int slot) const { return slots_[slot].sustained; }
    // Held + Released slots.
    int counted() const { return counted_; }
    // Every slot that is not Free.
    int active() const { return active_; }

    // The Held slot playing `key`, or -1.
    int find_held(VoiceKey key) const;
    // The slot to fade out before a new note, so that the limit holds: the Released slot released
    // longest ago, else the Held slot started longest ago; -1 while there is room.
    int steal_victim() const;
    // Takes a slot for a new note of `key` (Held): the lowest Free slot; when none is free (more
    // notes stolen within one fade time than there are spare slots), the slot that has been fading
    // longest, whose sound is cut. Precondition: `key` is not Held (release it first).
    int acquire(VoiceKey key);

    void release(int slot);  // Held -> Released
    void fade(int slot);     // Held / Released -> Fading
    void free(int slot);     // -> Free
    // Marks a Held slot as kept sounding by the sustain pedal after its note-off.
    void set_sustained(int slot, bool sustained) { slots_[slot].sustained = sustained; }

private:
    // A doubly linked list of slots, oldest first.
    struct List {
        int head = -1;
        int tail = -1;
    };
    struct Slot {
        VoiceKey key = 0;
        int prev = -1;
        int next = -1;
        State state = State::Free;
        bool sustained = false;
    };

    List* list_of(State state);
    void move_to(int slot, State state);  // unlinks, relinks at the tail of the state's list
    int lowest_free() const;

    // Held keys: open addressing with linear probing, kept at most half full.
    void index_insert(VoiceKey key, int slot);
    void index_erase(VoiceKey key);
    std::size_t home(VoiceKey key) const;

    std::vector<Slot> slots_;
    std::vector<std::uint64_t> free_bits_;  // bit set = slot free
    struct IndexEntry {
        VoiceKey key = 0;
        int slot = -1;  // -1: empty
    };
    std::vector<IndexEntry> index_;
    List held_;
    List released_;
    List fading_;
    int limit_;
    int counted_ = 0;
    int active_ = 0;
};

}  // namespace tactus::synth
