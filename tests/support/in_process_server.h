// ControlServer and EngineHost in process, for protocol tests that need every frame known: the host
// runs the offline backend unstarted and the test renders its blocks itself (render()), so a reply's
// frame, a program's frame and the rendered samples can be compared exactly. Two UDP sockets of the
// test (a_, b_) are the clients; handle_packet is called with the arrival time the test chooses.
//
// Header-only, its definitions in an unnamed namespace: each test file gets its own copy.
// Threading: one test thread.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "server/control_server.h"
#include "server/edit_messages.h"
#include "server/engine_host.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"
#include "server/osc_transport.h"
#include "support/offline_block.h"

namespace tactus {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A UDP socket of the test that the server replies to.
class Client {
public:
    Client() {
        fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        // Room for a burst of thousands of answers sent in one go (root may exceed rmem_max).
        const int bytes = 16 << 20;
        if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
            ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd_, reinterpret_cast<const sockaddr*>(&local), sizeof local);
        target_.addr_len = sizeof target_.addr;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&target_.addr), &target_.addr_len);
    }
    ~Client() { ::close(fd_); }
    const ReplyTarget& target() const { return target_; }
    // The receive buffer the kernel granted (bytes).
    int receive_buffer() const {
        int bytes = 0;
        socklen_t size = sizeof bytes;
        ::getsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, &size);
        return bytes;
    }

    // Every packet that arrives within `wait_ms` of the last one.
    std::vector<OscPacket> receive(int wait_ms = 50) {
        std::vector<OscPacket> packets;
        std::vector<std::uint8_t> buffer(1 << 16);
        pollfd p{fd_, POLLIN, 0};
        while (::poll(&p, 1, wait_ms) > 0) {
            const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
            if (n <= 0) break;
            OscPacket packet;
            std::string error;
            EXPECT_TRUE(parse_osc_packet(buffer.data(), static_cast<std::size_t>(n), packet, &error))
                << error;
            packets.push_back(std::move(packet));
        }
        return packets;
    }

private:
    int fd_ = -1;
    ReplyTarget target_;
};

std::string text_of(const OscMessage& m) {
    std::string out = m.address + " ," + m.types;
    for (const OscArg& a : m.args) {
        out += ' ';
        if (a.type == 's' || a.type == 'S')
            out += '"' + a.s + '"';
        else if (a.type == 'f' || a.type == 'd')
            out += std::to_string(a.f);
        else
            out += std::to_string(a.i);
    }
    return out;
}

// The fixture: an offline EngineHost (unstarted: the test renders) behind a real ControlServer.
class InProcessServer : public ::testing::Test {
protected:
    // The document SetUp loads.
    virtual std::string document() const = 0;

    void SetUp() override {
        std::string error;
        EngineHostOptions options;
        options.audio.kind = "offline";
        ASSERT_TRUE(host_.open(options, &error)) << error;
        OscTransportOptions net;
        net.port = 0;
        ASSERT_TRUE(transport_.open(net, &error)) << error;
        // Its clients speak loopback UDP: the document they save goes to the temporary directory.
        ControlServerOptions control_options;
        control_options.paths =
            *PathPolicy::create({std::filesystem::temp_directory_path().string()}, &error);
        control_.emplace(host_, transport_, nullptr, std::move(control_options));
        load(document());
    }

    // From now on the engine serves `dir` to its (confined, loopback) clients: they may name files there.
    void confine_to(const std::filesystem::path& dir) {
        std::string error;
        ControlServerOptions options;
        auto paths = PathPolicy::create({dir.string()}, &error);
        ASSERT_TRUE(paths) << error;
        options.paths = std::move(*paths);
        control_.reset();
        control_.emplace(host_, transport_, nullptr, std::move(options));
    }

    // Applies to `mirror` the edit batches pushed to b_ (an /edits/subscribe client), as a client would.
    void mirror_pushes(DocumentEditor& mirror) {
        std::string error;
        for (const OscPacket& push : b_.receive()) {
            if (push.messages.empty() || push.messages[0].address != "/edited") continue;
            std::vector<Edit> edits;
            std::vector<NoteId> auditions;
            for (std::size_t i = 1; i < push.messages.size(); ++i)
                parse_edit_message(push.messages[i], edits, auditions);
            ASSERT_TRUE(mirror.apply(edits, nullptr, &error)) << error;
        }
    }

    void load(const std::string& json, std::int64_t revision = -1) {
        OscOut m("/load/json");
        m.s(json);
        if (revision >= 0) m.h(revision);
        send(m.bytes(), a_);
        const auto replies = a_.receive();
        ASSERT_FALSE(replies.empty());
        ASSERT_EQ(replies.back().messages[0].address, "/reply") << text_of(replies.back().messages[0]);
    }

    void send(const Bytes& bytes, Client& from, std::int64_t arrival_ns = 0) {
        OscPacket packet;
        std::string error;
        ASSERT_TRUE(parse_osc_packet(bytes.data(), bytes.size(), packet, &error)) << error;
        control_->handle_packet(packet, from.target(), arrival_ns ? arrival_ns : host_.host_time_at_frame(0));
    }

    // Sends and returns the single answer (a /reply or an /error).
    OscMessage call(const Bytes& bytes, Client& from) {
        send(bytes, from);
        const auto packets = from.receive();
        EXPECT_EQ(packets.size(), 1u);
        return packets.empty() ? OscMessage{} : packets.front().messages.front();
    }

    // Every message `from` gets until one is a /reply or /error (the control loop runs meanwhile: a
    // deferred reply, /load's once its fonts are read, comes from it), as text.
    std::vector<std::string> answers(Client& from) {
        std::vector<std::string> got;
        for (int i = 0; i < 2000; ++i) {
            control_->pump_engine_events();
            for (const OscPacket& p : from.receive(5))
                for (const OscMessage& m : p.messages) {
                    got.push_back(text_of(m));
                    if (m.address == "/reply" || m.address == "/error") return got;
                }
        }
        ADD_FAILURE() << "no reply";
        return got;
    }

    void expect_refused(const Bytes& bytes, const std::string& address, const std::string& message) {
        const Document before = host_.document();
        const OscMessage answer = call(bytes, a_);
        EXPECT_EQ(text_of(answer), "/error ,ss \"" + address + "\" \"" + message + "\"");
        EXPECT_EQ(host_.document(), before) << "a refused edit changed the document";
        EXPECT_EQ(host_.editor().revision(), before.revision);
    }

    // Renders output frames [rendered_, rendered_ + frames) in blocks of 64, appending the left channel.
    void render(Frame frames) {
        std::vector<float> left(64), right(64);
        for (Frame end = rendered_ + frames; rendered_ < end; rendered_ += 64) {
            test::process_offline_block(host_, rendered_, left, right);
            control_->pump_engine_events();
            out_.insert(out_.end(), left.begin(), left.end());
        }
    }
    float largest_step(Frame from, Frame to) const {
        float step = 0.0f;
        for (Frame i = from + 1; i < to; ++i)
            step = std::max(step, std::abs(out_[std::size_t(i)] - out_[std::size_t(i - 1)]));
        return step;
    }
    bool sounding(Frame from, Frame to) const {
        return std::any_of(out_.begin() + from, out_.begin() + to, [](float x) { return x != 0.0f; });
    }

    EngineHost host_;
    OscTransport transport_;
    Frame rendered_ = 0;
    std::vector<float> out_;
    std::optional<ControlServer> control_;
    Client a_, b_;
};

}  // namespace
}  // namespace tactus
