// /track/parameters lists what a track's instrument offers (a Csound orchestra's input channels, with
// their declared ranges and defaults, and the value the document holds); /track/parameter sets one on
// its frame: the sound changes there, the document records it, the other clients are told. An unknown
// parameter or a value out of its range is refused with the names and range it has.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/in_process_server.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

// ksmps = 1: Csound reads channels every sample, so a change is heard on its very frame. The note's
// level is the channel's value / 100000 (then -3 dB: the strip's centre pan).
constexpr const char* kOrchestra =
    "ksmps = 1\nnchnls = 2\n0dbfs = 1\nchn_k \"cutoff\", 1, 2, 1000, 20, 20000\nchn_k \"drive\", 1\n"
    "instr 1\n  k1 chnget \"cutoff\"\n  a1 = k1 / 100000\n  outs a1, a1\nendin\n";

class TrackParameters : public InProcessServer {
protected:
    fs::path orchestra_ = fs::temp_directory_path() /
                          ("tactus-parameters-" + std::to_string(::getpid()) + "-" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".orc");
    std::string document() const override {
        std::ofstream(orchestra_) << kOrchestra;
        return R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [
            {"id": 1, "instrument": "csound", "orchestra": ")" +
               orchestra_.string() + R"(", "csound_instrument": 1, "parameters": {"cutoff": 5000},
             "notes": [{"id": 1, "start": 0, "length": 16, "pitch": 60}]},
            {"id": 2, "instrument": "synth", "preset": "sine"}]})";
    }
    void TearDown() override { fs::remove(orchestra_); }
};

TEST_F(TrackParameters, are_listed_with_range_default_and_the_documents_value) {
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(1).bytes(), a_)),
              "/track/parameters ,hsddddsdddd 1 \"cutoff\" 20.000000 20000.000000 1000.000000 5000.000000 "
              "\"drive\" 0.000000 0.000000 0.000000 0.000000");
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(2).bytes(), a_)), "/track/parameters ,h 2")
        << "the built-in synth offers none";
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(9).bytes(), a_)),
              "/error ,ss \"/track/parameters\" \"no track with id 9 in the loaded document\"");
}

TEST_F(TrackParameters, a_value_set_live_is_heard_from_its_frame_and_recorded_in_the_document) {
    send(OscOut("/play").bytes(), a_);
    render(4096);
    a_.receive();  // /play's answer
    const float before = out_[4000];
    EXPECT_NEAR(before, 0.05f * 0.70710677f, 1e-6) << "the document's 5000 applied at load";

    send(OscOut("/track/parameter").i(1).s("cutoff").d(8000).bytes(), a_);
    render(8192);
    const auto answers = a_.receive();
    ASSERT_FALSE(answers.empty());
    const OscMessage& reply = answers.back().messages.front();
    ASSERT_EQ(reply.address, "/reply") << text_of(reply);
    ASSERT_EQ(reply.args[0].s, "/track/parameter");
    const auto frame = static_cast<std::size_t>(reply.args[1].i);
    ASSERT_GT(frame, 4096u);
    EXPECT_EQ(out_[frame - 1], before) << "changed before its frame";
    EXPECT_NEAR(out_[frame], 0.08f * 0.70710677f, 1e-6) << "not changed on its frame";
    EXPECT_EQ(host_.document().tracks[0].parameters.at("cutoff"), 8000.0);
    EXPECT_EQ(text_of(call(OscOut("/track/parameters").i(1).bytes(), a_)),
              "/track/parameters ,hsddddsdddd 1 \"cutoff\" 20.000000 20000.000000 1000.000000 8000.000000 "
              "\"drive\" 0.000000 0.000000 0.000000 0.000000");
}

TEST_F(TrackParameters, an_unknown_name_or_a_value_out_of_range_is_refused_and_changes_nothing) {
    expect_refused(OscOut("/track/parameter").i(1).s("resonance").d(1).bytes(), "/track/parameter",
                   "track 1 has no parameter 'resonance' (it has: cutoff, drive)");
    expect_refused(OscOut("/track/parameter").i(2).s("cutoff").d(1).bytes(), "/track/parameter",
                   "track 2 has no parameter 'cutoff' (its instrument has none)");
    expect_refused(OscOut("/track/parameter").i(1).s("cutoff").d(5).bytes(), "/track/parameter",
                   "argument 3 (value) must be within 20..20000 (got 5)");
}

}  // namespace
}  // namespace tactus
