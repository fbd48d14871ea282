// docs/security.md against a running tactusd (offline backend): which files clients may name, what
// errors may say, where reports may go, and who is served at all. A client sending from 127.0.0.2
// to an engine told to trust only 127.0.0.1 stands for another host.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "support/cli_run.h"
#include "support/offline_daemon.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kReply = 3000ms;
constexpr const char* kSong =
    R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [)"
    R"({"id": 1, "name": "Lead", "instrument": "synth", "preset": "sine",)"
    R"( "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60, "velocity": 100}]}]})";
constexpr const char* kToken = "0123456789abcdef0123456789abcdef";

// An untimed OSC bundle of the given messages.
Bytes bundle(const std::vector<Bytes>& messages) {
    Bytes out = raw(std::string("#bundle\0", 8));
    for (int i = 0; i < 7; ++i) out.push_back(0);
    out.push_back(1);  // timetag 1: immediately
    for (const Bytes& m : messages) {
        put_be32(out, static_cast<std::uint32_t>(m.size()));
        out.insert(out.end(), m.begin(), m.end());
    }
    return out;
}

class Security : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        root_ = fs::temp_directory_path() /
                ("tactus-security-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(root_);
        allowed_ = root_ / "music";
        outside_ = root_ / "elsewhere";
        fs::create_directories(allowed_);
        fs::create_directories(outside_);
        write(allowed_ / "song.json", kSong);
        write(outside_ / "private.json", kSong);
    }
    void TearDown() override {
        udp_.reset();
        if (daemon_) {
            EXPECT_EQ(daemon_->stop(), "exit 0") << daemon_->log();
        }
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(root_, ec);
    }

    // The engine serves `allowed_` (its first --allow-dir, so the base of relative paths).
    void start(const std::vector<std::string>& extra = {}) {
        daemon_.emplace(allowed_, "1000000", extra);
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
        udp_.emplace(daemon_->udp_port());
    }

    static void write(const fs::path& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    }

    // Sends `packet` from `client` and returns what answers `address`.
    static std::optional<OscMessage> ask(UdpClient& client, const Bytes& packet, const std::string& address,
                                         std::chrono::milliseconds timeout = kReply) {
        client.drain();
        EXPECT_TRUE(client.send(packet));
        return client.wait_for([&](const OscMessage& m) { return answered(m) == address; }, timeout);
    }
    std::optional<OscMessage> ask(const Bytes& packet, const std::string& address) {
        return ask(*udp_, packet, address);
    }
    // The /error text answering `address`, or a description of what came instead.
    std::string error_for(const Bytes& packet, const std::string& address) {
        const auto m = ask(packet, address);
        if (!m) return "(no answer)";
        if (m->address != "/error") return "(not an error: " + describe(*m) + ")";
        return m->args.at(1).s;
    }
    static std::optional<OscMessage> frame_reply(TcpClient& tcp, const std::string& address) {
        for (int i = 0; i < 10; ++i) {
            auto m = tcp.receive(kReply);
            if (!m) return std::nullopt;
            if (answered(*m) == address) return m;
        }
        return std::nullopt;
    }

    fs::path root_, allowed_, outside_;
    std::optional<Daemon> daemon_;
    std::optional<UdpClient> udp_;
};

// ------------------------------------------------------------------------------------------------
// Files

TEST_F(Security, a_path_outside_the_allowed_directories_is_refused_the_same_whether_it_exists_or_not) {
    start();
    const std::string there = (outside_ / "private.json").string();
    const std::string missing = (outside_ / "missing.json").string();
    EXPECT_EQ(
        error_for(Osc("/load").s(there).bytes(), "/load"),
        there + ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)");
    EXPECT_EQ(
        error_for(Osc("/load").s(missing).bytes(), "/load"),
        missing +
            ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)");
    EXPECT_EQ(error_for(Osc("/load").s("/etc/passwd").bytes(), "/load"),
              "/etc/passwd: refused: outside the directories this engine serves (--allow-dir; see "
              "docs/security.md)");
}

