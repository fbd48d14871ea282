// A received OSC message, decoded into plain values so the protocol code never touches liblo.
//
// Argument values by type tag (OSC 1.0 + the common extensions liblo knows):
//   i h c      integer in `i` (c: the character's code)
//   f d        number in `f` (f widened from float)
//   s S        text in `s`
//   b          bytes in `blob`
//   m          the 4 MIDI bytes (port, status, data1, data2) in `blob`, also packed big-endian in `i`
//   t          the NTP timetag's 64 bits (seconds << 32 | fraction) in `i`
//   T F        `i` = 1 / 0
//   N I        no value (I: "infinitum"; `f` = +inf)
// Plain data, no threading concerns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tactus {

// Stream framing limits (docs/protocol.md, "Connecting"): a frame sent to tactusd is at most
// kMaxRequestFrame bytes (OscTransportOptions::max_tcp_message); a reply frame tactusd sends, such as a
// whole /document, at most kMaxReplyFrame, so a client must accept frames up to that.
inline constexpr std::size_t kMaxRequestFrame = 16u << 20;
inline constexpr std::size_t kMaxReplyFrame = 256u << 20;

struct OscArg {
    char type = 'N';
    std::int64_t i = 0;
    double f = 0;
    std::string s;
    std::vector<std::uint8_t> blob;
};

struct OscMessage {
    std::string address;       // starts with '/'
    std::string types;         // the type tags without the leading ',' ("if" for an int and a float)
    std::vector<OscArg> args;  // one per type tag
    // The NTP timetag of the innermost bundle holding the message; nullopt when the message was not
    // in a bundle or that bundle's tag is "immediately" (1).
    std::optional<std::uint64_t> timetag;
};

// One UDP datagram or one TCP frame: a single message, or a bundle (nested bundles included)
// flattened into its messages in the order they appear.
struct OscPacket {
    std::vector<OscMessage> messages;
    bool is_bundle = false;
};

}  // namespace tactus
