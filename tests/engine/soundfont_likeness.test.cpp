// Tactus's SoundFont instrument sounds like FluidSynth (issue 14, docs/soundfont.md "Measuring likeness
// to FluidSynth"): the first seconds of real MIDI files, rendered by FluidSynth (reverb and chorus off)
// and by Tactus's OfflineRender with the same font, presets chosen as the MIDI file's program changes
// choose them: over 50 ms windows, after FluidSynth's onset delay and one gain are aligned, the level
// difference has a median <= 1 dB and a p95 <= 3 dB (tests/support/level_compare.h). And the measure
// can fail: Tactus's built-in sine preset playing the same notes does not pass.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "core/document_json.h"
#include "core/midi_convert.h"
#include "core/midi_file.h"
#include "support/fluidsynth_render.h"
#include "support/level_compare.h"
#include "support/render_helpers.h"

namespace tactus::test {
namespace {

namespace fs = std::filesystem;

constexpr double kRate = 48000.0;
constexpr double kExcerptSeconds = 8.0;
const std::string kFont = "/usr/share/sounds/sf2/FluidR3_GM.sf2";

std::string midi_file(const std::string& name) {
    return std::string(TACTUS_SOURCE_DIR) + "/tests/data/midi/" + name;
}

// The file's first `seconds` (metrical files): every event before that tick, and a note-off there for
// each note still sounding; every track ends there.
MidiFile excerpt(const MidiFile& file, const TempoMap& tempo, double seconds) {
    const auto cut = static_cast<std::uint64_t>(tempo.beat_at(seconds) * file.division.ticks_per_quarter);
    MidiFile out = file;
    for (MidiTrackChunk& track : out.tracks) {
        std::map<std::pair<int, int>, int> sounding;  // (channel, key) -> notes on
        std::vector<MidiEvent> kept;
        for (const MidiEvent& e : track.events) {
            if (e.tick >= cut) break;
            kept.push_back(e);
            if (e.kind != MidiEventKind::Channel || e.data.size() < 2) continue;
            const auto key = std::make_pair(e.channel(), int{e.data[0]});
            if (e.type() == 0x90 && e.data[1] > 0) ++sounding[key];
            if ((e.type() == 0x80 || (e.type() == 0x90 && e.data[1] == 0)) && sounding[key] > 0)
                --sounding[key];
        }
        for (const auto& [key, count] : sounding)
            for (int n = 0; n < count; ++n) {
                MidiEvent off;
                off.tick = cut;
                off.status = static_cast<std::uint8_t>(0x80 | key.first);
                off.data = {static_cast<std::uint8_t>(key.second), 0};
                kept.push_back(off);
            }
        track.events = std::move(kept);
        track.end_tick = cut;
    }
    return out;
}

class SoundFontLikeness : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(fs::exists(kFont))
            << kFont << " is missing: install Debian's fluid-soundfont-gm (make deps)";
        dir_ = fs::temp_directory_path() / ("tactus-soundfont-likeness-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    struct Excerpt {
        std::string path;  // empty when it could not be written
        Document doc;
    };

    // Writes the first kExcerptSeconds of tests/data/midi/NAME; returns its path and its document.
    Excerpt write_excerpt(const std::string& name) {
        const MidiReadResult read = read_midi_file(midi_file(name));
        EXPECT_TRUE(read.file) << read.error;
        LoadResult whole = load_document_file(midi_file(name));
        EXPECT_TRUE(whole.document);
        if (!read.file || !whole.document) return Excerpt();
        const MidiFile cut = excerpt(*read.file, whole.document->tempo, kExcerptSeconds);
        const std::vector<std::uint8_t> bytes = serialise_midi(cut);
        const fs::path path = dir_ / name;
        FILE* out = std::fopen(path.c_str(), "wb");
        EXPECT_NE(out, nullptr);
        if (!out) return Excerpt();
        std::fwrite(bytes.data(), 1, bytes.size(), out);
        std::fclose(out);
        LoadResult loaded = load_document_file(path.string());
        EXPECT_TRUE(loaded.document) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
        if (!loaded.document) return Excerpt();
        EXPECT_GT(loaded.document->note_count(), 10u);
        return Excerpt{path.string(), std::move(*loaded.document)};
    }

    // FluidSynth's render of `midi_path` (with its tails: Tactus renders them too) against Tactus's
    // render of `doc`.
    LevelComparison compare(const std::string& midi_path, const Document& doc) {
        FluidSynthRenderOptions fluid;
        fluid.render_tail = true;
        const FluidSynthAudio reference = render_with_fluidsynth(midi_path, kFont, fluid);
        EXPECT_EQ(reference.error, "");
        const StereoAudio ours = render_offline(doc, kRate);
        LevelCompareOptions options;
        options.overlap_only = false;  // both rendered their tails: judge every window
        const LevelComparison r =
            compare_levels({reference.left.data(), reference.right.data(), reference.left.size()},
                           {ours.left.data(), ours.right.data(), ours.left.size()}, options);
        // Each excerpt sounds for more than 2.5 s (the drum kit's hits are short): over 50 windows judged.
        EXPECT_GT(r.windows_judged, 50u);
        std::printf(
            "  %s: median %.2f dB, p95 %.2f dB, gain %.2f dB, lag %d frames, %zu of %zu windows judged\n",
            fs::path(midi_path).filename().c_str(), r.median_db, r.p95_db, r.gain_db, r.lag_frames,
            r.windows_judged, r.windows_compared);
        return r;
    }

    fs::path dir_;
};

// Every imported track on the font, as `tactus render song.mid` gives them: the preset of the track's
// first program change, the percussion bank on channel 10.
Document with_soundfont_tracks(Document doc) {
    assign_general_midi_instruments(doc, kFont);
    return doc;
}

Document with_sine_tracks(Document doc) {
    for (Track& t : doc.tracks) {
        t.instrument = "synth";
        t.preset = "sine";
    }
    return doc;
}

// On a piano piece a sine comes close (the 8 s of the Bach prelude: median 0.86 dB, p95 2.38 dB, within
// the bar: level alone does not hear timbre, docs/soundfont.md); on files with several instruments,
// drums or held chords it is far off.
TEST_F(SoundFontLikeness, a_sine_playing_the_same_notes_is_judged_unlike_fluidsynth) {
    for (const std::string name :
         {"jazzsoft_test-multichannel-chords-1.mid", "jazzsoft_test-karaoke-kar.mid"}) {
        SCOPED_TRACE(name);
        const auto [path, doc] = write_excerpt(name);
        ASSERT_FALSE(path.empty());
        const LevelComparison r = compare(path, with_sine_tracks(doc));
        EXPECT_GT(r.median_db, 2.0);
        EXPECT_GT(r.p95_db, 10.0);
    }
}

TEST_F(SoundFontLikeness, sounds_like_fluidsynth_on_real_midi_files) {
    for (const std::string name : {"craigsapp_wtc2p02.mid", "jazzsoft_test-all-gm-percussion.mid",
                                   "jazzsoft_test-multichannel-chords-1.mid"}) {
        SCOPED_TRACE(name);
        const auto [path, doc] = write_excerpt(name);
        ASSERT_FALSE(path.empty());
        const Document ours = with_soundfont_tracks(doc);
        ASSERT_EQ(ours.tracks.size(), doc.tracks.size());
        for (const Track& t : ours.tracks) ASSERT_EQ(t.instrument, "soundfont");
        const LevelComparison r = compare(path, ours);
        EXPECT_LE(r.median_db, 1.0);
        EXPECT_LE(r.p95_db, 3.0);
    }
}

}  // namespace
}  // namespace tactus::test
