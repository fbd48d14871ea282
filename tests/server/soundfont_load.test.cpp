// tactusd and SoundFont tracks: /load answers once the fonts are read (on the font library's thread, not
// the control thread's), a font passes the path policy like an orchestra, a font that cannot be read
// leaves its track silent with a /warning naming the file, /soundfont/presets lists a font's presets by
// name, and /track/soundfont changes a track's preset as one edit that other clients are told about.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "core/general_midi_font.h"
#include "support/in_process_server.h"
#include "support/test_soundfont.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

std::string song_with_font(const std::string& font, int program = 0) {
    return R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "name": "Piano", "instrument": "soundfont",
      "preset": "Left", "soundfont": ")" +
           font + R"(", "bank": 0, "program": )" + std::to_string(program) + R"(,
      "notes": [{"id": 1, "start": 0, "length": 1, "pitch": 60}]}]})";
}

class SoundFontLoad : public InProcessServer {
protected:
    std::string document() const override { return R"({"format": "tactus", "version": 1})"; }

    fs::path root_ =
        fs::temp_directory_path() / ("tactus-sf-load-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::path music_ = root_ / "music";
    fs::path elsewhere_ = root_ / "elsewhere";

    void SetUp() override {
        InProcessServer::SetUp();
        fs::create_directories(music_);
        fs::create_directories(elsewhere_);
        confine_to(music_);
        test::write_test_soundfont(music_ / "test.sf2");
    }
    void TearDown() override { fs::remove_all(root_); }
};

TEST_F(SoundFontLoad, load_answers_once_the_font_is_in_memory) {
    std::ofstream(music_ / "song.json") << song_with_font("test.sf2");
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], "/reply ,siihi \"/load\" 1 1 0 0");
    EXPECT_TRUE(host_.instruments_ready());
    EXPECT_EQ(host_.document().tracks[0].soundfont, fs::canonical(music_ / "test.sf2").string());
}

TEST_F(SoundFontLoad, a_font_outside_the_allowed_directories_is_refused) {
    test::write_test_soundfont(elsewhere_ / "test.sf2");
    std::ofstream(music_ / "song.json") << song_with_font((elsewhere_ / "test.sf2").string());
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].find("/error ,ss \"/load\" \"/tracks/0/soundfont: "), std::string::npos) << got[0];
    EXPECT_NE(got[0].find("refused: outside the directories this engine serves"), std::string::npos)
        << got[0];
}

TEST_F(SoundFontLoad, a_missing_font_is_refused_by_the_file_rules_naming_it) {
    std::ofstream(music_ / "song.json") << song_with_font("gone.sf2");
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(
        got[0].rfind("/error ,ss \"/load\" \"/tracks/0/soundfont: " + (music_ / "gone.sf2").string(), 0), 0u)
        << got[0];
}

TEST_F(SoundFontLoad, a_broken_font_leaves_its_track_silent_with_a_warning_naming_the_byte) {
    std::string bytes = test::test_soundfont_bytes();
    bytes.resize(bytes.size() - 100);
    std::ofstream(music_ / "broken.sf2", std::ios::binary) << bytes;
    std::ofstream(music_ / "song.json") << song_with_font("broken.sf2");
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 2u) << got[0];
    EXPECT_EQ(got[0].rfind("/warning ,ss \"/load\" \"/tracks/0/soundfont: " +
                               fs::canonical(music_ / "broken.sf2").string() + ": byte ",
                           0),
              0u)
        << got[0];
    EXPECT_NE(got[0].find("(the track plays silent)"), std::string::npos) << got[0];
    EXPECT_EQ(got[1], "/reply ,siihi \"/load\" 1 1 0 0");
}

TEST_F(SoundFontLoad, every_client_may_name_the_general_midi_font) {
    if (installed_general_midi_font().empty()) GTEST_SKIP() << kGeneralMidiFont << " is not installed";
    std::ofstream(music_ / "song.json") << song_with_font(kGeneralMidiFont);
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 1u) << got[0];
    EXPECT_EQ(got[0], "/reply ,siihi \"/load\" 1 1 0 0");
}

TEST_F(SoundFontLoad, a_missing_preset_leaves_its_track_silent_with_a_warning) {
    std::ofstream(music_ / "song.json") << song_with_font("test.sf2", 77);
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_NE(got[0].find("/tracks/0/program: " + fs::canonical(music_ / "test.sf2").string() +
                          " has no preset 0:77 (the track plays silent)"),
              std::string::npos)
        << got[0];
}

TEST_F(SoundFontLoad, soundfont_presets_lists_a_fonts_presets_by_name) {
    send(OscOut("/soundfont/presets").s("test.sf2").bytes(), a_);
    const auto got = answers(a_);
    ASSERT_EQ(got.size(), 7u);
    EXPECT_EQ(got[0], "/soundfont/preset ,iis 0 0 \"Left\"");
    EXPECT_EQ(got[3], "/soundfont/preset ,iis 0 3 \"Layers\"");
    EXPECT_EQ(got[5], "/soundfont/preset ,iis 128 0 \"Kit\"");
    EXPECT_EQ(got[6],
              "/reply ,ssi \"/soundfont/presets\" \"" + fs::canonical(music_ / "test.sf2").string() + "\" 6");
    // Outside the allowed directories: refused before anything is read.
    test::write_test_soundfont(elsewhere_ / "test.sf2");
    send(OscOut("/soundfont/presets").s((elsewhere_ / "test.sf2").string()).bytes(), a_);
    const auto refused = answers(a_);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_NE(refused[0].find("refused: outside the directories"), std::string::npos) << refused[0];
    // A file that is not a SoundFont: the error names it and the byte.
    std::ofstream(music_ / "notes.sf2") << "RIFF\x04\0\0\0WAVE";
    send(OscOut("/soundfont/presets").s("notes.sf2").bytes(), a_);
    const auto bad = answers(a_);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_NE(bad[0].find("notes.sf2: byte "), std::string::npos) << bad[0];
}

TEST_F(SoundFontLoad, track_soundfont_changes_the_preset_and_is_pushed_to_subscribers) {
    std::ofstream(music_ / "song.json") << song_with_font("test.sf2");
    send(OscOut("/load").s((music_ / "song.json").string()).bytes(), a_);
    answers(a_);
    send(OscOut("/edits/subscribe").bytes(), b_);
    answers(b_);
    send(OscOut("/track/soundfont").h(1).s("test.sf2").i(128).i(0).i(1).bytes(), a_);
    const auto got = answers(a_);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().rfind("/reply", 0), 0u) << got.back();
    const Track& t = host_.document().tracks[0];
    EXPECT_EQ(t.instrument, "soundfont");
    EXPECT_EQ(t.bank, 128);
    EXPECT_EQ(t.program, 0);
    EXPECT_TRUE(t.drums);
    EXPECT_EQ(t.soundfont, fs::canonical(music_ / "test.sf2").string());
    bool pushed = false;
    for (const OscPacket& p : b_.receive(100))
        for (const OscMessage& m : p.messages)
            if (m.address == "/track/soundfont")
                pushed = text_of(m) == "/track/soundfont ,hsiii 1 \"" + t.soundfont + "\" 128 0 1";
    EXPECT_TRUE(pushed);
}

}  // namespace
}  // namespace tactus
