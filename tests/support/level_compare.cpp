#include "support/level_compare.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tactus::test {

namespace {

constexpr double kSilenceDb = -400.0;

double mean_square_to_db(double mean_square) {
    return mean_square > 0.0 ? 10.0 * std::log10(mean_square) : kSilenceDb;
}

// The mean of (L^2 + R^2) / 2 over frames [start, start + length), frames outside the signal silent.
double mean_square(StereoView s, long long start, std::size_t length) {
    const long long first = std::max(start, 0LL);
    const long long last = std::min(start + static_cast<long long>(length), static_cast<long long>(s.frames));
    double sum = 0.0;
    for (long long i = first; i < last; ++i) {
        const double l = s.left[i], r = s.right[i];
        sum += l * l + r * r;
    }
    return sum / (2.0 * static_cast<double>(length));
}

// dB level of the `length`-frame window starting at every frame from `first` on, `count` of them:
// a running sum, recomputed exactly now and then so that rounding cannot build up.
std::vector<float> sliding_levels_db(StereoView s, long long first, std::size_t count, std::size_t length) {
    std::vector<float> out(count);
    const auto energy = [&](long long i) {
        if (i < 0 || i >= static_cast<long long>(s.frames)) return 0.0;
        const double l = s.left[i], r = s.right[i];
        return (l * l + r * r) / 2.0;
    };
    double sum = 0.0;
    for (std::size_t n = 0; n < count; ++n) {
        const long long start = first + static_cast<long long>(n);
        if (n % 4096 == 0) {
            sum = mean_square(s, start, length) * static_cast<double>(length);
        } else {
            sum += energy(start + static_cast<long long>(length) - 1) - energy(start - 1);
        }
        out[n] = static_cast<float>(mean_square_to_db(std::max(sum, 0.0) / static_cast<double>(length)));
    }
    return out;
}

double median_of(std::vector<double> values) {
    if (values.empty()) return 0.0;
    const std::size_t mid = values.size() / 2;
    std::nth_element(values.begin(), values.begin() + static_cast<long>(mid), values.end());
    const double upper = values[mid];
    if (values.size() % 2 == 1) return upper;
    const double lower = *std::max_element(values.begin(), values.begin() + static_cast<long>(mid));
    return (lower + upper) / 2.0;
}

// Nearest rank: the smallest value with at least p of the values at or below it.
double percentile_of(std::vector<double> values, double p) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

}  // namespace

std::vector<double> lag_correlations(StereoView reference, StereoView candidate,
                                     const LevelCompareOptions& options) {
    const auto env =
        static_cast<std::size_t>(std::max(1.0, std::round(options.envelope_seconds * options.sample_rate)));
    const long long max_lag = std::max(0, options.max_lag_frames);
    // Over the span both cover: where one has stopped (FluidSynth's file renderer stops with the file,
    // cutting tails) the other's sound says nothing about the lag, and would pull it.
    const std::size_t windows = std::min(reference.frames, candidate.frames) / env;
    const std::size_t lags = 2 * static_cast<std::size_t>(max_lag) + 1;
    std::vector<double> correlations(lags, std::numeric_limits<double>::quiet_NaN());
    if (windows < 2) return correlations;

    std::vector<double> x = window_levels_db(reference, 0, windows, env);
    // The candidate's envelope at every start frame the search can ask for: [-max_lag, windows * env +
    // max_lag).
    const std::size_t starts = windows * env + 2 * static_cast<std::size_t>(max_lag);
    std::vector<float> y = sliding_levels_db(candidate, -max_lag, starts, env);

    const double x_floor = *std::max_element(x.begin(), x.end()) - options.floor_db;
    const float y_floor = *std::max_element(y.begin(), y.end()) - static_cast<float>(options.floor_db);
    double sum_x = 0.0, sum_xx = 0.0;
    for (double& v : x) {
        v = std::max(v, x_floor);
        sum_x += v;
        sum_xx += v * v;
    }
    for (float& v : y) v = std::max(v, y_floor);
    const double n = static_cast<double>(windows);
    const double var_x = sum_xx - sum_x * sum_x / n;
    if (var_x <= 0.0) return correlations;

    // Sums for every lag at once, lag = max_lag - j: the candidate's window k for that lag starts at
    // k * env - lag, stored at index k * env + j (contiguous in j, so the inner loop vectorises).
    std::vector<double> sum_y(lags), sum_yy(lags), sum_xy(lags);
    for (std::size_t k = 0; k < windows; ++k) {
        const float* row = y.data() + k * env;
        const double xk = x[k];
        for (std::size_t j = 0; j < lags; ++j) {
            const double v = row[j];
            sum_y[j] += v;
            sum_yy[j] += v * v;
            sum_xy[j] += xk * v;
        }
    }
    for (std::size_t j = 0; j < lags; ++j) {
        const double var_y = sum_yy[j] - sum_y[j] * sum_y[j] / n;
        if (var_y > 0.0)
            correlations[lags - 1 - j] = (sum_xy[j] - sum_x * sum_y[j] / n) / std::sqrt(var_x * var_y);
    }
    return correlations;
}

