#include "server/osc_packet.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <time.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

namespace tactus {
namespace {

using Bytes = std::vector<std::uint8_t>;
using ::testing::HasSubstr;

// --- builders: liblo for well-formed messages, raw bytes for everything liblo would refuse to write ---

Bytes bytes(std::initializer_list<int> values) {
    Bytes out;
    for (int v : values) out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

Bytes text(const std::string& s) {
    return Bytes(s.begin(), s.end());
}

Bytes operator+(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// An OSC string: the characters, a NUL, zero padding to a multiple of 4.
Bytes osc_string(const std::string& s) {
    Bytes out = text(s);
    out.push_back(0);
    while (out.size() % 4 != 0) out.push_back(0);
    return out;
}

Bytes be32(std::int64_t v) {
    const auto u = static_cast<std::uint32_t>(v);
    return bytes({static_cast<int>(u >> 24), static_cast<int>((u >> 16) & 0xff),
                  static_cast<int>((u >> 8) & 0xff), static_cast<int>(u & 0xff)});
}

Bytes be64(std::uint64_t v) {
    return be32(static_cast<std::int64_t>(v >> 32)) + be32(static_cast<std::int64_t>(v & 0xffffffffu));
}

// A message built with liblo: message("/x", [](lo_message m) { lo_message_add_int32(m, 3); }).
template <typename Fill>
Bytes message(const std::string& address, Fill fill) {
    lo_message m = lo_message_new();
    fill(m);
    Bytes out = serialise_osc_message(address, m);
    lo_message_free(m);
    return out;
}

Bytes message(const std::string& address) {
    return message(address, [](lo_message) {});
}

Bytes element(const Bytes& content) {
    return be32(static_cast<std::int64_t>(content.size())) + content;
}

Bytes bundle(std::uint64_t timetag, std::initializer_list<Bytes> contents) {
    Bytes out = osc_string("#bundle") + be64(timetag);
    for (const Bytes& c : contents) out = out + element(c);
    return out;
}

constexpr std::uint64_t tt(std::uint32_t seconds, std::uint32_t fraction = 0) {
    return (std::uint64_t{seconds} << 32) | fraction;
}

OscPacket parse_ok(const Bytes& data) {
    OscPacket packet;
    std::string error;
    EXPECT_TRUE(parse_osc_packet(data.data(), data.size(), packet, &error)) << error;
    return packet;
}

std::string parse_error(const Bytes& data) {
    OscPacket packet;
    packet.messages.resize(3);  // a failed parse must leave nothing behind
    std::string error;
    EXPECT_FALSE(parse_osc_packet(data.data(), data.size(), packet, &error));
    EXPECT_TRUE(packet.messages.empty());
    return error;
}

// --- well-formed messages ---

TEST(OscPacket, message_with_every_argument_type_decodes_each_value) {
    const std::uint8_t blob_data[5] = {1, 2, 3, 4, 5};
    std::uint8_t midi[4] = {0, 0x90, 60, 100};
    const Bytes data = message("/every/type", [&](lo_message m) {
        lo_message_add_int32(m, -7);
        lo_message_add_int64(m, 1LL << 40);
        lo_message_add_float(m, 1.5f);
        lo_message_add_double(m, 0.1);
        lo_message_add_string(m, "hello");
        lo_message_add_symbol(m, "sym");
        lo_message_add_char(m, 'x');
        lo_blob blob = lo_blob_new(5, blob_data);
        lo_message_add_blob(m, blob);
        lo_blob_free(blob);
        lo_message_add_true(m);
        lo_message_add_false(m);
        lo_message_add_nil(m);
        lo_message_add_infinitum(m);
        lo_message_add_midi(m, midi);
        lo_message_add_timetag(m, lo_timetag{0x83aa7e80u, 0x80000000u});
    });

    const OscPacket packet = parse_ok(data);
    ASSERT_EQ(packet.messages.size(), 1u);
    EXPECT_FALSE(packet.is_bundle);
    const OscMessage& msg = packet.messages[0];
    EXPECT_EQ(msg.address, "/every/type");
    EXPECT_EQ(msg.types, "ihfdsScbTFNImt");
    EXPECT_FALSE(msg.timetag.has_value());
    ASSERT_EQ(msg.args.size(), 14u);
    for (std::size_t n = 0; n < msg.args.size(); ++n) EXPECT_EQ(msg.args[n].type, msg.types[n]) << n;
    EXPECT_EQ(msg.args[0].i, -7);
    EXPECT_EQ(msg.args[1].i, 1LL << 40);
    EXPECT_EQ(msg.args[2].f, 1.5);
    EXPECT_EQ(msg.args[3].f, 0.1);
    EXPECT_EQ(msg.args[4].s, "hello");
    EXPECT_EQ(msg.args[5].s, "sym");
    EXPECT_EQ(msg.args[6].i, 'x');
    EXPECT_EQ(msg.args[7].blob, bytes({1, 2, 3, 4, 5}));
    EXPECT_EQ(msg.args[8].i, 1);
    EXPECT_EQ(msg.args[9].i, 0);
    EXPECT_TRUE(std::isinf(msg.args[11].f));
    EXPECT_EQ(msg.args[12].blob, bytes({0, 0x90, 60, 100}));
    EXPECT_EQ(msg.args[12].i, 0x00903c64);
    EXPECT_EQ(static_cast<std::uint64_t>(msg.args[13].i), tt(0x83aa7e80u, 0x80000000u));
}

TEST(OscPacket, message_without_arguments_has_empty_type_tags) {
    const OscPacket packet = parse_ok(message("/transport/play"));
    ASSERT_EQ(packet.messages.size(), 1u);
    EXPECT_EQ(packet.messages[0].address, "/transport/play");
    EXPECT_EQ(packet.messages[0].types, "");
    EXPECT_TRUE(packet.messages[0].args.empty());
}

TEST(OscPacket, empty_string_and_empty_blob_are_valid) {
    const Bytes data = osc_string("/x") + osc_string(",sb") + osc_string("") + be32(0);
    const OscPacket packet = parse_ok(data);
    ASSERT_EQ(packet.messages.size(), 1u);
    EXPECT_EQ(packet.messages[0].args[0].s, "");
    EXPECT_TRUE(packet.messages[0].args[1].blob.empty());
}

TEST(OscPacket, serialised_message_parses_back_to_the_same_values) {
    const Bytes data = message("/note/on", [](lo_message m) {
        lo_message_add_int32(m, 60);
        lo_message_add_float(m, 0.8f);
        lo_message_add_string(m, "lead");
    });
    EXPECT_EQ(data.size() % 4, 0u);
    const OscMessage msg = parse_ok(data).messages.at(0);
    EXPECT_EQ(msg.address, "/note/on");
    EXPECT_EQ(msg.types, "ifs");
    EXPECT_EQ(msg.args[0].i, 60);
    EXPECT_FLOAT_EQ(static_cast<float>(msg.args[1].f), 0.8f);
    EXPECT_EQ(msg.args[2].s, "lead");
}

// --- bundles ---

TEST(OscPacket, bundle_flattens_its_messages_in_order_each_with_the_bundle_timetag) {
    const std::uint64_t at = tt(0xe8000000u, 0x40000000u);
    const OscPacket packet = parse_ok(bundle(
        at, {message("/a"), message("/b", [](lo_message m) { lo_message_add_int32(m, 2); }), message("/c")}));
    EXPECT_TRUE(packet.is_bundle);
    ASSERT_EQ(packet.messages.size(), 3u);
    EXPECT_EQ(packet.messages[0].address, "/a");
    EXPECT_EQ(packet.messages[1].address, "/b");
    EXPECT_EQ(packet.messages[1].args.at(0).i, 2);
    EXPECT_EQ(packet.messages[2].address, "/c");
    for (const OscMessage& m : packet.messages) EXPECT_EQ(m.timetag, at);
}

TEST(OscPacket, nested_bundle_messages_carry_the_innermost_timetag) {
    const std::uint64_t outer = tt(0xe8000000u);
    const std::uint64_t inner = tt(0xe8000001u);
    const OscPacket packet =
        parse_ok(bundle(outer, {message("/first"), bundle(inner, {message("/inner1"), message("/inner2")}),
                                message("/last")}));
    ASSERT_EQ(packet.messages.size(), 4u);
    EXPECT_EQ(packet.messages[0].address, "/first");
    EXPECT_EQ(packet.messages[0].timetag, outer);
    EXPECT_EQ(packet.messages[1].address, "/inner1");
    EXPECT_EQ(packet.messages[1].timetag, inner);
    EXPECT_EQ(packet.messages[2].timetag, inner);
    EXPECT_EQ(packet.messages[3].address, "/last");
    EXPECT_EQ(packet.messages[3].timetag, outer);
}

TEST(OscPacket, immediate_timetag_means_no_timetag_even_inside_a_timed_bundle) {
    const OscPacket now = parse_ok(bundle(kOscTimetagImmediate, {message("/now")}));
    ASSERT_EQ(now.messages.size(), 1u);
    EXPECT_FALSE(now.messages[0].timetag.has_value());

    const OscPacket nested =
        parse_ok(bundle(tt(0xe8000000u), {bundle(kOscTimetagImmediate, {message("/now")})}));
    ASSERT_EQ(nested.messages.size(), 1u);
    EXPECT_FALSE(nested.messages[0].timetag.has_value());
}

TEST(OscPacket, empty_bundle_is_valid_and_holds_no_messages) {
    const OscPacket packet = parse_ok(bundle(tt(0xe8000000u), {}));
    EXPECT_TRUE(packet.is_bundle);
    EXPECT_TRUE(packet.messages.empty());
}

Bytes nested_bundles(int depth) {
    Bytes inner = message("/deep");
    for (int level = 0; level < depth; ++level)
        inner = bundle(tt(0xe8000000u, static_cast<std::uint32_t>(level)), {inner});
    return inner;
}

TEST(OscPacket, bundles_nest_up_to_eight_levels) {
    const OscPacket packet = parse_ok(nested_bundles(kMaxOscBundleDepth));
    ASSERT_EQ(packet.messages.size(), 1u);
    EXPECT_EQ(packet.messages[0].timetag, tt(0xe8000000u, 0));  // the innermost bundle's
}

TEST(OscPacket, bundle_nested_nine_levels_deep_is_refused) {
    // The ninth bundle starts after eight headers (16 bytes) and eight element sizes (4 bytes).
    EXPECT_EQ(parse_error(nested_bundles(kMaxOscBundleDepth + 1)),
              "bundle at byte 160 is nested deeper than 8 levels");
}

// --- malformed input: every error names what is wrong and where ---

TEST(OscPacketMalformed, empty_packet) {
    EXPECT_EQ(parse_error({}), "empty packet");
}

TEST(OscPacketMalformed, garbage_is_not_an_osc_packet) {
    EXPECT_EQ(parse_error(text("GET / HTTP/1.1\r\n")),
              "not an OSC packet: byte 0 is 'G', expected '/' (a message) or '#bundle'");
    EXPECT_THAT(parse_error(bytes({0xff, 0x00, 0x13, 0x37})), HasSubstr("byte 0 is 0xff"));
}

TEST(OscPacketMalformed, truncated_message_names_the_missing_argument) {
    Bytes data = message("/x/y", [](lo_message m) {
        lo_message_add_int32(m, 3);
        lo_message_add_float(m, 1.5f);
    });
    data.erase(data.end() - 4, data.end());  // (not resize: GCC 12 -Wstringop-overflow false positive)
    EXPECT_EQ(parse_error(data), "argument 2 ('f') at byte 16 is truncated: needs 4 bytes, 0 left");
}

TEST(OscPacketMalformed, truncated_address_and_type_tags) {
    EXPECT_EQ(parse_error(text("/x/y")),
              "address at byte 0 is truncated: no terminating NUL before the end of the data");
    EXPECT_EQ(parse_error(text("/x/y") + bytes({0, 0})),
              "address at byte 0 is truncated: its padding needs 8 bytes, 6 left");
    EXPECT_EQ(parse_error(osc_string("/x") + text(",ii")),
              "type tag string at byte 4 is truncated: no terminating NUL before the end of the data");
}

TEST(OscPacketMalformed, bad_type_tags) {
    EXPECT_EQ(parse_error(osc_string("/x")), "missing type tag string at byte 4");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string("if") + be32(1) + be32(2)),
              "bad type tag string at byte 4: does not start with ','");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",iq") + be32(1) + be32(2)),
              "unknown type tag 'q' at byte 6");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",[i]") + be32(1)), "unknown type tag '[' at byte 5");
}

