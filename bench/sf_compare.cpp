// sf_compare REFERENCE.wav CANDIDATE.wav: how alike two renders of the same music sound, by level
// (tests/support/level_compare.h, the measure the tests use): after FluidSynth's onset delay (one lag)
// and one gain factor are aligned, the per-50 ms-window level difference's median and 95th percentile.
// REFERENCE is FluidSynth's render, CANDIDATE Tactus's (any two stereo or mono files at one rate).
// Prints one line of name=value pairs (bench/soundfont_vs_fluidsynth.sh reads it):
//   median_db=0.41 p95_db=1.77 max_db=9.80 gain_db=-0.52 lag_frames=33 windows_judged=1096
//   windows_compared=1121
#include <sndfile.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "support/level_compare.h"

namespace {

struct Audio {
    std::vector<float> left, right;
    int rate = 0;
};

bool read_audio(const char* path, Audio* out) {
    SF_INFO info{};
    SNDFILE* file = sf_open(path, SFM_READ, &info);
    if (!file) {
        std::fprintf(stderr, "sf_compare: %s: %s\n", path, sf_strerror(nullptr));
        return false;
    }
    if (info.channels < 1 || info.channels > 2) {
        std::fprintf(stderr, "sf_compare: %s: %d channels (only mono and stereo are compared)\n", path,
                     info.channels);
        sf_close(file);
        return false;
    }
    std::vector<float> interleaved(static_cast<std::size_t>(info.frames) *
                                   static_cast<std::size_t>(info.channels));
    const sf_count_t got = sf_readf_float(file, interleaved.data(), info.frames);
    sf_close(file);
    out->rate = info.samplerate;
    out->left.resize(static_cast<std::size_t>(got));
    out->right.resize(static_cast<std::size_t>(got));
    for (std::size_t i = 0; i < out->left.size(); ++i) {
        out->left[i] = interleaved[i * static_cast<std::size_t>(info.channels)];
        out->right[i] = interleaved[i * static_cast<std::size_t>(info.channels) + (info.channels - 1)];
    }
    return true;
}

int usage() {
    std::fprintf(
        stderr,
        "usage: sf_compare [--whole] [--floor-db DB] [--tolerance FRAMES] [--lag-curve]\n"
        "                  REFERENCE.wav CANDIDATE.wav\n"
        "  --whole             judge up to the later end (default: up to the earlier end)\n"
        "  --floor-db DB       windows both this far under the loudest are not judged (default 60)\n"
        "  --tolerance FRAMES  how far a window may move to forgive a note's own start (default 64)\n"
        "  --lag-curve         first print the envelopes' correlation at every 4th lag (\"lag r\")\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    tactus::test::LevelCompareOptions options;
    std::vector<const char*> files;
    bool lag_curve = false;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--whole") == 0) {
            options.overlap_only = false;
        } else if (std::strcmp(argv[i], "--tolerance") == 0 && i + 1 < argc) {
            options.onset_tolerance_frames = std::atoi(argv[++i]);
        } else if (std::strcmp(argv[i], "--lag-curve") == 0) {
            lag_curve = true;
        } else if (std::strcmp(argv[i], "--floor-db") == 0 && i + 1 < argc) {
            options.floor_db = std::atof(argv[++i]);
        } else if (argv[i][0] == '-') {
            return usage();
        } else {
            files.push_back(argv[i]);
        }
    }
    if (files.size() != 2) return usage();
    Audio reference, candidate;
    if (!read_audio(files[0], &reference) || !read_audio(files[1], &candidate)) return 1;
    if (reference.rate != candidate.rate) {
        std::fprintf(stderr, "sf_compare: the files' rates differ (%d and %d Hz)\n", reference.rate,
                     candidate.rate);
        return 1;
    }
    options.sample_rate = reference.rate;
    const auto view = [](const Audio& a) {
        return tactus::test::StereoView{a.left.data(), a.right.data(), a.left.size()};
    };
    if (lag_curve) {
        const std::vector<double> curve =
            tactus::test::lag_correlations(view(reference), view(candidate), options);
        for (std::size_t i = 0; i < curve.size(); i += 4)
            std::printf("%d %.6f\n", static_cast<int>(i) - options.max_lag_frames, curve[i]);
    }
    const auto r = tactus::test::compare_levels(view(reference), view(candidate), options);
    std::printf(
        "median_db=%.2f p95_db=%.2f max_db=%.2f gain_db=%.2f lag_frames=%d windows_judged=%zu "
        "windows_compared=%zu\n",
        r.median_db, r.p95_db, r.max_db, r.gain_db, r.lag_frames, r.windows_judged, r.windows_compared);
    return 0;
}
