#include "support/jack_midi_sender.h"

#include <jack/jack.h>
#include <jack/midiport.h>

namespace tactus::test {

JackMidiSender::JackMidiSender(JackMidiSenderOptions options) : options_(std::move(options)) {
    jack_status_t status{};
    client_ = jack_client_open(options_.client_name.c_str(),
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
                               options_.server.c_str());
    if (!client_) {
        error_ = "cannot open a JACK client on server '" + options_.server + "'";
        return;
    }
    port_ = jack_port_register(client_, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (!port_) error_ = "cannot register the MIDI output port";
    jack_set_process_callback(client_, &JackMidiSender::on_process, this);
}

JackMidiSender::~JackMidiSender() {
    stop();
    if (client_) jack_client_close(client_);
}

bool JackMidiSender::start() {
    if (!ok()) return false;
    if (jack_activate(client_) != 0) {
        error_ = "cannot activate the MIDI sender";
        return false;
    }
    active_ = true;
    if (jack_connect(client_, jack_port_name(port_), options_.target_port.c_str()) != 0) {
        error_ = "cannot connect to '" + options_.target_port + "'";
        return false;
    }
    return true;
}

void JackMidiSender::stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
}

std::int64_t JackMidiSender::now() const {
    return client_ ? static_cast<std::int64_t>(jack_frame_time(client_)) : 0;
}

void JackMidiSender::schedule(std::vector<ScheduledMidi> messages) {
    messages_ = std::move(messages);
    scheduled_.store(true, std::memory_order_release);
}

int JackMidiSender::on_process(std::uint32_t nframes, void* arg) {
    auto& self = *static_cast<JackMidiSender*>(arg);
    void* buffer = jack_port_get_buffer(self.port_, nframes);
    jack_midi_clear_buffer(buffer);
    if (!self.scheduled_.load(std::memory_order_acquire)) return 0;
    // A fresh server counts frames from 0: 32 bits last the whole test.
    const std::int64_t cycle = jack_last_frame_time(self.client_);
    while (self.next_ < self.messages_.size()) {
        const ScheduledMidi& m = self.messages_[self.next_];
        if (m.frame >= cycle + nframes) break;
        ++self.next_;
        if (m.frame < cycle) {
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
