// A gain that moves to a new target along a linear ramp of fixed length, one step per sample, so
// level and pan changes never click. Per-sample stepping keeps output independent of block size.
// Audio-thread only after construction.
#pragma once

namespace tactus {

class SmoothedGain {
public:
    explicit SmoothedGain(double value = 0.0) : value_(value), target_(value) {}

    void set_ramp_frames(int frames) { ramp_frames_ = frames > 0 ? frames : 1; }
    void jump_to(double value) {
        value_ = target_ = value;
        remaining_ = 0;
    }
    void set_target(double target) {
        if (target == target_) return;
        target_ = target;
        remaining_ = ramp_frames_;
        step_ = (target_ - value_) / ramp_frames_;
    }

    bool is_steady() const { return remaining_ == 0; }
    double value() const { return value_; }
    double target() const { return target_; }

    // Value for the next sample.
    double next() {
        if (remaining_ == 0) return value_;
        // Land exactly on the target at the end of the ramp (no residue from summed steps).
        value_ = --remaining_ == 0 ? target_ : value_ + step_;
        return value_;
    }

private:
    double value_;
    double target_;
    double step_ = 0.0;
    int remaining_ = 0;
    int ramp_frames_ = 480;
};

}  // namespace tactus
