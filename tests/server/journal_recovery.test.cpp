// No lost edit (docs/protocol.md, "Edit journal"): the real tactusd on the offline backend journals
// every accepted edit batch and mixer change beside the document; after a kill -9 a new tactusd that
// loads the document replays the journal (its /load reply says how many batches). Also: a torn last
// record is ignored, a journal of another state of the document is not replayed, a save starts a
// fresh journal, a client that loads inline names the file with /journal, and a journal with nothing
// in it does not outlive a clean exit.
#include <gtest/gtest.h>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "server/edit_journal.h"
#include "support/offline_daemon.h"

namespace {

constexpr const char* kSong = R"({"format": "tactus", "version": 1, "revision": 7,
    "tempo": [{"beat": 0, "bpm": 120}],
    "tracks": [
      {"id": 1, "name": "Lead", "preset": "sine", "notes": [
        {"id": 10, "start": 0, "length": 1, "pitch": 60, "velocity": 100},
        {"id": 11, "start": 1, "length": 1, "pitch": 62, "velocity": 100}]}]})";

constexpr auto kReply = 5s;

class JournalRecovery : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ =
            fs::temp_directory_path() / ("tactus-journal-" + std::to_string(::getpid()) + "-" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        song_ = dir_ / "song.json";
        std::ofstream(song_) << kSong;
        journal_ = tactus::journal_path_for(song_.string());
    }
    void TearDown() override {
        udp_.reset();
        daemon_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    void start() {
        udp_.reset();
        daemon_.reset();
        fs::remove(dir_ / "tactusd.log");  // else the new Daemon may read the old one's ports from it
        daemon_.emplace(dir_);
        ASSERT_TRUE(daemon_->ok()) << daemon_->error();
        udp_.emplace(daemon_->udp_port());
    }
    // kill -9: nothing of the engine runs after this, no destructor, no flush.
    void crash() {
        daemon_->child().kill_and_reap();
        udp_.reset();
        daemon_.reset();
    }

    OscMessage ask(const Bytes& packet, const std::string& address) {
        udp_->drain();
        EXPECT_TRUE(udp_->send(packet));
        const auto m = udp_->wait_for([&](const OscMessage& x) { return answered(x) == address; }, kReply);
        if (!m) {
            ADD_FAILURE() << "no answer to " << address << "; log:\n" << daemon_->log();
            return {};
        }
        return *m;
    }
    // /load of the song: the reply (tracks, notes, revision, batches recovered).
    OscMessage load() {
        const OscMessage m = ask(Osc("/load").s("song.json").bytes(), "/load");
        EXPECT_EQ(m.address, "/reply") << describe(m);
        return m;
    }
    static std::int64_t recovered(const OscMessage& load_reply) {
        return load_reply.args.size() >= 5 ? load_reply.args[4].i : -1;
    }
    // Adds one note per batch, ids from `first_id`.
    void add_notes(int count, std::int64_t first_id) {
        for (int i = 0; i < count; ++i) {
            const std::int64_t id = first_id + i;
            const OscMessage m =
                ask(Osc("/note/add").i(1).h(id).d(2.0 + i * 0.25).d(0.25).i(48 + i % 24).i(90).bytes(),
                    "/note/add");
            ASSERT_EQ(m.address, "/reply") << describe(m);
        }
    }
    tactus::Document engine_document() {
        TcpClient tcp(daemon_->tcp_port());
        EXPECT_TRUE(tcp.send_frame(Osc("/document").bytes()));
        for (int i = 0; i < 20; ++i) {
            const auto m = tcp.receive(kReply);
            if (!m) break;
            if (m->address == "/document" && m->types == "hs") {
                auto loaded = tactus::parse_document(m->args[1].s, "engine");
                EXPECT_TRUE(loaded.document);
                if (loaded.document) {
                    loaded.document->revision = static_cast<std::uint64_t>(m->args[0].i);
                    return *loaded.document;
                }
            }
        }
        ADD_FAILURE() << "no /document";
        return tactus::Document();
    }
    // The journal's writer runs behind the replies; a test that crashes the engine on purpose waits
    // until the file holds exactly `count` records (written: kill -9 keeps the page cache).
    std::size_t wait_for_records(std::size_t count) {
        const auto deadline = Clock::now() + 10s;
        std::size_t have = 0;
        while (Clock::now() < deadline) {
            std::string error;
            if (auto contents = tactus::read_journal(journal_, &error)) have = contents->records.size();
            if (have == count) break;
            std::this_thread::sleep_for(5ms);
        }
        return have;
    }

    fs::path dir_, song_;
    std::string journal_;
    std::optional<Daemon> daemon_;
    std::optional<UdpClient> udp_;
};

