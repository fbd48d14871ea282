// The engine's mix bus with plugin delay compensation. The engine renders `lookahead` frames ahead of
// its output; an instrument whose output is `latency` frames late (a Csound orchestra computing whole
// k-cycles) is added `latency` frames earlier in the bus than one without, so every channel comes out
// together, `lookahead` frames after the engine rendered its events: on the frame they were meant for.
// An instrument with more latency than the lookahead is heard late by the excess.
//
// Sums that do not depend on the block size: paths of one latency meet in a lane of their own (each
// output frame of a lane gets its adds in one span, in the order the mixer renders its channels), and
// take() sums the lanes in order of latency. So offline and realtime renders, whatever their blocks,
// add the same numbers in the same order: the same bits. (One ring for all would take a frame's adds in
// an order that depends on where the blocks fall.) Beyond kLanes latencies sounding at once, the
// latest lane takes the rest (still aligned; the order of those sums may then differ by rounding).
//
// Threading: construct off the audio thread (it allocates its rings); every other call from the one
// thread that renders (the audio thread or an offline render loop), without allocation.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

namespace tactus {

class CompensatedMix {
public:
    // The largest lookahead an engine takes (170 ms at 48 kHz).
    static constexpr int kMaxLookahead = 8192;
    static constexpr int kLanes = 4;

    // The rings have room for `max_lookahead` (at least the lookahead), so set_lookahead can raise it.
    explicit CompensatedMix(int lookahead_frames, int max_lookahead = 0);

    int lookahead() const { return lookahead_; }
    // Up to the max_lookahead it was made with. What was added before comes out at the frames it was
    // placed on: a change moves only what is added from now on (a bus whose senders' latency changed).
    void set_lookahead(int frames);
    // Adds `frames` samples that an instrument with `latency` just rendered, for the frames the engine
    // is rendering now (0 < frames <= the span take() is called with next).
    void add(const float* left, const float* right, int frames, int latency);
    // Writes (not adds) the next `frames` output frames and moves on: what the engine rendered
    // `lookahead` frames ago, compensated.
    void take(float* left, float* right, int frames);
    // add() of left/right (the paths without latency, summed in place; `direct`: there were some),
    // then take() into them. Returns whether nothing was to come out (exact zeros). With nothing
    // delayed (no lookahead, nothing pending) the ring would hand the sum straight back added to its
    // zeros: the zero is added in place, the same bits without the trip.
    bool add_and_take(float* left, float* right, int frames, int latency, bool direct);
    // Moves on `frames` output frames without writing them, as take() into nothing would.
    void skip(long long frames);
    // True when nothing added is still to come out (the rings hold only exact zeros).
    bool is_silent() const { return pending_ == 0; }

private:
    struct Lane {
        int latency = -1;                // the latency whose adds it holds; -1: free
        int pending = 0;                 // frames from now_ on that may hold a non-zero sample
        std::vector<float> left, right;  // a ring of a power-of-two size
    };
    Lane& lane_for(int latency);

    int lookahead_;
    int max_lookahead_;
    std::array<Lane, kLanes> lanes_;
    std::array<int, kLanes> by_latency_{};  // indices of the lanes in use, in order of latency
    int in_use_ = 0;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
    std::size_t now_ = 0;  // ring position of the next frame take() writes
    int pending_ = 0;      // the largest lane's pending
};

}  // namespace tactus
