// One segment of an automation lane (core/automation.h) as a mixer control follows it: its value is a
// function of the mixer frame, so a channel that was not rendered for a while (silent) is still on the
// curve when it sounds again, and the value on each frame is the same whatever the block size.
//
// value(f) = from + (to - from) * automation_fraction(shape, (f - start) / length) inside the segment,
// `from` before it and `to` from start + length on. A steady curve (length 0) is `to` everywhere.
//
// A plain value: owned by the audio thread once its strip or send is published; no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/automation.h"

namespace tactus {

class AutomationCurve {
public:
    // Not automated: the control's own setting applies.
    bool active() const { return active_; }
    void release() { active_ = false; }

    // Holds `value` on every frame.
    void hold(double value) { follow(value, value, AutomationShape::Hold, 0, 0); }
    // Follows the segment from mixer frame `start` (which may be in the past: a locate into it) for
    // `length` frames.
    void follow(double from, double to, AutomationShape shape, std::int64_t start, std::int64_t length) {
        active_ = true;
        from_ = from;
        to_ = to;
        shape_ = shape;
        start_ = start;
        length_ = length > 0 ? length : 0;
    }

    double value_at(std::int64_t frame) const {
        const std::int64_t k = frame - start_;
        if (k >= length_) return to_;
        if (k <= 0) return from_;
        const double t = double(k) / double(length_);
        return from_ + (to_ - from_) * automation_fraction(shape_, t);
    }
    // Whether the value changes anywhere in [frame, frame + frames] (the per-sample path is needed).
    bool moves_in(std::int64_t frame, int frames) const {
        if (!active_ || length_ == 0 || from_ == to_) return false;
        return frame < start_ + length_ && frame + frames > start_;
    }

private:
    bool active_ = false;
    AutomationShape shape_ = AutomationShape::Hold;
    double from_ = 0.0;
    double to_ = 0.0;
    std::int64_t start_ = 0;
    std::int64_t length_ = 0;
};

// A control's curves as they were set over time, for a reader that lags the writer: a curve is set on
// the frame the sequencer mixes (a point's event), but the master hears the mix a lookahead later and a
// track with latent inserts gets its audio for a frame that much later, so a curve set on frame s
// applies to frames from s on and earlier frames keep the curve before it. Holds the last
// kSlots curves (points closer together than the lookahead, kSlots of them at once, lose the oldest).
// A plain value for the audio thread: no allocation.
class CurveHistory {
public:
    static constexpr std::size_t kSlots = 16;

    void set(const AutomationCurve& curve, std::int64_t from) {
        if (count_ == kSlots) drop_oldest();
        entries_[count_++] = {from, curve};
    }
    // The curve that applies on `frame` (an inactive one when none was ever set).
    const AutomationCurve& at(std::int64_t frame) const {
        for (std::size_t i = count_; i-- > 1;)
            if (entries_[i].from <= frame) return entries_[i].curve;
        return count_ ? entries_[0].curve : none_;
    }
    // No frame before `frame` will be read again: the curves only they used go.
    void forget_before(std::int64_t frame) {
        while (count_ >= 2 && entries_[1].from <= frame) drop_oldest();
    }
    // Whether [frame, frame + frames) holds a change of curve, or a curve that moves.
    bool changes_in(std::int64_t frame, int frames) const {
        for (std::size_t i = 1; i < count_; ++i)
            if (entries_[i].from > frame && entries_[i].from < frame + frames) return true;
        return at(frame).moves_in(frame, frames);
    }
    bool empty() const { return count_ == 0 || (count_ == 1 && !entries_[0].curve.active()); }
    // The curve set last (what the control follows from now on).
    const AutomationCurve& latest() const { return count_ ? entries_[count_ - 1].curve : none_; }

private:
    struct Entry {
        std::int64_t from = 0;
        AutomationCurve curve;
    };
    void drop_oldest() {
        for (std::size_t i = 1; i < count_; ++i) entries_[i - 1] = entries_[i];
        --count_;
    }
    std::array<Entry, kSlots> entries_{};
    std::size_t count_ = 0;
    AutomationCurve none_;
};

}  // namespace tactus
