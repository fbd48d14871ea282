#include "support/jack_midi_receiver.h"

#include <jack/midiport.h>

#include <algorithm>

namespace tactus::test {

JackMidiReceiver::JackMidiReceiver(JackMidiReceiverOptions options)
    : options_(std::move(options)),
      storage_(options_.capacity),
      cycles_(options_.cycle_capacity),
      jack_(options_.server, options_.client_name, JackMidiPortClient::Direction::Input,
            &JackMidiReceiver::on_process, this) {}

std::vector<ReceivedMidi> JackMidiReceiver::messages() const {
    const std::size_t n = count_.load(std::memory_order_acquire);
    return {storage_.begin(), storage_.begin() + static_cast<std::ptrdiff_t>(n)};
}

bool JackMidiReceiver::heard(std::int64_t frame) const {
    const std::size_t n = cycle_count_.load(std::memory_order_acquire);
    // Frame times increase cycle by cycle: the last cycle starting at or before `frame`.
    auto it = std::upper_bound(cycles_.begin(), cycles_.begin() + static_cast<std::ptrdiff_t>(n), frame,
                               [](std::int64_t f, const Cycle& c) { return f < c.frame; });
    if (it == cycles_.begin()) return false;
    --it;
    return frame < it->frame + it->frames && it->heard;
}

std::vector<ReceivedMidi> JackMidiReceiver::heard_messages() const {
    std::vector<ReceivedMidi> all = messages(), heard;
    for (const ReceivedMidi& m : all)
        if (m.in_heard_cycle) heard.push_back(m);
    return heard;
}

int JackMidiReceiver::on_process(std::uint32_t nframes, void* arg) {
    auto& self = *static_cast<JackMidiReceiver*>(arg);
    void* buffer = jack_port_get_buffer(self.jack_.port(), nframes);
    const auto entered_usecs = static_cast<std::int64_t>(jack_get_time());
    const std::int64_t cycle = jack_last_frame_time(self.jack_.client());  // a fresh server: 32 bits suffice
    jack_nframes_t cycle_frame = 0;
    jack_time_t cycle_usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    const bool late = jack_get_cycle_times(self.jack_.client(), &cycle_frame, &cycle_usecs, &next_usecs,
                                           &period_usecs) == 0 &&
                      cycle_frame == static_cast<jack_nframes_t>(cycle) && period_usecs > 0 &&
                      double(entered_usecs - static_cast<std::int64_t>(cycle_usecs)) > double(period_usecs);
    const bool after_gap = self.last_end_ >= 0 && cycle > self.last_end_;
    self.last_end_ = cycle + nframes;
    const bool heard = !late && !after_gap;
    std::size_t n = self.count_.load(std::memory_order_relaxed);
    const std::uint32_t events = jack_midi_get_event_count(buffer);
    for (std::uint32_t i = 0; i < events && n < self.storage_.size(); ++i) {
        jack_midi_event_t event;
        if (jack_midi_event_get(&event, buffer, i) != 0 || event.size == 0 || event.size > 3) continue;
        ReceivedMidi& r = self.storage_[n++];
        r.frame = cycle + event.time;
        r.in_heard_cycle = heard;
        r.size = static_cast<int>(event.size);
        for (std::size_t b = 0; b < event.size; ++b) r.bytes[b] = event.buffer[b];
    }
    self.count_.store(n, std::memory_order_release);
    const std::size_t c = self.cycle_count_.load(std::memory_order_relaxed);
    if (c < self.cycles_.size()) {
        self.cycles_[c] = Cycle{cycle, nframes, heard};
        self.cycle_count_.store(c + 1, std::memory_order_release);
    }
    return 0;
}

}  // namespace tactus::test
