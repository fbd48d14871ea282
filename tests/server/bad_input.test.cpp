// Bad input against a running tactusd: each test starts the real daemon (offline backend, so no JACK
// is needed), sends it something wrong over UDP or TCP, checks the exact /error it answers (address
// and message, docs/protocol.md), and checks that the engine still answers /ping afterwards. Ends with
// a command flood from a separate process (osc_flood) while the daemon's memory is sampled.
//
// The daemon renders to a FLAC file: with --audio offline the engine renders as fast as it can (about
// 500x realtime here), so a WAV of 600 s would be written (230 MB) within a second and the render
// thread would then stop taking commands; silence in FLAC costs a few hundred bytes per second of
// wall time instead, and --seconds 1e6 keeps the render going for the whole test.
//
// Every daemon is a child with PR_SET_PDEATHSIG=SIGKILL (it dies with the test process), is sent
// /quit at the end of its test and is killed if it has not exited 3 s later.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <lo/lo.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "server/osc_message.h"
#include "server/osc_packet.h"
#include "support/offline_daemon.h"

namespace {  // fs, Clock, Bytes, OscMessage and the clients come from support/offline_daemon.h

// ------------------------------------------------------------------------------------------------
// The fixture: a fresh daemon per test, a UDP client, and documents in a temporary directory.

constexpr auto kReplyTimeout = 3000ms;

// One track (id 1) playing a sine: enough for the note and mixer commands.
std::string one_track_document(const std::string& preset = "sine") {
    return R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [)"
           R"({"id": 1, "name": "Lead", "instrument": "synth", "preset": ")" +
           preset + R"(", "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100}]}]})";
}

class TactusdBadInput : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tactus-bad-input-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        daemon_.emplace(dir_);
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
        udp_.emplace(daemon_->udp_port());
        ASSERT_TRUE(answers_ping()) << "tactusd does not answer /ping after starting; log:\n"
                                    << daemon_->log();
    }
    void TearDown() override {
        udp_.reset();
        if (daemon_) {
            const std::string how = daemon_->stop();
            EXPECT_EQ(how, "exit 0") << "tactusd did not end cleanly; log:\n" << daemon_->log();
        }
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string write(const std::string& name, const std::string& text) {
        const fs::path path = dir_ / name;
        std::ofstream(path, std::ios::binary) << text;
        return path.string();
    }

    bool answers_ping(std::chrono::milliseconds timeout = kReplyTimeout) {
        udp_->drain();
        udp_->send(Osc("/ping").bytes());
        return udp_
            ->wait_for([](const OscMessage& m) { return m.address == "/reply" && answered(m) == "/ping"; },
                       timeout)
            .has_value();
    }

    // Sends `packet` and returns the /reply or /error that answers `address` (or the message named
    // `address`, e.g. "/status").
    std::optional<OscMessage> call(const Bytes& packet, const std::string& address) {
        udp_->drain();
        EXPECT_TRUE(udp_->send(packet));
        return udp_->wait_for([&](const OscMessage& m) { return answered(m) == address; }, kReplyTimeout);
    }

    // The packet is refused with exactly /error ,ss "address" "message", and the engine goes on.
    void expect_error(const Bytes& packet, const std::string& address, const std::string& message) {
        const auto reply = call(packet, address);
        ASSERT_TRUE(reply.has_value())
            << "no reply for " << (address.empty() ? "a malformed packet" : address);
        EXPECT_EQ(reply->address, "/error") << describe(*reply);
        EXPECT_EQ(reply->types, "ss") << describe(*reply);
        if (reply->args.size() == 2) {
            EXPECT_EQ(reply->args[1].s, message) << describe(*reply);
        }
        expect_alive();
    }
    // As expect_error, for a message that must start with `prefix` (e.g. an error text from a library).
    OscMessage expect_error_prefix(const Bytes& packet, const std::string& address,
                                   const std::string& prefix) {
        const auto reply = call(packet, address);
        EXPECT_TRUE(reply.has_value()) << "no reply for " << address;
        if (!reply) return {};
        EXPECT_EQ(reply->address, "/error") << describe(*reply);
        EXPECT_EQ(reply->types, "ss") << describe(*reply);
        if (reply->args.size() == 2) {
            EXPECT_EQ(reply->args[1].s.substr(0, prefix.size()), prefix) << describe(*reply);
        }
        expect_alive();
        return *reply;
    }
    void expect_alive() {
        EXPECT_TRUE(answers_ping()) << "tactusd stopped answering /ping; log:\n" << daemon_->log();
    }

    // Loads the one-track document from a file; the reply is /reply "/load" 1 1 0.
    void load_document() {
        const auto reply = call(Osc("/load").s(write("doc.json", one_track_document())).bytes(), "/load");
        ASSERT_TRUE(reply.has_value());
        ASSERT_EQ(reply->address, "/reply") << describe(*reply);
    }

    // The /status reply's fields by name (docs/protocol.md, in order).
    std::optional<OscMessage> status() { return call(Osc("/status").bytes(), "/status"); }

    fs::path dir_;
    std::optional<Daemon> daemon_;
    std::optional<UdpClient> udp_;
};

