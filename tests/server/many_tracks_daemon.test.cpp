// tactusd (offline backend) with a document of 10,000 tracks: /load answers with the document's
// counts, mixer changes on its last track are taken without an error while it keeps answering, and a
// /position report carries the peaks of the first 64 tracks only (one per track would not fit a
// datagram with thousands).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "core/document_json.h"
#include "support/offline_daemon.h"
#include "support/score_builder.h"

namespace {

// Loading 10,000 tracks takes a fraction of a second; a sanitized build on a busy machine much more.
constexpr auto kLoadTimeout = 120s;
constexpr auto kReplyTimeout = 10s;

tactus::Document many_tracks(std::size_t tracks) {
    tactus::Document doc;
    for (std::size_t t = 0; t < tracks; ++t) {
        const auto id = static_cast<tactus::NoteId>(t + 1);
        doc.tracks.push_back(tactus::test::track(static_cast<tactus::TrackId>(t + 1), "sine",
                                                 {tactus::test::note(id, double(t % 64) / 4.0, 0.25)}));
    }
    return doc;
}

TEST(TactusdManyTracks, loads_10000_tracks_takes_mixer_changes_on_the_last_and_reports_64_track_peaks) {
    const fs::path dir = fs::temp_directory_path() / ("tactus-many-tracks-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path doc = dir / "many.json";
    std::ofstream(doc) << tactus::document_to_string(many_tracks(10000));
    {
        Daemon daemon(dir);
        ASSERT_TRUE(daemon.ok()) << daemon.error();
        UdpClient udp(daemon.udp_port());

        udp.send(Osc("/load").s(doc.string()).bytes());
        const auto loaded =
            udp.wait_for([](const OscMessage& m) { return answered(m) == "/load"; }, kLoadTimeout);
        ASSERT_TRUE(loaded) << "no answer to /load; log:\n" << daemon.log();
        ASSERT_EQ(loaded->address, "/reply") << describe(*loaded);
        ASSERT_GE(loaded->args.size(), 3u) << describe(*loaded);
        EXPECT_EQ(loaded->args[1].i, 10000) << "tracks";
        EXPECT_EQ(loaded->args[2].i, 10000) << "notes";

        udp.send(Osc("/play").bytes());
        for (int round = 0; round < 20; ++round) {
            udp.send(Osc("/track/level").i(10000).d(round % 2 ? 0.5 : 1.0).bytes());
            udp.send(Osc("/track/solo").i(10000).i(round % 2).bytes());
            udp.send(Osc("/track/mute").i(9999).i(round % 2).bytes());
            udp.send(Osc("/track/pan").i(1).d(-0.5).bytes());
        }
        // Every message is answered in order: an /error for a mixer change would come before the pong.
        udp.send(Osc("/ping").bytes());
        const auto pong =
            udp.wait_for([](const OscMessage& m) { return m.address == "/error" || answered(m) == "/ping"; },
                         kReplyTimeout);
        ASSERT_TRUE(pong) << "no answer to /ping; log:\n" << daemon.log();
        EXPECT_EQ(answered(*pong), "/ping") << describe(*pong);

        // Reports come from the reporter's own socket: a socket of ours that is not connected gets them.
        const int reports = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, "127.0.0.1", &local.sin_addr);
        ASSERT_EQ(::bind(reports, reinterpret_cast<const sockaddr*>(&local), sizeof local), 0);
        socklen_t length = sizeof local;
        ::getsockname(reports, reinterpret_cast<sockaddr*>(&local), &length);
        udp.send(Osc("/subscribe").d(30).s("127.0.0.1").i(ntohs(local.sin_port)).bytes());
        const auto subscribed =
            udp.wait_for([](const OscMessage& m) { return answered(m) == "/subscribe"; }, kReplyTimeout);
        ASSERT_TRUE(subscribed && subscribed->address == "/reply")
            << (subscribed ? describe(*subscribed) : "");
        pollfd p{reports, POLLIN, 0};
        ASSERT_EQ(::poll(&p, 1, static_cast<int>(kReplyTimeout / 1ms)), 1) << "no /position report";
        Bytes datagram(1 << 16);
        const ssize_t n = ::recv(reports, datagram.data(), datagram.size(), 0);
        ::close(reports);
        tactus::OscPacket packet;
        std::string error;
        ASSERT_TRUE(tactus::parse_osc_packet(
            datagram.data(), static_cast<std::size_t>(std::max<ssize_t>(n, 0)), packet, &error))
            << error;
        ASSERT_EQ(packet.messages.size(), 1u);
        EXPECT_EQ(packet.messages[0].address, "/position");
        EXPECT_EQ(packet.messages[0].types, "hhdiddiff" + std::string(64, 'f'));
        EXPECT_EQ(daemon.stop(), "exit 0") << daemon.log();
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}

}  // namespace
