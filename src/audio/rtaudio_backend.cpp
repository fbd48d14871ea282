#include "audio/rtaudio_backend.h"

#include <RtAudio.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <iterator>
#include <thread>

#include "audio/realtime_platform.h"
#include "core/realtime_scope.h"

namespace tactus {

namespace {

constexpr int kMaxPeriod = 8192;
constexpr int kCallbackPriority = 70;  // SCHED_RR priority asked of RtAudio's callback thread

void set_error(std::string* error, std::string message) {
    if (error) *error = std::move(message);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

bool is_index(const std::string& text) {
    return !text.empty() && text.size() < 9 &&
           std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

}  // namespace

std::unique_ptr<RtAudioBackend> RtAudioBackend::open(const AudioBackendOptions& options, std::string* error) {
    std::unique_ptr<RtAudioBackend> self(new RtAudioBackend());
    self->kind_ = options.kind;
    if (!self->open_stream(options, error)) return nullptr;
    if (options.midi) self->open_midi(options);
    return self;
}

// Without MIDI is never an error: the audio goes on, and midi_status() says why.
void RtAudioBackend::open_midi(const AudioBackendOptions& options) {
    MidiPortOptions ports;
    ports.client_name = options.client_name;
    ports.connect_input = options.midi_in_port;
    ports.connect_output = options.midi_out_port;
    std::string error, notes;
    midi_ = RtMidiPorts::open(ports, &error, &notes);
    if (!midi_) {
        midi_status_ = "no MIDI: " + error + "; running without MIDI input and output";
        return;
    }
    midi_status_ = midi_->description() + (notes.empty() ? "" : "; " + notes);
}

bool RtAudioBackend::open_stream(const AudioBackendOptions& options, std::string* error) {
    const std::string& kind = options.kind;
    RtAudio::Api api = RtAudio::UNSPECIFIED;
    if (kind == "alsa") {
        api = RtAudio::LINUX_ALSA;
    } else if (kind == "pulse") {
        api = RtAudio::LINUX_PULSE;
    } else if (kind != "default") {
        set_error(error, kind + ": not an RtAudio backend kind (alsa, pulse, default)");
        return false;
    }
    if (options.sample_rate <= 0 || options.period <= 0 || options.period > kMaxPeriod) {
        set_error(error, kind + ": sample rate " + std::to_string(options.sample_rate) + " / period " +
                             std::to_string(options.period) + " out of range (period 1.." +
                             std::to_string(kMaxPeriod) + ")");
        return false;
    }
    try {
        if (api != RtAudio::UNSPECIFIED) {
            std::vector<RtAudio::Api> compiled;
            RtAudio::getCompiledApi(compiled);
            if (std::find(compiled.begin(), compiled.end(), api) == compiled.end()) {
                set_error(error, kind + ": this RtAudio library was built without " +
                                     RtAudio::getApiDisplayName(api) + " support");
                return false;
            }
        }
        rtaudio_ = std::make_unique<RtAudio>(api);
        rtaudio_->showWarnings(false);
        api_name_ = RtAudio::getApiName(rtaudio_->getCurrentApi());

        const unsigned int count = rtaudio_->getDeviceCount();
        if (count == 0) {
            set_error(error, kind + ": no audio output device found (RtAudio " + api_name_ + ")");
            return false;
        }
        unsigned int device_id = 0;
        RtAudio::DeviceInfo info;
        const std::string& wanted = options.device;
        if (wanted.empty()) {
            device_id = rtaudio_->getDefaultOutputDevice();
            info = rtaudio_->getDeviceInfo(device_id);
        } else if (is_index(wanted)) {
            device_id = static_cast<unsigned int>(std::stoul(wanted));
            if (device_id >= count) {
                set_error(error, kind + ": no output device number " + wanted + " (RtAudio " + api_name_ +
                                     " has " + std::to_string(count) + " devices, 0.." +
                                     std::to_string(count - 1) + ")");
                return false;
            }
            info = rtaudio_->getDeviceInfo(device_id);
        } else {
            bool found = false;
            std::string available;
            for (unsigned int i = 0; i < count && !found; ++i) {
                RtAudio::DeviceInfo candidate = rtaudio_->getDeviceInfo(i);
                if (!candidate.probed || candidate.outputChannels == 0) continue;
                available +=
                    (available.empty() ? "" : ", ") + std::to_string(i) + ": '" + candidate.name + "'";
                if (lower(candidate.name).find(lower(wanted)) != std::string::npos) {
                    device_id = i;
                    info = candidate;
                    found = true;
                }
            }
            if (!found) {
                set_error(error, kind + ": no output device matches '" + wanted + "' (RtAudio " + api_name_ +
                                     " devices: " + (available.empty() ? "none" : available) + ")");
                return false;
            }
        }
        // A device that is momentarily busy (or a sound server slow to answer) is not probed: ask again.
        for (int retry = 0; retry < 3 && !info.probed; ++retry) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            info = rtaudio_->getDeviceInfo(device_id);
        }
        if (!info.probed) {
            set_error(error, kind + ": output device " + std::to_string(device_id) +
                                 " cannot be probed (busy or gone?) (RtAudio " + api_name_ + ")");
            return false;
        }
        if (info.outputChannels < 2) {
            set_error(error, kind + ": device " + std::to_string(device_id) + " ('" + info.name +
                                 "') has no stereo output");
            return false;
        }
        device_name_ = info.name;

        RtAudio::StreamParameters output;
        output.deviceId = device_id;
        output.nChannels = 2;
        output.firstChannel = 0;
        RtAudio::StreamOptions stream_options;
        stream_options.flags = RTAUDIO_NONINTERLEAVED | RTAUDIO_SCHEDULE_REALTIME | RTAUDIO_MINIMIZE_LATENCY;
        stream_options.priority = kCallbackPriority;
        stream_options.streamName = options.client_name;
        unsigned int buffer_frames = static_cast<unsigned int>(options.period);
        rtaudio_->openStream(&output, nullptr, RTAUDIO_FLOAT32,
                             static_cast<unsigned int>(options.sample_rate), &buffer_frames,
                             &RtAudioBackend::on_audio, this, &stream_options);
        if (!rtaudio_->isStreamOpen()) {
            set_error(error, kind + ": cannot open device '" + device_name_ + "'");
            return false;
        }
        sample_rate_ = static_cast<int>(rtaudio_->getStreamSampleRate());
        period_ = static_cast<int>(buffer_frames);
        latency_frames_ = static_cast<int>(rtaudio_->getStreamLatency());
        clock_ = std::make_unique<ClockModel>(static_cast<double>(sample_rate_));  // before the stream runs
    } catch (const RtAudioError& e) {
        set_error(error, kind + ": " + e.getMessage());
        return false;
    } catch (const std::exception& e) {
        set_error(error, kind + ": " + e.what());
        return false;
    }
    return true;
}

RtAudioBackend::~RtAudioBackend() {
    stop();
    midi_.reset();  // after the stream: the callback no longer feeds its queues
    if (rtaudio_) {
        try {
            if (rtaudio_->isStreamOpen()) rtaudio_->closeStream();
        } catch (const std::exception&) {
            // closing a broken stream: nothing left to report to
        }
    }
}

bool RtAudioBackend::start(AudioCallback& callback, std::string* error) {
    if (running_) {
        set_error(error, kind_ + ": already started");
        return false;
    }
    memory_locked_.store(platform::lock_process_memory().locked);
    if (midi_ && !midi_started_) {
        midi_->start(*clock_, period_);  // one period of latency each way, as with JACK
        midi_started_ = true;
    }
    callback_.store(&callback, std::memory_order_release);
    try {
        rtaudio_->startStream();
    } catch (const RtAudioError& e) {
        callback_.store(nullptr);
        set_error(error, kind_ + ": cannot start the stream on '" + device_name_ + "': " + e.getMessage());
        return false;
    }
    running_ = true;
    return true;
}

void RtAudioBackend::stop() {
    if (running_) {
        try {
            if (rtaudio_->isStreamRunning()) rtaudio_->stopStream();
        } catch (const std::exception&) {
            // the stream is stopped or broken either way; the callback no longer runs
        }
        running_ = false;
    }
    callback_.store(nullptr, std::memory_order_release);
}

// ---- the callback thread ----

int RtAudioBackend::on_audio(void* output, void* /*input*/, unsigned int frames, double /*stream_time*/,
                             unsigned int status, void* self) {
    static_cast<RtAudioBackend*>(self)->process(static_cast<float*>(output), static_cast<int>(frames),
                                                (status & RTAUDIO_OUTPUT_UNDERFLOW) != 0);
    return 0;
}

void RtAudioBackend::process(float* output, int frames, bool underflow) {
    const std::int64_t now = monotonic_now_ns();
    if (!thread_checked_.load(std::memory_order_relaxed)) {
        thread_realtime_.store(platform::current_thread_is_realtime(), std::memory_order_relaxed);
        thread_checked_.store(true, std::memory_order_release);
    }
    Frame frame_time = next_frame_;
    if (underflow) {
        xruns_.fetch_add(1, std::memory_order_relaxed);
        frame_time += clock_->frames_skipped_before(now, frame_time, period_);
    }
    clock_->update(now, frame_time, frames);
    next_frame_ = frame_time + frames;

    AudioBlock block;
    block.frame_time = frame_time;
    block.host_time_ns = now;
    block.frames = frames;
    block.left = output;  // non-interleaved: all of the left channel, then all of the right
    block.right = output + frames;
    int midi_out_count = 0;
    if (midi_) {
        RealtimeScope realtime;
        block.midi_in = midi_in_events_;
        block.midi_in_count =
            midi_->take_input(frame_time, frames, midi_in_events_, RtMidiPorts::kMaxEventsPerBlock);
        block.midi_out = midi_out_events_;
        block.midi_out_capacity = static_cast<int>(std::size(midi_out_events_));
        block.midi_out_count = &midi_out_count;
    }
    if (AudioCallback* callback = callback_.load(std::memory_order_acquire)) {
        RealtimeScope realtime;
        callback->process(block);
    } else {
        std::fill(output, output + 2 * frames, 0.0f);
    }
    if (midi_ && midi_out_count > 0) {
        RealtimeScope realtime;
        midi_->queue_output(frame_time, midi_out_events_, midi_out_count);
    }
}

bool RtAudioBackend::realtime_thread() const {
    return thread_checked_.load(std::memory_order_acquire) &&
           thread_realtime_.load(std::memory_order_relaxed);
}

std::string RtAudioBackend::description() const {
    return kind_ + " (RtAudio " + api_name_ + ", device '" + device_name_ + "', " +
           std::to_string(sample_rate_) + " Hz, period " + std::to_string(period_) + ")";
}

}  // namespace tactus