TEST_F(Security, dot_dot_cannot_climb_out_of_an_allowed_directory) {
    start();
    const std::string escape = (allowed_ / ".." / "elsewhere" / "private.json").string();
    EXPECT_EQ(
        error_for(Osc("/load").s(escape).bytes(), "/load"),
        escape + ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)");
    EXPECT_EQ(
        error_for(Osc("/load").s("../elsewhere/private.json").bytes(), "/load"),
        "../elsewhere/private.json: refused: outside the directories this engine serves (--allow-dir; see "
        "docs/security.md)");
    ASSERT_EQ(ask(Osc("/load").s("song.json").bytes(), "/load")->address, "/reply");
    EXPECT_EQ(error_for(Osc("/document").s("../elsewhere/out.json").bytes(), "/document"),
              "../elsewhere/out.json: refused: outside the directories this engine serves (--allow-dir; see "
              "docs/security.md)");
    EXPECT_FALSE(fs::exists(outside_ / "out.json"));
}

TEST_F(Security, a_symbolic_link_leading_out_of_the_allowed_directories_is_refused_for_load_and_save) {
    start();
    fs::create_symlink(outside_ / "private.json", allowed_ / "link.json");
    const std::string link = (allowed_ / "link.json").string();
    EXPECT_EQ(error_for(Osc("/load").s(link).bytes(), "/load"),
              link +
                  ": refused: it leads (by a symbolic link) outside the directories this engine serves "
                  "(--allow-dir; see docs/security.md)");
    ASSERT_EQ(ask(Osc("/load").s("song.json").bytes(), "/load")->address, "/reply");
    EXPECT_EQ(error_for(Osc("/document").s(link).bytes(), "/document"),
              link +
                  ": refused: it leads (by a symbolic link) outside the directories this engine serves "
                  "(--allow-dir; see docs/security.md)");
    std::ifstream kept(outside_ / "private.json");
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(kept), {}), kSong)
        << "the link's target was written";
}

TEST_F(Security,
       a_relative_path_is_resolved_against_the_first_allowed_directory_never_the_working_directory) {
    start();
    const auto loaded = ask(Osc("/load").s("song.json").bytes(), "/load");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->address, "/reply") << describe(*loaded);
    const auto saved = ask(Osc("/document").s("copy.json").bytes(), "/document");
    ASSERT_TRUE(saved);
    ASSERT_EQ(saved->address, "/reply") << describe(*saved);
    EXPECT_EQ(saved->args.at(2).s, (fs::canonical(allowed_) / "copy.json").string())
        << "the reply names where it went";
    EXPECT_TRUE(fs::is_regular_file(allowed_ / "copy.json"));
}

TEST_F(Security, hidden_files_and_directories_below_an_allowed_directory_are_never_served) {
    start();
    fs::create_directories(allowed_ / ".ssh");
    write(allowed_ / ".ssh" / "keys.json", kSong);
    const std::string hidden = (allowed_ / ".ssh" / "keys.json").string();
    EXPECT_EQ(error_for(Osc("/load").s(hidden).bytes(), "/load"),
              hidden + ": refused: hidden files and directories (.ssh) are never served");
    ASSERT_EQ(ask(Osc("/load").s("song.json").bytes(), "/load")->address, "/reply");
    EXPECT_EQ(error_for(Osc("/document").s(".bashrc.json").bytes(), "/document"),
              ".bashrc.json: refused: hidden files and directories (.bashrc.json) are never served");
}

TEST_F(Security, a_save_must_be_named_json_and_never_replaces_a_fifo) {
    start();
    ASSERT_EQ(ask(Osc("/load").s("song.json").bytes(), "/load")->address, "/reply");
    EXPECT_EQ(error_for(Osc("/document").s("notes.txt").bytes(), "/document"),
              "notes.txt: refused: the name must end in .json");
    ASSERT_EQ(::mkfifo((allowed_ / "pipe.json").c_str(), 0600), 0);
    EXPECT_EQ(error_for(Osc("/document").s("pipe.json").bytes(), "/document"),
              "pipe.json: refused: a FIFO is never replaced");
    struct stat st {};
    ASSERT_EQ(::lstat((allowed_ / "pipe.json").c_str(), &st), 0);
    EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
}

