// The JACK backend: libjack directly, so JACK's own frame clock is the engine's clock.
//
// One client (options.client_name, renamed by JACK on a clash) with two output ports, "out_left" and
// "out_right", a MIDI input port "midi_in" (its events reach the engine in AudioBlock::midi_in, at
// their frame offsets in the cycle) and a MIDI output port "midi_out" (what the engine writes to
// AudioBlock::midi_out goes out in the same cycle), registered before activation. start() activates it and
// connects the ports: to the first two physical playback ports (options.device == ""), to nothing ("none"),
// or to the comma-separated port names in options.device (left, right; one name takes both channels). Sample
// rate and period are the server's.
//
// Clocks. AudioBlock::frame_time is jack_last_frame_time(), widened to 64 bits (JACK's counter is 32
// bits and wraps every ~24.9 h at 48 kHz). host_time_ns is the cycle's start from jack_get_cycle_times
// (JACK's DLL-filtered wakeup time for that frame), converted to CLOCK_MONOTONIC ns.
// Which clock JACK's microseconds come from is not documented. Measured here (jackd2 1.9.21, Debian 12):
// jack_get_time() is CLOCK_MONOTONIC_RAW truncated to whole µs, not CLOCK_MONOTONIC; the two differed by
// 0.27 s on this machine and drift apart at NTP's frequency correction (up to 500 ppm). (jack_get_time()
// also crashes if called before any client is open: its clock is chosen by the server connection.)
// So open() identifies the clock by bracketing jack_get_time() between readings of each candidate:
//  - CLOCK_MONOTONIC: ns = µs × 1000;
//  - CLOCK_MONOTONIC_RAW: ns = µs × 1000 + (MONOTONIC − RAW) measured at the moment of conversion
//    (three vDSO clock reads, realtime-safe), so the slow drift between the two never accumulates;
//  - neither (jackd -c h|c: HPET or cycle counter): a constant offset measured at open(), which
//    jack_clock() reports; it does not follow drift.
// frame_at_host_time()/host_time_at_frame() use jack_time_to_frames()/jack_frames_to_time(), which are
// exact for frames within ±2^31 of the current cycle (JACK 2 uses signed differences); beyond ±2^30
// frames they extrapolate at the nominal rate. Across an xrun JACK's frame time jumps forward by whole
// periods, keeping pace with the clock (observed with jackd2 1.9.21's dummy driver: a callback stalled
// for 40 ms in a 2.67 ms cycle → the next block came 1792 frames = 14 periods later, and the xrun
// callback fired 9-10 times for that one stall). AudioBlock::frame_time passes the jump on unchanged.
//
// Threading: open/start/stop/destruction on a control thread. The process callback runs on JACK's
// realtime thread and allocates nothing. Every const method may be called from any thread; xruns are
// counted by JACK's xrun callback (its notification thread) in an atomic.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "audio/audio_backend.h"

typedef struct _jack_client jack_client_t;
typedef struct _jack_port jack_port_t;

namespace tactus {

class JackBackend final : public AudioBackend {
public:
    // Connects to the server (never starts one: JackNoStartServer; options.jack_server names it) and
    // registers the ports. nullptr with *error set (naming the server) if the server cannot be reached.
    static std::unique_ptr<JackBackend> open(const AudioBackendOptions& options, std::string* error);
    ~JackBackend() override;  // deactivates and closes the client

    JackBackend(const JackBackend&) = delete;
    JackBackend& operator=(const JackBackend&) = delete;

    // Also locks memory (see realtime_platform.h). Fails if the server is gone or a named port cannot
    // be connected.
    bool start(AudioCallback& callback, std::string* error) override;
    void stop() override;

