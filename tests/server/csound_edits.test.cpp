// Edits that bring a Csound orchestra in (/track/instrument and /track/add with ORCHESTRA
// CSOUND_INSTRUMENT and parameters, docs/protocol.md): the orchestra passes the path policy as one a
// loaded document names (relative to the loaded document's directory), a broken one plays silent
// with a warning naming its file and line, the other subscribers get the edit with the resolved path,
// and the old short forms still work and keep the track's orchestra.
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
    "ksmps = 32\nnchnls = 2\n0dbfs = 1\nchn_k \"cutoff\", 1, 2, 1000, 20, 20000\ninstr Bell\n"
    "  k1 chnget \"cutoff\"\n  asig oscili 0.3, p6\n  outs asig, asig\nendin\n";

class CsoundEdits : public InProcessServer {
protected:
    std::string document() const override { return R"({"format": "tactus", "version": 1})"; }

    fs::path root_ =
        fs::temp_directory_path() / ("tactus-csound-edits-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::path music_ = root_ / "music";
    fs::path elsewhere_ = root_ / "elsewhere";

    // The engine serves music_; a song with one synth track is loaded from music_/songs.
    void SetUp() override {
        InProcessServer::SetUp();
        fs::create_directories(music_ / "songs");
        fs::create_directories(elsewhere_);
        confine_to(music_);
        write(music_ / "songs" / "bell.orc", kOrchestra);
        write(music_ / "songs" / "song.json",
              R"({"format": "tactus", "version": 1, "tracks": [{"id": 1, "name": "Lead"}]})");
        ASSERT_EQ(text_of(call(OscOut("/load").s((music_ / "songs" / "song.json").string()).bytes(), a_)),
                  "/reply ,siihi \"/load\" 1 0 0 0");
    }
    void TearDown() override { fs::remove_all(root_); }

    static void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }
    std::string bell() const { return fs::canonical(music_ / "songs" / "bell.orc").string(); }
    const Track& track(std::size_t i) const { return host_.document().tracks.at(i); }
};

TEST_F(CsoundEdits,
       an_instrument_change_names_an_orchestra_beside_the_document_and_subscribers_get_its_path) {
    ASSERT_EQ(text_of(call(OscOut("/edits/subscribe").bytes(), b_)), "/reply ,sh \"/edits/subscribe\" 0");
    EXPECT_EQ(text_of(call(OscOut("/track/instrument")
                               .h(1)
                               .s("csound")
                               .s("sine")
                               .s("bell.orc")
                               .s("Bell")
                               .s("cutoff")
                               .d(3000)
                               .bytes(),
                           a_)),
              "/reply ,shi \"/track/instrument\" 1 1");
    EXPECT_EQ(track(0).instrument, "csound");
    EXPECT_EQ(track(0).orchestra, bell());
    EXPECT_EQ(track(0).csound_instrument, "Bell");
    EXPECT_EQ(track(0).parameters, (std::map<std::string, double>{{"cutoff", 3000.0}}));
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(1).bytes(), a_)),
              "/track/parameters ,hsdddd 1 \"cutoff\" 20.000000 20000.000000 1000.000000 3000.000000");

    const auto pushed = b_.receive();
    ASSERT_EQ(pushed.size(), 1u);
    ASSERT_EQ(pushed[0].messages.size(), 2u);
    EXPECT_EQ(text_of(pushed[0].messages[1]), "/track/instrument ,hsssssd 1 \"csound\" \"sine\" \"" + bell() +
                                                  "\" \"Bell\" \"cutoff\" 3000.000000");
}

TEST_F(CsoundEdits, a_track_added_with_an_orchestra_and_parameters_keeps_them_and_is_pushed_whole) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    const Bytes add = OscOut("/track/add")
                          .h(2)
                          .s("Bell")
                          .s("csound")
                          .s("sine")
                          .i(1)
                          .i(0)
                          .d(0.5)
                          .d(0.0)
                          .i(0)
                          .i(0)
                          .s(music_.string() + "/songs/../songs/bell.orc")
                          .s("Bell")
                          .s("cutoff")
                          .d(440)
                          .bytes();
    EXPECT_EQ(text_of(call(add, a_)), "/reply ,shi \"/track/add\" 1 1");
    ASSERT_EQ(host_.document().tracks.size(), 2u);
    EXPECT_EQ(track(1).orchestra, bell());
    EXPECT_EQ(track(1).csound_instrument, "Bell");
    EXPECT_EQ(track(1).parameters.at("cutoff"), 440.0);
    const auto pushed = b_.receive();
    ASSERT_EQ(pushed.size(), 1u);
    EXPECT_EQ(text_of(pushed[0].messages.at(1)),
              "/track/add ,hsssiiddiisssd 2 \"Bell\" \"csound\" \"sine\" 1 0 0.500000 0.000000 0 0 \"" +
                  bell() + "\" \"Bell\" \"cutoff\" 440.000000");
}

