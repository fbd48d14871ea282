#include "engine/track_mixer.h"

#include <algorithm>
#include <cmath>

namespace tactus {

TrackMixer::TrackMixer(double sample_rate) : sample_rate_for_strips_(sample_rate) {}

void TrackMixer::add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls) {
    tracks_.push_back(Channel{std::move(instrument), TrackStrip(sample_rate_for_strips_), controls});
    // Solo on the new track may silence the others: settle every strip without a ramp.
    for (Channel& channel : tracks_) channel.strip.reset(settings_for(channel));
}

StripSettings TrackMixer::settings_for(const Channel& channel) const {
    const bool any_solo =
        std::any_of(tracks_.begin(), tracks_.end(), [](const Channel& c) { return c.controls.solo; });
    const TrackControls& c = channel.controls;
    return {c.level, c.pan, !c.mute && (!any_solo || c.solo)};
}

void TrackMixer::update_strips() {
    for (Channel& channel : tracks_) channel.strip.change(settings_for(channel));
}

void TrackMixer::set_level(std::size_t track, double level) {
    if (track >= tracks_.size()) return;
    tracks_[track].controls.level = level;
    update_strips();
}

void TrackMixer::set_pan(std::size_t track, double pan) {
    if (track >= tracks_.size()) return;
    tracks_[track].controls.pan = pan;
    update_strips();
}

void TrackMixer::set_mute(std::size_t track, bool mute) {
    if (track >= tracks_.size()) return;
    tracks_[track].controls.mute = mute;
    update_strips();
}

void TrackMixer::set_solo(std::size_t track, bool solo) {
    if (track >= tracks_.size()) return;
    tracks_[track].controls.solo = solo;
    update_strips();
}

void TrackMixer::reset_peaks() {
    for (Channel& channel : tracks_) channel.peak = 0.0f;
}

bool TrackMixer::is_silent() const {
    return (!aux_ || aux_->is_silent()) && std::all_of(tracks_.begin(), tracks_.end(), [](const Channel& c) {
               return c.instrument->is_silent();
           });
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
        const float peak =
            channel.strip.mix_into(scratch_left_.data(), scratch_right_.data(), left, right, frames);
        channel.peak = std::max(channel.peak, peak);
    }
    if (aux_ && !aux_->is_silent()) {
        aux_->render(scratch_left_.data(), scratch_right_.data(), frames);
        for (int i = 0; i < frames; ++i) {
            left[i] += scratch_left_[i];
            right[i] += scratch_right_[i];
        }
    }
}

}  // namespace tactus
