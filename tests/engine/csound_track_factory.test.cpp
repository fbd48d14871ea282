// A document's csound track through the instrument factory: check_instruments reports a broken
// orchestra with Csound's own message and the file's line, a missing file, an unknown instrument,
// each at the track's JSON path; make_instrument builds it; and an offline render plays its notes
// (with their release) where the score puts them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "engine/instrument_factory.h"
#include "engine/offline_render.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

// A sine with an instantaneous attack and a 0.1 s release after its note-off (linsegr).
constexpr const char* kOrchestra = R"(sr = 48000
ksmps = 32
nchnls = 2
0dbfs = 1

instr Sine
  kenv linsegr 1, 1, 1, 0.1, 0
  asig oscili 0.5 * kenv, p6
  outs asig, asig
endin
)";

class CsoundTrackFactory : public ::testing::Test {
protected:
    fs::path dir_ =
        fs::temp_directory_path() / ("tactus-csound-track-" + std::to_string(::getpid()) + "-" +
                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());

    void SetUp() override { fs::create_directories(dir_); }
    void TearDown() override { fs::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = (dir_ / name).string();
        std::ofstream(path) << text;
        return path;
    }

    static Track csound_track(TrackId id, const std::string& orchestra, const std::string& instrument) {
        Track t;
        t.id = id;
        t.instrument = "csound";
        t.orchestra = orchestra;
        t.csound_instrument = instrument;
        return t;
    }
};

TEST_F(CsoundTrackFactory, csound_is_an_available_instrument) {
    const auto instruments = available_instruments();
    EXPECT_TRUE(std::any_of(instruments.begin(), instruments.end(),
                            [](const InstrumentInfo& i) { return i.name == "csound"; }));
}

TEST_F(CsoundTrackFactory, a_good_track_has_no_problem_and_is_built_by_name_or_number) {
    const std::string orc =
        write("sine.orc", std::string(kOrchestra) + "instr 3\n  aout = 0\n  outs aout, aout\nendin\n");
    Document doc;
    doc.tracks = {csound_track(1, orc, "Sine"), csound_track(2, orc, "3")};
    EXPECT_TRUE(check_instruments(doc).empty());
    std::string error;
    EXPECT_TRUE(make_instrument(doc.tracks[0], 48000, &error)) << error;
    EXPECT_TRUE(make_instrument(doc.tracks[1], 48000, &error)) << error;
}

TEST_F(CsoundTrackFactory, a_broken_orchestra_is_reported_with_csounds_message_and_line_for_each_track) {
    const std::string orc = write("broken.orc",
                                  "ksmps = 32\n\ninstr 1\n  aout oscil 1, 440\n  gkcut chn_k\n"
                                  "  outs aout, aout\nendin\n");
    Document doc;
    doc.tracks = {csound_track(1, orc, "1"), Track{}, csound_track(3, orc, "1")};
    doc.tracks[1].id = 2;
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/orchestra");
    EXPECT_EQ(problems[0].message.rfind(orc + ":5: error: syntax error", 0), 0u) << problems[0].message;
    EXPECT_EQ(problems[1].json_path, "/tracks/2/orchestra");
    EXPECT_EQ(problems[1].message, problems[0].message);
    std::string error;
    EXPECT_FALSE(make_instrument(doc.tracks[0], 48000, &error));
    EXPECT_EQ(error, problems[0].message);
}

TEST_F(CsoundTrackFactory, a_missing_orchestra_names_the_file) {
    const std::string missing = (dir_ / "nowhere.orc").string();
    Document doc;
    doc.tracks = {csound_track(1, missing, "1")};
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/orchestra");
    EXPECT_EQ(problems[0].message, missing + ": cannot open: No such file or directory");
}

TEST_F(CsoundTrackFactory, an_unknown_instrument_names_the_orchestra_and_the_instrument) {
    const std::string orc = write("sine.orc", kOrchestra);
    Document doc;
    doc.tracks = {csound_track(1, orc, "Gong"), csound_track(2, orc, "2"), csound_track(3, orc, "")};
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 3u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/csound_instrument");
    EXPECT_EQ(problems[0].message, orc + " has no instrument 'Gong'");
    EXPECT_EQ(problems[1].json_path, "/tracks/1/csound_instrument");
    EXPECT_EQ(problems[1].message, orc + " has no instrument '2'");
    EXPECT_EQ(problems[2].json_path, "/tracks/2/csound_instrument");
    EXPECT_EQ(problems[2].message, "a csound track names an instrument of " + orc + " (a number or a name)");
    std::string error;
    EXPECT_FALSE(make_instrument(doc.tracks[0], 48000, &error));
    EXPECT_EQ(error, orc + " has no instrument 'Gong'");
}