// /status field positions (docs/protocol.md).
enum StatusField : std::size_t {
    kRate = 0,
    kRejected = 10,
    kRepliesDropped = 11,
    kMalformed = 12,
    kKernelDrops = 13,
    kBackend = 20,
};

// ------------------------------------------------------------------------------------------------
// Malformed packets: /error "" "malformed packet: ..." naming the byte.

TEST_F(TactusdBadInput, packet_that_is_not_osc_is_refused_naming_byte_0) {
    expect_error(raw("hello tactusd"), "",
                 "malformed packet: not an OSC packet: byte 0 is 'h', expected '/' (a message) or '#bundle'");
}

TEST_F(TactusdBadInput, truncated_message_is_refused_naming_the_argument_and_its_byte) {
    Bytes packet = Osc("/track/level").i(1).d(0.5).bytes();  // "/track/level" 16, ",id" 4, i 4, d 8
    packet.resize(packet.size() - 4);
    expect_error(packet, "",
                 "malformed packet: argument 2 ('d') at byte 24 is truncated: needs 8 bytes, 4 left");
}

TEST_F(TactusdBadInput, message_cut_inside_its_address_is_refused) {
    expect_error(
        raw("/ping"), "",
        "malformed packet: address at byte 0 is truncated: no terminating NUL before the end of the data");
}

TEST_F(TactusdBadInput, type_tag_string_without_comma_is_refused_naming_its_byte) {
    Bytes packet = raw(std::string("/ping\0\0\0xi\0\0", 12));
    put_be32(packet, 7);
    expect_error(packet, "", "malformed packet: bad type tag string at byte 8: does not start with ','");
}

TEST_F(TactusdBadInput, unknown_type_tag_is_refused_naming_its_byte) {
    Bytes packet = raw(std::string("/ping\0\0\0,iQ\0", 12));
    put_be32(packet, 7);
    put_be32(packet, 7);
    expect_error(packet, "", "malformed packet: unknown type tag 'Q' at byte 10");
}

TEST_F(TactusdBadInput, bundle_whose_element_size_lies_is_refused_whole) {
    // "#bundle", an immediate timetag, then an element claiming 100 bytes with only 12 behind it.
    Bytes packet = raw(std::string("#bundle\0", 8));
    put_be32(packet, 0);
    put_be32(packet, 1);
    put_be32(packet, 100);
    const Bytes ping = Osc("/ping").bytes();
    packet.insert(packet.end(), ping.begin(), ping.end());
    expect_error(packet, "",
                 "malformed packet: bundle element at byte 16 has size 100 but only 12 bytes remain");
    // All or nothing: the /ping inside was not answered either.
    EXPECT_FALSE(udp_->wait_for([](const OscMessage& m) { return answered(m) == "/ping"; }, 200ms));
}

TEST_F(TactusdBadInput, bundle_element_with_a_bad_second_message_answers_nothing_but_the_error) {
    const Bytes good = Osc("/ping").bytes();
    Bytes bad = Osc("/ping").i(1).bytes();
    bad.resize(bad.size() - 4);  // ",i" with no int: the element is 12 bytes
    Bytes packet = raw(std::string("#bundle\0", 8));
    put_be32(packet, 0);
    put_be32(packet, 1);
    put_be32(packet, static_cast<std::uint32_t>(good.size()));
    packet.insert(packet.end(), good.begin(), good.end());
    put_be32(packet, static_cast<std::uint32_t>(bad.size()));
    packet.insert(packet.end(), bad.begin(), bad.end());
    expect_error(packet, "",
                 "malformed packet: argument 1 ('i') at byte 48 is truncated: needs 4 bytes, 0 left");
}

