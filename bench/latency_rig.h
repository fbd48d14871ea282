// What the JACK latency benchmarks (audition_latency.cpp, edit_latency.cpp) share: a private
// `jackd -d dummy` at the period asked for, this build's tactusd on it (with --immediate asap if asked),
// a document of one click track and no notes (so that only what a benchmark sends sounds), a recorder
// on tactusd's outputs (tests/support/jack_recorder.h), the first onset after a send, and percentiles.
// What fails is printed to stderr the way the benchmarks report it ("jackd: ...").
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/document_json.h"
#include "support/jack_recorder.h"
#include "support/jack_server.h"
#include "support/score_builder.h"
#include "support/tactusd_process.h"

#ifndef TACTUS_DAEMON_PATH
#error "TACTUS_DAEMON_PATH must name the tactusd executable"
#endif

namespace tactus::bench {

class LatencyRig {
public:
    // Starts jackd and tactusd on it; ok() says whether both run (the reason is printed if not).
    LatencyRig(int period, bool asap) {
        test::JackServerOptions jack;
        jack.period = period;
        server_ = std::make_unique<test::JackServer>(jack);
        if (!server_->running()) {
            std::fprintf(stderr, "jackd: %s\n", server_->error().c_str());
            return;
        }
        test::TactusdOptions options;
        options.daemon_path = TACTUS_DAEMON_PATH;
        options.jack_server = server_->name();
        if (asap) options.extra_args = {"--immediate", "asap"};
        tactusd_ = std::make_unique<test::TactusdProcess>(options);
        if (!tactusd_->running()) {
            std::fprintf(stderr, "tactusd: %s\n", tactusd_->error().c_str());
            return;
        }
        ok_ = true;
    }

    bool ok() const { return ok_; }
    test::JackServer& server() { return *server_; }
    test::TactusdProcess& tactusd() { return *tactusd_; }

    // One click track hard left and no notes, saved as "<stem>-<server name>.json" in the temporary
    // directory: its path, for the benchmark to /load and remove; "" (the reason printed) on failure.
    std::string save_click_track(const std::string& stem) const {
        Document doc;
        doc.tracks.push_back(test::track(1, "click", {}, -1.0));
        const std::string path =
            (std::filesystem::temp_directory_path() / (stem + "-" + server_->name() + ".json")).string();
        std::string error;
        if (!save_document_file(doc, path, &error)) {
            std::fprintf(stderr, "%s\n", error.c_str());
            return {};
        }
        return path;
    }

    // A recorder on tactusd's outputs with room for `seconds`, recording from now on; nullptr (the
    // reason printed) when it cannot.
    test::JackRecorder* start_recorder(double seconds) {
        test::JackRecorderOptions options;
        options.server = server_->name();
        options.seconds = seconds;
        recorder_ = std::make_unique<test::JackRecorder>(options);
        if (!recorder_->ok() || !recorder_->start()) {
            std::fprintf(stderr, "recorder: %s\n", recorder_->error().c_str());
            return nullptr;
        }
        return recorder_.get();
    }

private:
    bool ok_ = false;
    std::unique_ptr<test::JackServer> server_;  // first: outlives tactusd and the recorder
    std::unique_ptr<test::TactusdProcess> tactusd_;
    std::unique_ptr<test::JackRecorder> recorder_;
};

// The first of `onsets` (in frame order, as OnsetScan gives them) in [from, to], if any.
inline std::optional<test::JackFrame> first_onset(const std::vector<test::JackFrame>& onsets,
                                                  test::JackFrame from, test::JackFrame to) {
    const auto it = std::lower_bound(onsets.begin(), onsets.end(), from);
    if (it == onsets.end() || *it > to) return std::nullopt;
    return *it;
}

struct Percentiles {
    std::size_t count = 0;
    double min = 0, median = 0, p99 = 0, max = 0;
};

// Of `values` (all 0 when there are none): percentile p is the sorted value at index p * count.
inline Percentiles percentiles(std::vector<double> values) {
    Percentiles s;
    if (values.empty()) return s;
    std::sort(values.begin(), values.end());
    const auto at = [&](double p) {
        return values[std::min(values.size() - 1, std::size_t(p * double(values.size())))];
    };
    s.count = values.size();
    s.min = values.front();
    s.median = at(0.5);
    s.p99 = at(0.99);
    s.max = values.back();
    return s;
}

}  // namespace tactus::bench
