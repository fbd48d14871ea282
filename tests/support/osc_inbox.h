// The search both OSC test clients (UDP through liblo, TCP by hand) do over the messages they have
// received and not yet handed out: take the first one a test waits for, receiving more until a
// deadline, and leave the others in arrival order.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <variant>

#include "support/tactusd_process.h"

namespace tactus::test {

// Whether `m` is the /reply or /error answering `address`.
inline bool answers(const OscIncoming& m, const std::string& address) {
    if (m.address != "/reply" && m.address != "/error") return false;
    if (m.args.empty()) return false;
    const auto* s = std::get_if<std::string>(&m.args[0].value);
    return s && *s == address;
}

// Takes the first message of `inbox` that `matches` accepts. While there is none, calls
// `receive_more(time left)`, which adds what arrives to `inbox` and returns false when nothing did
// (the time ran out or the connection closed): then it gives up. After `timeout` it receives once
// more without waiting and gives up if that brings nothing it wants.
template <class Matches, class ReceiveMore>
std::optional<OscIncoming> take_first(std::deque<OscIncoming>& inbox, std::chrono::milliseconds timeout,
                                      Matches matches, ReceiveMore receive_more) {
    using std::chrono::milliseconds;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::size_t checked = 0;
    for (bool last_look = false;;) {
        for (; checked < inbox.size(); ++checked) {
            if (matches(inbox[checked])) {
                OscIncoming found = std::move(inbox[checked]);
                inbox.erase(inbox.begin() + static_cast<std::ptrdiff_t>(checked));
                return found;
            }
        }
        if (last_look) return std::nullopt;
        const auto left =
            std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        last_look = left.count() <= 0;
        if (!receive_more(std::max(left, milliseconds(0)))) return std::nullopt;
    }
}

}  // namespace tactus::test
