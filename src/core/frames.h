// Frame arithmetic shared by every part of Tactus (../shared/design/timing.md).
// Engine time is an integer sample frame; this is the single place where seconds become frames.
#pragma once

#include <cmath>
#include <cstdint>

namespace tactus {

using Frame = std::int64_t;

// A score event's frame: round half up, computed once from exact seconds, never accumulated.
inline Frame frame_at_seconds(double seconds, double sample_rate) {
    return static_cast<Frame>(std::floor(seconds * sample_rate + 0.5));
}

}  // namespace tactus