TEST_F(TactusdBadInput, bundle_nested_too_deep_is_refused) {
    Bytes packet = Osc("/ping").bytes();
    for (int level = 0; level < 9; ++level) {
        Bytes outer = raw(std::string("#bundle\0", 8));
        put_be32(outer, 0);
        put_be32(outer, 1);
        put_be32(outer, static_cast<std::uint32_t>(packet.size()));
        outer.insert(outer.end(), packet.begin(), packet.end());
        packet = std::move(outer);
    }
    expect_error(packet, "", "malformed packet: bundle at byte 160 is nested deeper than 8 levels");
}

TEST_F(TactusdBadInput, empty_datagram_is_refused) {
    expect_error(Bytes{}, "", "malformed packet: empty packet");
}

TEST_F(TactusdBadInput, malformed_packets_are_counted_in_status) {
    for (int n = 0; n < 5; ++n) udp_->send(raw("garbage"));
    const auto s = status();
    ASSERT_TRUE(s.has_value());
    ASSERT_GT(s->args.size(), std::size_t{kMalformed});
    EXPECT_EQ(s->args[kMalformed].i, 5) << describe(*s);
}

// ------------------------------------------------------------------------------------------------
// Wrong type tags, missing and extra arguments: the argument is named.

TEST_F(TactusdBadInput, track_level_with_a_string_level_names_the_argument) {
    load_document();
    expect_error(Osc("/track/level").i(1).s("loud").bytes(), "/track/level",
                 "argument 2 (level) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, play_with_a_string_names_the_beat) {
    expect_error(Osc("/play").s("now").bytes(), "/play", "argument 1 (beat) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, missing_arguments_are_named) {
    load_document();
    expect_error(Osc("/track/level").i(1).bytes(), "/track/level", "argument 2 (level) is missing");
    expect_error(Osc("/note/on").bytes(), "/note/on", "argument 1 (track id) is missing");
    expect_error(Osc("/locate/beat").bytes(), "/locate/beat", "argument 1 (beat) is missing");
    expect_error(Osc("/load").bytes(), "/load", "argument 1 (path) is missing");
    expect_error(Osc("/tempo/scale").bytes(), "/tempo/scale", "argument 1 (scale) is missing");
}

TEST_F(TactusdBadInput, too_many_arguments_are_refused_with_the_type_tags) {
    load_document();
    expect_error(Osc("/track/level").i(1).d(0.5).i(3).bytes(), "/track/level",
                 "takes at most 2 arguments (got 3, type tags 'idi')");
    expect_error(Osc("/stop").i(1).bytes(), "/stop", "takes at most 0 arguments (got 1, type tags 'i')");
    expect_error(Osc("/play").d(1).d(2).bytes(), "/play", "takes at most 1 argument (got 2, type tags 'dd')");
}

// docs/protocol.md: "Extra arguments are refused." /ping is a command like the others.
TEST_F(TactusdBadInput, ping_with_an_argument_is_refused_like_every_command) {
    expect_error(Osc("/ping").i(1).bytes(), "/ping", "takes at most 0 arguments (got 1, type tags 'i')");
}

TEST_F(TactusdBadInput, integer_argument_given_a_fraction_or_a_string_is_refused) {
    load_document();
    expect_error(Osc("/note/on").i(1).d(60.5).bytes(), "/note/on",
                 "argument 2 (pitch) must be an integer (i or h)");
    expect_error(Osc("/note/on").s("1").i(60).bytes(), "/note/on",
                 "argument 1 (track id) must be an integer (i or h)");
    expect_error(Osc("/countin").s("two").bytes(), "/countin",
                 "argument 1 (bars) must be an integer (i or h)");
}

TEST_F(TactusdBadInput, load_path_given_a_number_is_refused) {
    expect_error(Osc("/load").i(5).bytes(), "/load", "argument 1 (path) must be a string (s)");
}

// ------------------------------------------------------------------------------------------------
// Unknown addresses

TEST_F(TactusdBadInput, unknown_address_is_refused_by_name) {
    expect_error(Osc("/nope").bytes(), "/nope", "unknown address (see docs/protocol.md; /ping answers)");
    expect_error(Osc("/track/level/extra").i(1).bytes(), "/track/level/extra",
                 "unknown address (see docs/protocol.md; /ping answers)");
    expect_error(Osc("/PING").bytes(), "/PING", "unknown address (see docs/protocol.md; /ping answers)");
}

// OSC address patterns are not expanded: "/*" is just an unknown address.
TEST_F(TactusdBadInput, address_pattern_is_not_expanded) {
    expect_error(Osc("/*").bytes(), "/*", "unknown address (see docs/protocol.md; /ping answers)");
}

// ------------------------------------------------------------------------------------------------
// Oversized input

TEST_F(TactusdBadInput, load_json_with_a_60_kb_blob_over_udp_is_refused_as_not_a_string) {
    expect_error(blob_message("/load/json", Bytes(60 * 1024, '{')), "/load/json",
                 "argument 1 (document) must be a string (s)");
}

TEST_F(TactusdBadInput, load_json_over_the_udp_limit_is_refused_with_the_sizes) {
    const std::string text = "{" + std::string(61 * 1024, ' ') + "}";
    expect_error(
        string_message("/load/json", text), "/load/json",
        "inline document of 62466 bytes is over the UDP limit of 61440; send it over TCP or /load a path");
}

TEST_F(TactusdBadInput, one_megabyte_of_invalid_json_over_tcp_names_line_and_column) {
    // Line 1: '{"format": "tactus",'; line 2: a 1 MiB string value; line 3: two spaces, then '!'.
    const std::string text =
        "{\"format\": \"tactus\",\n\"pad\": \"" + std::string(1 << 20, 'a') + "\",\n  !}";
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    ASSERT_TRUE(tcp.send_frame(string_message("/load/json", text)));
    const auto reply = tcp.receive(kReplyTimeout * 3);
    ASSERT_TRUE(reply.has_value()) << "no reply over TCP";
    EXPECT_EQ(reply->address, "/error") << describe(*reply);
    ASSERT_EQ(reply->types, "ss") << describe(*reply);
    EXPECT_EQ(reply->args[0].s, "/load/json");
    EXPECT_EQ(reply->args[1].s.substr(0, 28), "<inline>:3:3: invalid JSON: ") << describe(*reply);
    // The same connection still works.
    ASSERT_TRUE(tcp.send_frame(Osc("/ping").bytes()));
    const auto pong = tcp.receive(kReplyTimeout);
    ASSERT_TRUE(pong.has_value());
    EXPECT_EQ(answered(*pong), "/ping");
    expect_alive();
}

// A client that reconnects subscribes again on a new connection: the closed ones must not use up the
// 64 subscriber places (a GUI reconnecting 70 times would otherwise lose its pushes).
TEST_F(TactusdBadInput, edit_subscribers_whose_connection_closed_do_not_use_up_the_places) {
    for (int i = 0; i < 70; ++i) {
        TcpClient tcp(daemon_->tcp_port());
        ASSERT_TRUE(tcp.connected());
        ASSERT_TRUE(tcp.send_frame(Osc("/edits/subscribe").bytes()));
        const auto reply = tcp.receive(kReplyTimeout);
        ASSERT_TRUE(reply.has_value()) << "subscription " << i + 1;
        ASSERT_EQ(reply->address, "/reply") << "subscription " << i + 1 << ": " << describe(*reply);
    }
    expect_alive();
}

TEST_F(TactusdBadInput, tcp_frame_of_20_mb_closes_that_connection_and_the_engine_goes_on) {
    TcpClient other(daemon_->tcp_port());  // a bystander connection that must keep working
    ASSERT_TRUE(other.connected());
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    const std::uint32_t length = 20u << 20;
    Bytes frame;
    put_be32(frame, length);
    frame.resize(4 + length, 0);
    const Bytes ping = Osc("/ping").bytes();
    std::copy(ping.begin(), ping.end(), frame.begin() + 4);
    tcp.send_all(frame.data(), frame.size(), 5s);  // the daemon stops reading after the length
    std::vector<OscMessage> received;
    EXPECT_TRUE(tcp.wait_closed(5s, &received)) << "the connection was not closed";
    // The error is sent before the close; a reset (unread data at close) may overtake it.
    for (const OscMessage& m : received) {
        EXPECT_EQ(m.address, "/error") << describe(m);
        if (m.args.size() == 2) {
            EXPECT_EQ(
                m.args[1].s,
                "malformed packet: TCP frame of 20971520 bytes exceeds the limit of 16777216 bytes; closing "
                "the connection");
        }
    }
    expect_alive();
    ASSERT_TRUE(other.send_frame(ping));
    const auto pong = other.receive(kReplyTimeout);
    ASSERT_TRUE(pong.has_value()) << "another TCP connection stopped being answered";
    EXPECT_EQ(answered(*pong), "/ping");
    TcpClient fresh(daemon_->tcp_port());
    ASSERT_TRUE(fresh.connected());
    ASSERT_TRUE(fresh.send_frame(ping));
    EXPECT_TRUE(fresh.receive(kReplyTimeout).has_value()) << "a new TCP connection is not answered";
}

// Replies echo client strings (the address in every /error, paths in /load errors). A 262,144-byte
// address makes the /error's data 262,148 bytes: liblo 0.31's buffer growth (see string_message)
// allocates 262,144 and writes 4 bytes past it (ASan: heap-buffer-overflow in lo_message_add_string
// from OscOut::s in ControlServer::reply_error). Only TCP frames are large enough to reach it.
// liblo 0.31 overflows its buffer on very long strings, so replies cap echoed text at 4 KiB + "...".
TEST_F(TactusdBadInput, unknown_address_of_256_kib_over_tcp_is_refused_with_the_address_cut_short) {
    const std::string address = "/" + std::string(262143, 'x');
    TcpClient tcp(daemon_->tcp_port());
    ASSERT_TRUE(tcp.connected());
    Bytes packet;
    put_osc_string(packet, address);
    put_osc_string(packet, ",");
    ASSERT_TRUE(tcp.send_frame(packet));
    const auto reply = tcp.receive(kReplyTimeout);
    ASSERT_TRUE(reply.has_value()) << "no reply; tactusd " << (daemon_->child().alive() ? "runs" : "died")
                                   << "; log:\n"
                                   << daemon_->log().substr(0, 4000);
    EXPECT_EQ(reply->address, "/error");
    ASSERT_EQ(reply->types, "ss");
    EXPECT_EQ(reply->args[0].s, address.substr(0, 4096) + "...");
    EXPECT_EQ(reply->args[1].s, "unknown address (see docs/protocol.md; /ping answers)");
    expect_alive();
}

// ------------------------------------------------------------------------------------------------
// Out-of-range values

TEST_F(TactusdBadInput, note_velocity_0_and_128_are_out_of_range) {
    load_document();
    expect_error(Osc("/note/on").i(1).i(60).i(0).bytes(), "/note/on",
                 "argument 3 (velocity) must be within 1..127 (got 0)");
    expect_error(Osc("/note/on").i(1).i(60).i(128).bytes(), "/note/on",
                 "argument 3 (velocity) must be within 1..127 (got 128)");
}

TEST_F(TactusdBadInput, pitch_200_is_out_of_range) {
    load_document();
    expect_error(Osc("/note/on").i(1).i(200).bytes(), "/note/on",
                 "argument 2 (pitch) must be within 0..127 (got 200)");
    expect_error(Osc("/note/off").i(1).i(-1).bytes(), "/note/off",
                 "argument 2 (pitch) must be within 0..127 (got -1)");
}

TEST_F(TactusdBadInput, level_5_pan_2_and_tempo_scale_0_are_out_of_range) {
    load_document();
    expect_error(Osc("/track/level").i(1).d(5).bytes(), "/track/level",
                 "argument 2 (level) must be within 0..4 (got 5)");
    expect_error(Osc("/track/pan").i(1).d(2).bytes(), "/track/pan",
                 "argument 2 (pan) must be within -1..1 (got 2)");
    expect_error(Osc("/master/level").d(-0.5).bytes(), "/master/level",
                 "argument 1 (level) must be within 0..4 (got -0.5)");
    expect_error(Osc("/tempo/scale").d(0).bytes(), "/tempo/scale",
                 "argument 1 (scale) must be within 0.1..10 (got 0)");
    expect_error(Osc("/countin").i(9).bytes(), "/countin", "argument 1 (bars) must be within 0..8 (got 9)");
    expect_error(Osc("/subscribe").d(500).bytes(), "/subscribe",
                 "argument 1 (rate) must be within 1..120 (got 500)");
}

TEST_F(TactusdBadInput, nan_and_infinite_numbers_are_refused) {
    load_document();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    expect_error(Osc("/track/level").i(1).d(nan).bytes(), "/track/level",
                 "argument 2 (level) must be a finite number");
    expect_error(Osc("/track/level").i(1).d(inf).bytes(), "/track/level",
                 "argument 2 (level) must be a finite number");
    expect_error(Osc("/track/pan").i(1).f(-std::numeric_limits<float>::infinity()).bytes(), "/track/pan",
                 "argument 2 (pan) must be a finite number");
    expect_error(Osc("/play").d(nan).bytes(), "/play", "argument 1 (beat) must be a finite number");
    expect_error(Osc("/locate/seconds").d(inf).bytes(), "/locate/seconds",
                 "argument 1 (seconds) must be a finite number");
    expect_error(Osc("/tempo/scale").f(std::numeric_limits<float>::quiet_NaN()).bytes(), "/tempo/scale",
                 "argument 1 (scale) must be a finite number");
    expect_error(Osc("/loop").i(1).d(0).d(inf).bytes(), "/loop",
                 "argument 3 (end beat) must be a finite number");
    expect_error(Osc("/note/on").i(1).d(nan).bytes(), "/note/on",
                 "argument 2 (pitch) must be an integer (i or h)");
    // 'I' (infinitum) is not a number either.
    expect_error(Osc("/master/level").infinitum().bytes(), "/master/level",
                 "argument 1 (level) must be a number (i, h, f or d)");
}

TEST_F(TactusdBadInput, loop_that_ends_before_it_begins_is_refused) {
    expect_error(Osc("/loop").i(1).d(8).d(4).bytes(), "/loop",
                 "argument 3 (end beat) must be after the begin beat");
    expect_error(Osc("/loop").i(1).bytes(), "/loop", "no loop range set yet: send /loop 1 BEGIN END");
}

// ------------------------------------------------------------------------------------------------
// Tracks and documents

TEST_F(TactusdBadInput, unknown_track_id_is_refused) {
    load_document();
    expect_error(Osc("/track/level").i(99).d(0.5).bytes(), "/track/level",
                 "no track with id 99 in the loaded document");
    expect_error(Osc("/note/on").i(0).i(60).bytes(), "/note/on", "no track with id 0 in the loaded document");
    expect_error(Osc("/track/mute").i(-1).i(1).bytes(), "/track/mute",
                 "no track with id -1 in the loaded document");
    expect_error(Osc("/track/solo").h(std::int64_t{1} << 40).i(1).bytes(), "/track/solo",
                 "no track with id 1099511627776 in the loaded document");
}

TEST_F(TactusdBadInput, note_on_before_any_load_is_refused) {
    expect_error(Osc("/note/on").i(1).i(60).bytes(), "/note/on", "no document loaded (send /load first)");
    expect_error(Osc("/track/level").i(1).d(0.5).bytes(), "/track/level",
                 "no document loaded (send /load first)");
}

TEST_F(TactusdBadInput, load_of_a_missing_file_names_it) {
    const std::string path = (dir_ / "missing.json").string();
    expect_error(Osc("/load").s(path).bytes(), "/load", path + ": cannot open: No such file or directory");
}

TEST_F(TactusdBadInput, load_of_a_directory_names_it) {
    expect_error(Osc("/load").s(dir_.string()).bytes(), "/load",
                 dir_.string() + ": refused: a directory, not a regular file");
}

TEST_F(TactusdBadInput, load_of_malformed_json_names_file_line_and_column) {
    const std::string path = write("broken.json", "{\"format\": \"tactus\",\n  \"version\": 1,,\n}");
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load", path + ":2:16: invalid JSON: ");
}

TEST_F(TactusdBadInput, load_of_an_invalid_document_names_file_and_json_path) {
    std::string text = one_track_document();
    text.replace(text.find("\"start\": 0"), 10, "\"start\": -1");
    const std::string path = write("negative.json", text);
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load", path + ": /tracks/0/notes/0/start: ");
}

TEST_F(TactusdBadInput, load_of_a_document_with_an_unknown_preset_names_its_json_path) {
    const std::string path = write("preset.json", one_track_document("kazoo"));
    expect_error_prefix(Osc("/load").s(path).bytes(), "/load",
                        "/tracks/0/preset: unknown preset 'kazoo' for instrument 'synth' (available: ");
    // Nothing was loaded.
    expect_error(Osc("/note/on").i(1).i(60).bytes(), "/note/on", "no document loaded (send /load first)");
}

TEST_F(TactusdBadInput, load_json_that_is_not_an_object_is_refused) {
    expect_error(Osc("/load/json").s("[1, 2]").bytes(), "/load/json",
                 "<inline>: the top level must be a JSON object (got an array)");
}

// A FIFO (or /dev/stdin, /proc/kmsg, ...) given to /load must not block the control thread: open()
// of a FIFO without a writer waits forever, and read() of a terminal or an endless device waits for
// input. Expected: an error naming the file ("not a regular file"), and /ping still answered.
TEST_F(TactusdBadInput, load_of_a_fifo_does_not_block_the_engine) {
    const fs::path fifo = dir_ / "pipe.json";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    udp_->drain();
    udp_->send(Osc("/load").s(fifo.string()).bytes());
    udp_->send(Osc("/ping").bytes());
    std::optional<OscMessage> load_reply;
    const auto pong = udp_->wait_for(
        [&](const OscMessage& m) {
            if (answered(m) == "/load") load_reply = m;
            return answered(m) == "/ping";
        },
        1000ms);
    EXPECT_TRUE(pong.has_value())
        << "/load of a FIFO blocks tactusd's control thread (it no longer answers /ping)";
    if (!load_reply) {
        // Unblock it: a writer that closes at once gives the blocked reader an empty file.
        const int writer = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
        if (writer >= 0) ::close(writer);
        load_reply =
            udp_->wait_for([](const OscMessage& m) { return answered(m) == "/load"; }, kReplyTimeout);
    }
    ASSERT_TRUE(load_reply.has_value());
    EXPECT_EQ(load_reply->address, "/error") << describe(*load_reply);
    expect_alive();
}

// ------------------------------------------------------------------------------------------------
// Lifetime

// AudioBackend::ended(): "true once the stream has ended by itself (an offline render reached its
// length ...): the engine process should shut down"; tactusd's loop ends on !host.running().
TEST(TactusdOffline, exits_by_itself_when_its_render_reaches_its_length) {
    const fs::path dir =
        fs::temp_directory_path() / ("tactus-bad-input-" + std::to_string(::getpid()) + "-ends");
    fs::create_directories(dir);
    struct RemoveDir {
        fs::path path;
        ~RemoveDir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    } remove_dir{dir};
    Daemon daemon(dir, "0.5");
    ASSERT_TRUE(daemon.ok()) << daemon.error();
    const bool exited = daemon.child().wait_exit(10s);
    EXPECT_TRUE(exited) << "tactusd --audio offline --seconds 0.5 still runs 10 s after its render ended";
    EXPECT_EQ(daemon.stop(), "exit 0") << daemon.log();
    EXPECT_TRUE(fs::exists(dir / "out.flac"));
}

// ------------------------------------------------------------------------------------------------
// Command flood: 100,000 messages per second for 10 s from a separate process (osc_flood).

TEST_F(TactusdBadInput, command_flood_is_bounded_counted_and_the_engine_still_answers) {
    load_document();
    const auto before = status();
    ASSERT_TRUE(before.has_value());
    ASSERT_EQ(before->args.size(), 28u) << describe(*before);

    const fs::path flood_log = dir_ / "osc_flood.log";
    Child flood({TACTUS_FLOOD_PATH, "--port", std::to_string(daemon_->udp_port()), "--rate", "100000",
                 "--seconds", "10", "--message", "track-level", "--track", "1"},
                flood_log);
    ASSERT_GT(flood.pid(), 0);

    // RSS of tactusd every 100 ms while the flood runs.
    struct Sample {
        double t;
        long kib;
    };
    std::vector<Sample> samples;
    const auto start = Clock::now();
    while (flood.alive() && Clock::now() - start < 40s) {
        samples.push_back(
            {std::chrono::duration<double>(Clock::now() - start).count(), rss_kib(daemon_->pid())});
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_FALSE(flood.alive()) << "osc_flood did not finish";
    ASSERT_TRUE(WIFEXITED(flood.status()) && WEXITSTATUS(flood.status()) == 0) << read_file(flood_log);
    const std::string flood_output = read_file(flood_log);
    ASSERT_NE(flood_output.find("sent "), std::string::npos) << flood_output;
    const unsigned long long sent =
        std::strtoull(flood_output.c_str() + flood_output.find("sent ") + 5, nullptr, 10);

    // Right after the flood the engine still answers (how soon is a figure for the log and
    // bench/osc_flood.cpp, not a test: a busy machine may take longer to drain the socket).
    udp_->drain();
    const auto ping_sent = Clock::now();
    udp_->send(Osc("/ping").bytes());
    const auto pong =
        udp_->wait_for([](const OscMessage& m) { return answered(m) == "/ping"; }, kReplyTimeout);
    const auto ping_ms = std::chrono::duration<double, std::milli>(Clock::now() - ping_sent).count();
    ASSERT_TRUE(pong.has_value()) << "no /ping reply after the flood";

    const auto after = status();
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ(after->args.size(), 28u) << describe(*after);
    const auto delta = [&](StatusField f) { return after->args[f].i - before->args[f].i; };
    const long peak =
        std::max_element(samples.begin(), samples.end(), [](auto a, auto b) { return a.kib < b.kib; })->kib;
    // Growth after the first 2 s: the largest sample from then on against the first one at or after 2 s.
    long settled = 0, late_peak = 0;
    for (const Sample& s : samples) {
        if (s.t < 2.0) continue;
        if (settled == 0) settled = s.kib;
        late_peak = std::max(late_peak, s.kib);
    }
    std::cout << "[ flood    ] " << flood_output << "[ flood    ] tactusd: rejected " << delta(kRejected)
              << ", kernel drops " << after->args[kKernelDrops].i << ", replies dropped "
              << delta(kRepliesDropped) << ", malformed " << delta(kMalformed) << "; RSS peak " << peak / 1024
              << " MiB, at 2 s " << settled / 1024 << " MiB, after 2 s at most " << late_peak / 1024
              << " MiB; /ping after " << ping_ms << " ms\n";
    RecordProperty("sent", std::to_string(sent));
    RecordProperty("rejected", std::to_string(delta(kRejected)));
    RecordProperty("kernel_drops", std::to_string(after->args[kKernelDrops].i));
    RecordProperty("rss_peak_kib", std::to_string(peak));

    EXPECT_GT(sent, 200'000u) << "osc_flood could not send at a useful rate: " << flood_output;
    // Queue-full rejections and kernel drops are counted apart, and neither exceeds what was sent.
    EXPECT_GE(delta(kRejected), 0);
    EXPECT_LE(static_cast<unsigned long long>(delta(kRejected)), sent);
    EXPECT_LE(static_cast<unsigned long long>(after->args[kKernelDrops].i), sent);
    EXPECT_EQ(delta(kMalformed), 0);
    // Memory: bounded, and flat once the queues are full.
    const long bound_kib = (kSanitized ? 400 : 200) * 1024;
    const long growth_kib = (kSanitized ? 32 : 8) * 1024;
    EXPECT_LT(peak, bound_kib) << "tactusd's RSS reached " << peak / 1024 << " MiB during the flood";
    ASSERT_GT(settled, 0) << "no RSS sample after 2 s";
    EXPECT_LT(late_peak - settled, growth_kib) << "tactusd's RSS grew from " << settled / 1024 << " MiB to "
                                               << late_peak / 1024 << " MiB during the flood";

    // And it applies commands again once the backlog already in its socket buffer is worked off: a level
    // change is answered with the frame it took effect on. Until then the only refusal allowed is
    // "queue full" (a slow sanitizer build may still be draining when the flood ends).
    const auto recovery_start = Clock::now();
    std::optional<OscMessage> applied;
    while (Clock::now() - recovery_start < 20s) {
        applied = call(Osc("/track/level").i(1).d(0.25).bytes(), "/track/level");
        ASSERT_TRUE(applied.has_value()) << "no reply to /track/level after the flood";
        if (applied->address != "/error") break;
        ASSERT_NE(describe(*applied).find("queue is full"), std::string::npos) << describe(*applied);
        std::this_thread::sleep_for(50ms);
    }
    const auto recovery_ms = std::chrono::duration<double, std::milli>(Clock::now() - recovery_start).count();
    std::cout << "[ flood    ] commands applied again " << recovery_ms << " ms after the flood ended\n";
    EXPECT_EQ(applied->address, "/reply") << describe(*applied) << " (still refused 20 s after the flood)";
    EXPECT_EQ(applied->types, "shi") << describe(*applied);
}

}  // namespace
