// A portable audio output device, seen by the engine as one realtime callback per period.
// Backends: JACK (libjack directly: its frame clock is the engine's clock), RtAudio (ALSA, PulseAudio,
// and CoreAudio/WASAPI elsewhere), and "offline" (a loop clocked by the caller's file writer).
//
// Threading: open/start/stop/close from a control thread. AudioCallback::process runs on the device's
// realtime thread and must obey the realtime rules. The const query methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/frames.h"
#include "core/midi_input.h"

namespace tactus {

// Everything the engine needs to know about one period.
struct AudioBlock {
    // The device frame clock's value for the first sample of this block. With JACK this is
    // jack_last_frame_time(); it jumps forward across an xrun, so time never slips. Other backends
    // count frames and add the frames a detected under/overflow skipped.
    Frame frame_time = 0;
    // CLOCK_MONOTONIC nanoseconds at which this block's period began (JACK: jack_frames_to_time of
    // frame_time; others: the time taken at callback entry).
    std::int64_t host_time_ns = 0;
    int frames = 0;
    float* left = nullptr;  // output, `frames` samples each; the callback writes every sample
    float* right = nullptr;
    // MIDI input of this period (JACK's "midi_in" port, or the ALSA sequencer's through RtMidi), in
    // time order; owned by the backend, valid during process().
    const MidiInputEvent* midi_in = nullptr;
    int midi_in_count = 0;
    // MIDI output of this period (JACK's "midi_out" port): the callback writes up to
    // midi_out_capacity messages and their count; null when the backend has no MIDI output.
    MidiInputEvent* midi_out = nullptr;
    int midi_out_capacity = 0;
    int* midi_out_count = nullptr;
};

class AudioCallback {
public:
    virtual ~AudioCallback() = default;
    virtual void process(const AudioBlock& block) = 0;  // realtime thread
    // Frames an offline backend renders before output frame 0 (the engine's lookahead when the stream
    // starts); asked once, as it starts.
    virtual int preroll_frames() const { return 0; }
};

struct AudioBackendOptions {
    std::string kind = "default";  // "jack" | "alsa" | "pulse" | "default" | "offline"
    std::string
        device;  // RtAudio device name or index; JACK: ports to connect ("" = system playback, "none" = none)
    int sample_rate = 48000;  // JACK: taken from the server
    int period = 256;         // frames; JACK: taken from the server
    std::string client_name = "tactusd";
    std::string jack_server;   // JACK server name ("" = default)
    std::string offline_path;  // offline: the file to write (WAV/FLAC by extension, 32-bit float WAV default)
    double offline_seconds = 0;  // offline: stop after this long (0 = until stop() is called)
    // offline: frames rendered before the file starts (the engine's lookahead), so that the file's
    // first sample is output frame 0 and the engine can act on frame 0.
    int offline_preroll_frames = 0;
    // RtAudio backends: MIDI ports through RtMidi (the ALSA sequencer on Linux), each also connected
    // to the first port whose name contains these ("" = none). JACK has its own MIDI ports.
    bool midi = true;
    std::string midi_in_port;
    std::string midi_out_port;
};

class AudioBackend {
public:
    virtual ~AudioBackend() = default;

    // Starts calling `callback` from the device's realtime thread. The callback must outlive stop().
    virtual bool start(AudioCallback& callback, std::string* error) = 0;
    virtual void stop() = 0;

    virtual int sample_rate() const = 0;
    virtual int period() const = 0;
    // Frames between a sample written in the callback and its being heard (device + buffering).
    virtual int output_latency_frames() const = 0;
    // Under/overruns the backend saw (JACK: its xrun callback count for this client).
    virtual std::int64_t xruns() const = 0;
    // Whether the audio thread runs with realtime scheduling, and memory is locked.
    virtual bool realtime_scheduling() const = 0;
    // The SCHED_FIFO priority of the audio thread, for helper threads that work for it (JACK's client
    // priority); 0 when it is not known or not realtime.
    virtual int realtime_priority() const { return 0; }
    // True for a backend without a device clock (an offline render): helpers need no realtime priority.
    virtual bool clocked_by_caller() const { return false; }
    // The device frame clock, for mapping wall time to frames: the frame that plays at host time
    // `ns` (CLOCK_MONOTONIC), and back. Thread-safe; JACK uses jack_time_to_frames/jack_frames_to_time.
    virtual Frame frame_at_host_time(std::int64_t ns) const = 0;
    virtual std::int64_t host_time_at_frame(Frame frame) const = 0;
    // True once the stream has ended by itself (an offline render reached its length, the JACK
    // server went away): the engine process should shut down.
    virtual bool ended() const { return false; }
    // One line for logs and status: "jack (server 'x', 48000 Hz, period 128)".
    virtual std::string description() const = 0;
    // One line for the log about MIDI through the system's MIDI ports: which ports, or why there are
    // none. "" when there is nothing to say (JACK's MIDI ports are part of its client).
    virtual std::string midi_status() const { return {}; }
};

// nullptr with *error set when the kind is unknown or the device cannot be opened.
std::unique_ptr<AudioBackend> open_audio_backend(const AudioBackendOptions& options, std::string* error);

// CLOCK_MONOTONIC now, in nanoseconds.
std::int64_t monotonic_now_ns();

}  // namespace tactus
