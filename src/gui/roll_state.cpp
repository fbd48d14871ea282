#include "gui/roll_state.h"

namespace tactus::gui {

void RollState::setPixelsPerBeat(double ppb, double anchorX) {
    ppb = std::clamp(ppb, kMinPixelsPerBeat, kMaxPixelsPerBeat);
    const double anchorBeat = beatOfX(anchorX);  // the beat under the mouse stays under it
    pixels_per_beat_ = ppb;
    left_beat_ = std::max(0.0, anchorBeat - anchorX / ppb);
    emit changed();
}

void RollState::setKeyHeight(double h, double anchorY) {
    h = std::clamp(h, kMinKeyHeight, kMaxKeyHeight);
    const double anchorPitch = top_pitch_ - anchorY / key_height_;
    key_height_ = h;
    top_pitch_ = std::clamp(anchorPitch + anchorY / h, 0.0, 128.0);
    emit changed();
}

void RollState::setLeftBeat(double beat) {
    left_beat_ = std::clamp(beat, 0.0, 1'000'000.0);
    emit changed();
}

void RollState::setTopPitch(double pitch) {
    top_pitch_ = std::clamp(pitch, 0.0, 128.0);
    emit changed();
}

void RollState::setCurrentTrack(TrackId id) {
    if (id == current_track_) return;
    current_track_ = id;
    selection_.clear();
    emit selectionChanged();
    emit changed();
    emit trackChanged();
}

}  // namespace tactus::gui
