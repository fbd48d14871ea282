#include "server/position_reporter.h"

#include <netdb.h>

#include <algorithm>
#include <cstring>

#include "server/osc_out.h"

namespace tactus {

namespace {

bool same_address(const sockaddr_storage& a, socklen_t alen, const sockaddr_storage& b, socklen_t blen) {
    return alen == blen && std::memcmp(&a, &b, alen) == 0;
}

bool resolve_udp(const std::string& host, int port, sockaddr_storage& out, socklen_t& len,
                 std::string* error) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0 || !found) {
        if (error) *error = "cannot resolve '" + host + "': " + gai_strerror(rc);
        return false;
    }
    std::memcpy(&out, found->ai_addr, found->ai_addrlen);
    len = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
}

}  // namespace

PositionReporter::PositionReporter(EngineHost& host) : host_(host) {}

PositionReporter::~PositionReporter() {
    stop();
}

bool PositionReporter::start(const std::string& bind_address, std::string* error) {
    if (!sender_.open(bind_address, error)) return false;
    thread_ = std::thread([this] { run(); });
    return true;
}

void PositionReporter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool PositionReporter::subscribe(const sockaddr_storage& addr, socklen_t len, double rate_hz,
                                 std::string* error, bool owner) {
    std::lock_guard lock(mutex_);
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate_hz));
    for (Subscriber& s : subscribers_) {
        if (same_address(s.addr, s.len, addr, len)) {
            s.interval = interval;
            s.owner = s.owner || owner;
            return true;
        }
    }
    if (subscribers_.size() >= kMaxSubscribers) {
        // The owner's subscription takes the place of the oldest one that is not the owner's, so
        // other clients filling the places cannot leave the owner's GUI without a cursor.
        const auto other = std::find_if(subscribers_.begin(), subscribers_.end(),
                                        [](const Subscriber& s) { return !s.owner; });
        if (!owner || other == subscribers_.end()) {
            if (error) *error = "too many subscribers (at most " + std::to_string(kMaxSubscribers) + ")";
            return false;
        }
        subscribers_.erase(other);
    }
    subscribers_.push_back({addr, len, interval, Clock::now(), owner});
    wake_.notify_all();
    return true;
}

bool PositionReporter::subscribe(const std::string& host, int port, double rate_hz, std::string* error) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    return resolve_udp(host, port, addr, len, error) && subscribe(addr, len, rate_hz, error);
}

void PositionReporter::unsubscribe(const sockaddr_storage& addr, socklen_t len) {
    std::lock_guard lock(mutex_);
    std::erase_if(subscribers_, [&](const Subscriber& s) { return same_address(s.addr, s.len, addr, len); });
}

void PositionReporter::unsubscribe(const std::string& host, int port) {
    sockaddr_storage addr{};
    socklen_t len = 0;
    if (resolve_udp(host, port, addr, len, nullptr)) unsubscribe(addr, len);
}

std::size_t PositionReporter::subscriber_count() const {
    std::lock_guard lock(mutex_);
    return subscribers_.size();
}

void PositionReporter::set_track_slots(std::vector<std::uint32_t> slots) {
    // Meters for the first tracks only: the board holds kMaxMeteredTracks peaks, and a report with one
    // per track of a document of thousands would outgrow a UDP datagram.
    if (slots.size() > std::size_t(kMaxMeteredTracks)) slots.resize(kMaxMeteredTracks);
    std::lock_guard lock(mutex_);
    track_slots_ = std::move(slots);
}

std::vector<std::uint8_t> PositionReporter::report() const {
    const EngineStatus s = host_.status();
    const double rate = host_.sample_rate();
    // When the block's first frame is heard: its period's start plus the output latency.
    const std::int64_t heard_ns =
        s.block_host_ns + static_cast<std::int64_t>(1e9 * host_.output_latency_frames() / rate);
    OscOut out("/position");
    out.h(s.block_frame)
        .h(heard_ns)
        .d(s.beat)
        .i(s.bar + 1)
        .d(s.beat_in_bar + 1.0)
        .d(s.bpm)
        .i(s.playing ? 1 : 0)
        .f(s.master_peak[0])
        .f(s.master_peak[1]);
    for (std::uint32_t slot : track_slots_)  // mutex_ is held (run())
        out.f(slot < std::uint32_t(s.track_count) ? s.track_peak[slot] : 0.0f);
    return out.bytes();
}

void PositionReporter::run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (subscribers_.empty()) {
            wake_.wait(lock);
            continue;
        }
        const auto due =
            std::min_element(subscribers_.begin(), subscribers_.end(),
                             [](const Subscriber& a, const Subscriber& b) { return a.next < b.next; })
                ->next;
        if (wake_.wait_until(lock, due) != std::cv_status::timeout && !stopping_) continue;
        if (stopping_) break;
        const auto now = Clock::now();
        std::vector<std::uint8_t> bytes;
        for (Subscriber& s : subscribers_) {
            if (s.next > now) continue;
            if (bytes.empty()) bytes = report();
            sender_.send(s.addr, s.len, bytes);
            // Keep the rate steady; after a stall, skip what was missed rather than burst.
            s.next += s.interval;
            if (s.next < now) s.next = now + s.interval;
        }
    }
}

}  // namespace tactus
