#include "audio/clock_model.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace tactus {

namespace {

constexpr Frame kMaxFrameJumpSeconds = 60;

Frame round_to_frame(double x) {
    return static_cast<Frame>(std::floor(x + 0.5));
}

}  // namespace

ClockModel::ClockModel(double sample_rate, double bandwidth_hz)
    : nominal_ns_per_frame_(1e9 / sample_rate),
      omega_per_frame_(2.0 * std::numbers::pi * bandwidth_hz / sample_rate),
      slope_omega_per_frame_(2.0 * std::numbers::pi * kSlopeBandwidthHz / sample_rate),
      ns_per_frame_(nominal_ns_per_frame_),
      slope_(nominal_ns_per_frame_),
      ns_per_frame_pub_(nominal_ns_per_frame_) {
    static_assert(std::atomic<double>::is_always_lock_free && std::atomic<Frame>::is_always_lock_free);
}

void ClockModel::reset() {
    started_ = false;
    ns_per_frame_ = nominal_ns_per_frame_;
    slope_ = nominal_ns_per_frame_;
    updates_ = 0;
    ready_.store(false, std::memory_order_release);
}

// (Re)starts the loop on this block. A relock keeps the rate learned so far (ns_per_frame_, slope_).
void ClockModel::start(std::int64_t host_ns, Frame frame, int frames) {
    started_ = true;
    origin_ = host_ns;
    t0_ = 0;
    f0_ = frame;
    if (updates_ > 0) ns_per_frame_ = slope_;
    t1_ = frames * ns_per_frame_;
    f1_ = frame + frames;
    publish({origin_, t0_, f0_, slope_});
    ready_.store(true, std::memory_order_release);
}

void ClockModel::update(std::int64_t host_ns, Frame frame, int frames) {
    if (frames <= 0) return;
    if (!started_) {
        start(host_ns, frame, frames);
        return;
    }
    const double sample_rate = 1e9 / nominal_ns_per_frame_;
    const Frame jump = frame - f1_;
    if (jump < 0 || jump > kMaxFrameJumpSeconds * static_cast<Frame>(sample_rate)) {
        start(host_ns, frame, frames);
        return;
    }
    // Skipped frames: where the loop's time line puts this block.
    const double expected = t1_ + static_cast<double>(jump) * ns_per_frame_;
    const double error = static_cast<double>(host_ns - origin_) - expected;
    if (std::abs(error) > static_cast<double>(kRelockError)) {
        start(host_ns, frame, frames);
        return;
    }
    // The second-order loop: b = √2·ω, c = ω², with ω = 2π·B·T for this block's duration T.
    const double omega = omega_per_frame_ * frames;
    const double b = std::numbers::sqrt2 * omega;
    const double c = omega * omega;
    t0_ = expected;
    f0_ = frame;
    t1_ = expected + b * error + frames * ns_per_frame_;
    f1_ = frame + frames;
    ns_per_frame_ += c * error / frames;
    // The slope: a running mean over the first updates, then a first-order low-pass.
    ++updates_;
    const double k = std::max(slope_omega_per_frame_ * frames, 1.0 / static_cast<double>(updates_));
    slope_ += k * (ns_per_frame_ - slope_);
    publish({origin_, t0_, f0_, slope_});
}

Frame ClockModel::frames_skipped_before(std::int64_t host_ns, Frame expected_frame, int period_frames) const {
    if (!started_ || period_frames <= 0) return 0;
    const double predicted =
        static_cast<double>(f1_) + (static_cast<double>(host_ns - origin_) - t1_) / ns_per_frame_;
    const double periods =
        std::floor((predicted - static_cast<double>(expected_frame)) / period_frames + 0.5);
    return periods > 0 ? static_cast<Frame>(periods) * period_frames : 0;
}

void ClockModel::publish(const Snapshot& s) {
    // Sequence lock, writer side: odd while the fields change; the release fence orders the odd count
    // before the field stores, the final release store orders the fields before the even count.
    const std::uint64_t seq = sequence_.load(std::memory_order_relaxed);
    sequence_.store(seq + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    origin_ns_.store(s.origin_ns, std::memory_order_relaxed);
    t0_ns_.store(s.t0, std::memory_order_relaxed);
    f0_frame_.store(s.f0, std::memory_order_relaxed);
    ns_per_frame_pub_.store(s.ns_per_frame, std::memory_order_relaxed);
    sequence_.store(seq + 2, std::memory_order_release);
}

ClockModel::Snapshot ClockModel::read() const {
    for (;;) {
        const std::uint64_t before = sequence_.load(std::memory_order_acquire);
        Snapshot s{origin_ns_.load(std::memory_order_relaxed), t0_ns_.load(std::memory_order_relaxed),
                   f0_frame_.load(std::memory_order_relaxed),
                   ns_per_frame_pub_.load(std::memory_order_relaxed)};
        std::atomic_thread_fence(std::memory_order_acquire);
        const std::uint64_t after = sequence_.load(std::memory_order_relaxed);
        if (before == after && (before & 1u) == 0) return s;
    }
}

bool ClockModel::ready() const {
    return ready_.load(std::memory_order_acquire);
}

Frame ClockModel::frame_at(std::int64_t host_ns) const {
    const Snapshot s = read();
    return s.f0 + round_to_frame((static_cast<double>(host_ns - s.origin_ns) - s.t0) / s.ns_per_frame);
}

std::int64_t ClockModel::host_time_at(Frame frame) const {
    const Snapshot s = read();
    return s.origin_ns + static_cast<std::int64_t>(
                             std::floor(s.t0 + static_cast<double>(frame - s.f0) * s.ns_per_frame + 0.5));
}

double ClockModel::frames_per_second() const {
    return 1e9 / read().ns_per_frame;
}

}  // namespace tactus
