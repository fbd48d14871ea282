#include "audio/jack_backend.h"

#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/thread.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <thread>
#include <vector>

#include "audio/midi_timing.h"
#include "audio/realtime_platform.h"
#include "core/realtime_scope.h"

namespace tactus {

namespace {

const char* const kPortNames[2] = {"out_left", "out_right"};

// Beyond this distance from the latest cycle, JACK's 32-bit frame arithmetic is not trusted.
constexpr Frame kMaxJackFrameDistance = Frame{1} << 30;

void set_error(std::string* error, std::string message) {
    if (error) *error = std::move(message);
}

std::string hex(unsigned value) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), digits[value & 0xfu]);
        value >>= 4;
    } while (value != 0);
    return "0x" + out;
}

std::string describe_open_status(jack_status_t status) {
    std::string reasons;
    auto add = [&](jack_status_t bit, const char* text) {
        if (!(status & bit)) return;
        if (!reasons.empty()) reasons += ", ";
        reasons += text;
    };
    add(JackServerFailed, "no server answered");
    add(JackServerError, "server error");
    add(JackVersionError, "protocol version mismatch");
    add(JackShmFailure, "cannot access shared memory");
    add(JackInitFailure, "cannot initialise the client");
    add(JackInvalidOption, "invalid option");
    add(JackNameNotUnique, "client name in use");
    return (reasons.empty() ? std::string("failure") : reasons) + ", status " +
           hex(static_cast<unsigned>(status));
}

