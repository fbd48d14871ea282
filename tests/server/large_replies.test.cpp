// Replies larger than the request frame limit (16 MiB) against a running tactusd (offline backend):
// a whole /document of more than 16 MiB arrives over TCP and over the private Unix socket (issue 12:
// it vanished without a reply or an error), and an /edits/since answer larger than a connection's
// outbox arrives whole, not cut short.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "server/osc_message.h"
#include "support/offline_daemon.h"
#include "support/osc_tcp_client.h"

namespace {  // fs, Clock, Bytes and the clients come from support/offline_daemon.h

constexpr auto kLongTimeout = 120s;  // a busy machine, a sanitized build: loading 20 MB of JSON is slow

// A one-track document of `notes` notes, as a file would have it.
std::string document_of(std::size_t notes) {
    std::string text = R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [)"
                       R"({"id": 1, "name": "Lead", "instrument": "synth", "preset": "sine", "notes": [)";
    for (std::size_t i = 0; i < notes; ++i) {
        if (i > 0) text += ",\n";
        text += R"({"id": )" + std::to_string(i + 1) + R"(, "start": )" + std::to_string(i / 4) + "." +
                std::to_string(25 * (i % 4)) + R"(, "length": 0.25, "pitch": )" +
                std::to_string(40 + i % 48) + R"(, "velocity": 100})";
    }
    return text + "]}]}";
}

class TactusdLargeReplies : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("tactus-large-replies-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        daemon_.emplace(dir_);
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
    }
    void TearDown() override {
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), "exit 0") << "tactusd did not end cleanly; log:\n" << daemon_->log();
        }
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // Loads a document of `notes` notes from a file; its revision.
    void load(std::size_t notes) {
        const fs::path path = dir_ / "big.json";
        std::ofstream(path, std::ios::binary) << document_of(notes);
        UdpClient udp(daemon_->udp_port());
        ASSERT_TRUE(udp.send(Osc("/load").s(path.string()).bytes()));
        const auto reply =
            udp.wait_for([](const OscMessage& m) { return answered(m) == "/load"; }, kLongTimeout);
        ASSERT_TRUE(reply.has_value()) << "no reply to /load; log:\n" << daemon_->log();
        ASSERT_EQ(reply->address, "/reply") << describe(*reply);
        ASSERT_EQ(reply->args.at(2).i, static_cast<std::int64_t>(notes));
    }

    // Asks `client` for the whole document and checks that it arrives, larger than a request may be,
    // with every note; its text.
    std::string expect_whole_document(TcpClient& client, std::size_t notes, const char* how) {
        std::string text;
        whole_document(client, notes, how, text);
        return text;
    }
    void whole_document(TcpClient& client, std::size_t notes, const char* how, std::string& text) {
        ASSERT_TRUE(client.connected()) << how;
        const auto asked = Clock::now();
        ASSERT_TRUE(client.send_frame(Osc("/document").bytes())) << how;
        const auto reply = client.receive(kLongTimeout);
        const double seconds = std::chrono::duration<double>(Clock::now() - asked).count();
        ASSERT_TRUE(reply.has_value()) << how << ": no answer to /document; log:\n" << daemon_->log();
        ASSERT_EQ(reply->address, "/document") << how << ": " << describe(*reply);
        ASSERT_EQ(reply->types, "hs") << how;
        text = reply->args[1].s;
        EXPECT_GT(text.size(), tactus::kMaxRequestFrame) << how << ": the document must be over 16 MiB";
        const tactus::LoadResult parsed = tactus::parse_document(text, "<reply>");
        ASSERT_TRUE(parsed.errors.empty()) << how << ": " << parsed.errors.front().to_string();
        EXPECT_EQ(parsed.document->note_count(), notes) << how;
        std::cout << "[ figures  ] /document of " << text.size() / (1 << 20) << " MiB over " << how << " in "
                  << seconds << " s; tactusd RSS " << rss_kib(daemon_->pid()) / 1024 << " MiB\n";
    }

    fs::path dir_;
    std::optional<Daemon> daemon_;
};

TEST_F(TactusdLargeReplies, a_document_over_16_mib_arrives_whole_over_tcp_and_the_local_socket) {
    constexpr std::size_t kNotes = 260'000;  // about 22 MB of JSON as /document writes it
    load(kNotes);
    {
        TcpClient tcp(daemon_->tcp_port());
        expect_whole_document(tcp, kNotes, "TCP");
    }
    ASSERT_FALSE(daemon_->socket_path().empty()) << "tactusd has no local socket; log:\n" << daemon_->log();
    TcpClient local{fs::path(daemon_->socket_path())};
    const std::string text = expect_whole_document(local, kNotes, "the local socket");

    // The owner (the GUI) may give such a document back whole: /load/json over the local socket.
    ASSERT_TRUE(local.send_frame(string_message("/load/json", text)));
    const auto loaded = local.receive(kLongTimeout);
    ASSERT_TRUE(loaded.has_value()) << "no answer to /load/json; log:\n" << daemon_->log();
    ASSERT_EQ(loaded->address, "/reply") << describe(*loaded);
    EXPECT_EQ(loaded->args.at(2).i, static_cast<std::int64_t>(kNotes));
}

// 80 batches of 1,500 note adds: the answer to /edits/since is about 7 MB, far more than a
// connection's 1 MiB outbox and the kernel's socket buffers hold before the client reads; it must
// arrive whole (every batch, then the /reply), not cut short with the /reply lost.
TEST_F(TactusdLargeReplies, an_edits_since_answer_larger_than_the_outbox_arrives_whole) {
    load(1);
    tactus::test::OscTcpClient tcp;
    std::string error;
    ASSERT_TRUE(tcp.connect(daemon_->tcp_port(), &error)) << error;
    constexpr int kBatches = 80;
    constexpr int kNotesPerBatch = 1500;
    std::int64_t id = 1000;
    for (int b = 0; b < kBatches; ++b) {
        std::vector<Bytes> adds;
        for (int n = 0; n < kNotesPerBatch; ++n, ++id)
            adds.push_back(Osc("/note/add").i(1).h(id).d(double(n % 64)).d(0.5).i(60).i(100).bytes());
        ASSERT_TRUE(tcp.send_packet(tactus::test::osc_bundle_of(LO_TT_IMMEDIATE, adds)));
        const auto reply = tcp.wait_reply("/note/add", 30s);
        ASSERT_TRUE(reply.has_value()) << "batch " << b;
        ASSERT_EQ(reply->address, "/reply") << "batch " << b;
    }
    ASSERT_TRUE(tcp.send("/edits/since", tactus::test::osc().h(0)));
    int batches = 0;
    std::optional<tactus::OscPacket> packet;
    while ((packet = tcp.receive_packet(30s))) {
        const tactus::OscMessage& first = packet->messages.front();
        if (first.address == "/edited") {
            EXPECT_EQ(packet->messages.size(), std::size_t{kNotesPerBatch} + 1);
            ++batches;
            continue;
        }
        if (first.address == "/reply" && first.args.at(0).s == "/edits/since") break;
        if (first.address == "/error") {
            FAIL() << first.args.at(1).s;
        }
    }
    ASSERT_TRUE(packet.has_value()) << "the /reply to /edits/since never came (" << batches
                                    << " batches came)";
    EXPECT_EQ(batches, kBatches);
    EXPECT_EQ(packet->messages.front().args.at(2).i, kBatches);
}

}  // namespace
