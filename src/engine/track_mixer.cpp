#include "engine/track_mixer.h"

#include <algorithm>
#include <cmath>

namespace tactus {

TrackMixer::TrackMixer(double sample_rate) : sample_rate_for_strips_(sample_rate) {}

std::size_t TrackMixer::add_track(std::unique_ptr<Instrument> instrument, const TrackControls& controls) {
    tracks_.push_back(
        std::make_shared<TrackChannel>(std::move(instrument), sample_rate_for_strips_, controls));
    // Solo on the new track may silence the others: settle every strip without a ramp.
    for (auto& channel : tracks_)
        if (channel) channel->strip.reset(settings_for(*channel));
    return tracks_.size() - 1;
}

StripSettings TrackMixer::settings_for(const TrackChannel& channel) const {
    const bool any_solo =
        std::any_of(tracks_.begin(), tracks_.end(), [](const auto& c) { return c && c->controls.solo; });
    const TrackControls& c = channel.controls;
    return {c.level, c.pan, !c.mute && (!any_solo || c.solo)};
}

void TrackMixer::update_strips() {
    for (auto& channel : tracks_)
        if (channel) channel->strip.change(settings_for(*channel));
}

void TrackMixer::set_level(std::size_t track, double level) {
    TrackChannel* c = channel(track);
    if (!c) return;
    c->controls.level = level;
    update_strips();
}

void TrackMixer::set_pan(std::size_t track, double pan) {
    TrackChannel* c = channel(track);
    if (!c) return;
    c->controls.pan = pan;
    update_strips();
}

void TrackMixer::set_mute(std::size_t track, bool mute) {
    TrackChannel* c = channel(track);
    if (!c) return;
    c->controls.mute = mute;
    update_strips();
}

void TrackMixer::set_solo(std::size_t track, bool solo) {
    TrackChannel* c = channel(track);
    if (!c) return;
    c->controls.solo = solo;
    update_strips();
}

void TrackMixer::reset_peaks() {
    for (auto& channel : tracks_)
        if (channel) channel->peak = 0.0f;
}

bool TrackMixer::is_silent() const {
    return (!aux_ || aux_->is_silent()) && std::all_of(tracks_.begin(), tracks_.end(), [](const auto& c) {
               return !c || c->instrument->is_silent();
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

float TrackMixer::render_channel(TrackChannel& channel, float* left, float* right, int frames) {
    // A silent instrument would add exact zeros: skip it (the strip's ramp state is per sample, so
    // advance it only when it is moving; a steady strip needs nothing).
    if (channel.instrument->is_silent() && channel.strip.is_steady()) return 0.0f;
    channel.instrument->render(scratch_left_.data(), scratch_right_.data(), frames);
    return channel.strip.mix_into(scratch_left_.data(), scratch_right_.data(), left, right, frames);
}

void TrackMixer::render_span(float* left, float* right, int frames) {
    std::fill_n(left, frames, 0.0f);
    std::fill_n(right, frames, 0.0f);
    for (auto& slot : tracks_)
        if (slot) slot->peak = std::max(slot->peak, render_channel(*slot, left, right, frames));
    for (auto& channel : retiring_) render_channel(*channel, left, right, frames);
    if (aux_ && !aux_->is_silent()) {
        aux_->render(scratch_left_.data(), scratch_right_.data(), frames);
        for (int i = 0; i < frames; ++i) {
            left[i] += scratch_left_[i];
            right[i] += scratch_right_[i];
        }
    }
}

}  // namespace tactus