TEST_F(CsoundEdits, an_orchestra_outside_the_allowed_directories_is_refused_by_the_file_rules) {
    write(elsewhere_ / "bell.orc", kOrchestra);
    const std::string requested = (elsewhere_ / "bell.orc").string();
    expect_refused(OscOut("/track/instrument").h(1).s("csound").s("sine").s(requested).s("Bell").bytes(),
                   "/track/instrument",
                   "edit 1 (/track/instrument): orchestra: " + requested +
                       ": refused: outside the directories this engine serves (--allow-dir; see "
                       "docs/security.md)");
    expect_refused(OscOut("/track/add")
                       .h(2)
                       .s("Bell")
                       .s("csound")
                       .s("sine")
                       .i(1)
                       .i(0)
                       .d(1)
                       .d(0)
                       .i(0)
                       .i(0)
                       .s("../../elsewhere/bell.orc")
                       .s("Bell")
                       .bytes(),
                   "/track/add",
                   "edit 1 (/track/add): orchestra: " +
                       (music_ / "songs" / "../../elsewhere/bell.orc").lexically_normal().string() +
                       ": refused: outside the directories this engine serves (--allow-dir; see "
                       "docs/security.md)");
}

// As on a load, the track plays silent and the sender is warned with the file and line first (Csound's
// message quotes the file, so a confined client, a_, is not given it; the owner is: tests/gui). So a
// silent csound track's removal can be undone (its /track/add names the same orchestra).
TEST_F(CsoundEdits, a_broken_orchestra_applies_silent_with_a_warning_naming_its_file_and_line) {
    const fs::path orc = music_ / "songs" / "broken.orc";
    write(orc, "ksmps = 32\n\ninstr Bell\n  aout oscil 1, 440\n  gkcut chn_k\n  outs aout, aout\nendin\n");
    const std::string warning =
        "/warning ,ss \"/track/instrument\" \"/tracks/0/orchestra: " + fs::canonical(orc).string() +
        ":5: the orchestra does not load (the reason quotes the file: only the engine's "
        "owner and its log are told) (the track plays silent)\"";
    send(OscOut("/track/instrument").h(1).s("csound").s("sine").s("broken.orc").s("Bell").bytes(), a_);
    auto answers = a_.receive();
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(text_of(answers[0].messages.front()), warning);
    EXPECT_EQ(text_of(answers[1].messages.front()), "/reply ,shi \"/track/instrument\" 1 1");
    EXPECT_EQ(track(0).orchestra, fs::canonical(orc).string());
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(1).bytes(), a_)), "/track/parameters ,h 1");

    EXPECT_EQ(text_of(call(OscOut("/track/remove").h(1).bytes(), a_)), "/reply ,shi \"/track/remove\" 2 1");
    send(OscOut("/track/add")
             .h(1)
             .s("Lead")
             .s("csound")
             .s("sine")
             .i(0)
             .i(0)
             .d(1)
             .d(0)
             .i(0)
             .i(0)
             .s(fs::canonical(orc).string())
             .s("Bell")
             .bytes(),
         a_);
    answers = a_.receive();
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(text_of(answers[1].messages.front()), "/reply ,shi \"/track/add\" 3 1");
    EXPECT_EQ(host_.document().tracks.size(), 1u);
}

TEST_F(CsoundEdits, the_short_form_keeps_the_orchestra_and_wrong_csound_arguments_are_named) {
    call(OscOut("/track/instrument").h(1).s("csound").s("sine").s("bell.orc").s("Bell").bytes(), a_);
    EXPECT_EQ(text_of(call(OscOut("/track/instrument").h(1).s("synth").s("pad").bytes(), a_)),
              "/reply ,shi \"/track/instrument\" 2 1");
    EXPECT_EQ(track(0).instrument, "synth");
    EXPECT_EQ(track(0).orchestra, bell()) << "the 3-argument form leaves the orchestra as it was";
    EXPECT_EQ(text_of(call(OscOut("/track/instrument").h(1).s("csound").s("sine").bytes(), a_)),
              "/reply ,shi \"/track/instrument\" 3 1");
    EXPECT_EQ(track(0).instrument, "csound");
    expect_refused(
        OscOut("/track/instrument").h(1).s("csound").s("sine").s("bell.orc").bytes(), "/track/instrument",
        "takes the arguments ID INSTRUMENT PRESET [ORCHESTRA CSOUND_INSTRUMENT (PARAMETER VALUE)...]: "
        "the orchestra and Csound instrument come together, then parameter names each with its "
        "value; got 4");
    expect_refused(OscOut("/track/instrument").h(1).s("csound").s("").s("bell.orc").s("Bell").bytes(),
                   "/track/instrument",
                   "edit 1 of 1 (track/instrument): preset must not be empty (a csound track keeps any, e.g. "
                   "\"sine\")");
    expect_refused(OscOut("/track/instrument")
                       .h(1)
                       .s("csound")
                       .s("sine")
                       .s("bell.orc")
                       .s("Bell")
                       .s("cutoff")
                       .s("x")
                       .bytes(),
                   "/track/instrument", "argument 7 (value) must be a number (i, h, f or d)");
}

}  // namespace
}  // namespace tactus
