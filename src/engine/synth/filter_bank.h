// Filters several voices at once, one per SIMD lane.
//
// A filter's recursion is bound by the latency of its arithmetic, not by throughput: one voice at
// a time leaves most of the CPU idle. FilterBank runs kLanes voices side by side, so they cost
// about as much as one. It interleaves the filtered lanes' signals into its own buffer (sample i of
// lane j at [i * kLanes + j]), so a step of all lanes is one vector load and store, and hands the
// results back. Each lane does exactly the arithmetic of SvfFilter::process and lanes never interact,
// so a voice's output does not depend on which voices share its batch; lanes without a filter
// pass through bit for bit.
//
// Audio thread only; no allocation.
#pragma once

#include <cassert>
#include <cstdint>

#include "engine/instrument.h"
#include "engine/synth/svf_filter.h"
#include "engine/synth/voice_patch.h"

namespace tactus::synth {

// A voice's filter coefficients change only at its control-period boundaries.
inline constexpr int kMaxFilterSegments = kMaxRenderFrames / kControlPeriod + 1;

struct FilterSegment {
    int start = 0;  // first sample (within the span) that uses `coefs`
    SvfCoefs coefs;
};

// One voice's work for one render span.
struct VoiceLane {
    alignas(64) float signal[kMaxRenderFrames];  // the source, filtered in place
    alignas(64) float envelope[kMaxRenderFrames];
    FilterSegment segments[kMaxFilterSegments];
    int segment_count = 0;  // 0: the voice has no filter
    int live = 0;           // samples of the span the voice sounds (to filter and mix)
    SvfState* state = nullptr;

    void add_segment(int start, const SvfCoefs& coefs) {
        assert(segment_count < kMaxFilterSegments);
        segments[segment_count++] = FilterSegment{start, coefs};
    }
};

class FilterBank {
public:
    static constexpr int kLanes = 8;
    // GCC/Clang vector extensions: lowered to whatever SIMD the target has (two SSE registers on
    // baseline x86-64, one AVX register with -mavx), always with per-lane IEEE arithmetic.
    typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float))));

    // Filters the signals of lanes[0 .. count) (count <= kLanes) in place over [0, live) with their own
    // segments (the first starting at 0) and states. Lanes with no segments are left as they are.
    void process(VoiceLane* lanes, int count);

private:
    static void save_states(VoiceLane* lanes, int count, int position, const Lanes& ic1, const Lanes& ic2);

    alignas(64) float interleaved_[kMaxRenderFrames * kLanes] = {};
};

}  // namespace tactus::synth
