// tactusd's /load of a document with a csound track (docs/security.md, "Csound orchestras: which files
// a document may name"): the orchestra's file passes the path policy as if the client had named it (a
// relative name is relative to the document's directory; an inline document's, to the base
// directory), and the engine keeps the path it resolved. Csound's own error, with the file's line, and
// the orchestra policy's refusal come back in /error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/in_process_server.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOrchestra =
    "ksmps = 32\nnchnls = 2\n0dbfs = 1\ninstr Bell\n  kenv linsegr 1, 1, 1, 0.1, 0\n"
    "  asig oscili 0.3 * kenv, p6\n  outs asig, asig\nendin\n";

std::string song_with_orchestra(const std::string& orchestra) {
    return R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "name": "Bell", "instrument": "csound",
      "orchestra": ")" +
           orchestra + R"(", "csound_instrument": "Bell",
      "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 69}]}]})";
}

class CsoundLoad : public InProcessServer {
protected:
    std::string document() const override { return R"({"format": "tactus", "version": 1})"; }

    fs::path root_ =
        fs::temp_directory_path() / ("tactus-csound-load-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::path music_ = root_ / "music";
    fs::path elsewhere_ = root_ / "elsewhere";

    // The engine serves music_ (also the base of relative names).
    void serve() {
        fs::create_directories(music_ / "songs");
        fs::create_directories(elsewhere_);
        confine_to(music_);
    }
    void TearDown() override { fs::remove_all(root_); }

    static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

    // /load PATH from the loopback client a_ (confined): its answer.
    std::string load_file(const fs::path& path) {
        return text_of(call(OscOut("/load").s(path.string()).bytes(), a_));
    }
    std::string loaded_orchestra() const {
        return host_.document().tracks.empty() ? std::string() : host_.document().tracks[0].orchestra;
    }
};

TEST_F(CsoundLoad, a_client_loads_an_orchestra_beside_its_document) {
    serve();
    write(music_ / "songs" / "bell.orc", kOrchestra);
    write(music_ / "songs" / "song.json", song_with_orchestra("bell.orc"));
    EXPECT_EQ(load_file(music_ / "songs" / "song.json"), "/reply ,siihi \"/load\" 1 1 0 0");
    EXPECT_EQ(loaded_orchestra(), fs::canonical(music_ / "songs" / "bell.orc").string());
}

TEST_F(CsoundLoad, an_orchestra_outside_the_allowed_directories_is_refused_by_the_file_rules) {
    serve();
    write(elsewhere_ / "bell.orc", kOrchestra);
    write(music_ / "songs" / "song.json", song_with_orchestra("../../elsewhere/bell.orc"));
    const std::string requested = (music_ / "songs" / "../../elsewhere/bell.orc").lexically_normal().string();
    EXPECT_EQ(
        load_file(music_ / "songs" / "song.json"),
        "/error ,ss \"/load\" \"/tracks/0/orchestra: " + requested +
            ": refused: outside the directories this engine serves (--allow-dir; see docs/security.md)\"");
    EXPECT_TRUE(host_.document().tracks.empty());
    // A hidden file inside is refused as well, and so is a link leading out.
    fs::create_directories(music_ / ".secret");
    write(music_ / ".secret" / "bell.orc", kOrchestra);
    write(music_ / "songs" / "hidden.json", song_with_orchestra((music_ / ".secret" / "bell.orc").string()));
    EXPECT_NE(load_file(music_ / "songs" / "hidden.json")
                  .find("hidden files and directories (.secret) are never served"),
              std::string::npos);
    fs::create_symlink(elsewhere_ / "bell.orc", music_ / "songs" / "link.orc");
    write(music_ / "songs" / "link.json", song_with_orchestra("link.orc"));
    EXPECT_NE(
        load_file(music_ / "songs" / "link.json").find("refused: it leads (by a symbolic link) outside"),
        std::string::npos);
    EXPECT_TRUE(host_.document().tracks.empty());
}

TEST_F(CsoundLoad, an_inline_documents_relative_orchestra_is_relative_to_the_base_directory) {
    serve();
    write(music_ / "bell.orc", kOrchestra);
    EXPECT_EQ(text_of(call(OscOut("/load/json").s(song_with_orchestra("bell.orc")).bytes(), a_)),
              "/reply ,siih \"/load/json\" 1 1 0");
    EXPECT_EQ(loaded_orchestra(), fs::canonical(music_ / "bell.orc").string());
}

// A broken orchestra does not stop the document: it loads, that track plays silent, and the client is
// warned with the file and line (Csound's message itself quotes the file: a confined client, as a_ is,
// is not given it).
TEST_F(CsoundLoad, a_broken_orchestra_loads_silent_with_a_warning_naming_its_line) {
    serve();
    const fs::path orc = music_ / "songs" / "broken.orc";
    write(orc, "ksmps = 32\n\ninstr Bell\n  aout oscil 1, 440\n  gkcut chn_k\n  outs aout, aout\nendin\n");
    write(music_ / "songs" / "song.json", song_with_orchestra("broken.orc"));
    send(OscOut("/load").s((music_ / "songs" / "song.json").string()).bytes(), a_);
    const auto answers = a_.receive();
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(
        text_of(answers[0].messages.front()),
        "/warning ,ss \"/load\" \"/tracks/0/orchestra: " + fs::canonical(orc).string() +
            ":5: the orchestra does not load (the reason quotes the file: only the engine's owner and its "
            "log are told) (the track plays silent)\"");
    EXPECT_EQ(text_of(answers[1].messages.front()), "/reply ,siihi \"/load\" 1 1 0 0");
    EXPECT_EQ(host_.document().tracks.size(), 1u);
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(1).bytes(), a_)), "/track/parameters ,h 1");
}

TEST_F(CsoundLoad, an_orchestra_that_would_run_programs_is_refused_by_the_policy_and_its_track_plays_silent) {
    serve();
    const fs::path orc = music_ / "songs" / "shell.orc";
    write(orc, std::string(kOrchestra) + "instr 2\n  ires system_i 1, \"touch /tmp/x\"\nendin\n");
    write(music_ / "songs" / "song.json", song_with_orchestra("shell.orc"));
    send(OscOut("/load").s((music_ / "songs" / "song.json").string()).bytes(), a_);
    const auto answers = a_.receive();
    ASSERT_EQ(answers.size(), 2u);
    const std::string warning = text_of(answers[0].messages.front());
    EXPECT_EQ(
        warning.rfind(
            "/warning ,ss \"/load\" \"/tracks/0/orchestra: " + fs::canonical(orc).string() + ":10: ", 0),
        0u)
        << warning;
    EXPECT_EQ(text_of(answers[1].messages.front()), "/reply ,siihi \"/load\" 1 1 0 0");
}

TEST_F(CsoundLoad, the_owner_is_not_confined_to_the_allowed_directories) {
    serve();
    write(elsewhere_ / "bell.orc", kOrchestra);
    write(music_ / "song.json", song_with_orchestra((elsewhere_ / "bell.orc").string()));
    ReplyTarget owner;
    owner.kind = ReplyTarget::Kind::Local;  // the private socket (no connection: its reply goes nowhere)
    OscPacket packet;
    std::string error;
    const Bytes bytes = OscOut("/load").s((music_ / "song.json").string()).bytes();
    ASSERT_TRUE(parse_osc_packet(bytes.data(), bytes.size(), packet, &error)) << error;
    control_->handle_packet(packet, owner, host_.host_time_at_frame(0));
    EXPECT_EQ(loaded_orchestra(), fs::canonical(elsewhere_ / "bell.orc").string());
}

}  // namespace
}  // namespace tactus
