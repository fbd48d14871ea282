// The events of one render for each of a mixer's channels, on their exact frames.
//
// The sequencer queues what a block plays (notes, releases, controllers) instead of cutting the whole
// mix at every event; each channel then renders its whole span, cut only at its own events. So the
// mix's per-span costs (strips, sends, metering) are paid once a span, not once an event, and the
// channels are independent until they are summed: they can render on several threads.
//
// Each channel's events form a list in the order they were queued (frames never decrease), threaded
// through one fixed array, so queueing and taking are O(1) and nothing allocates after construction.
//
// Threading: construct and resize_slots off the audio thread. The rest from the thread that renders;
// during a parallel render each channel's list is read by the one thread rendering that channel.
#pragma once

#include <cstdint>
#include <vector>

#include "core/score.h"
#include "engine/instrument.h"

namespace tactus {

enum class ChannelEventKind : std::uint8_t { ScoreNoteOn, NoteOn, NoteOff, ReleaseAll, Controller };

struct ChannelEvent {
    std::int64_t frame = 0;  // the mixer frame it applies on
    ChannelEventKind kind = ChannelEventKind::NoteOff;
    std::uint8_t velocity = 0;
    std::int16_t pitch = 0;
    float cents = 0.0f;
    VoiceKey key = 0;
    long long length = 0;        // ScoreNoteOn: frames the note lasts
    ControllerEvent controller;  // Controller
    std::uint32_t next = 0;      // (the queue's link to the channel's next event)
};

// Plays `e` on `instrument`.
inline void apply_channel_event(Instrument& instrument, const ChannelEvent& e) {
    switch (e.kind) {
        case ChannelEventKind::ScoreNoteOn:
            instrument.score_note_on(e.key, e.pitch, e.cents, e.velocity, e.length);
            break;
        case ChannelEventKind::NoteOn:
            instrument.note_on(e.key, e.pitch, e.cents, e.velocity);
            break;
        case ChannelEventKind::NoteOff:
            instrument.note_off(e.key);
            break;
        case ChannelEventKind::ReleaseAll:
            instrument.release_all();
            break;
        case ChannelEventKind::Controller:
            instrument.controller(e.controller);
            break;
    }
}

class ChannelEventQueue {
public:
    static constexpr std::uint32_t kNone = UINT32_MAX;

    explicit ChannelEventQueue(std::size_t capacity = 4096) : events_(capacity) {}

    // Off the audio thread: room for lists 0 .. slots - 1 (the queue must be empty).
    void resize_slots(std::size_t slots) {
        head_.assign(slots, kNone);
        tail_.assign(slots, kNone);
    }
    std::size_t slots() const { return head_.size(); }

    // Appends to `slot`'s list; false when the array is full (nothing queued).
    bool push(std::size_t slot, const ChannelEvent& e) {
        if (used_ == events_.size()) return false;
        const auto at = static_cast<std::uint32_t>(used_++);
        events_[at] = e;
        events_[at].next = kNone;
        if (tail_[slot] == kNone)
            head_[slot] = at;
        else
            events_[tail_[slot]].next = at;
        tail_[slot] = at;
        latest_ = e.frame;
        return true;
    }

    // The first event of `slot`'s list if it applies before `end`, or nullptr.
    const ChannelEvent* next_before(std::size_t slot, std::int64_t end) const {
        const std::uint32_t at = head_[slot];
        return at != kNone && events_[at].frame < end ? &events_[at] : nullptr;
    }
    // Removes the first event of `slot`'s list (touches only that list: threads rendering other
    // channels may pop theirs at the same time).
    void pop(std::size_t slot) {
        const std::uint32_t at = head_[slot];
        head_[slot] = events_[at].next;
        if (head_[slot] == kNone) tail_[slot] = kNone;
    }
    bool has(std::size_t slot) const { return head_[slot] != kNone; }
    // Once every event before `frame` has been taken (a render up to it), the array is reused.
    void taken_up_to(std::int64_t frame) {
        if (latest_ < frame) used_ = 0;
    }

private:
    std::vector<ChannelEvent> events_;
    std::vector<std::uint32_t> head_, tail_;
    std::size_t used_ = 0;      // array entries handed out since it was last reused
    std::int64_t latest_ = -1;  // the frame of the last event queued
};

}  // namespace tactus