TEST_F(Security, loading_a_fifo_or_a_device_is_refused_by_its_kind) {
    start({"--allow-dir", "/dev"});
    ASSERT_EQ(::mkfifo((allowed_ / "pipe.json").c_str(), 0600), 0);
    EXPECT_EQ(error_for(Osc("/load").s("pipe.json").bytes(), "/load"),
              "pipe.json: refused: a FIFO, not a regular file");
    EXPECT_EQ(error_for(Osc("/load").s("/dev/null").bytes(), "/load"),
              "/dev/null: refused: a device, not a regular file");
}

TEST_F(Security, a_load_error_names_the_place_but_never_echoes_what_the_file_holds) {
    start();
    write(allowed_ / "secret.txt", "SECRET_TOKEN_abcdef0123456789\n");
    write(allowed_ / "config.json", R"({"format": "SECRET_FORMAT_VALUE", "version": 1})");
    const std::string text_error = error_for(Osc("/load").s("secret.txt").bytes(), "/load");
    EXPECT_EQ(text_error.find("SECRET"), std::string::npos) << text_error;
    EXPECT_EQ(text_error, "secret.txt:1:1: invalid JSON: syntax error while parsing value - invalid literal");
    write(allowed_ / "keys.json", R"({"SECRET_KEY_NAME": {"a": 1, "a": 2}})");
    const std::string key_error = error_for(Osc("/load").s("keys.json").bytes(), "/load");
    EXPECT_EQ(key_error, "keys.json: duplicate key (withheld) in the same object (only one may be given)");
    const std::string json_error = error_for(Osc("/load").s("config.json").bytes(), "/load");
    EXPECT_EQ(json_error, "config.json: /format: must be \"tactus\" (got a string): not a Tactus document");
}

