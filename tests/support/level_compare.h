// How alike two renders of the same music sound, judged by level: the measure behind "sounds like
// FluidSynth" (docs/soundfont.md, "Measuring likeness to FluidSynth"). Used by the test that renders a
// MIDI excerpt with both synths and by bench/sf_compare, so that both judge with the same code.
//
// The steps, on two stereo signals at the same rate (the reference is FluidSynth's render):
//  1. One overall lag: FluidSynth's notes do not start on their frames (its synth starts them on 64-frame
//     block boundaries, its file player hands them over by a clock of whole milliseconds: they scatter
//     from some frames early to two blocks late); the lag that best lines up the two 1 ms level
//     envelopes (Pearson correlation of their dB values, so the gain does not matter) within
//     +-max_lag_frames is their mean displacement.
//  2. Levels over 50 ms windows: RMS of both channels, in dB.
//  3. One overall gain: the median of the per-window dB differences over the loud windows.
//  4. The per-window |difference| after that gain (each window forgiving FluidSynth's own scatter of
//     note starts, onset_tolerance_frames): its median and 95th percentile, over the windows where at
//     least one signal is above a floor 60 dB under the loudest window.
//
// Threading: plain functions of their arguments; any thread.
#pragma once

#include <cstddef>
#include <vector>

namespace tactus::test {

// Non-interleaved stereo samples (not owned).
struct StereoView {
    const float* left = nullptr;
    const float* right = nullptr;
    std::size_t frames = 0;
};

struct LevelCompareOptions {
    double sample_rate = 48000.0;
    double window_seconds = 0.050;    // the level windows that are judged
    double envelope_seconds = 0.001;  // the envelopes that find the lag
    int max_lag_frames = 200;         // the lag is searched in -max..+max
    // Windows where both signals are this far under the loudest window are not judged. 60 dB: the
    // usual span of audibility under a loud passage (the "decay to -60 dB" of reverberation time), and
    // where release tails end: a tail's dB difference grows without bound as it fades (a slightly
    // different release rate gives 20 dB at -80 dB), while nobody hears it under the music.
    double floor_db = 60.0;
    // The gain is set by the windows where both signals are within this of their own loudest window:
    // there both are well above any tail or noise, so their difference is the gain, not the decay.
    double gain_range_db = 30.0;
    // FluidSynth's notes do not start where the file puts them but scatter around that frame, each by
    // its own amount: its synth starts notes on 64-frame block boundaries and its file player hands
    // them over by a clock of whole milliseconds (docs/soundfont.md measures -15..+127 frames). One lag
    // cannot align them all, so a window's difference is the smallest with the candidate's window
    // moved by up to this many frames either way from the lag: one 64-frame block, 1.3 ms, under 3% of
    // a 50 ms window. Moving a window never makes a missing note or a wrong level match; it only
    // forgives a note's own displacement. 0: judge at the lag only.
    int onset_tolerance_frames = 64;
    // Judge only the span both signals cover (from the start to the earlier end, after the lag). A
    // render that stops early (FluidSynth's file renderer stops with the MIDI file, cutting the last
    // release tails) is not blamed for the other's tail; notes missing before that end still count.
    bool overlap_only = true;
};

struct LevelComparison {
    double median_db = 0.0;  // median of |level difference| over the judged windows
    double p95_db = 0.0;     // its 95th percentile (nearest rank)
    double max_db = 0.0;     // the largest
    double gain_db = 0.0;    // applied to the candidate to match the reference
    double gain = 1.0;       // the same, as a factor
    // Frames by which the reference sounds later than the candidate (positive: FluidSynth late).
    int lag_frames = 0;
    std::size_t windows_compared = 0;  // windows in the compared span
    std::size_t windows_judged = 0;    // of those, above the floor (the median and p95 are over these)
};

// `reference`: FluidSynth's render; `candidate`: Tactus's. With no window above the floor (silence),
// windows_judged is 0 and the figures are 0: callers check windows_judged.
LevelComparison compare_levels(StereoView reference, StereoView candidate,
                               const LevelCompareOptions& options = {});

// How well the 1 ms dB envelopes correlate (Pearson) at every lag from -max_lag_frames to +max_lag_frames
// (index lag + max_lag_frames; NaN where undefined): compare_levels takes the best. Each envelope is
// floored floor_db under its own loudest millisecond so that silence does not swamp the correlation;
// the correlation ignores a constant dB offset, the gain. Only the span both signals cover counts.
std::vector<double> lag_correlations(StereoView reference, StereoView candidate,
                                     const LevelCompareOptions& options = {});

// The per-window levels in dB (RMS of both channels) of frames [start, start + windows * window), frames
// outside the signal counting as silence; silence is -400 dB. Exposed for tests and tools.
std::vector<double> window_levels_db(StereoView signal, long long start, std::size_t windows,
                                     std::size_t window_frames);

}  // namespace tactus::test