    int sample_rate() const override;
    int period() const override;
    int output_latency_frames() const override;  // max of the ports' JackPlaybackLatency ranges
    std::int64_t xruns() const override;
    bool realtime_scheduling() const override;  // realtime_thread() && memory_locked()
    int realtime_priority() const override;     // jack_client_real_time_priority (0 when not realtime)
    Frame frame_at_host_time(std::int64_t ns) const override;
    std::int64_t host_time_at_frame(Frame frame) const override;
    bool ended() const override { return server_lost(); }
    // The first frame of the cycle JACK's timer is in now (jack_get_cycle_times). Inside process() it
    // is the block's frame_time until the server starts the next cycle, which a late callback can
    // outlive; frame/time conversions then read the next cycle's timer.
    Frame timer_cycle_frame() const;
    std::string description() const override;

    // The server shut down or threw this client out (JACK's shutdown callback); nothing more will be
    // processed. The backend must be destroyed and a new one opened.
    bool server_lost() const;
    // The server runs realtime (jack_is_realtime) and the process thread was seen with SCHED_FIFO/RR
    // in its first cycle (false before the first cycle).
    bool realtime_thread() const;
    // mlockall succeeded at start() (see platform::lock_process_memory()).
    bool memory_locked() const;
    // The clock JACK's microseconds were found to come from (see above): "CLOCK_MONOTONIC",
    // "CLOCK_MONOTONIC_RAW", or "unknown (offset <n> ns from CLOCK_MONOTONIC)".
    std::string jack_clock() const;
    // The client's name as JACK knows it, and the full names of its two output ports ("tactusd:out_left").
    std::string client_name() const;
    std::string port_name(int channel) const;

private:
    JackBackend() = default;
    static int on_process(std::uint32_t frames, void* self);
    static int on_xrun(void* self);
    static void on_shutdown(void* self);
    bool connect_outputs(std::string* error);
    Frame widen(std::uint32_t frame32) const;
    void identify_jack_clock();
    std::int64_t host_ns_from_jack_us(std::uint64_t usecs) const;
    std::int64_t jack_ns_from_host_ns(std::int64_t ns) const;
    Frame extrapolate_frame(std::int64_t ns) const;
    std::int64_t extrapolate_time(Frame frame) const;

    jack_client_t* client_ = nullptr;
    jack_port_t* ports_[2] = {nullptr, nullptr};
    jack_port_t* midi_in_ = nullptr;
    jack_port_t* midi_out_ = nullptr;
    MidiInputEvent midi_out_events_[1024];
    void write_midi_output(std::uint32_t nframes, int count);
    int read_midi_input(std::uint32_t nframes);
    // MIDI input of the current cycle, filled on the realtime thread (fixed size: no allocation).
    static constexpr int kMaxMidiEvents = 1024;
    MidiInputEvent midi_events_[kMaxMidiEvents];
    std::string server_name_;
    std::string device_;
    int sample_rate_ = 0;
    enum class JackClock { Monotonic, MonotonicRaw, Other };
    JackClock jack_clock_ = JackClock::Monotonic;
    std::int64_t other_offset_ns_ = 0;  // JackClock::Other: host ns = JACK µs × 1000 + this
    // JackClock::MonotonicRaw: CLOCK_MONOTONIC − CLOCK_MONOTONIC_RAW, measured at open and again at the
    // start of each cycle by the process thread, kept only from a tight bracket. One value serves a
    // whole cycle, so a block's host time and host_time_at_frame() of its first frame agree to the ns
    // (a fresh reading per call jittered by µs whenever the reader was preempted between its clocks).
    std::atomic<std::int64_t> raw_offset_ns_{0};
    void refresh_raw_offset();
    bool active_ = false;

    std::atomic<AudioCallback*> callback_{nullptr};
    std::atomic<bool> server_lost_{false};
    std::atomic<std::int64_t> xruns_{0};
    std::atomic<bool> thread_checked_{false};
    std::atomic<bool> thread_realtime_{false};
    std::atomic<bool> memory_locked_{false};
    // The latest cycle (written by the process thread): widens JACK's 32-bit frames and anchors the
    // extrapolation when the server is gone.
    std::atomic<Frame> last_frame_{0};
    std::atomic<std::int64_t> last_host_ns_{0};
};

}  // namespace tactus
