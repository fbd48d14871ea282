// Drives an offline engine as its audio thread would: one block of output frames
// [frame, frame + left.size()), stamped with the host time the engine's own clock gives that frame.
#pragma once

#include <span>

#include "server/engine_host.h"

namespace tactus::test {

inline void process_offline_block(EngineHost& host, Frame frame, std::span<float> left,
                                  std::span<float> right) {
    AudioBlock block;
    block.frame_time = frame;
    block.host_time_ns = host.host_time_at_frame(frame);
    block.frames = static_cast<int>(left.size());
    block.left = left.data();
    block.right = right.data();
    host.process(block);
}

}  // namespace tactus::test