std::vector<std::string> split_ports(const std::string& list) {
    std::vector<std::string> names;
    std::size_t begin = 0;
    while (begin <= list.size()) {
        const std::size_t end = std::min(list.find(',', begin), list.size());
        std::string name = list.substr(begin, end - begin);
        const auto first = name.find_first_not_of(" \t");
        const auto last = name.find_last_not_of(" \t");
        if (first != std::string::npos) names.push_back(name.substr(first, last - first + 1));
        begin = end + 1;
    }
    return names;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

std::unique_ptr<JackBackend> JackBackend::open(const AudioBackendOptions& options, std::string* error) {
    std::unique_ptr<JackBackend> self(new JackBackend());
    if (!options.jack_server.empty()) {
        self->server_name_ = options.jack_server;
    } else if (const char* env = std::getenv("JACK_DEFAULT_SERVER"); env && *env) {
        self->server_name_ = env;
    } else {
        self->server_name_ = "default";
    }
    self->device_ = options.device;

    jack_status_t status{};
    const int flags = JackNoStartServer | (options.jack_server.empty() ? 0 : JackServerName);
    // A running server sometimes refuses a connection with JackServerError (seen with jackd2 1.9.21 when
    // several servers run and clients come and go quickly: ~20% of opens in a tight loop). That is
    // transient: try again. A server that is not there (JackServerFailed) fails at once.
    for (int attempt = 0; attempt < 4; ++attempt) {
        if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50 * attempt));
        status = {};
        self->client_ = jack_client_open(options.client_name.c_str(), static_cast<jack_options_t>(flags),
                                         &status, options.jack_server.c_str());
        if (self->client_ || (status & JackServerFailed) || !(status & JackServerError)) break;
    }
    if (!self->client_) {
        set_error(error, "jack: cannot connect to the JACK server '" + self->server_name_ +
                             "' (is it running? " + describe_open_status(status) + ")");
        return nullptr;
    }

    jack_set_process_callback(self->client_, &JackBackend::on_process, self.get());
    jack_set_xrun_callback(self->client_, &JackBackend::on_xrun, self.get());
    jack_on_shutdown(self->client_, &JackBackend::on_shutdown, self.get());
    for (int ch = 0; ch < 2; ++ch) {
        self->ports_[ch] =
            jack_port_register(self->client_, kPortNames[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        if (!self->ports_[ch]) {
            set_error(error, std::string("jack: cannot register the output port '") + kPortNames[ch] +
                                 "' on server '" + self->server_name_ + "'");
            return nullptr;  // the destructor closes the client
        }
    }
    self->midi_in_ = jack_port_register(self->client_, "midi_in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput, 0);
    self->midi_out_ =
        jack_port_register(self->client_, "midi_out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput, 0);
    if (!self->midi_in_ || !self->midi_out_) {
        set_error(error, "jack: cannot register the MIDI ports 'midi_in' and 'midi_out' on server '" +
                             self->server_name_ + "'");
        return nullptr;
    }
    self->sample_rate_ = static_cast<int>(jack_get_sample_rate(self->client_));

    self->identify_jack_clock();

    // Anchor the 32-bit frame widening on the server's current cycle (its timer runs already).
    jack_nframes_t frames = 0;
    jack_time_t usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    if (jack_get_cycle_times(self->client_, &frames, &usecs, &next_usecs, &period_usecs) == 0) {
        self->last_frame_.store(frames);
        self->last_host_ns_.store(self->host_ns_from_jack_us(usecs));
    } else {
        self->last_frame_.store(jack_frame_time(self->client_));
        self->last_host_ns_.store(monotonic_now_ns());
    }
    return self;
}

// Brackets jack_get_time() between two readings of a candidate clock, 32 times, and keeps the offset
// of the tightest bracket. JACK truncates to whole µs, so for its own clock the offset (candidate − JACK
// µs × 1000) lies in [0, 1000) ns, give or take half the bracket.
void JackBackend::identify_jack_clock() {
    auto offset_from = [](auto now_ns, std::int64_t* span_out) {
        std::int64_t best_span = std::numeric_limits<std::int64_t>::max();
        std::int64_t offset = 0;
        for (int i = 0; i < 32; ++i) {
            const std::int64_t before = now_ns();
            const auto usecs = static_cast<std::int64_t>(jack_get_time());
            const std::int64_t after = now_ns();
            if (after - before < best_span) {
                best_span = after - before;
                offset = before + (after - before) / 2 - usecs * 1000;
            }
        }
        *span_out = best_span;
        return offset;
    };
    auto matches = [](std::int64_t offset, std::int64_t span) {
        return std::abs(offset - 500) <= 500 + span / 2 + 2000;
    };
    std::int64_t span = 0;
    if (platform::has_monotonic_raw_clock() &&
        matches(offset_from(&platform::monotonic_raw_now_ns, &span), span)) {
        jack_clock_ = JackClock::MonotonicRaw;
        std::int64_t best_span = std::numeric_limits<std::int64_t>::max();
        for (int i = 0; i < 8; ++i) {
            const std::int64_t offset = platform::monotonic_minus_raw_ns(&span);
            if (span < best_span) {
                best_span = span;
                raw_offset_ns_.store(offset, std::memory_order_relaxed);
            }
        }
        return;
    }
    const std::int64_t offset = offset_from(&monotonic_now_ns, &span);
    if (matches(offset, span)) {
        jack_clock_ = JackClock::Monotonic;
    } else {
        jack_clock_ = JackClock::Other;
        other_offset_ns_ = offset;
    }
}

// The two clocks drift apart by NTP's frequency correction (ppm), so the offset is followed cycle by
// cycle; a reading whose bracket shows the thread was preempted (over 2 µs) is skipped.
void JackBackend::refresh_raw_offset() {
    std::int64_t span = 0;
    const std::int64_t offset = platform::monotonic_minus_raw_ns(&span);
    if (span <= 2000) raw_offset_ns_.store(offset, std::memory_order_relaxed);
}

std::int64_t JackBackend::host_ns_from_jack_us(std::uint64_t usecs) const {
    const auto ns = static_cast<std::int64_t>(usecs) * 1000;
    switch (jack_clock_) {
        case JackClock::Monotonic:
            return ns;
        case JackClock::MonotonicRaw:
            return ns + raw_offset_ns_.load(std::memory_order_relaxed);
        case JackClock::Other:
            break;
    }
    return ns + other_offset_ns_;
}

std::int64_t JackBackend::jack_ns_from_host_ns(std::int64_t ns) const {
    switch (jack_clock_) {
        case JackClock::Monotonic:
            return ns;
        case JackClock::MonotonicRaw:
            return ns - raw_offset_ns_.load(std::memory_order_relaxed);
        case JackClock::Other:
            break;
    }
    return ns - other_offset_ns_;
}

std::string JackBackend::jack_clock() const {
    switch (jack_clock_) {
        case JackClock::Monotonic:
            return "CLOCK_MONOTONIC";
        case JackClock::MonotonicRaw:
            return "CLOCK_MONOTONIC_RAW";
        case JackClock::Other:
            break;
    }
    return "unknown (offset " + std::to_string(other_offset_ns_) + " ns from CLOCK_MONOTONIC)";
}

JackBackend::~JackBackend() {
    stop();
    if (client_) jack_client_close(client_);
}

bool JackBackend::start(AudioCallback& callback, std::string* error) {
    if (server_lost_.load()) {
        set_error(error, "jack: the JACK server '" + server_name_ + "' is gone");
        return false;
    }
    if (active_) {
        set_error(error, "jack: already started");
        return false;
    }
    memory_locked_.store(platform::lock_process_memory().locked);
    callback_.store(&callback, std::memory_order_release);
    if (jack_activate(client_) != 0) {
        callback_.store(nullptr);
        set_error(error, "jack: cannot activate the client on server '" + server_name_ + "'");
        return false;
    }
    active_ = true;
    if (!connect_outputs(error)) {
        stop();
        return false;
    }
    return true;
}

bool JackBackend::connect_outputs(std::string* error) {
    if (device_ == "none") return true;
    std::vector<std::string> targets;
    if (device_.empty()) {
        if (const char** physical = jack_get_ports(client_, nullptr, JACK_DEFAULT_AUDIO_TYPE,
                                                   JackPortIsPhysical | JackPortIsInput)) {
            for (int i = 0; physical[i] && i < 2; ++i) targets.emplace_back(physical[i]);
            jack_free(physical);
        }
        if (targets.empty()) return true;  // a server without playback hardware: nothing to connect
    } else {
        targets = split_ports(device_);
        if (targets.empty()) {
            set_error(error, "jack: no port names in '" + device_ + "'");
            return false;
        }
    }
    for (int ch = 0; ch < 2; ++ch) {
        const std::string& target =
            targets[std::min<std::size_t>(static_cast<std::size_t>(ch), targets.size() - 1)];
        const int result = jack_connect(client_, jack_port_name(ports_[ch]), target.c_str());
        if (result != 0 && result != EEXIST) {
            set_error(error, std::string("jack: cannot connect '") + jack_port_name(ports_[ch]) + "' to '" +
                                 target + "' on server '" + server_name_ + "' (no such input port?)");
            return false;
        }
    }
    return true;
}

void JackBackend::stop() {
    if (active_ && !server_lost_.load()) jack_deactivate(client_);  // returns once no cycle runs
    active_ = false;
    callback_.store(nullptr, std::memory_order_release);
}

// ---- the realtime thread ----

int JackBackend::on_process(std::uint32_t nframes, void* arg) {
    JackBackend& self = *static_cast<JackBackend*>(arg);
    const jack_nframes_t frame32 = jack_last_frame_time(self.client_);
    jack_nframes_t cycle_frame = 0;
    jack_time_t cycle_usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    if (jack_get_cycle_times(self.client_, &cycle_frame, &cycle_usecs, &next_usecs, &period_usecs) != 0 ||
        cycle_frame != frame32) {
        cycle_usecs = jack_frames_to_time(self.client_, frame32);
    }
    const Frame frame_time = self.widen(frame32);
    if (self.jack_clock_ == JackClock::MonotonicRaw) self.refresh_raw_offset();
    const std::int64_t host_ns = self.host_ns_from_jack_us(cycle_usecs);
    self.last_host_ns_.store(host_ns, std::memory_order_relaxed);
    self.last_frame_.store(frame_time, std::memory_order_release);

    if (!self.thread_checked_.load(std::memory_order_relaxed)) {
        self.thread_realtime_.store(platform::current_thread_is_realtime(), std::memory_order_relaxed);
        self.thread_checked_.store(true, std::memory_order_release);
    }

    AudioBlock block;
    block.frame_time = frame_time;
    block.host_time_ns = host_ns;
    block.frames = static_cast<int>(nframes);
    block.left = static_cast<float*>(jack_port_get_buffer(self.ports_[0], nframes));
    block.right = static_cast<float*>(jack_port_get_buffer(self.ports_[1], nframes));
    block.midi_in = self.midi_events_;
    block.midi_in_count = self.read_midi_input(nframes);
    int midi_out_count = 0;
    block.midi_out = self.midi_out_events_;
    block.midi_out_capacity = static_cast<int>(std::size(self.midi_out_events_));
    block.midi_out_count = &midi_out_count;
    if (AudioCallback* callback = self.callback_.load(std::memory_order_acquire)) {
        RealtimeScope realtime;
        callback->process(block);
    } else {
        midi_out_count = 0;
        std::fill(block.left, block.left + nframes, 0.0f);
        std::fill(block.right, block.right + nframes, 0.0f);
    }
    self.write_midi_output(nframes, midi_out_count);
    return 0;
}

// The engine's MIDI output of this cycle, in time order (JACK requires it), onto the midi_out port.
void JackBackend::write_midi_output(std::uint32_t nframes, int count) {
    void* buffer = jack_port_get_buffer(midi_out_, nframes);
    jack_midi_clear_buffer(buffer);
    sort_midi_by_offset(midi_out_events_, count);  // stable: messages of one frame keep their order
    for (int i = 0; i < count; ++i) {
        const MidiInputEvent& e = midi_out_events_[i];
        const auto offset =
            static_cast<jack_nframes_t>(std::clamp<int>(e.offset, 0, static_cast<int>(nframes) - 1));
        jack_midi_event_write(buffer, offset, e.bytes, static_cast<std::size_t>(e.size));
    }
}

// Channel voice messages of this cycle into midi_events_ (sysex and system messages are skipped).
int JackBackend::read_midi_input(std::uint32_t nframes) {
    void* buffer = jack_port_get_buffer(midi_in_, nframes);
    const std::uint32_t available = jack_midi_get_event_count(buffer);
    int count = 0;
    for (std::uint32_t i = 0; i < available && count < kMaxMidiEvents; ++i) {
        jack_midi_event_t event;
        if (jack_midi_event_get(&event, buffer, i) != 0 || event.size == 0 || event.size > 3) continue;
        const std::uint8_t status = event.buffer[0];
        if (status < 0x80 || status >= 0xF0) continue;
        MidiInputEvent& out = midi_events_[count++];
        out.offset = static_cast<int>(std::min<std::uint32_t>(event.time, nframes - 1));
        out.size = static_cast<int>(event.size);
        for (std::size_t b = 0; b < event.size; ++b) out.bytes[b] = event.buffer[b];
    }
    return count;
}

int JackBackend::on_xrun(void* arg) {
    static_cast<JackBackend*>(arg)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

void JackBackend::on_shutdown(void* arg) {
    static_cast<JackBackend*>(arg)->server_lost_.store(true);  // async-signal-safe: one atomic store
}

// ---- queries, any thread ----

Frame JackBackend::widen(std::uint32_t frame32) const {
    const Frame reference = last_frame_.load(std::memory_order_acquire);
    return reference + static_cast<std::int32_t>(frame32 - static_cast<std::uint32_t>(reference));
}

Frame JackBackend::timer_cycle_frame() const {
    jack_nframes_t cycle_frame = 0;
    jack_time_t cycle_usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    if (jack_get_cycle_times(client_, &cycle_frame, &cycle_usecs, &next_usecs, &period_usecs) != 0) {
        return last_frame_.load(std::memory_order_acquire);
    }
    return widen(cycle_frame);
}

Frame JackBackend::extrapolate_frame(std::int64_t ns) const {
    const Frame frame = last_frame_.load(std::memory_order_acquire);
    const std::int64_t at = last_host_ns_.load(std::memory_order_relaxed);
    return frame + static_cast<Frame>(std::floor(static_cast<double>(ns - at) * sample_rate_ / 1e9 + 0.5));
}

std::int64_t JackBackend::extrapolate_time(Frame frame) const {
    const Frame anchor = last_frame_.load(std::memory_order_acquire);
    const std::int64_t at = last_host_ns_.load(std::memory_order_relaxed);
    return at + static_cast<std::int64_t>(
                    std::floor(static_cast<double>(frame - anchor) * 1e9 / sample_rate_ + 0.5));
}

Frame JackBackend::frame_at_host_time(std::int64_t ns) const {
    const std::int64_t max_distance_ns =
        static_cast<std::int64_t>(static_cast<double>(kMaxJackFrameDistance) * 1e9 / sample_rate_);
    const std::int64_t jack_ns = jack_ns_from_host_ns(ns);
    if (server_lost_.load() || jack_ns < 0 ||
        std::abs(ns - last_host_ns_.load(std::memory_order_relaxed)) > max_distance_ns) {
        return extrapolate_frame(ns);
    }
    const auto usecs = static_cast<jack_time_t>(floor_div(jack_ns + 500, 1000));
    return widen(jack_time_to_frames(client_, usecs));
}

std::int64_t JackBackend::host_time_at_frame(Frame frame) const {
    if (server_lost_.load() ||
        std::abs(frame - last_frame_.load(std::memory_order_acquire)) > kMaxJackFrameDistance) {
        return extrapolate_time(frame);
    }
    const jack_time_t usecs = jack_frames_to_time(client_, static_cast<jack_nframes_t>(frame));
    if (usecs == 0) return extrapolate_time(frame);  // JACK's timer not initialised yet
    return host_ns_from_jack_us(usecs);
}

int JackBackend::realtime_priority() const {
    const int priority = jack_client_real_time_priority(client_);
    return priority > 0 ? priority : 0;
}

int JackBackend::sample_rate() const {
    return sample_rate_;
}

int JackBackend::period() const {
    return static_cast<int>(jack_get_buffer_size(client_));
}

int JackBackend::output_latency_frames() const {
    jack_nframes_t latency = 0;
    for (jack_port_t* port : ports_) {
        jack_latency_range_t range{};
        jack_port_get_latency_range(port, JackPlaybackLatency, &range);
        latency = std::max(latency, range.max);
    }
    return static_cast<int>(latency);
}

std::int64_t JackBackend::xruns() const {
    return xruns_.load(std::memory_order_relaxed);
}

bool JackBackend::realtime_scheduling() const {
    return realtime_thread() && memory_locked();
}

bool JackBackend::realtime_thread() const {
    return thread_checked_.load(std::memory_order_acquire) &&
           thread_realtime_.load(std::memory_order_relaxed) && !server_lost_.load() &&
           jack_is_realtime(client_) != 0;
}

bool JackBackend::memory_locked() const {
    return memory_locked_.load();
}

bool JackBackend::server_lost() const {
    return server_lost_.load();
}

std::string JackBackend::client_name() const {
    return jack_get_client_name(client_);
}

std::string JackBackend::port_name(int channel) const {
    return jack_port_name(ports_[channel == 0 ? 0 : 1]);
}

std::string JackBackend::description() const {
    std::string text = "jack (server '" + server_name_ + "', " + std::to_string(sample_rate_) +
                       " Hz, period " + std::to_string(period());
    if (jack_clock_ == JackClock::Other) text += ", JACK clock " + jack_clock();
    if (server_lost()) text += ", server lost";
    return text + ")";
}

}  // namespace tactus
