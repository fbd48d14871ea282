// A clock model for devices that give no frame clock of their own (the RtAudio backends): it maps host
// time (CLOCK_MONOTONIC ns) to the backend's frame count and back. It is a second-order delay-locked
// loop (F. Adriaensen, "Using a DLL to filter time", LAC 2005) fed once per period with the host time
// taken at callback entry and the frame time of that block. The loop filters the callback's scheduling
// jitter: with a bandwidth of 1 Hz and ±200 µs of jitter, its error is a few tens of µs after ~1 s.
// The loop's own period estimate is noisy (tens of ppm at 1 Hz), so the mapping's slope is that estimate
// smoothed again with a 0.05 Hz low-pass: a time one second from the latest block is then off by
// ~60 µs (p99) instead of ~240 µs.
//
// What a mapped time means: the host time at which the block holding that frame is processed (the
// callback's start), as with JACK's jack_frames_to_time. Add the output latency for when it is heard.
//
// Threading: one writer, the audio thread, calls update(), reset() and frames_skipped_before(); they are
// wait-free (no locks, no allocation, no system calls). Readers on any thread call frame_at(),
// host_time_at(), ready() and frames_per_second(): they copy a snapshot under a sequence lock and retry
// only if the writer was publishing at that very moment (a handful of stores), so the writer never waits.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/frames.h"

namespace tactus {

class ClockModel {
public:
    // The loop's ω is 2π·bandwidth·(block duration), computed per block, so the bandwidth in Hz is the
    // same whatever the period.
    explicit ClockModel(double sample_rate, double bandwidth_hz = 1.0);

    ClockModel(const ClockModel&) = delete;
    ClockModel& operator=(const ClockModel&) = delete;

    // ---- writer: the audio thread only ----

    // One block: `host_ns` is CLOCK_MONOTONIC at callback entry, `frame` the frame time of the block's
    // first sample, `frames` its length. A frame past the expected one (the previous frame + the previous
    // length, e.g. after an underflow skipped periods) is placed on the loop's current time line, so the
    // loop follows the step at once. A frame that goes backwards, a jump of more than a minute, or an
    // error of more than kRelockError re-initialises the loop on this block (keeping the rate it learned:
    // the device's crystal is the same).
    void update(std::int64_t host_ns, Frame frame, int frames);
    // Forgets everything: the next update() starts the loop afresh.
    void reset();
    // After an underflow: how many frames the device skipped between the expected next frame
    // (`expected_frame`) and a block that starts at `host_ns`, estimated from the loop's time line and
    // rounded to whole periods of `period_frames`. 0 before the loop has started or if the block is on
    // time.
    Frame frames_skipped_before(std::int64_t host_ns, Frame expected_frame, int period_frames) const;

    // ---- readers: any thread ----

    // Whether update() has been called since construction or reset(); the mappings below use the
    // nominal rate from an origin of (0 ns, frame 0) until then.
    bool ready() const;
    // The frame processed at host time `host_ns` (rounded to the nearest frame).
    Frame frame_at(std::int64_t host_ns) const;
    // The host time at which `frame` is processed (rounded to the nearest nanosecond).
    std::int64_t host_time_at(Frame frame) const;
    // The loop's estimate of the device's true sample rate.
    double frames_per_second() const;

    // Bandwidth of the low-pass on the slope the mapping uses.
    static constexpr double kSlopeBandwidthHz = 0.05;
    // An error larger than this means the callback times are not what the loop has been tracking (a
    // device restart, a suspended machine): start again rather than slew.
    static constexpr std::int64_t kRelockError = 100'000'000;  // 100 ms

private:
    struct Snapshot {
        std::int64_t origin_ns;  // time origin of t0 (the first update's host time)
        double t0;               // filtered host time of frame f0, ns after origin_ns
        Frame f0;
        double ns_per_frame;  // the smoothed slope
    };
    void publish(const Snapshot& s);
    Snapshot read() const;
    void start(std::int64_t host_ns, Frame frame, int frames);

    const double nominal_ns_per_frame_;
    const double omega_per_frame_;  // 2π·B·(1 frame in seconds): ω for a block of n frames is n times this
    const double slope_omega_per_frame_;

    // Writer-only state (the loop of the paper): t0/t1 are the filtered times of the current and next
    // block's first frame, relative to origin_; f1 the frame expected next.
    bool started_ = false;
    std::int64_t origin_ = 0;
    double t0_ = 0, t1_ = 0;
    Frame f0_ = 0, f1_ = 0;
    double ns_per_frame_ = 0;   // the loop's period estimate, per frame
    double slope_ = 0;          // ns_per_frame_ low-passed: the mapping's slope
    std::int64_t updates_ = 0;  // since construction or reset(): the low-pass starts as a running mean

    // The published snapshot, under a sequence lock (odd = being written).
    std::atomic<std::uint64_t> sequence_{0};
    std::atomic<std::int64_t> origin_ns_{0};
    std::atomic<double> t0_ns_{0};
    std::atomic<Frame> f0_frame_{0};
    std::atomic<double> ns_per_frame_pub_;
    std::atomic<bool> ready_{false};
};

}  // namespace tactus
