// The engine's state as the audio thread last published it (once per block, through a SeqLock):
// position, tempo, counters, DSP load and peak levels. Read by the control and report threads.
#pragma once

#include <array>
#include <cstdint>

#include "core/frames.h"

namespace tactus {

inline constexpr int kMaxMeteredTracks = 64;

struct EngineStatus {
    Frame block_frame = 0;           // output frame of the last block's first sample
    std::int64_t block_host_ns = 0;  // CLOCK_MONOTONIC ns when that block's period began
    int block_frames = 0;
    bool playing = false;
    bool metronome = false;
    Frame score_frame = 0;  // score frame heard at block_frame
    double beat = 0.0;      // beat heard at block_frame
    double bpm = 0.0;       // tempo there (tempo scale included)
    int bar = 0;            // 0-based bar and beat in bar, from the meter
    double beat_in_bar = 0.0;
    std::uint64_t generation = 0;  // program generation being played
    std::uint64_t commands_applied = 0;
    std::uint64_t late_commands = 0;       // applied after their frame (at the start of the block)
    std::uint64_t rejected_commands = 0;   // no room to hold them until their frame
    std::uint64_t cancelled_commands = 0;  // still waiting when a /panic or /load cancelled them
    std::uint64_t events_dropped = 0;      // engine -> control events lost to a full queue
    float dsp_load = 0.0f;                 // last block's processing time / block duration
    float dsp_load_peak = 0.0f;            // largest since start
    // Largest CPU time the audio thread itself used in one block, over the block duration. A wall-clock
    // peak far above it means the thread was preempted (by the host or the hypervisor), not busy.
    // Measured in one block per 256 frames (every block at periods of 256 and more).
    float dsp_cpu_peak = 0.0f;
    // Peak |sample| over the last ~50 ms, per output channel and per track (both channels).
    std::array<float, 2> master_peak{};
    int track_count = 0;
    std::array<float, kMaxMeteredTracks> track_peak{};
};

}  // namespace tactus
