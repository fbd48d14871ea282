#include "engine/midi_out_instrument.h"

#include <algorithm>
#include <cmath>

#include "engine/midi_channel_message.h"

namespace tactus {

MidiOutInstrument::MidiOutInstrument(MidiOutBus& bus, int channel)
    : bus_(bus), channel_(static_cast<std::uint8_t>(std::clamp(channel, 0, 15))) {}

int MidiOutInstrument::offset() {
    if (serial_ != bus_.block_serial()) {
        serial_ = bus_.block_serial();
        rendered_ = 0;
    }
    return rendered_;
}

void MidiOutInstrument::send(std::uint8_t status, int data1, int data2) {
    bus_.push(offset(),
              {std::uint8_t(status | channel_), std::uint8_t(std::clamp(data1, 0, 127)),
               std::uint8_t(std::clamp(data2, 0, 127))},
              (status == 0xC0 || status == 0xD0) ? 2 : 3);
}

void MidiOutInstrument::note_on(VoiceKey key, int pitch, double, int velocity) {
    note_off(key);  // a key struck again restarts: the old note ends first
    for (Held& h : held_) {
        if (h.used) continue;
        h = {key, pitch, true};
        send(0x90, pitch, std::max(velocity, 1));
        return;
    }
}

void MidiOutInstrument::note_off(VoiceKey key) {
    for (Held& h : held_) {
        if (!h.used || h.key != key) continue;
        send(0x80, h.pitch, 64);
        h.used = false;
    }
}

void MidiOutInstrument::release_all() {
    for (Held& h : held_) {
        if (!h.used) continue;
        send(0x80, h.pitch, 64);
        h.used = false;
    }
}

void MidiOutInstrument::kill_all() {
    release_all();
    send(0xB0, 123, 0);  // All Notes Off, for notes the synth holds that we never saw end
}

void MidiOutInstrument::controller(const ControllerEvent& event) {
    const MidiChannelMessage m = midi_channel_message(event, channel_);
    bus_.push(offset(), m.bytes, m.size);
}

void MidiOutInstrument::render(float* left, float* right, int frames) {
    offset();  // a new block resets the count before it advances
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    rendered_ += frames;
}

}  // namespace tactus
