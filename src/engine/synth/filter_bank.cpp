#include "engine/synth/filter_bank.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace tactus::synth {
namespace {

using Lanes = FilterBank::Lanes;

// (By reference: passing a 32-byte vector by value would depend on the target's vector ABI.)
template <typename V, typename T>
void load(V& v, const T* x) {
    std::memcpy(&v, x, sizeof v);
}
template <typename V, typename T>
void store(T* x, const V& v) {
    std::memcpy(x, &v, sizeof v);
}

// Per-lane coefficients, laid out for vector loads.
struct CoefTable {
    alignas(32) float a1[FilterBank::kLanes] = {};
    alignas(32) float a2[FilterBank::kLanes] = {};
    alignas(32) float a3[FilterBank::kLanes] = {};
    alignas(32) float input_gain[FilterBank::kLanes] = {};
    alignas(32) float band_gain[FilterBank::kLanes] = {};
    alignas(32) float low_gain[FilterBank::kLanes] = {};

    void set(int lane, const SvfCoefs& c) {
        a1[lane] = c.a1;
        a2[lane] = c.a2;
        a3[lane] = c.a3;
        input_gain[lane] = c.input_gain;
        band_gain[lane] = c.band_gain;
        low_gain[lane] = c.low_gain;
    }
};

}  // namespace

void FilterBank::process(VoiceLane* lanes, int count) {
    int next_segment[kLanes] = {};
    CoefTable coefs;
    alignas(32) float ic1_init[kLanes] = {};
    alignas(32) float ic2_init[kLanes] = {};
    int end = 0;
    for (int j = 0; j < count; ++j) {
        const VoiceLane& lane = lanes[j];
        if (lane.segment_count == 0) continue;
        coefs.set(j, lane.segments[0].coefs);
        next_segment[j] = 1;
        ic1_init[j] = lane.state->ic1;
        ic2_init[j] = lane.state->ic2;
        end = std::max(end, lane.live);
        for (int i = 0; i < lane.live; ++i) interleaved_[i * kLanes + j] = lane.signal[i];
    }

    Lanes ic1;
    Lanes ic2;
    load(ic1, ic1_init);
    load(ic2, ic2_init);
    for (int position = 0; position < end;) {
        // The span runs to the next coefficient change or lane end of any lane.
        int stop = end;
        for (int j = 0; j < count; ++j) {
            const VoiceLane& lane = lanes[j];
            if (lane.segment_count == 0) continue;
            if (next_segment[j] < lane.segment_count)
                stop = std::min(stop, lane.segments[next_segment[j]].start);
            if (lane.live > position) stop = std::min(stop, lane.live);
        }
        Lanes a1;
        Lanes a2;
        Lanes a3;
        Lanes input_gain;
        Lanes band_gain;
        Lanes low_gain;
        load(a1, coefs.a1);
        load(a2, coefs.a2);
        load(a3, coefs.a3);
        load(input_gain, coefs.input_gain);
        load(band_gain, coefs.band_gain);
        load(low_gain, coefs.low_gain);
        for (int i = position; i < stop; ++i) {
            float* x = interleaved_ + static_cast<std::ptrdiff_t>(i) * kLanes;
            Lanes v0;
            Lanes y;
            load(v0, x);
            svf_tick(v0, ic1, ic2, a1, a2, a3, input_gain, band_gain, low_gain, y);
            store(x, y);  // (the lanes without a filter are not handed back)
        }
        position = stop;
        bool lane_ended = false;
        for (int j = 0; j < count; ++j)
            lane_ended = lane_ended || (lanes[j].segment_count > 0 && lanes[j].live == position);
        if (lane_ended) save_states(lanes, count, position, ic1, ic2);
        for (int j = 0; j < count; ++j) {
            const VoiceLane& lane = lanes[j];
            while (next_segment[j] < lane.segment_count && lane.segments[next_segment[j]].start == position) {
                coefs.set(j, lane.segments[next_segment[j]++].coefs);
            }
        }
    }
    for (int j = 0; j < count; ++j) {
        VoiceLane& lane = lanes[j];
        if (lane.segment_count == 0) continue;
        for (int i = 0; i < lane.live; ++i) lane.signal[i] = interleaved_[i * kLanes + j];
    }
}

// Hands the filter state back to the lanes whose span ends at `position` (a lane ending earlier
// than others keeps running on stale input in the bank, but that does not reach its state).
void FilterBank::save_states(VoiceLane* lanes, int count, int position, const Lanes& ic1, const Lanes& ic2) {
    alignas(32) float ic1_now[kLanes];
    alignas(32) float ic2_now[kLanes];
    store(ic1_now, ic1);
    store(ic2_now, ic2);
    for (int j = 0; j < count; ++j) {
        if (lanes[j].segment_count == 0 || lanes[j].live != position) continue;
        lanes[j].state->ic1 = ic1_now[j];
        lanes[j].state->ic2 = ic2_now[j];
    }
}

}  // namespace tactus::synth
