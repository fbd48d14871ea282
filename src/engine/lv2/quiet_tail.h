// How long a plugin's output has stayed under -120 dBFS: once half a second has passed, what is left of
// its tail is below hearing and the mixer may stop rendering it (the plugin then does not run). Plain
// state of the one thread that renders it.
#pragma once

namespace tactus {

class QuietTail {
public:
    // Quiet from the start: a plugin that has played nothing has no tail.
    explicit QuietTail(double sample_rate)
        : needed_(static_cast<long long>(kSeconds * sample_rate)), frames_(needed_) {}

    // `frames` more frames were put out, the loudest of them `peak` (absolute).
    void heard(float peak, int frames) { frames_ = peak < kLevel ? frames_ + frames : 0; }
    // Something was changed that may make sound: not quiet until it has been heard.
    void restart() { frames_ = 0; }
    bool quiet() const { return frames_ >= needed_; }

private:
    static constexpr float kLevel = 1e-6f;   // -120 dBFS
    static constexpr double kSeconds = 0.5;  // under it this long: the tail has ended
    long long needed_;
    long long frames_;
};

}  // namespace tactus
