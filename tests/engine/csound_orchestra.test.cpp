// Loading a Csound orchestra for a track: a .orc or a .csd's <CsInstruments>, compiled at the engine's
// rate with the orchestra's ksmps; its named channels listed with their ranges; instruments found by
// number or name; and a broken orchestra reported with Csound's own message and the line of the file.
#include "engine/csound/csound_orchestra.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

using namespace tactus;

class CsoundOrchestraTest : public ::testing::Test {
protected:
    std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                                 ("tactus-csound-" + std::to_string(::getpid()) + "-" +
                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());

    void SetUp() override { std::filesystem::create_directories(dir_); }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }
};

constexpr const char* kOrchestra = R"(sr = 44100
ksmps = 10
nchnls = 2
0dbfs = 1
chn_k "cutoff", 1, 2, 1000, 20, 20000

instr	1, 7
  a1 = 1
  outs a1, a1
endin

instr Bell
  a1 = 1
  outs a1, a1
endin
)";

TEST_F(CsoundOrchestraTest, an_orc_runs_at_the_engines_rate_with_its_own_ksmps_and_lists_its_channels) {
    std::string error;
    const auto orchestra = CsoundOrchestra::load(write("song.orc", kOrchestra), 48000, &error);
    ASSERT_TRUE(orchestra) << error;
    EXPECT_EQ(orchestra->sample_rate(), 48000.0);
    EXPECT_EQ(orchestra->ksmps(), 10);
    EXPECT_EQ(orchestra->output_channels(), 2);
    ASSERT_EQ(orchestra->channels().size(), 1u);
    const CsoundChannel& cutoff = orchestra->channels().front();
    EXPECT_EQ(cutoff.name, "cutoff");
    EXPECT_EQ(cutoff.kind, CsoundChannel::Kind::Control);
    EXPECT_TRUE(cutoff.input);
    EXPECT_EQ(cutoff.default_value, 1000.0);
    EXPECT_EQ(cutoff.minimum, 20.0);
    EXPECT_EQ(cutoff.maximum, 20000.0);
}

TEST_F(CsoundOrchestraTest, instruments_are_found_by_number_or_by_name_and_unknown_ones_are_not) {
    std::string error;
    const auto orchestra = CsoundOrchestra::load(write("song.orc", kOrchestra), 48000, &error);
    ASSERT_TRUE(orchestra) << error;
    EXPECT_EQ(orchestra->instrument_number("1"), 1);
    EXPECT_EQ(orchestra->instrument_number("7"), 7);
    EXPECT_EQ(orchestra->instrument_number("2"), std::nullopt);
    EXPECT_EQ(orchestra->instrument_number("0"), std::nullopt);
    const auto bell = orchestra->instrument_number("Bell");
    ASSERT_TRUE(bell.has_value());
    EXPECT_GT(*bell, 0);
    EXPECT_NE(*bell, 1);
    EXPECT_NE(*bell, 7);
    EXPECT_EQ(orchestra->instrument_number("Gong"), std::nullopt);
    EXPECT_EQ(orchestra->instrument_number("Bell\")\nsystem_i 1, \"true"), std::nullopt);
}

TEST_F(CsoundOrchestraTest, a_csds_instruments_section_is_the_orchestra) {
    const std::string csd =
        std::string("<CsoundSynthesizer>\n<CsOptions>\n-o dac\n</CsOptions>\n<CsInstruments>\n") +
        kOrchestra + "</CsInstruments>\n<CsScore>\ni 1 0 1\n</CsScore>\n</CsoundSynthesizer>\n";
    std::string error;
    const auto orchestra = CsoundOrchestra::load(write("song.csd", csd), 48000, &error);
    ASSERT_TRUE(orchestra) << error;
    EXPECT_EQ(orchestra->ksmps(), 10);
    EXPECT_EQ(orchestra->instrument_number("7"), 7);
}

TEST_F(CsoundOrchestraTest, a_syntax_error_names_the_file_and_its_line_with_csounds_message) {
    const std::string path = write("broken.orc",
                                   "ksmps = 32\n\ninstr 1\n  aout oscil 1, 440\n  gkcut chn_k\n"
                                   "  outs aout, aout\nendin\n");
    std::string error;
    EXPECT_FALSE(CsoundOrchestra::load(path, 48000, &error));
    EXPECT_EQ(error.rfind(path + ":5: error: syntax error", 0), 0u) << error;
    EXPECT_NE(error.find("gkcut"), std::string::npos) << error;
}

TEST_F(CsoundOrchestraTest, an_error_in_a_csd_names_the_line_of_the_csd) {
    const std::string csd =
        "<CsoundSynthesizer>\n<CsOptions>\n</CsOptions>\n<CsInstruments>\nksmps = 32\n"
        "instr 1\n  aout oscil 1, 440\n  kcut undefined_opcode aout\nendin\n"
        "</CsInstruments>\n</CsoundSynthesizer>\n";
    const std::string path = write("broken.csd", csd);
    std::string error;
    EXPECT_FALSE(CsoundOrchestra::load(path, 48000, &error));
    EXPECT_EQ(error.rfind(path + ":8: ", 0), 0u) << error;
    EXPECT_NE(error.find("undefined_opcode"), std::string::npos) << error;
}

TEST_F(CsoundOrchestraTest, a_missing_file_and_a_csd_without_instruments_say_so) {
    std::string error;
    const std::string missing = (dir_ / "nowhere.orc").string();
    EXPECT_FALSE(CsoundOrchestra::load(missing, 48000, &error));
    EXPECT_EQ(error.rfind(missing + ": cannot open", 0), 0u) << error;
    const std::string path = write("empty.csd", "<CsoundSynthesizer>\n</CsoundSynthesizer>\n");
    EXPECT_FALSE(CsoundOrchestra::load(path, 48000, &error));
    EXPECT_EQ(error, path + ": no <CsInstruments> section");
}

}  // namespace