TEST(OscPacketMalformed, arguments_that_do_not_match_the_size) {
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",i") + be32(1) + be32(2)),
              "4 unexpected bytes after the last argument at byte 12");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",b") + be32(100) + be32(0)),
              "argument 1 ('b') at byte 8 declares 100 bytes but only 4 remain");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",b") + be32(-8) + be32(0)),
              "argument 1 ('b') at byte 8 has a negative size (-8)");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",ib") + be32(1)),
              "argument 2 ('b') at byte 12 is truncated: its size needs 4 bytes, 0 left");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",s") + text("abcd")),
              "argument 1 ('s') at byte 8 is truncated: no terminating NUL before the end of the data");
}

TEST(OscPacketMalformed, non_zero_padding) {
    EXPECT_EQ(parse_error(text("/x") + bytes({0, 'z'}) + osc_string(",")),
              "non-zero padding in address at byte 3");
    EXPECT_EQ(parse_error(osc_string("/x") + osc_string(",b") + be32(1) + bytes({7, 0, 9, 0})),
              "non-zero padding in argument 1 ('b') at byte 14");
}

TEST(OscPacketMalformed, bundle_element_larger_than_the_rest) {
    Bytes data = bundle(tt(0xe8000000u), {message("/a")});
    data[19] = 100;  // the element's size field (bytes 16..19)
    EXPECT_EQ(parse_error(data), "bundle element at byte 16 has size 100 but only 8 bytes remain");
}

