// What the piano roll's widgets share: the view (zoom, scroll), the grid snap, the track being
// edited, the selection and the cursor. Each widget reads it and repaints on changed().
// Threading: the UI thread.
#pragma once

#include <QObject>
#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "core/score.h"

namespace tactus::gui {

enum class FollowMode { Page, Continuous, Off };

class RollState : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    // Horizontal: beats <-> x (pixels from the grid's left edge).
    double pixelsPerBeat() const { return pixels_per_beat_; }
    double leftBeat() const { return left_beat_; }
    double xOfBeat(double beat) const { return (beat - left_beat_) * pixels_per_beat_; }
    double beatOfX(double x) const { return left_beat_ + x / pixels_per_beat_; }
    // Vertical: one row per pitch shown, the highest at the top. Normally all 128 (row = pitch); a
    // drum track with unused rows hidden shows only the sounds it uses (setRows).
    double keyHeight() const { return key_height_; }
    // The row coordinate at y = 0, counted from the bottom (fractional when scrolled): the pitch there
    // when all 128 rows show.
    double topPitch() const { return top_pitch_; }
    int rowCount() const { return rows_.empty() ? 128 : int(rows_.size()); }
    int rowOf(int pitch) const;                   // the row (from the bottom) showing `pitch`, -1 when hidden
    int pitchOfRow(int row) const;                // row clamped to the rows there are
    int shiftedPitch(int pitch, int rows) const;  // the pitch `rows` rows above (below when negative)
    double yOfPitch(int pitch) const {            // the row's top; far above the view for a hidden pitch
        const int row = rowOf(pitch);
        return row < 0 ? -1e7 : (top_pitch_ - row) * key_height_;
    }
    int pitchOfY(double y) const { return pitchOfRow(int(std::floor(top_pitch_ - y / key_height_ + 1.0))); }
    // Drum mode: hits as fixed-width marks, rows named by their sound (PianoRoll decides per track).
    bool drumMode() const { return drum_mode_; }
    const std::vector<int>& rows() const { return rows_; }  // ascending; empty: all 128

    // Grid snap in beats (0: off). Snapping rounds to the nearest line; floorSnap to the line before.
    double snap() const { return snap_; }
    double snapBeat(double beat) const { return snap_ > 0 ? std::round(beat / snap_) * snap_ : beat; }
    double floorSnap(double beat) const { return snap_ > 0 ? std::floor(beat / snap_) * snap_ : beat; }
    double gridStep() const { return snap_ > 0 ? snap_ : 0.25; }  // the length of a note drawn with a click

    TrackId currentTrack() const { return current_track_; }
    const std::set<NoteId>& selection() const { return selection_; }
    bool isSelected(NoteId id) const { return selection_.count(id) != 0; }

    double cursorBeat() const { return cursor_beat_; }
    FollowMode followMode() const { return follow_; }
    bool followPaused() const { return follow_paused_; }
    bool auditionEnabled() const { return audition_; }
    bool loopOn() const { return loop_on_; }
    double loopBegin() const { return loop_begin_; }
    double loopEnd() const { return loop_end_; }

    void setPixelsPerBeat(double ppb, double anchorX);
    // How far out the view may zoom (the arranger shows a whole long song: further than a piano roll).
    void setMinPixelsPerBeat(double ppb) { min_pixels_per_beat_ = ppb; }
    void setKeyHeight(double h, double anchorY);
    void setLeftBeat(double beat);
    void setTopPitch(double pitch);
    void setSnap(double beats) { snap_ = beats, emit changed(); }
    // Drum mode and the rows shown (ascending pitches; empty: all 128). The view keeps its top row.
    void setDrumView(bool drum, std::vector<int> rows);
    void setCurrentTrack(TrackId id);
    void setSelection(std::set<NoteId> ids) { selection_ = std::move(ids), emit selectionChanged(); }
    void setCursorBeat(double beat) { cursor_beat_ = beat; }
    void setFollowMode(FollowMode mode) { follow_ = mode, follow_paused_ = false, emit changed(); }
    // A manual scroll pauses following until resumeFollow() (play, or the user asks).
    void pauseFollow() { follow_paused_ = follow_ != FollowMode::Off; }
    void resumeFollow() { follow_paused_ = false; }
    void setAuditionEnabled(bool on) { audition_ = on; }
    void setLoop(bool on, double begin, double end) {
        loop_on_ = on, loop_begin_ = begin, loop_end_ = end;
        emit changed();
    }

    static constexpr double kMinPixelsPerBeat = 4.0;
    static constexpr double kMaxPixelsPerBeat = 800.0;
    static constexpr double kMinKeyHeight = 4.0;
    static constexpr double kMaxKeyHeight = 40.0;

signals:
    void changed();           // view, snap or track
    void selectionChanged();  // the selected notes
    void trackChanged();      // another track is edited

private:
    double pixels_per_beat_ = 80.0;
    double min_pixels_per_beat_ = kMinPixelsPerBeat;
    double left_beat_ = 0.0;
    double key_height_ = 12.0;
    double top_pitch_ = 84.0;
    double snap_ = 0.25;
    bool drum_mode_ = false;
    std::vector<int> rows_;
    TrackId current_track_ = 0;
    std::set<NoteId> selection_;
    double cursor_beat_ = 0.0;
    FollowMode follow_ = FollowMode::Page;
    bool follow_paused_ = false;
    bool audition_ = true;
    bool loop_on_ = false;
    double loop_begin_ = 0.0;
    double loop_end_ = 16.0;
};

}  // namespace tactus::gui
