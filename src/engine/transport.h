// Where the score is heard: the mapping from output frames to score frames (timing.md).
//   score_frame = anchor_score + (output_frame - anchor_output)
// fixed at play/locate/loop wrap, so time never drifts. Plain value type, owned by the audio thread.
#pragma once

#include "core/frames.h"

namespace tactus {

struct LoopRange {
    bool enabled = false;
    Frame begin = 0;  // score frames, [begin, end)
    Frame end = 0;

    bool active() const { return enabled && end > begin; }
};

struct Transport {
    bool playing = false;
    Frame anchor_output = 0;
    Frame anchor_score = 0;
    LoopRange loop;

    Frame score_frame_at(Frame output_frame) const { return anchor_score + (output_frame - anchor_output); }
    void anchor(Frame output_frame, Frame score_frame) {
        anchor_output = output_frame;
        anchor_score = score_frame;
    }
};

}  // namespace tactus
