#include "support/jack_midi_sender.h"

#include <jack/midiport.h>

namespace tactus::test {

JackMidiSender::JackMidiSender(JackMidiSenderOptions options)
    : options_(std::move(options)),
      jack_(options_.server, options_.client_name, JackMidiPortClient::Direction::Output,
            &JackMidiSender::on_process, this) {}

std::int64_t JackMidiSender::now() const {
    return jack_.client() ? static_cast<std::int64_t>(jack_frame_time(jack_.client())) : 0;
}

void JackMidiSender::schedule(std::vector<ScheduledMidi> messages) {
    messages_ = std::move(messages);
    missed_flags_.assign(messages_.size(), 0);
    scheduled_.store(true, std::memory_order_release);
}

int JackMidiSender::on_process(std::uint32_t nframes, void* arg) {
    auto& self = *static_cast<JackMidiSender*>(arg);
    void* buffer = jack_port_get_buffer(self.jack_.port(), nframes);
    jack_midi_clear_buffer(buffer);
    if (!self.scheduled_.load(std::memory_order_acquire)) return 0;
    // A fresh server counts frames from 0: 32 bits last the whole test.
    const std::int64_t cycle = jack_last_frame_time(self.jack_.client());
    while (self.next_ < self.messages_.size()) {
        const ScheduledMidi& m = self.messages_[self.next_];
        if (m.frame >= cycle + nframes) break;
        ++self.next_;
        if (m.frame < cycle) {
            self.missed_flags_[self.next_ - 1] = 1;
            self.missed_.fetch_add(1, std::memory_order_release);
            continue;
        }
        if (jack_midi_event_write(buffer, static_cast<jack_nframes_t>(m.frame - cycle), m.bytes.data(),
                                  static_cast<std::size_t>(m.size)) == 0)
            self.sent_.fetch_add(1, std::memory_order_release);
    }
    return 0;
}

}  // namespace tactus::test