TEST_F(JournalRecovery, fifty_batches_and_a_fader_survive_a_kill_9_and_a_new_engine_replays_them) {
    start();
    EXPECT_EQ(recovered(load()), 0);
    add_notes(50, 1000);
    ASSERT_EQ(ask(Osc("/track/level").i(1).d(0.25).bytes(), "/track/level").address, "/reply");
    ASSERT_EQ(wait_for_records(51), 51u);
    const tactus::Document before = engine_document();
    crash();

    start();
    const OscMessage reply = load();
    EXPECT_EQ(recovered(reply), 50) << describe(reply);
    EXPECT_EQ(reply.args.at(2).i, 52) << "notes";
    EXPECT_EQ(reply.args.at(3).i, 57) << "revision";
    const tactus::Document after = engine_document();
    EXPECT_EQ(tactus::canonical_document(after), tactus::canonical_document(before));
    EXPECT_EQ(after.tracks.at(0).level, 0.25);
    EXPECT_EQ(daemon_->stop(), "exit 0");
    EXPECT_TRUE(fs::exists(journal_)) << "the recovered edits are still not saved: their journal stays";
}

TEST_F(JournalRecovery, a_torn_last_record_is_ignored) {
    start();
    load();
    add_notes(3, 1000);
    ASSERT_EQ(wait_for_records(3), 3u);
    crash();
    fs::resize_file(journal_, fs::file_size(journal_) - 3);

    start();
    const OscMessage reply = load();
    EXPECT_EQ(recovered(reply), 2);
    EXPECT_EQ(reply.args.at(3).i, 9) << "revision";
    EXPECT_NE(daemon_->log().find("torn"), std::string::npos) << daemon_->log();
}

TEST_F(JournalRecovery, the_journal_of_another_state_of_the_document_is_not_replayed) {
    start();
    load();
    add_notes(3, 1000);
    ASSERT_EQ(wait_for_records(3), 3u);
    crash();
    // Meanwhile the file was replaced (another program saved it, or a copy from elsewhere).
    std::string text = kSong;
    text.replace(text.find("\"Lead\""), 6, "\"Solo\"");
    std::ofstream(song_) << text;

    start();
    const OscMessage reply = load();
    EXPECT_EQ(recovered(reply), 0);
    EXPECT_EQ(reply.args.at(2).i, 2) << "notes";
    EXPECT_NE(daemon_->log().find("another state of the document"), std::string::npos) << daemon_->log();
}

TEST_F(JournalRecovery, a_save_starts_a_fresh_journal_on_the_saved_file) {
    start();
    load();
    add_notes(3, 1000);
    // The old journal complete first: counting 2 records below must not catch it on its way to 3 (a
    // slow journal thread), which would crash the engine before the save's fresh journal exists.
    ASSERT_EQ(wait_for_records(3), 3u);
    ASSERT_EQ(ask(Osc("/document").s("song.json").bytes(), "/document").address, "/reply");
    add_notes(2, 2000);
    ASSERT_EQ(wait_for_records(2), 2u);
    crash();

    start();
    const OscMessage reply = load();
    EXPECT_EQ(recovered(reply), 2);
    EXPECT_EQ(reply.args.at(2).i, 7) << "notes";
    EXPECT_EQ(reply.args.at(3).i, 12) << "revision";
}

TEST_F(JournalRecovery, a_client_that_loads_inline_names_the_file_and_its_unsaved_state_is_journaled_whole) {
    start();
    // What a GUI does: its document (here with a note the file does not have yet) goes inline.
    std::string unsaved = kSong;
    unsaved.replace(unsaved.find("]}]}"), 4,
                    R"(, {"id": 12, "start": 3, "length": 1, "pitch": 64, "velocity": 100}]}]})");
    ASSERT_EQ(ask(string_message("/load/json", unsaved), "/load/json").address, "/reply");
    const OscMessage named = ask(Osc("/journal").s("song.json").bytes(), "/journal");
    ASSERT_EQ(named.address, "/reply") << describe(named);
    EXPECT_EQ(named.args.at(1).s, journal_);
    add_notes(3, 1000);
    ASSERT_EQ(wait_for_records(4), 4u) << "the whole document, then three batches";
    const tactus::Document before = engine_document();
    crash();

    start();
    const OscMessage reply = load();
    EXPECT_EQ(recovered(reply), 3);
    EXPECT_EQ(reply.args.at(2).i, 6) << "notes: 2 in the file, 1 unsaved, 3 added";
    EXPECT_EQ(tactus::canonical_document(engine_document()), tactus::canonical_document(before));
}

TEST_F(JournalRecovery, journal_names_only_files_a_client_may_read) {
    start();
    load();
    const OscMessage m = ask(Osc("/journal").s("/etc/passwd.json").bytes(), "/journal");
    EXPECT_EQ(m.address, "/error") << describe(m);
    const OscMessage hidden = ask(Osc("/journal").s(".song.json.journal").bytes(), "/journal");
    EXPECT_EQ(hidden.address, "/error") << describe(hidden);
}

TEST_F(JournalRecovery, no_journal_outlives_a_clean_exit_with_nothing_in_it_or_a_journal_call_ending_it) {
    start();
    load();
    EXPECT_EQ(daemon_->stop(), "exit 0");
    EXPECT_FALSE(fs::exists(journal_)) << "an empty journal was left beside the document";

    start();
    load();
    add_notes(1, 1000);
    ASSERT_EQ(wait_for_records(1), 1u);
    ASSERT_EQ(ask(Osc("/journal").bytes(), "/journal").address, "/reply");  // saved or discarded
    EXPECT_EQ(daemon_->stop(), "exit 0");
    EXPECT_FALSE(fs::exists(journal_));
}

}  // namespace