TEST(OscPacketMalformed, bundle_element_with_negative_zero_or_unaligned_size) {
    const Bytes head = osc_string("#bundle") + be64(tt(0xe8000000u));
    EXPECT_EQ(parse_error(head + be32(-4) + message("/a")),
              "bundle element at byte 16 has size -4 (must be positive)");
    EXPECT_EQ(parse_error(head + be32(0)), "bundle element at byte 16 has size 0 (must be positive)");
    EXPECT_EQ(parse_error(head + be32(6) + message("/a")),
              "bundle element at byte 16 has size 6, not a multiple of 4");
    EXPECT_EQ(parse_error(head + bytes({0, 0})),
              "bundle element size at byte 16 is truncated: needs 4 bytes, 2 left");
}

TEST(OscPacketMalformed, bundle_header_and_timetag) {
    EXPECT_EQ(parse_error(osc_string("#bundle") + bytes({0, 0, 0, 1})),
              "bundle at byte 0 is truncated: its timetag needs 8 bytes, 4 left");
    EXPECT_EQ(parse_error(osc_string("#bundlx") + be64(1)),
              "bad bundle header at byte 0 (expected \"#bundle\" and a NUL)");
}

TEST(OscPacketMalformed, error_inside_a_nested_element_names_its_absolute_offset) {
    const Bytes bad = osc_string("/a") + osc_string("i") + be32(1);  // type tags without ','
    EXPECT_EQ(
        parse_error(bundle(tt(0xe8000000u), {message("/ok"), bundle(tt(0xe8000000u), {bad})})),
        // outer header 16 + /ok element 4+8 + inner element size 4 + inner header 16 + size 4 + "/a\0\0" 4
        "bad type tag string at byte 56: does not start with ','");
    EXPECT_EQ(parse_error(bundle(tt(0xe8000000u), {be32(42)})),
              "bundle element at byte 20 is neither a message nor a bundle (first byte 0x00)");
}

