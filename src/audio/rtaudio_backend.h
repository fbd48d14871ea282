// The RtAudio backend (RtAudio 5.2): kind "alsa" (RtAudio::LINUX_ALSA), "pulse" (LINUX_PULSE) or
// "default" (the first API RtAudio finds with a device: CoreAudio/WASAPI on other platforms).
// options.device picks the output device by index ("3") or by a case-insensitive substring of its name;
// "" is the API's default output. The stream is 32-bit float, non-interleaved stereo at
// options.sample_rate with options.period frames, opened with RTAUDIO_SCHEDULE_REALTIME and
// RTAUDIO_MINIMIZE_LATENCY.
//
// Frame clock: RtAudio has none, so the backend counts frames: frame_time starts at 0 and advances by
// each block's length. When RtAudio flags RTAUDIO_OUTPUT_UNDERFLOW, the frames the device skipped are
// estimated from the host-time gap (the clock model's prediction at callback entry, rounded to whole
// periods) and added, and an xrun is counted. A ClockModel (a DLL, clock_model.h) is fed (host time at
// callback entry, frame_time) once per block and answers frame_at_host_time/host_time_at_frame.
//
// MIDI: the ports of rtmidi_ports.h (the ALSA sequencer on Linux), opened with the stream unless
// options.midi is false. Input reaches AudioBlock::midi_in placed on exact frames one period late;
// AudioBlock::midi_out is sent by RtMidiPorts' sender thread. When the MIDI system cannot be opened
// (no /dev/snd/seq), the backend runs without MIDI and midi_status() says why.
//
// Errors: RtAudio reports them by throwing RtAudioError; every call into RtAudio is caught here and
// turned into a message starting with the kind ("alsa: ..."), never an exception or a crash.
//
// Threading: open/start/stop/destruction on a control thread. The callback runs on RtAudio's thread,
// allocates nothing and takes no lock. The const queries are thread-safe (atomics, the clock model's
// sequence lock).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "audio/audio_backend.h"
#include "audio/clock_model.h"
#include "audio/rtmidi_ports.h"

class RtAudio;

namespace tactus {

class RtAudioBackend final : public AudioBackend {
public:
    // Opens the stream (not yet running). nullptr with *error set, naming the kind, when the API is not
    // available, there is no output device (or none matches options.device), or the device refuses the
    // format.
    static std::unique_ptr<RtAudioBackend> open(const AudioBackendOptions& options, std::string* error);
    ~RtAudioBackend() override;  // stops and closes the stream

    RtAudioBackend(const RtAudioBackend&) = delete;
    RtAudioBackend& operator=(const RtAudioBackend&) = delete;

    // Starts the stream; also locks memory (see realtime_platform.h).
    bool start(AudioCallback& callback, std::string* error) override;
    void stop() override;

    int sample_rate() const override { return sample_rate_; }
    int period() const override { return period_; }
    int output_latency_frames() const override { return latency_frames_; }
    std::int64_t xruns() const override { return xruns_.load(std::memory_order_relaxed); }
    bool realtime_scheduling() const override { return realtime_thread() && memory_locked(); }
    Frame frame_at_host_time(std::int64_t ns) const override { return clock_->frame_at(ns); }
    std::int64_t host_time_at_frame(Frame frame) const override { return clock_->host_time_at(frame); }
    std::string description() const override;
    std::string midi_status() const override { return midi_status_; }

    // The callback thread was seen with SCHED_FIFO/RR in its first callback (false before it ran).
    bool realtime_thread() const;
    bool memory_locked() const { return memory_locked_.load(); }
    // The device RtAudio opened, as it names it.
    const std::string& device_name() const { return device_name_; }

private:
    RtAudioBackend() = default;
    bool open_stream(const AudioBackendOptions& options, std::string* error);
    static int on_audio(void* output, void* input, unsigned int frames, double stream_time,
                        unsigned int status, void* self);
    void process(float* output, int frames, bool underflow);
    void open_midi(const AudioBackendOptions& options);

    std::unique_ptr<RtAudio> rtaudio_;
    std::string kind_;
    std::string api_name_;
    std::string device_name_;
    int sample_rate_ = 0;
    int period_ = 0;
    int latency_frames_ = 0;
    bool running_ = false;
    bool midi_started_ = false;

    std::unique_ptr<ClockModel> clock_;  // made once the stream's rate is known, before it can run
    std::atomic<AudioCallback*> callback_{nullptr};
    std::atomic<std::int64_t> xruns_{0};
    std::atomic<bool> thread_checked_{false};
    std::atomic<bool> thread_realtime_{false};
    std::atomic<bool> memory_locked_{false};
    Frame next_frame_ = 0;  // callback thread only

    std::unique_ptr<RtMidiPorts> midi_;  // null without MIDI
    std::string midi_status_;
    MidiInputEvent midi_in_events_[RtMidiPorts::kMaxEventsPerBlock];  // callback thread only
    MidiInputEvent midi_out_events_[1024];
};

}  // namespace tactus
