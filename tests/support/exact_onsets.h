// The check behind every "each note starts on its frame" test: a score of 1,100 short notes over
// tempo jumps and ramps (many on exact .5 frame positions), whose onsets in a rendered channel must
// be exactly the frames the test's own reading of timing.md gives (support/reference_timing.h), and
// the same score played by tactusd on its offline backend.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "audio/audio_file_writer.h"
#include "core/document_json.h"
#include "support/cli_run.h"
#include "support/reference_timing.h"
#include "support/render_helpers.h"
#include "support/score_builder.h"

namespace tactus::test {

// 120 bpm, a jump to 75, a ramp 75 -> 200, 200, a ramp 200 -> 110, then an awkward 97.3.
inline const std::vector<RefTempoPoint> kOnsetTempo = {
    {0, 120, false},  {40, 75, false},   {60, 75, true},     {100, 200, false},
    {140, 200, true}, {180, 110, false}, {200, 97.3L, false}};

// The onset score's tempo map and notes (1/32-beat notes every quarter, offset on a 1/128-beat grid:
// at 120 bpm its odd steps land on exact .5 frames), for a track the caller gives its instrument.
inline Document onset_score(Track track) {
    std::vector<TempoPoint> points;
    for (const auto& p : kOnsetTempo) points.push_back({double(p.beat), double(p.bpm), p.ramp});
    Document doc;
    doc.tempo = tempo_map(points);
    std::mt19937 rng(20261206);
    std::uniform_int_distribution<int> offset_steps(0, 16), pitch(48, 84);
    NoteId id = 1;
    track.notes.clear();
    for (double beat = 0; beat < 275; beat += 0.25)
        track.notes.push_back(note(id++, beat + offset_steps(rng) / 128.0, 1.0 / 32, pitch(rng)));
    doc.tracks.push_back(std::move(track));
    return doc;
}

// Every onset of `channel` against the reference frames of the first track's notes.
inline void expect_exact_onsets(const Document& doc, const std::vector<float>& channel, double rate) {
    const ReferenceTiming ref(kOnsetTempo);
    std::vector<std::int64_t> expected;
    int half_frames = 0;
    for (const Note& n : doc.tracks[0].notes) {
        const long double exact = ref.seconds_at(n.start) * rate;
        if (exact - std::floor(exact) == 0.5L) ++half_frames;
        expected.push_back(ref.frame_at(n.start, rate));
    }
    ASSERT_GE(expected.size(), 1000u);
    EXPECT_GE(half_frames, 20) << "too few notes on exact .5 frame positions";
    const std::vector<std::int64_t> found = onsets(channel);
    ASSERT_EQ(found.size(), expected.size()) << "every note must start after silence";
    std::int64_t worst = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        worst = std::max(worst, std::abs(found[i] - expected[i]));
        if (found[i] != expected[i])
            ADD_FAILURE() << "note " << i << " at beat " << doc.tracks[0].notes[i].start
                          << ": expected frame " << expected[i] << ", found " << found[i];
    }
    EXPECT_EQ(worst, 0) << "largest onset error in samples";
}

// The left channel of `doc` played by tactusd on its offline backend at 48 kHz with `period`
// (saved to dir/song.json, recorded to dir/out.wav); empty with a test failure when it did not run.
inline std::vector<float> tactusd_left_channel(const Document& doc, int period,
                                               const std::filesystem::path& dir) {
    const std::filesystem::path song = dir / "song.json", out = dir / "out.wav";
    std::string error;
    if (!save_document_file(doc, song.string(), &error)) {
        ADD_FAILURE() << error;
        return {};
    }
    const ReferenceTiming ref(kOnsetTempo);
    const double seconds = double(ref.seconds_at(doc.tracks[0].notes.back().end())) + 0.5;
    const std::string command = std::string(TACTUS_DAEMON_PATH) + " --audio offline --out " + out.string() +
                                " --rate 48000 --period " + std::to_string(period) + " --seconds " +
                                std::to_string(seconds) + " --listen 127.0.0.1:0 --no-socket --load " +
                                song.string() + " --play 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) {
        ADD_FAILURE() << "cannot run " << command;
        return {};
    }
    const CliRun run = finish_run(pipe);
    if (run.exit_code != 0) {
        ADD_FAILURE() << run.output;
        return {};
    }
    const auto file = read_audio_file(out.string(), &error);
    if (!file || file->sample_rate != 48000) {
        ADD_FAILURE() << "cannot read " << out << ": " << error;
        return {};
    }
    std::vector<float> left(static_cast<std::size_t>(file->frames()));
    for (std::size_t i = 0; i < left.size(); ++i) left[i] = file->samples[std::size_t(file->channels) * i];
    return left;
}

}  // namespace tactus::test