namespace {

// The lag (frames the reference is later than the candidate) whose envelopes correlate best.
int find_lag(StereoView reference, StereoView candidate, const LevelCompareOptions& options) {
    const std::vector<double> r = lag_correlations(reference, candidate, options);
    const long long max_lag = std::max(0, options.max_lag_frames);
    int best_lag = 0;
    double best_r = -std::numeric_limits<double>::infinity();
    // 0, 1, -1, 2, -2, ...: on a tie the smaller lag wins (NaN, no correlation, never wins).
    for (long long step = 0; step <= 2 * max_lag; ++step) {
        const long long lag = (step % 2 == 1) ? (step + 1) / 2 : -(step / 2);
        const double v = r[static_cast<std::size_t>(lag + max_lag)];
        if (v > best_r) {
            best_r = v;
            best_lag = static_cast<int>(lag);
        }
    }
    return best_lag;
}

}  // namespace

std::vector<double> window_levels_db(StereoView signal, long long start, std::size_t windows,
                                     std::size_t window_frames) {
    std::vector<double> levels(windows);
    for (std::size_t k = 0; k < windows; ++k)
        levels[k] = mean_square_to_db(
            mean_square(signal, start + static_cast<long long>(k * window_frames), window_frames));
    return levels;
}

LevelComparison compare_levels(StereoView reference, StereoView candidate,
                               const LevelCompareOptions& options) {
    LevelComparison result;
    result.lag_frames = find_lag(reference, candidate, options);
    const long long lag = result.lag_frames;

    // Windows on the reference's frames; the candidate's window k starts at k * window - lag.
    const auto window =
        static_cast<std::size_t>(std::max(1.0, std::round(options.window_seconds * options.sample_rate)));
    const long long ref_end = static_cast<long long>(reference.frames);
    const long long cand_end = static_cast<long long>(candidate.frames) + lag;
    const long long span = options.overlap_only ? std::min(ref_end, cand_end) : std::max(ref_end, cand_end);
    const std::size_t windows =
        span <= 0 ? 0
                  : (options.overlap_only ? static_cast<std::size_t>(span) / window
                                          : (static_cast<std::size_t>(span) + window - 1) / window);
    result.windows_compared = windows;
    if (windows == 0) return result;

    const std::vector<double> a = window_levels_db(reference, 0, windows, window);
    const std::vector<double> b = window_levels_db(candidate, -lag, windows, window);
    const double max_a = *std::max_element(a.begin(), a.end());
    const double max_b = *std::max_element(b.begin(), b.end());
    if (max_a <= kSilenceDb && max_b <= kSilenceDb) return result;

    // The gain: the median difference over the loud windows. The median, not a least-squares fit:
    // a few windows where one synth plays a note differently (another sample layer, a missing note)
    // would pull a mean by their whole error, the median not at all; and the median dB difference is
    // the gain that minimises the mean |dB difference|, the figure judged below.
    std::vector<double> differences;
    for (std::size_t k = 0; k < windows; ++k)
        if (a[k] >= max_a - options.gain_range_db && b[k] >= max_b - options.gain_range_db)
            differences.push_back(a[k] - b[k]);
    if (differences.empty())
        for (std::size_t k = 0; k < windows; ++k)
            if (a[k] >= max_a - options.floor_db && b[k] >= max_b - options.floor_db)
                differences.push_back(a[k] - b[k]);
    if (!differences.empty()) {
        result.gain_db = median_of(differences);
    } else if (max_a > kSilenceDb && max_b > kSilenceDb) {
        result.gain_db = max_a - max_b;  // the two never sound together: match their loudest windows
    }
    result.gain = std::pow(10.0, result.gain_db / 20.0);

    const double floor = std::max(max_a, max_b + result.gain_db) - options.floor_db;
    const long long tolerance = std::max(0, options.onset_tolerance_frames);
    std::vector<double> judged;
    for (std::size_t k = 0; k < windows; ++k) {
        const double level_a = std::max(a[k], floor);
        if (a[k] <= floor && b[k] + result.gain_db <= floor) continue;
        // The candidate's window as aligned, or moved by up to the tolerance: the closest level.
        double difference = std::abs(level_a - std::max(b[k] + result.gain_db, floor));
        if (tolerance > 0 && difference > 0.0) {
            const long long start = static_cast<long long>(k * window) - lag - tolerance;
            for (const float level_b :
                 sliding_levels_db(candidate, start, 2 * static_cast<std::size_t>(tolerance) + 1, window))
                difference =
                    std::min(difference, std::abs(level_a - std::max(level_b + result.gain_db, floor)));
        }
        judged.push_back(difference);
    }
    result.windows_judged = judged.size();
    if (judged.empty()) return result;
    result.median_db = median_of(judged);
    result.p95_db = percentile_of(judged, 0.95);
    result.max_db = *std::max_element(judged.begin(), judged.end());
    return result;
}

}  // namespace tactus::test