TEST_F(CsoundTrackFactory, a_csound_track_without_an_orchestra_is_a_problem) {
    Document doc;
    doc.tracks = {csound_track(1, "", "1")};
    const auto problems = check_instruments(doc);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].json_path, "/tracks/0/orchestra");
    EXPECT_EQ(problems[0].message, "a csound track names its orchestra (a .orc or .csd file)");
}

// Largest absolute sample of either channel in [from, to).
float peak(const std::vector<float>& left, const std::vector<float>& right, std::size_t from,
           std::size_t to) {
    float p = 0.0f;
    for (std::size_t i = from; i < std::min(to, left.size()); ++i)
        p = std::max({p, std::abs(left[i]), std::abs(right[i])});
    return p;
}

TEST_F(CsoundTrackFactory, an_offline_render_plays_the_note_in_its_span_and_its_release_after_it) {
    // Two tracks share the orchestra (each its own Csound instance); at 120 bpm beat 2 is 1 s.
    const std::string orc = write("sine.orc", kOrchestra);
    Document doc;
    doc.tracks = {csound_track(1, orc, "Sine"), csound_track(2, orc, "Sine")};
    doc.tracks[0].notes = {Note{1, 2.0, 1.0, 69, 0.0, 100}};  // frames 48000 .. 72000
    doc.tracks[1].notes = {Note{2, 6.0, 0.5, 81, 0.0, 100}};  // frames 144000 .. 156000
    ASSERT_TRUE(check_instruments(doc).empty());
    OfflineRenderOptions options;
    options.sample_rate = 48000;
    options.block_frames = 256;
    options.max_tail_seconds = 10.0;
    std::string error;
    auto render = OfflineRender::create(doc, options, &error);
    ASSERT_TRUE(render) << error;
    std::vector<float> left, right, l(256), r(256);
    while (const int n = render->render_next(l.data(), r.data())) {
        left.insert(left.end(), l.begin(), l.begin() + n);
        right.insert(right.end(), r.begin(), r.begin() + n);
    }
    // The render ends with the last release's last sound (linsegr reaches 0 in its last control period
    // of 32 frames), long before the tail limit.
    ASSERT_GE(left.size(), 156000u + 4800u - 2 * 32u);
    EXPECT_LE(left.size(), 156000u + 4800u);
    EXPECT_TRUE(left.back() != 0.0f || right.back() != 0.0f) << "it ends on its last sound";
    // The strip pans the centre at -3 dB (constant power): a 0.5 sine peaks at 0.354.
    // Silence well before each note, its sound throughout its span, its release fading after its
    // end, then silence again.
    EXPECT_EQ(peak(left, right, 0, 47000), 0.0f);
    // With the engine's latency compensation each note starts on its very frame: a sine from phase 0
    // is 0 on its first sample and rises on the next.
    EXPECT_EQ(peak(left, right, 0, 48001), 0.0f);
    EXPECT_GT(left[48001], 0.0f);
    EXPECT_EQ(peak(left, right, 140000, 144001), 0.0f);
    EXPECT_GT(left[144001], 0.0f);
    for (std::size_t at = 49000; at < 71000; at += 1000)
        EXPECT_GT(peak(left, right, at, at + 1000), 0.3f) << "frame " << at;
    EXPECT_GT(peak(left, right, 73000, 74000), 0.0f) << "the release (linsegr) plays after the note-off";
    EXPECT_EQ(peak(left, right, 72000 + 4800 + 1000, 143000), 0.0f) << "the release ends after 0.1 s";
    for (std::size_t at = 145000; at < 155000; at += 1000)
        EXPECT_GT(peak(left, right, at, at + 1000), 0.3f) << "frame " << at;
    EXPECT_EQ(peak(left, right, std::min<std::size_t>(156000 + 4800 + 200, left.size()), left.size()), 0.0f);
    // The second track's note is an octave higher: twice the zero crossings of the first's.
    auto crossings = [&](std::size_t from, std::size_t to) {
        int n = 0;
        for (std::size_t i = from + 1; i < to; ++i) n += (left[i - 1] < 0.0f) != (left[i] < 0.0f);
        return n;
    };
    EXPECT_NEAR(crossings(50000, 60000), 2 * 440 * 10000 / 48000, 2);
    EXPECT_NEAR(crossings(146000, 156000), 2 * 880 * 10000 / 48000, 2);
}

}  // namespace
}  // namespace tactus
