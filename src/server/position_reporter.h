// Sends /position reports to each subscriber at its own rate (1..120 Hz, default 30) from a thread
// of its own, reading the engine's published status. Lossy by design: a report is one non-blocking
// UDP datagram; a slow or vanished subscriber costs nothing but dropped reports, and nothing ever
// waits on it.
//
// Threading: subscribe/unsubscribe from the control thread; the report thread runs between start()
// and stop(). The subscriber list is guarded by a mutex that only these two non-realtime threads take.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/engine_host.h"
#include "server/osc_transport.h"

namespace tactus {

class PositionReporter {
public:
    static constexpr std::size_t kMaxSubscribers = 64;

    explicit PositionReporter(EngineHost& host);
    ~PositionReporter();

    bool start(const std::string& bind_address, std::string* error);
    void stop();

    // A subscriber is its UDP address; subscribing again changes its rate. When the places are full,
    // an `owner` subscription (the engine's user, on the private socket) replaces the oldest other one.
    bool subscribe(const sockaddr_storage& addr, socklen_t len, double rate_hz, std::string* error,
                   bool owner = false);
    bool subscribe(const std::string& host, int port, double rate_hz, std::string* error);
    void unsubscribe(const sockaddr_storage& addr, socklen_t len);
    void unsubscribe(const std::string& host, int port);

    std::size_t subscriber_count() const;
    // The mixer slots of the document's tracks, in document order: the order of the track peaks. Only the
    // first kMaxMeteredTracks are kept (the engine meters no more).
    void set_track_slots(std::vector<std::uint32_t> slots);
    std::uint64_t reports_sent() const { return sender_.sent(); }
    std::uint64_t reports_dropped() const { return sender_.dropped(); }

private:
    using Clock = std::chrono::steady_clock;
    struct Subscriber {
        sockaddr_storage addr{};
        socklen_t len = 0;
        Clock::duration interval{};
        Clock::time_point next{};
        bool owner = false;
    };
    void run();
    std::vector<std::uint8_t> report() const;

    EngineHost& host_;
    OscSender sender_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Subscriber> subscribers_;
    std::vector<std::uint32_t> track_slots_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tactus
