// Real Standard MIDI Files nobody here wrote (tests/data/midi, provenance inside): every note's
// channel, pitch, velocity, start and end agree within 1 µs with an independent reader, Debian's
// python3-mido (tests/midi/mido_notes.py, run with /usr/bin/python3). The one file mido rejects is
// checked against expectations read from its annotated hex dump below.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "core/midi_convert.h"

namespace tactus {
namespace {

namespace fs = std::filesystem;

// Copied from ../shared/testdata/midi (provenance and licenses in tests/data/midi/PROVENANCE.md).
const fs::path kMidiDir = fs::path(TACTUS_SOURCE_DIR) / "tests" / "data" / "midi";

struct NoteLine {
    int channel = 0, pitch = 0, velocity = 0;
    double start_us = 0, end_us = 0;
};

std::string describe(const NoteLine& n) {
    std::ostringstream out;
    out << "ch " << n.channel << " pitch " << n.pitch << " vel " << n.velocity << " " << n.start_us << ".."
        << n.end_us << " us";
    return out.str();
}

void sort_notes(std::vector<NoteLine>& notes) {
    std::sort(notes.begin(), notes.end(), [](const NoteLine& a, const NoteLine& b) {
        return std::tie(a.start_us, a.channel, a.pitch, a.end_us, a.velocity) <
               std::tie(b.start_us, b.channel, b.pitch, b.end_us, b.velocity);
    });
}

// mido's reading; nullopt-like empty + status when mido rejects the file.
int mido_notes(const fs::path& file, std::vector<NoteLine>& out) {
    const std::string command = "/usr/bin/python3 '" + std::string(TACTUS_SOURCE_DIR) +
                                "/tests/midi/mido_notes.py' '" + file.string() + "' 2>/dev/null";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return -1;
    char line[256];
    while (std::fgets(line, sizeof line, pipe)) {
        NoteLine n;
        int track = 0;
        if (std::sscanf(line, "%d %d %d %d %lf %lf", &track, &n.channel, &n.pitch, &n.velocity, &n.start_us,
                        &n.end_us) == 6)
            out.push_back(n);
    }
    const int status = ::pclose(pipe);
    sort_notes(out);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::vector<NoteLine> our_notes(const fs::path& file) {
    const MidiImportResult imported = import_midi_file(file.string());
    EXPECT_TRUE(imported.document.has_value()) << imported.error;
    std::vector<NoteLine> out;
    if (!imported.document) return out;
    const Document& doc = *imported.document;
    for (const Track& t : doc.tracks)
        for (const Note& n : t.notes)
            out.push_back({t.midi_channel - 1, n.pitch, n.velocity, doc.tempo.seconds_at(n.start) * 1e6,
                           doc.tempo.seconds_at(n.end()) * 1e6});
    sort_notes(out);
    return out;
}

void expect_same_notes(const std::vector<NoteLine>& ours, const std::vector<NoteLine>& theirs,
                       const std::string& file) {
    ASSERT_EQ(ours.size(), theirs.size()) << file;
    for (std::size_t i = 0; i < ours.size(); ++i) {
        const NoteLine& a = ours[i];
        const NoteLine& b = theirs[i];
        EXPECT_TRUE(a.channel == b.channel && a.pitch == b.pitch && a.velocity == b.velocity &&
                    std::abs(a.start_us - b.start_us) <= 1.0 && std::abs(a.end_us - b.end_us) <= 1.0)
            << file << " note " << i << ": ours " << describe(a) << ", mido " << describe(b);
    }
}

TEST(MidiRealFiles, every_note_agrees_with_mido_within_a_microsecond) {
    ASSERT_TRUE(fs::is_directory(kMidiDir)) << kMidiDir;
    int compared = 0, notes = 0;
    for (const auto& entry : fs::directory_iterator(kMidiDir)) {
        if (entry.path().extension() != ".mid") continue;
        std::vector<NoteLine> theirs;
        const int status = mido_notes(entry.path(), theirs);
        if (status == 3) continue;  // mido rejects it: see the next test
        ASSERT_EQ(status, 0) << "python3-mido could not run on " << entry.path();
        expect_same_notes(our_notes(entry.path()), theirs, entry.path().filename().string());
        ++compared;
        notes += static_cast<int>(theirs.size());
    }
    EXPECT_GE(compared, 14);
    EXPECT_GT(notes, 1000);
}

// jazzsoft_test-running-status-sysex.mid, which mido 1.2.10 rejects. Its bytes (xxd), annotated:
//   0000: 4d546864 00000006 0000 0001 0060   MThd, 6 bytes: format 0, 1 track, 96 ticks per quarter
//   000e: 4d54726b 000000e6                  MTrk, 230 bytes
//   0016: 00 ff03 23 "Running status interrupted by SysEx"   track name
//   003d: 00 ff02 15 "https://jazz-soft.net"               copyright
//   0056: 00 ff01 43 "Running status is interrupted ..."    text
//   009d: 00 ff01 1e "You must hear a C-Major scale."       text
//   00bf: 00 90 3c 7f     tick 0:   note on ch 1, C4 (60), velocity 127 (status 0x90 set)
//   00c3: 60 3c 00        tick 96:  running status 0x90: C4 velocity 0 = off
//   00c6: 00 3e 7f  60 3e 00                   D4 (62) 96..192
//   00cc: 00 40 7f  60 40 00                   E4 (64) 192..288
//   00d2: 00 41 7f  60 41 00                   F4 (65) 288..384
//   00d8: 00 f0 05 7e 7f 06 01 f7              tick 384: sysex (identity request)
//   00e0: 00 43 7f  60 43 00                   G4 (67) 384..480: running status 0x90 across the sysex
//   00e6: 00 45 7f  60 45 00  00 47 7f  60 47 00  00 48 7f  60 48 00   A4 B4 C5 (69 71 72)
//   00f8: 00 ff 2f 00                          End of Track at tick 768
// So: 8 notes on channel 1, velocity 127, note k from tick 96k to 96(k+1); at the default 120 bpm
// (no tempo event) a quarter is 0.5 s: note k sounds from k·0.5 s to (k+1)·0.5 s.
TEST(MidiRealFiles, running_status_across_sysex_reads_as_its_hex_dump_says) {
    const fs::path file = kMidiDir / "jazzsoft_test-running-status-sysex.mid";
    std::vector<NoteLine> theirs;
    ASSERT_EQ(mido_notes(file, theirs), 3) << "mido now reads this file: compare with it instead";
    const std::vector<NoteLine> ours = our_notes(file);
    ASSERT_FALSE(ours.empty());
    const int pitches[] = {60, 62, 64, 65, 67, 69, 71, 72};
    ASSERT_EQ(ours.size(), std::size(pitches));
    for (std::size_t k = 0; k < ours.size(); ++k) {
        EXPECT_EQ(ours[k].channel, 0);
        EXPECT_EQ(ours[k].pitch, pitches[k]);
        EXPECT_EQ(ours[k].velocity, 127);
        EXPECT_NEAR(ours[k].start_us, 500000.0 * double(k), 1.0);
        EXPECT_NEAR(ours[k].end_us, 500000.0 * double(k + 1), 1.0);
    }
}

}  // namespace
}  // namespace tactus
