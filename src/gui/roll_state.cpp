#include "gui/roll_state.h"

namespace tactus::gui {

void RollState::setPixelsPerBeat(double ppb, double anchorX) {
    ppb = std::clamp(ppb, min_pixels_per_beat_, kMaxPixelsPerBeat);
    const double anchorBeat = beatOfX(anchorX);  // the beat under the mouse stays under it
    pixels_per_beat_ = ppb;
    left_beat_ = std::max(0.0, anchorBeat - anchorX / ppb);
    emit changed();
}

void RollState::setKeyHeight(double h, double anchorY) {
    h = std::clamp(h, kMinKeyHeight, kMaxKeyHeight);
    const double anchorPitch = top_pitch_ - anchorY / key_height_;
    key_height_ = h;
    top_pitch_ = std::clamp(anchorPitch + anchorY / h, 0.0, double(rowCount()));
    emit changed();
}

void RollState::setLeftBeat(double beat) {
    left_beat_ = std::clamp(beat, 0.0, 1'000'000.0);
    emit changed();
}

void RollState::setTopPitch(double pitch) {
    top_pitch_ = std::clamp(pitch, 0.0, double(rowCount()));
    emit changed();
}

int RollState::rowOf(int pitch) const {
    if (rows_.empty()) return pitch >= 0 && pitch <= 127 ? pitch : -1;
    const auto it = std::lower_bound(rows_.begin(), rows_.end(), pitch);
    return it != rows_.end() && *it == pitch ? int(it - rows_.begin()) : -1;
}

int RollState::pitchOfRow(int row) const {
    row = std::clamp(row, 0, rowCount() - 1);
    return rows_.empty() ? row : rows_[std::size_t(row)];
}

int RollState::shiftedPitch(int pitch, int rows) const {
    const int row = rowOf(pitch);
    return row < 0 ? pitch : pitchOfRow(row + rows);
}

void RollState::setDrumView(bool drum, std::vector<int> rows) {
    if (drum == drum_mode_ && rows == rows_) return;
    // The pitch at the top edge stays there when it is still shown.
    const int top = pitchOfRow(int(std::floor(top_pitch_)) - 1);
    drum_mode_ = drum;
    rows_ = std::move(rows);
    const int row = rowOf(top);
    top_pitch_ = std::clamp(row >= 0 ? row + 1.0 : double(rowCount()), std::min(1.0, double(rowCount())),
                            double(rowCount()));
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
