// OSC packet parsing (messages through liblo's lo_message_deserialise; bundles parsed here, since
// liblo only dispatches them inside its own servers), message serialisation, and NTP timetag
// conversions.
//
// Parsing is all-or-nothing: a packet with any defect yields no messages, and the error says what
// is wrong and at which byte of the packet (offsets count from the start of the datagram or TCP frame,
// so an error inside a bundle element names its absolute position).
//
// Threading: every function is reentrant and may be called from any non-realtime thread (they
// allocate).
#pragma once

#include <lo/lo.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "server/osc_message.h"

namespace tactus {

// Bundles nested deeper than this (the outermost bundle is level 1) are rejected.
inline constexpr int kMaxOscBundleDepth = 8;
// The "immediately" timetag (0 seconds, fraction 1).
inline constexpr std::uint64_t kOscTimetagImmediate = 1;

// Parses one packet into `out` (its previous contents are replaced). On failure returns false, leaves
// `out` empty and, when `error` is not null, sets it to one sentence naming the problem and its
// byte offset, e.g. "bad type tag string at byte 12: does not start with ','".
bool parse_osc_packet(const std::uint8_t* data, std::size_t size, OscPacket& out, std::string* error);

// The wire bytes of `msg` sent to `address` (lo_message_serialise). Does not free msg.
std::vector<std::uint8_t> serialise_osc_message(const std::string& address, lo_message msg);

// NTP timetag <-> nanoseconds since the Unix epoch. Fractions convert with rounding, so a
// nanosecond value survives ns -> timetag -> ns exactly. Seconds with the top bit clear are read as
// NTP era 1 (from 2036-02-07), as RFC 4330 section 3 recommends, so the conversion keeps working
// after the 2036 rollover; the cost is that a bogus small timetag maps far into the future.
std::int64_t ntp_to_unix_ns(std::uint64_t timetag);
std::uint64_t unix_ns_to_ntp(std::int64_t ns);
// A timetag as CLOCK_MONOTONIC ns, through the CLOCK_REALTIME - CLOCK_MONOTONIC offset sampled at
// the call (so a wall-clock step moves later conversions, never earlier ones).
std::int64_t ntp_to_monotonic_ns(std::uint64_t timetag);
// The current CLOCK_REALTIME - CLOCK_MONOTONIC offset in ns (the realtime reading is bracketed by two
// monotonic readings and paired with their midpoint).
std::int64_t realtime_minus_monotonic_ns();

}  // namespace tactus