TEST(OscPacketMalformed, every_truncation_and_random_corruption_is_rejected_cleanly) {
    const Bytes good = bundle(tt(0xe8000000u), {message("/a",
                                                        [](lo_message m) {
                                                            const std::uint8_t blob_data[3] = {1, 2, 3};
                                                            lo_blob b = lo_blob_new(3, blob_data);
                                                            lo_message_add_blob(m, b);
                                                            lo_blob_free(b);
                                                            lo_message_add_string(m, "str");
                                                            lo_message_add_int64(m, 5);
                                                        }),
                                                bundle(kOscTimetagImmediate, {message("/b")})});
    for (std::size_t size = 0; size < good.size(); ++size) {
        OscPacket packet;
        std::string error;
        const Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
        if (!parse_osc_packet(cut.data(), cut.size(), packet, &error)) {
            EXPECT_FALSE(error.empty()) << size;
        }
    }
    std::mt19937 rng(1234);
    for (int round = 0; round < 2000; ++round) {
        Bytes mutated = good;
        for (int flips = 0; flips < 3; ++flips)
            mutated[rng() % mutated.size()] = static_cast<std::uint8_t>(rng());
        OscPacket packet;
        std::string error;
        if (!parse_osc_packet(mutated.data(), mutated.size(), packet, &error)) {
            EXPECT_FALSE(error.empty());
            EXPECT_TRUE(packet.messages.empty());
        }
    }
}

