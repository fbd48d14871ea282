#include "engine/midi_clock.h"

#include <algorithm>
#include <cmath>

namespace tactus {

namespace {
constexpr std::uint8_t kTimingClock = 0xF8;
constexpr std::uint8_t kStart = 0xFA;
constexpr std::uint8_t kContinue = 0xFB;
constexpr std::uint8_t kStop = 0xFC;
constexpr std::uint8_t kSongPosition = 0xF2;
constexpr std::int64_t kMaxSongPosition = 0x3FFF;  // 14 bits of sixteenths
}  // namespace

void MidiClock::enable(bool on, Frame output_frame, bool playing, Frame score_frame) {
    if (on == enabled_) return;
    if (!on) stop(output_frame);
    enabled_ = on;
    if (on && playing) start(output_frame, score_frame);
}

void MidiClock::set_score(const ScoreSnapshot* score, Frame score_frame) {
    score_ = score;
    if (!score_) {
        start_at_ = kNever;
        running_ = false;
        return;
    }
    // Never behind the position: a pulse the rounding put one frame back goes out now.
    if (running_) next_pulse_frame_ = std::max(pulse_frame(next_pulse_), score_frame);
}

void MidiClock::start(Frame output_frame, Frame score_frame) {
    if (running_) send(output_frame, {kStop, 0, 0}, 1);
    running_ = false;
    start_at_ = enabled_ && score_ ? score_frame : kNever;
}

void MidiClock::stop(Frame output_frame) {
    start_at_ = kNever;
    if (running_) send(output_frame, {kStop, 0, 0}, 1);
    running_ = false;
}

void MidiClock::wrap(Frame output_frame, Frame score_frame) {
    if (running_)
        point_to(score_frame, output_frame, false);
    else if (start_at_ != kNever)
        start_at_ = score_frame;
}

void MidiClock::send_due(Frame score_frame, Frame output_frame) {
    if (start_at_ <= score_frame) {
        const Frame from = start_at_;
        start_at_ = kNever;
        running_ = true;
        if (first_pulse_at_or_after(from, kPulsesPerSixteenth) == 0) {
            send(output_frame, {kStart, 0, 0}, 1);
            next_pulse_ = 0;
            next_pulse_frame_ = pulse_frame(0);
        } else {
            point_to(from, output_frame, true);
        }
    }
    while (running_ && next_pulse_frame_ <= score_frame) {
        send(output_frame, {kTimingClock, 0, 0}, 1);
        next_pulse_frame_ = pulse_frame(++next_pulse_);
    }
}

void MidiClock::point_to(Frame score_frame, Frame output_frame, bool with_continue) {
    next_pulse_ = first_pulse_at_or_after(score_frame, kPulsesPerSixteenth);
    next_pulse_frame_ = pulse_frame(next_pulse_);
    const std::int64_t sixteenth = std::min(next_pulse_ / kPulsesPerSixteenth, kMaxSongPosition);
    send(output_frame, {kSongPosition, std::uint8_t(sixteenth & 0x7F), std::uint8_t((sixteenth >> 7) & 0x7F)},
         3);
    if (with_continue) send(output_frame, {kContinue, 0, 0}, 1);
}

Frame MidiClock::pulse_frame(std::int64_t pulse) const {
    return score_->score_frame_at_beat(double(pulse) / kPulsesPerBeat);
}

std::int64_t MidiClock::first_pulse_at_or_after(Frame score_frame, std::int64_t stride) const {
    const double pulses = score_->beat_at_score_frame(score_frame) * kPulsesPerBeat;
    std::int64_t pulse = static_cast<std::int64_t>(std::ceil(pulses / double(stride) - 1e-9)) * stride;
    pulse = std::max<std::int64_t>(pulse, 0);
    // The beat estimate is within a frame: settle on the exact pulse by its own frame.
    while (pulse_frame(pulse) < score_frame) pulse += stride;
    while (pulse >= stride && pulse_frame(pulse - stride) >= score_frame) pulse -= stride;
    return pulse;
}

void MidiClock::send(Frame output_frame, std::array<std::uint8_t, 3> bytes, int size) {
    if (bus_) bus_->push_at(output_frame, bytes, size);
}

}  // namespace tactus
