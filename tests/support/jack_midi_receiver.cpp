#include "support/jack_midi_receiver.h"

#include <jack/jack.h>
#include <jack/midiport.h>

namespace tactus::test {

JackMidiReceiver::JackMidiReceiver(JackMidiReceiverOptions options)
    : options_(std::move(options)), storage_(options_.capacity) {
    jack_status_t status{};
    client_ = jack_client_open(options_.client_name.c_str(),
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
                               options_.server.c_str());
    if (!client_) {
        error_ = "cannot open a JACK client on server '" + options_.server + "'";
        return;
    }
    port_ = jack_port_register(client_, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    if (!port_) error_ = "cannot register the MIDI input port";
    jack_set_process_callback(client_, &JackMidiReceiver::on_process, this);
}

JackMidiReceiver::~JackMidiReceiver() {
    stop();
    if (client_) jack_client_close(client_);
}

bool JackMidiReceiver::start() {
    if (!ok()) return false;
    if (jack_activate(client_) != 0) {
        error_ = "cannot activate the MIDI receiver";
        return false;
    }
    active_ = true;
    if (jack_connect(client_, options_.source_port.c_str(), jack_port_name(port_)) != 0) {
        error_ = "cannot connect from '" + options_.source_port + "'";
        return false;
    }
    return true;
}

void JackMidiReceiver::stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
}

std::vector<ReceivedMidi> JackMidiReceiver::messages() const {
    const std::size_t n = count_.load(std::memory_order_acquire);
    return {storage_.begin(), storage_.begin() + static_cast<std::ptrdiff_t>(n)};
}

int JackMidiReceiver::on_process(std::uint32_t nframes, void* arg) {
    auto& self = *static_cast<JackMidiReceiver*>(arg);
    void* buffer = jack_port_get_buffer(self.port_, nframes);
    const std::int64_t cycle = jack_last_frame_time(self.client_);  // a fresh server: 32 bits suffice
    std::size_t n = self.count_.load(std::memory_order_relaxed);
    const std::uint32_t events = jack_midi_get_event_count(buffer);
    for (std::uint32_t i = 0; i < events && n < self.storage_.size(); ++i) {
        jack_midi_event_t event;
        if (jack_midi_event_get(&event, buffer, i) != 0 || event.size == 0 || event.size > 3) continue;
        ReceivedMidi& r = self.storage_[n++];
        r.frame = cycle + event.time;
        r.size = static_cast<int>(event.size);
        for (std::size_t b = 0; b < event.size; ++b) r.bytes[b] = event.buffer[b];
    }
    self.count_.store(n, std::memory_order_release);
    return 0;
}

}  // namespace tactus::test