TEST_F(Security, the_owner_on_the_private_socket_may_load_any_regular_file_but_still_no_device) {
    start();
    ASSERT_FALSE(daemon_->socket_path().empty()) << daemon_->log();
    struct stat st {};
    ASSERT_EQ(::stat(daemon_->socket_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << "the socket is open to other users";
    TcpClient owner{fs::path(daemon_->socket_path())};
    ASSERT_TRUE(owner.connected());
    ASSERT_TRUE(owner.send_frame(Osc("/load").s((outside_ / "private.json").string()).bytes()));
    const auto loaded = frame_reply(owner, "/load");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->address, "/reply") << describe(*loaded);
    ASSERT_TRUE(owner.send_frame(Osc("/load").s("/dev/null").bytes()));
    const auto device = frame_reply(owner, "/load");
    ASSERT_TRUE(device);
    EXPECT_EQ(device->args.at(1).s, "/dev/null: refused: a device, not a regular file");
    ASSERT_TRUE(owner.send_frame(Osc("/document").s("/dev/null").bytes()));
    const auto save = frame_reply(owner, "/document");
    ASSERT_TRUE(save);
    EXPECT_EQ(save->args.at(1).s, "/dev/null: refused: the name must end in .json");
    ASSERT_EQ(::stat("/dev/null", &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(Security, tactus_send_speaks_over_the_private_socket_so_it_may_name_files_outside_the_allowed_ones) {
    start();
    const tactus::test::CliRun run =
        tactus::test::run_tactus("send --port " + std::to_string(daemon_->udp_port()) + " /load s '" +
                                 (outside_ / "private.json").string() + "'");
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output, "/reply \"/load\" 1 1 0 0\n");  // tracks, notes, revision, batches recovered
    // The same over loopback UDP is refused: the difference is the private socket.
    EXPECT_EQ(
        error_for(Osc("/load").s((outside_ / "private.json").string()).bytes(), "/load"),
        (outside_ / "private.json").string() +
            ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)");
}

// ------------------------------------------------------------------------------------------------
// Reports go to the sender only

TEST_F(Security, position_reports_cannot_be_pointed_at_another_host) {
    start();
    EXPECT_EQ(error_for(Osc("/subscribe").d(120).s("192.0.2.7").i(9999).bytes(), "/subscribe"),
              "reports go only to a port on the sender's own host: 192.0.2.7 is not a loopback address");
    EXPECT_EQ(error_for(Osc("/subscribe").d(120).s("example.com").i(9999).bytes(), "/subscribe"),
              "host 'example.com' is not a numeric IPv4 or IPv6 address (or localhost)");
    EXPECT_EQ(error_for(Osc("/unsubscribe").s("192.0.2.7").i(9999).bytes(), "/unsubscribe"),
              "reports go only to a port on the sender's own host: 192.0.2.7 is not a loopback address");
    EXPECT_EQ(error_for(Osc("/unsubscribe").s("resolve-me.example").i(80).bytes(), "/unsubscribe"),
              "host 'resolve-me.example' is not a numeric IPv4 or IPv6 address (or localhost)");
    const auto own = ask(Osc("/subscribe").d(30).s("127.0.0.1").i(9).bytes(), "/subscribe");
    ASSERT_TRUE(own);
    EXPECT_EQ(own->address, "/reply") << describe(*own);
}

TEST_F(Security, loopback_clients_filling_every_subscription_place_do_not_lock_the_owner_out) {
    start();
    ASSERT_EQ(ask(Osc("/load").s("song.json").bytes(), "/load")->address, "/reply");
    // 64 report places (ports 20000.., all this client's own host) and 64 edit-subscriber places.
    for (int i = 0; i < 64; ++i)
        ASSERT_EQ(ask(Osc("/subscribe").d(1).s("127.0.0.1").i(20000 + i).bytes(), "/subscribe")->address,
                  "/reply");
    std::vector<std::unique_ptr<UdpClient>> editors;
    for (int i = 0; i < 64; ++i) {
        editors.push_back(std::make_unique<UdpClient>(daemon_->udp_port()));
        ASSERT_EQ(ask(*editors.back(), Osc("/edits/subscribe").bytes(), "/edits/subscribe")->address,
                  "/reply");
    }
    EXPECT_EQ(error_for(Osc("/subscribe").d(1).s("127.0.0.1").i(20064).bytes(), "/subscribe"),
              "too many subscribers (at most 64)");
    EXPECT_EQ(error_for(Osc("/edits/subscribe").bytes(), "/edits/subscribe"),
              "too many edit subscribers (at most 64)");

    // The owner gets both, and again after reconnecting many times (closed connections free theirs).
    for (int round = 0; round < 70; ++round) {
        TcpClient owner{fs::path(daemon_->socket_path())};
        ASSERT_TRUE(owner.connected());
        ASSERT_TRUE(owner.send_frame(Osc("/edits/subscribe").bytes()));
        const auto edits = frame_reply(owner, "/edits/subscribe");
        ASSERT_TRUE(edits);
        ASSERT_EQ(edits->address, "/reply") << "round " << round << ": " << describe(*edits);
        if (round > 0) continue;
        ASSERT_TRUE(owner.send_frame(Osc("/subscribe").d(30).s("127.0.0.1").i(21000).bytes()));
        const auto reports = frame_reply(owner, "/subscribe");
        ASSERT_TRUE(reports);
        EXPECT_EQ(reports->address, "/reply") << describe(*reports);
    }
}

// ------------------------------------------------------------------------------------------------
// Another host: served only with the token

class RemoteClients : public Security {
protected:
    void SetUp() override {
        Security::SetUp();
        token_file_ = root_ / "token";
        write(token_file_, std::string(kToken) + "\n");
        fs::permissions(token_file_, fs::perms::owner_read | fs::perms::owner_write);
        start({"--trust-host", "127.0.0.1", "--token-file", token_file_.string()});
    }
    fs::path token_file_;
};

TEST_F(RemoteClients, a_udp_datagram_is_served_only_when_it_carries_the_token) {
    UdpClient remote(daemon_->udp_port(), "127.0.0.2");
    EXPECT_FALSE(ask(remote, Osc("/ping").bytes(), "/ping", 500ms)) << "answered a peer without the token";
    EXPECT_FALSE(ask(remote, Osc("/auth").s("not-the-token-at-all").bytes(), "/auth", 500ms))
        << "a wrong token over UDP must not be answered (the source may be forged)";
    EXPECT_FALSE(ask(remote, bundle({Osc("/auth").s("not-the-token-at-all").bytes(), Osc("/ping").bytes()}),
                     "/ping", 500ms));
    const auto auth = ask(remote, Osc("/auth").s(kToken).bytes(), "/auth");
    ASSERT_TRUE(auth);
    EXPECT_EQ(auth->address, "/reply");
    // A datagram's source proves nothing: the next one without the token is ignored again.
    EXPECT_FALSE(ask(remote, Osc("/ping").bytes(), "/ping", 500ms)) << "a UDP peer kept a grant";
    const auto ping = ask(remote, bundle({Osc("/auth").s(kToken).bytes(), Osc("/ping").bytes()}), "/ping");
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->address, "/reply");
    // Its reports may go to its own host only.
    const auto elsewhere = ask(
        remote, bundle({Osc("/auth").s(kToken).bytes(), Osc("/subscribe").d(30).s("127.0.0.1").i(9).bytes()}),
        "/subscribe");
    ASSERT_TRUE(elsewhere);
    EXPECT_EQ(
        elsewhere->args.at(1).s.rfind(
            "reports go only to a port on the sender's own host: 127.0.0.1 is not the host this came from "
            "(udp 127.0.0.2:",
            0),
        0u)
        << describe(*elsewhere);
    const auto own = ask(
        remote, bundle({Osc("/auth").s(kToken).bytes(), Osc("/subscribe").d(30).s("127.0.0.2").i(9).bytes()}),
        "/subscribe");
    ASSERT_TRUE(own);
    EXPECT_EQ(own->address, "/reply");
    // The trusted host needs no token, and sees what was refused in /status.
    EXPECT_TRUE(ask(Osc("/ping").bytes(), "/ping"));
    const auto status = ask(Osc("/status").bytes(), "/status");
    ASSERT_TRUE(status);
    ASSERT_EQ(status->args.size(), 28u) << describe(*status);
    EXPECT_EQ(status->args[25].i, 2) << "the two wrong tokens";
    EXPECT_EQ(status->args[26].i, 2) << "the two /pings without a token";
}

TEST_F(RemoteClients, a_tcp_connection_that_does_not_give_the_token_first_is_told_and_closed) {
    TcpClient remote(daemon_->tcp_port(), "127.0.0.2");
    ASSERT_TRUE(remote.connected());
    ASSERT_TRUE(remote.send_frame(Osc("/quit").bytes()));
    std::vector<OscMessage> got;
    EXPECT_TRUE(remote.wait_closed(kReply, &got)) << "the connection stayed open";
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(
        describe(got[0]),
        "/error ,ss \"/quit\" \"authentication required: a client from another host sends /auth TOKEN first "
        "(docs/security.md); closing the connection\"");
    EXPECT_TRUE(ask(Osc("/ping").bytes(), "/ping")) << "the engine quit on an unauthenticated /quit";

    TcpClient wrong(daemon_->tcp_port(), "127.0.0.2");
    ASSERT_TRUE(wrong.send_frame(Osc("/auth").s("guess-guess-guess-guess").bytes()));
    got.clear();
    EXPECT_TRUE(wrong.wait_closed(kReply, &got));
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(describe(got[0]), "/error ,ss \"/auth\" \"wrong token: closing the connection\"");

    TcpClient right(daemon_->tcp_port(), "127.0.0.2");
    ASSERT_TRUE(right.send_frame(Osc("/auth").s(kToken).bytes()));
    ASSERT_TRUE(right.send_frame(Osc("/load").s("song.json").bytes()));
    const auto loaded = frame_reply(right, "/load");
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->address, "/reply") << describe(*loaded);
}

TEST_F(Security, trusting_no_host_leaves_only_the_private_socket_open_without_the_token) {
    const fs::path token = root_ / "token";
    write(token, std::string(kToken) + "\n");
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    start({"--trust-host", "none", "--token-file", token.string()});
    EXPECT_FALSE(ask(*udp_, Osc("/ping").bytes(), "/ping", 500ms))
        << "a loopback client was served without the token";
    const auto with_token = ask(bundle({Osc("/auth").s(kToken).bytes(), Osc("/ping").bytes()}), "/ping");
    ASSERT_TRUE(with_token);
    EXPECT_EQ(with_token->address, "/reply");
    TcpClient owner{fs::path(daemon_->socket_path())};
    ASSERT_TRUE(owner.send_frame(Osc("/ping").bytes()));
    const auto ping = frame_reply(owner, "/ping");
    ASSERT_TRUE(ping);
    EXPECT_EQ(ping->address, "/reply");
    // The fixture quits the engine over loopback UDP, which needs the token here: quit as the owner.
    ASSERT_TRUE(owner.send_frame(Osc("/quit").bytes()));
    EXPECT_TRUE(frame_reply(owner, "/quit"));
}

TEST(SecurityStart, listening_beyond_loopback_warns_and_names_the_token_file) {
    const fs::path dir = fs::temp_directory_path() / ("tactus-security-start-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path token = dir / "token";
    std::ofstream(token) << kToken << "\n";
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    {
        Daemon daemon(dir, "1000000", {"--listen", "0.0.0.0:0", "--token-file", token.string()});
        ASSERT_TRUE(daemon.ok()) << daemon.error();
        const std::string log = daemon.log();
        EXPECT_NE(log.find("WARNING: listening on 0.0.0.0:"), std::string::npos) << log;
        EXPECT_NE(log.find("must send /auth with the token in " + token.string()), std::string::npos) << log;
        EXPECT_EQ(daemon.stop(), "exit 0");
    }
    fs::permissions(token, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
    fs::create_directories(dir / "second");
    {
        Daemon daemon(dir / "second", "1000000", {"--listen", "0.0.0.0:0", "--token-file", token.string()});
        EXPECT_FALSE(daemon.ok());
        EXPECT_NE(
            daemon.log().find("token file " + token.string() +
                              ": must belong to this user and be closed to group and others (chmod 600)"),
            std::string::npos)
            << daemon.log();
    }
    fs::remove_all(dir);
}

}  // namespace

// ------------------------------------------------------------------------------------------------
// A real second host: a network namespace joined to this one by a veth pair (needs CAP_NET_ADMIN and
// iproute2; where they are missing the test is skipped and RemoteClients above covers the rules).

class NetworkNamespace {
public:
    NetworkNamespace() {
        const int id = ::getpid() % 250 + 1;
        name_ = "tactus-sec-" + std::to_string(::getpid());
        const std::string host_link = "tsec" + std::to_string(::getpid()) + "a";
        const std::string peer_link = "tsec" + std::to_string(::getpid()) + "b";
        host_address_ = "10.213." + std::to_string(id) + ".1";
        peer_address_ = "10.213." + std::to_string(id) + ".2";
        const std::string in_ns = "ip netns exec " + name_ + " ";
        for (const std::string& step :
             {"ip netns add " + name_,
              "ip link add " + host_link + " type veth peer name " + peer_link + " netns " + name_,
              "ip addr add " + host_address_ + "/30 dev " + host_link, "ip link set " + host_link + " up",
              in_ns + "ip addr add " + peer_address_ + "/30 dev " + peer_link,
              in_ns + "ip link set " + peer_link + " up", in_ns + "ip link set lo up"}) {
            if (std::system((step + " 2>/dev/null").c_str()) != 0) {
                error_ = "'" + step + "' failed";
                return;
            }
        }
        created_ = true;
    }
    ~NetworkNamespace() {
        if (!name_.empty() && std::system(("ip netns del " + name_ + " 2>/dev/null").c_str()) != 0) {
            // Never created (error_ says why): nothing to remove.
        }
    }
    bool ok() const { return created_; }
    const std::string& error() const { return error_; }
    const std::string& host_address() const { return host_address_; }
    const std::string& peer_address() const { return peer_address_; }

    // Runs `make` on a thread that has joined the namespace: the sockets it creates live there.
    template <typename Make>
    auto inside(Make make) const {
        decltype(make()) made;
        std::thread([&] {
            const int fd = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0) made = make();
            if (fd >= 0) ::close(fd);
        }).join();
        return made;
    }

private:
    std::string name_, error_, host_address_, peer_address_;
    bool created_ = false;
};

TEST(SecurityNetworkNamespace, a_host_on_the_other_end_of_a_veth_pair_needs_the_token) {
    NetworkNamespace ns;
    if (!ns.ok()) GTEST_SKIP() << "no network namespace here (" << ns.error() << ")";
    const fs::path dir = fs::temp_directory_path() / ("tactus-security-netns-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "song.json") << kSong;
    const fs::path token = dir / "token";
    std::ofstream(token) << kToken << "\n";
    fs::permissions(token, fs::perms::owner_read | fs::perms::owner_write);
    {
        Daemon daemon(dir, "1000000", {"--listen", "0.0.0.0:0", "--token-file", token.string()});
        ASSERT_TRUE(daemon.ok()) << daemon.error();
        const int port = daemon.udp_port();
        const std::string engine = ns.host_address();

        auto udp = ns.inside([&] { return std::make_unique<UdpClient>(port, "", engine); });
        ASSERT_TRUE(udp);
        udp->send(Osc("/ping").bytes());
        EXPECT_FALSE(udp->receive(700ms)) << "the engine answered another host without the token";
        udp->send(Osc("/auth").s(kToken).bytes());
        const auto auth = udp->receive(kReply);
        ASSERT_TRUE(auth) << "no answer to the right token";
        EXPECT_EQ(describe(*auth), "/reply ,s \"/auth\"");
        udp->send(
            bundle({Osc("/auth").s(kToken).bytes(), Osc("/subscribe").d(30).s("127.0.0.1").i(9).bytes()}));
        std::optional<OscMessage> reflected;
        for (int i = 0; i < 3 && !(reflected && answered(*reflected) == "/subscribe"); ++i)
            reflected = udp->receive(kReply);
        ASSERT_TRUE(reflected);
        EXPECT_EQ(reflected->address, "/error") << "reports pointed at the engine's own loopback";

        auto tcp = ns.inside([&] { return std::make_unique<TcpClient>(port, "", engine); });
        ASSERT_TRUE(tcp && tcp->connected());
        ASSERT_TRUE(tcp->send_frame(Osc("/load").s("song.json").bytes()));
        std::vector<OscMessage> got;
        EXPECT_TRUE(tcp->wait_closed(kReply, &got));
        ASSERT_EQ(got.size(), 1u);
        EXPECT_EQ(got[0].args.at(1).s.rfind("authentication required", 0), 0u) << describe(got[0]);

        auto trusted = ns.inside([&] { return std::make_unique<TcpClient>(port, "", engine); });
        ASSERT_TRUE(trusted && trusted->connected());
        ASSERT_TRUE(trusted->send_frame(Osc("/auth").s(kToken).bytes()));
        ASSERT_TRUE(trusted->send_frame(Osc("/load").s("song.json").bytes()));
        std::optional<OscMessage> loaded;
        for (int i = 0; i < 3 && !(loaded && answered(*loaded) == "/load"); ++i)
            loaded = trusted->receive(kReply);
        ASSERT_TRUE(loaded);
        EXPECT_EQ(loaded->address, "/reply") << describe(*loaded);
        EXPECT_EQ(daemon.stop(), "exit 0");
    }
    fs::remove_all(dir);
}
