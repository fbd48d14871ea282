// open_audio_backend: the one place that knows every backend kind; and the host clock.
#include <time.h>

#include <chrono>

#include "audio/audio_backend.h"
#include "audio/jack_backend.h"
#include "audio/offline_backend.h"
#include "audio/rtaudio_backend.h"

namespace tactus {

std::unique_ptr<AudioBackend> open_audio_backend(const AudioBackendOptions& options, std::string* error) {
    std::string local_error;
    std::string* out = error ? error : &local_error;
    const std::string& kind = options.kind;
    if (kind == "jack") return JackBackend::open(options, out);
    if (kind == "alsa" || kind == "pulse" || kind == "default") return RtAudioBackend::open(options, out);
    if (kind == "offline") return OfflineBackend::open(options, out);
    *out = "unknown audio backend '" + kind + "' (valid: jack, alsa, pulse, default, offline)";
    return nullptr;
}

std::int64_t monotonic_now_ns() {
#if defined(CLOCK_MONOTONIC)
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
#else
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
#endif
}

}  // namespace tactus
