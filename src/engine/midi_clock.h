// MIDI beat clock out (optional, off by default): while the transport plays, 24 Timing Clocks
// (0xF8) per beat of the tempo map, pulse k on the output frame of beat k/24's score frame, placed
// exactly as a note there would be, so the clock follows tempo changes, ramps and the tempo scale.
//
//   play at beat 0               Start (0xFA), then the pulses
//   play elsewhere, locate       Song Position Pointer (0xF2, in sixteenths) + Continue (0xFB)
//   (locate while playing first sends Stop, so devices that only accept SPP while stopped follow)
//   loop wrap                    Song Position Pointer of the loop start; the pulses go on
//   stop, pause, clock off       Stop (0xFC)
//
// A pointer can only name a sixteenth (6 pulses), so after a jump the pulses resume on the first
// sixteenth at or after the new position, the one the pointer names: a device counting pulses from
// it stays in step. The Sequencer drives it: it renders up to next_frame() and calls send_due().
//
// Threading: audio thread only; no allocation. O(log tempo points) per pulse.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>

#include "core/frames.h"
#include "engine/midi_out_bus.h"
#include "engine/score_snapshot.h"

namespace tactus {

class MidiClock {
public:
    static constexpr Frame kNever = std::numeric_limits<Frame>::max();
    static constexpr int kPulsesPerBeat = 24;
    static constexpr int kPulsesPerSixteenth = 6;

    void set_bus(MidiOutBus* bus) { bus_ = bus; }
    bool enabled() const { return enabled_; }
    // Turns the clock on or off at `output_frame`; `playing` and `score_frame` say where the
    // transport is, so a clock turned on while playing joins in (pointer + Continue).
    void enable(bool on, Frame output_frame, bool playing, Frame score_frame);

    // A new snapshot at `score_frame` (a tempo edit keeps the beat): the next pulse keeps its number
    // and moves to its frame in the new tempo map.
    void set_score(const ScoreSnapshot* score, Frame score_frame);
    // The transport plays so that `score_frame` comes next: a run in progress stops at
    // `output_frame`, and a new one starts when the transport reaches `score_frame` (after a count-in).
    void start(Frame output_frame, Frame score_frame);
    void stop(Frame output_frame);
    // The loop wrapped to `score_frame` at `output_frame`.
    void wrap(Frame output_frame, Frame score_frame);

    // The score frame of the next message to send (kNever when there is none).
    Frame next_frame() const { return std::min(start_at_, running_ ? next_pulse_frame_ : kNever); }
    // Sends every message due at or before `score_frame`, at `output_frame`.
    void send_due(Frame score_frame, Frame output_frame);

private:
    Frame pulse_frame(std::int64_t pulse) const;
    // The first pulse, a multiple of `stride`, whose frame is at or after `score_frame`.
    std::int64_t first_pulse_at_or_after(Frame score_frame, std::int64_t stride) const;
    // Pulses resume at the sixteenth at or after `score_frame`; its pointer is sent (with Continue).
    void point_to(Frame score_frame, Frame output_frame, bool with_continue);
    void send(Frame output_frame, std::array<std::uint8_t, 3> bytes, int size);

    MidiOutBus* bus_ = nullptr;
    const ScoreSnapshot* score_ = nullptr;
    bool enabled_ = false;
    bool running_ = false;     // Start/Continue sent and no Stop since
    Frame start_at_ = kNever;  // score frame where the next run begins
    std::int64_t next_pulse_ = 0;
    Frame next_pulse_frame_ = kNever;
};

}  // namespace tactus