// --- NTP timetags ---

std::int64_t clock_ns(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

TEST(NtpTime, unix_epoch_is_ntp_second_2208988800) {
    EXPECT_EQ(unix_ns_to_ntp(0), tt(2208988800u));
    EXPECT_EQ(ntp_to_unix_ns(tt(2208988800u)), 0);
    EXPECT_EQ(ntp_to_unix_ns(tt(2208988801u, 0x80000000u)), 1'500'000'000);
    EXPECT_EQ(unix_ns_to_ntp(-500'000'000), tt(2208988799u, 0x80000000u));
}

TEST(NtpTime, nanoseconds_survive_a_round_trip_through_a_timetag) {
    std::mt19937_64 rng(7);
    // 1968-01-20 .. 2104-02-07: both NTP eras that the conversion reads.
    const std::int64_t lo = -60'000'000'000'000'000LL;
    const std::int64_t hi = 4'200'000'000'000'000'000LL;
    for (int n = 0; n < 100000; ++n) {
        const std::int64_t ns = lo + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(hi - lo));
        ASSERT_EQ(ntp_to_unix_ns(unix_ns_to_ntp(ns)), ns) << ns;
    }
    for (std::int64_t ns : {0LL, 1LL, 999'999'999LL, 1'700'000'000'999'999'999LL})
        EXPECT_EQ(ntp_to_unix_ns(unix_ns_to_ntp(ns)), ns);
}

TEST(NtpTime, seconds_after_the_2036_rollover_read_as_era_one) {
    // 2036-02-07T06:28:16Z is NTP second 2^32, i.e. 0 in era 1.
    const std::int64_t rollover_unix_ns = (4294967296LL - 2208988800LL) * 1'000'000'000LL;
    EXPECT_EQ(ntp_to_unix_ns(tt(0)), rollover_unix_ns);
    EXPECT_EQ(unix_ns_to_ntp(rollover_unix_ns + 10'000'000'000LL), tt(10));
}

TEST(NtpTime, liblo_now_matches_the_realtime_clock_and_maps_to_monotonic_now) {
    lo_timetag now{};
    lo_timetag_now(&now);
    const std::uint64_t tag = (std::uint64_t{now.sec} << 32) | now.frac;
    EXPECT_NEAR(static_cast<double>(ntp_to_unix_ns(tag)), static_cast<double>(clock_ns(CLOCK_REALTIME)),
                50e6);

    const std::uint64_t in_a_second = unix_ns_to_ntp(clock_ns(CLOCK_REALTIME) + 1'000'000'000);
    EXPECT_NEAR(static_cast<double>(ntp_to_monotonic_ns(in_a_second)),
                static_cast<double>(clock_ns(CLOCK_MONOTONIC) + 1'000'000'000), 5e6);
}

}  // namespace
}  // namespace tactus
