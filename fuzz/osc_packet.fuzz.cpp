// libFuzzer target for the packet parser alone (tactus::parse_osc_packet over liblo's
// lo_message_deserialise), with a round-trip oracle:
//  - a packet that fails to parse leaves no messages and names the problem and its byte offset;
//  - every message of a packet that parses is rebuilt with liblo (lo_message_add_*), serialised,
//    and must parse back to the same address, type tags and values;
//  - a plain message (not a bundle) must re-serialise to exactly the input bytes, since the parser
//    only accepts canonical encodings (zero padding, no trailing bytes). Exceptions, where liblo's
//    API cannot carry the wire value: 'c' (only the low byte is kept) and a float NaN (widening to
//    double may quiet a signalling NaN). A message with an empty blob is skipped: lo_blob_new refuses
//    size 0, so liblo's API cannot build it (it parses fine).
#include "server/osc_packet.h"

#include <lo/lo.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace tactus;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "osc_packet_fuzz: %s\n", what.c_str());
    std::abort();
}

bool same_number(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// The message rebuilt through liblo's API; `exact` is cleared when the wire value cannot survive;
// nullptr when liblo's API cannot express it at all (an empty blob).
lo_message rebuild(const OscMessage& m, bool& exact) {
    lo_message out = lo_message_new();
    for (const OscArg& a : m.args) {
        switch (a.type) {
            case 'i':
                lo_message_add_int32(out, static_cast<std::int32_t>(a.i));
                break;
            case 'h':
                lo_message_add_int64(out, a.i);
                break;
            case 'c':
                exact = false;
                lo_message_add_char(out, static_cast<char>(a.i));
                break;
            case 'f':
                if (std::isnan(a.f)) exact = false;
                lo_message_add_float(out, static_cast<float>(a.f));
                break;
            case 'd':
                lo_message_add_double(out, a.f);
                break;
            case 's':
                lo_message_add_string(out, a.s.c_str());
                break;
            case 'S':
                lo_message_add_symbol(out, a.s.c_str());
                break;
            case 'b': {
                if (a.blob.empty()) {  // lo_blob_new refuses size 0: liblo cannot send an empty blob
                    lo_message_free(out);
                    return nullptr;
                }
                lo_blob blob = lo_blob_new(static_cast<std::int32_t>(a.blob.size()), a.blob.data());
                lo_message_add_blob(out, blob);
                lo_blob_free(blob);
                break;
            }
            case 'm': {
                if (a.blob.size() != 4) die("a MIDI argument without 4 bytes");
                std::uint8_t midi[4];
                std::memcpy(midi, a.blob.data(), 4);
                lo_message_add_midi(out, midi);
                break;
            }
            case 't': {
                lo_timetag tag;
                tag.sec = static_cast<std::uint32_t>(static_cast<std::uint64_t>(a.i) >> 32);
                tag.frac = static_cast<std::uint32_t>(static_cast<std::uint64_t>(a.i) & 0xffffffffu);
                lo_message_add_timetag(out, tag);
                break;
            }
            case 'T':
                lo_message_add_true(out);
                break;
            case 'F':
                lo_message_add_false(out);
                break;
            case 'N':
                lo_message_add_nil(out);
                break;
            case 'I':
                lo_message_add_infinitum(out);
                break;
            default:
                die(std::string("parsed an unknown type tag '") + a.type + "'");
        }
    }
    return out;
}

void expect_same(const OscMessage& a, const OscMessage& b) {
    if (a.address != b.address) die("address changed in the round trip: " + a.address + " vs " + b.address);
    if (a.types != b.types) die("type tags changed in the round trip: " + a.types + " vs " + b.types);
    if (a.args.size() != b.args.size()) die("argument count changed in the round trip");
    for (std::size_t n = 0; n < a.args.size(); ++n) {
        const OscArg& x = a.args[n];
        const OscArg& y = b.args[n];
        const std::string where = a.address + " argument " + std::to_string(n + 1) + " ('" + x.type + "')";
        if (x.type != y.type) die(where + ": type changed");
        const bool same_i = x.type == 'c' ? (x.i & 0xff) == (y.i & 0xff) : x.i == y.i;
        if (!same_i || !same_number(x.f, y.f) || x.s != y.s || x.blob != y.blob)
            die(where + ": value changed");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    OscPacket packet;
    std::string error;
    if (!parse_osc_packet(data, size, packet, &error)) {
        if (!packet.messages.empty() || packet.is_bundle) die("a failed parse left messages behind");
        if (error.empty()) die("a failed parse without a problem");
        if (size > 0 && data[0] == '/' && error.find("at byte ") == std::string::npos)
            die("a message's problem names no byte: " + error);
        return 0;
    }
    if (!packet.is_bundle && packet.messages.size() != 1) die("a message packet without exactly one message");
    for (const OscMessage& m : packet.messages) {
        if (m.address.empty() || m.address[0] != '/') die("an address that does not start with '/'");
        if (m.types.size() != m.args.size()) die("type tags and arguments disagree");
        if (!packet.is_bundle && m.timetag) die("a plain message with a timetag");
        bool exact = true;
        lo_message rebuilt = rebuild(m, exact);
        if (rebuilt == nullptr) continue;
        const std::vector<std::uint8_t> bytes = serialise_osc_message(m.address, rebuilt);
        lo_message_free(rebuilt);
        OscPacket again;
        if (!parse_osc_packet(bytes.data(), bytes.size(), again, &error))
            die("a re-serialised message does not parse: " + error);
        if (again.messages.size() != 1) die("a re-serialised message is not one message");
        OscMessage copy = again.messages.front();
        copy.timetag = m.timetag;
        expect_same(m, copy);
        if (!packet.is_bundle && exact &&
            (bytes.size() != size || std::memcmp(bytes.data(), data, size) != 0))
            die("a canonical message does not re-serialise to its own bytes");
    }
    return 0;
}
