#include "engine/track_mixer.h"

#include <algorithm>
#include <cmath>

namespace tactus {

TrackMixer::TrackMixer(double sample_rate) : sample_rate_for_strips_(sample_rate) {
    master_.set_ramp_frames(static_cast<int>(std::lround(TrackStrip::kSmoothingSeconds * sample_rate)));
}

void TrackMixer::add_track(std::unique_ptr<Instrument> instrument, const StripSettings& settings) {
    TrackStrip strip(sample_rate_for_strips_);
    strip.reset(settings);
    tracks_.push_back(Channel{std::move(instrument), strip});
}

bool TrackMixer::is_silent() const {
    return std::all_of(tracks_.begin(), tracks_.end(),
                       [](const Channel& c) { return c.instrument->is_silent(); });
}

void TrackMixer::render(float* left, float* right, int frames) {
    while (frames > 0) {
        const int span = std::min(frames, kMaxRenderFrames);
        render_span(left, right, span);
        left += span;
        right += span;
        frames -= span;
    }
}

void TrackMixer::render_span(float* left, float* right, int frames) {
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    for (Channel& channel : tracks_) {
        // A silent instrument would add exact zeros: skip it (the strip's ramp state is per sample,
        // so advance it only when it is moving; a steady strip needs nothing).
        if (channel.instrument->is_silent() && channel.strip.is_steady()) continue;
        channel.instrument->render(scratch_left_.data(), scratch_right_.data(), frames);
        channel.strip.mix_into(scratch_left_.data(), scratch_right_.data(), left, right, frames);
    }
    if (master_.is_steady() && master_.value() == 1.0) return;
    for (int i = 0; i < frames; ++i) {
        const float g = static_cast<float>(master_.next());
        left[i] *= g;
        right[i] *= g;
    }
}

}  // namespace tactus
