#include "audio/rtmidi_ports.h"

#include <RtMidi.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "audio/audio_backend.h"
#include "audio/realtime_platform.h"

namespace tactus {

namespace {

constexpr std::int64_t kIdlePollNs = 1'000'000;       // the sender looks for output every 1 ms
constexpr std::int64_t kLongestSleepNs = 50'000'000;  // and checks for stop at least every 50 ms

// The system's own MIDI API: the first compiled one that is neither JACK (the JACK backend has its
// own ports) nor the dummy. RtMidi's UNSPECIFIED would fall through to JACK when ALSA has no other
// client's ports yet.
RtMidi::Api system_midi_api() {
    std::vector<RtMidi::Api> apis;
    RtMidi::getCompiledApi(apis);
    for (RtMidi::Api api : apis)
        if (api != RtMidi::UNIX_JACK && api != RtMidi::RTMIDI_DUMMY) return api;
    return RtMidi::UNSPECIFIED;
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Collects what RtMidi reports instead of letting it print or throw.
void on_rtmidi_error(RtMidiError::Type type, const std::string& text, void* errors) {
    if (type == RtMidiError::WARNING || type == RtMidiError::DEBUG_WARNING) return;
    static_cast<std::atomic<std::uint64_t>*>(errors)->fetch_add(1, std::memory_order_relaxed);
    (void)text;
}

// Connects `midi` (an RtMidiIn or RtMidiOut holding its virtual port) to the first port whose name
// contains `wanted`, skipping our own client's ports. "" when done, else why not.
template <class Midi>
std::string connect(Midi& midi, const std::string& wanted, const std::string& own_client,
                    const std::string& port_name) {
    std::string available;
    const unsigned int count = midi.getPortCount();
    for (unsigned int i = 0; i < count; ++i) {
        const std::string name = midi.getPortName(i);
        if (name.rfind(own_client + ":", 0) == 0) continue;
        if (lower(name).find(lower(wanted)) != std::string::npos) {
            midi.openPort(i, port_name);
            return {};
        }
        available += (available.empty() ? "'" : ", '") + name + "'";
    }
    return "no MIDI port matches '" + wanted + "' (ports: " + (available.empty() ? "none" : available) + ")";
}

}  // namespace

std::unique_ptr<RtMidiPorts> RtMidiPorts::open(const MidiPortOptions& options, std::string* error,
                                               std::string* notes) {
    std::string why_not;
    if (!options.jack_api_for_tests && !platform::midi_system_present(&why_not)) {
        if (error) *error = why_not;
        return nullptr;
    }
    std::unique_ptr<RtMidiPorts> self(new RtMidiPorts());
    std::string connect_notes;
    try {
        const RtMidi::Api api = options.jack_api_for_tests ? RtMidi::UNIX_JACK : system_midi_api();
        self->in_ = std::make_unique<RtMidiIn>(api, options.client_name, 1024);
        self->out_ = std::make_unique<RtMidiOut>(api, options.client_name);
        self->in_->setErrorCallback(&on_rtmidi_error, &self->errors_);
        self->out_->setErrorCallback(&on_rtmidi_error, &self->errors_);
        self->in_->ignoreTypes(true, true, true);  // sysex, clock, active sensing: not played
        self->in_->setCallback(&RtMidiPorts::on_input, self.get());
        self->in_->openVirtualPort("midi_in");
        self->out_->openVirtualPort("midi_out");
        if (self->errors_.load() != 0) {
            if (error) *error = "cannot create the MIDI ports (RtMidi " + RtMidi::getApiName(api) + ")";
            return nullptr;
        }
        self->description_ = "MIDI: " + RtMidi::getApiDisplayName(api) + " ports " + options.client_name +
                             ":midi_in, " + options.client_name + ":midi_out";
        auto note = [&](const std::string& why) {
            connect_notes += (connect_notes.empty() ? "" : "; ") + why;
        };
        if (!options.connect_input.empty()) {
            const std::string why =
                connect(*self->in_, options.connect_input, options.client_name, "midi_in");
            if (why.empty())
                self->description_ += "; midi_in from '" + options.connect_input + "'";
            else
                note(why);
        }
        if (!options.connect_output.empty()) {
            const std::string why =
                connect(*self->out_, options.connect_output, options.client_name, "midi_out");
            if (why.empty())
                self->description_ += "; midi_out to '" + options.connect_output + "'";
            else
                note(why);
        }
    } catch (const RtMidiError& e) {
        if (error) *error = "cannot open MIDI: " + e.getMessage();
        return nullptr;
    }
    if (notes) *notes = connect_notes;
    return self;
}

RtMidiPorts::~RtMidiPorts() {
    in_.reset();  // first: its thread calls on_input, which uses the queue
    stopping_.store(true, std::memory_order_release);
    if (sender_.joinable()) sender_.join();
    out_.reset();
}

void RtMidiPorts::start(const ClockModel& clock, int latency_frames) {
    clock_ = &clock;
    latency_frames_ = latency_frames;
    sender_ = std::thread([this] { run_sender(); });
}

// RtMidi's input thread: stamp on arrival, filter, hand over. A full queue drops (counted).
void RtMidiPorts::on_input(double, std::vector<unsigned char>* message, void* arg) {
    auto& self = *static_cast<RtMidiPorts*>(arg);
    if (!message || !is_channel_message(message->data(), message->size())) return;
    StampedMidi m;
    m.host_ns = monotonic_now_ns();
    m.size = static_cast<int>(message->size());
    std::copy(message->begin(), message->end(), m.bytes);
    if (!self.received_.try_push(m)) self.dropped_.fetch_add(1, std::memory_order_relaxed);
}

int RtMidiPorts::take_input(Frame block_frame, int frames, MidiInputEvent* out, int capacity) {
    if (!clock_) return 0;  // not started: what arrived waits
    const int room = std::min(capacity, kMaxEventsPerBlock);
    int count = 0;
    while (count < room && received_.try_pop(staged_[count])) ++count;
    if (count == 0) return 0;
    place_midi_input(
        {staged_, static_cast<std::size_t>(count)}, block_frame, frames, latency_frames_,
        [this](std::int64_t ns) { return clock_->frame_at(ns); }, out);
    return count;
}

void RtMidiPorts::queue_output(Frame block_frame, MidiInputEvent* events, int count) {
    sort_midi_by_offset(events, count);
    for (int i = 0; i < count; ++i)
        if (!outgoing_.try_push(framed(events[i], block_frame)))
            dropped_.fetch_add(1, std::memory_order_relaxed);
}

// The sender: each message at its host time; on stop, whatever is left at once (the note-offs and
// All Notes Off of a quitting engine must reach the synth).
void RtMidiPorts::run_sender() {
    FramedMidi next;
    bool have = false;
    for (;;) {
        const bool stopping = stopping_.load(std::memory_order_acquire);
        if (!have) have = outgoing_.try_pop(next);
        if (!have) {
            if (stopping) return;
            platform::sleep_until_monotonic_ns(monotonic_now_ns() + kIdlePollNs);
            continue;
        }
        const TimedMidi timed = time_midi_output(next, latency_frames_,
                                                 [this](Frame frame) { return clock_->host_time_at(frame); });
        const std::int64_t now = monotonic_now_ns();
        if (timed.send_at_ns > now && !stopping) {
            platform::sleep_until_monotonic_ns(std::min(timed.send_at_ns, now + kLongestSleepNs));
            continue;
        }
        send(timed);
        have = false;
    }
}

void RtMidiPorts::send(const TimedMidi& message) {
    const std::int64_t lateness = monotonic_now_ns() - message.send_at_ns;
    if (lateness > max_lateness_ns_.load(std::memory_order_relaxed))
        max_lateness_ns_.store(lateness, std::memory_order_relaxed);
    try {
        out_->sendMessage(message.bytes, static_cast<std::size_t>(message.size));
    } catch (const RtMidiError&) {
        errors_.fetch_add(1, std::memory_order_relaxed);
    }
}

}  // namespace tactus
