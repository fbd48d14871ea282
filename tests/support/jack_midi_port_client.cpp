#include "support/jack_midi_port_client.h"

namespace tactus::test {

JackMidiPortClient::JackMidiPortClient(const std::string& server, const std::string& client_name,
                                       Direction direction, JackProcessCallback process, void* owner)
    : direction_(direction) {
    jack_status_t status{};
    client_ =
        jack_client_open(client_name.c_str(), static_cast<jack_options_t>(JackNoStartServer | JackServerName),
                         &status, server.c_str());
    if (!client_) {
        error_ = "cannot open a JACK client on server '" + server + "'";
        return;
    }
    const bool output = direction == Direction::Output;
    port_ = jack_port_register(client_, output ? "midi_out" : "midi_in", JACK_DEFAULT_MIDI_TYPE,
                               output ? JackPortIsOutput : JackPortIsInput, 0);
    if (!port_) error_ = "cannot register the MIDI port";
    jack_set_process_callback(client_, process, owner);
    jack_set_xrun_callback(
        client_,
        [](void* self) {
            static_cast<JackMidiPortClient*>(self)->xruns_.fetch_add(1, std::memory_order_relaxed);
            return 0;
        },
        this);
}

JackMidiPortClient::~JackMidiPortClient() {
    stop();
    if (client_) jack_client_close(client_);
}

bool JackMidiPortClient::start(const std::string& other_port) {
    if (!ok()) return false;
    if (jack_activate(client_) != 0) {
        error_ = "cannot activate the JACK client";
        return false;
    }
    active_ = true;
    const bool output = direction_ == Direction::Output;
    const std::string mine = jack_port_name(port_);
    if (jack_connect(client_, output ? mine.c_str() : other_port.c_str(),
                     output ? other_port.c_str() : mine.c_str()) != 0) {
        error_ = (output ? "cannot connect to '" : "cannot connect from '") + other_port + "'";
        return false;
    }
    return true;
}

void JackMidiPortClient::stop() {
    if (active_) jack_deactivate(client_);
    active_ = false;
}

}  // namespace tactus::test
