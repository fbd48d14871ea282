#include "support/jack_recorder.h"

#include <jack/jack.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <thread>

namespace tactus::test {

JackRecorder::JackRecorder(JackRecorderOptions options) : options_(std::move(options)) {
    jack_status_t status{};
    client_ = jack_client_open(options_.client_name.c_str(),
                               static_cast<jack_options_t>(JackNoStartServer | JackServerName), &status,
                               options_.server.c_str());
    if (!client_) {
        error_ = "recorder: cannot open a client on JACK server '" + options_.server + "' (status " +
                 std::to_string(static_cast<unsigned>(status)) + ")";
        return;
    }
    const char* names[2] = {"in_left", "in_right"};
    for (int ch = 0; ch < 2; ++ch) {
        inputs_[ch] = jack_port_register(client_, names[ch], JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        if (!inputs_[ch]) {
            error_ = std::string("recorder: cannot register port ") + names[ch];
            return;
        }
    }
    sample_rate_ = static_cast<int>(jack_get_sample_rate(client_));
    period_ = static_cast<int>(jack_get_buffer_size(client_));
    const auto capacity = static_cast<std::size_t>(std::ceil(options_.seconds * sample_rate_));
    for (auto& channel : samples_) channel.assign(capacity, 0.0f);  // touched now: no page faults later
    cycles_.assign(capacity / static_cast<std::size_t>(std::max(period_, 1)) + 64, RecordedCycle{});
    jack_set_process_callback(client_, &JackRecorder::on_process, this);
    jack_set_xrun_callback(client_, &JackRecorder::on_xrun, this);
}

JackRecorder::~JackRecorder() {
    stop();
    if (client_) jack_client_close(client_);
}

bool JackRecorder::start() {
    if (!ok()) return false;
    if (jack_activate(client_) != 0) {
        error_ = "recorder: cannot activate the client";
        return false;
    }
    active_ = true;
    const char* sources[2] = {"out_left", "out_right"};
    for (int ch = 0; ch < 2; ++ch) {
        const std::string source = options_.source_client + ":" + sources[ch];
        const int result = jack_connect(client_, source.c_str(), jack_port_name(inputs_[ch]));
        if (result != 0 && result != EEXIST) {
            error_ = "recorder: cannot connect " + source + " to " + jack_port_name(inputs_[ch]);
            return false;
        }
    }
    return true;
}

void JackRecorder::stop() {
    if (!active_) return;
    jack_deactivate(client_);
    active_ = false;
    update_timeline();
}

void JackRecorder::update_timeline() {
    // Keep the cycles that overlap no other: a frame time that did not advance makes both ambiguous.
    const std::size_t n = published();
    std::vector<bool> keep(n, true);
    for (std::size_t i = 1; i < n; ++i) {
        if (cycles_[i].frame_time >= cycles_[i - 1].end()) continue;
        for (std::size_t j = 0; j < i; ++j)
            if (cycles_[j].end() > cycles_[i].frame_time && cycles_[j].frame_time < cycles_[i].end())
                keep[j] = false;
        keep[i] = false;
    }
    // A cycle run more than a period after its cycle began, or the first after a gap, may carry another
    // frame time's audio: left out too.
    std::vector<bool> late(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        const RecordedCycle& c = cycles_[i];
        if (c.cycle_usecs > 0 && c.period_usecs > 0 &&
            double(c.entered_usecs - c.cycle_usecs) > double(c.period_usecs))
            late[i] = true;
        if (i > 0 && c.frame_time > cycles_[i - 1].end()) late[i] = true;
    }
    timeline_.clear();
    repeated_ = 0;
    late_ = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) {
            ++repeated_;
        } else if (late[i]) {
            ++late_;
        } else {
            timeline_.push_back(cycles_[i]);
        }
    }
    std::sort(timeline_.begin(), timeline_.end(),
              [](const RecordedCycle& a, const RecordedCycle& b) { return a.frame_time < b.frame_time; });
}

// ---- the realtime thread ----

int JackRecorder::on_process(std::uint32_t nframes, void* arg) {
    JackRecorder& self = *static_cast<JackRecorder*>(arg);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);  // vDSO: no system call
    const auto entered_usecs = static_cast<std::int64_t>(jack_get_time());
    const jack_nframes_t frame32 = jack_last_frame_time(self.client_);
    jack_nframes_t cycle_frame = 0;
    jack_time_t cycle_usecs = 0, next_usecs = 0;
    float period_usecs = 0;
    if (jack_get_cycle_times(self.client_, &cycle_frame, &cycle_usecs, &next_usecs, &period_usecs) != 0 ||
        cycle_frame != frame32)
        cycle_usecs = 0;
    // Widen JACK's 32-bit counter from the previous cycle (the first cycle: as is, a fresh server
    // counts from 0, as the engine's widening assumes).
    const JackFrame frame =
        self.last_frame_ < 0
            ? JackFrame{frame32}
            : self.last_frame_ +
                  static_cast<std::int32_t>(frame32 - static_cast<std::uint32_t>(self.last_frame_));
    self.last_frame_ = frame;
    const std::size_t n = self.count_.load(std::memory_order_relaxed);
    if (n == self.cycles_.size() || self.used_samples_ + nframes > self.samples_[0].size()) {
        self.overflow_.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    for (int ch = 0; ch < 2; ++ch) {
        const auto* in = static_cast<const float*>(jack_port_get_buffer(self.inputs_[ch], nframes));
        std::copy(in, in + nframes,
                  self.samples_[ch].begin() + static_cast<std::ptrdiff_t>(self.used_samples_));
    }
    self.cycles_[n] = RecordedCycle{frame,
                                    self.used_samples_,
                                    static_cast<int>(nframes),
                                    std::int64_t(now.tv_sec) * 1'000'000'000 + now.tv_nsec,
                                    static_cast<std::int64_t>(cycle_usecs),
                                    entered_usecs,
                                    period_usecs};
    self.used_samples_ += nframes;
    self.count_.store(n + 1, std::memory_order_release);
    return 0;
}

int JackRecorder::on_xrun(void* arg) {
    static_cast<JackRecorder*>(arg)->xruns_.fetch_add(1, std::memory_order_relaxed);
    return 0;
}

// ---- queries ----

JackFrame JackRecorder::recorded_until() const {
    const std::size_t n = published();
    return n == 0 ? 0 : cycles_[n - 1].end();
}

bool JackRecorder::wait_until_recorded(JackFrame frame, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (recorded_until() <= frame) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

std::ptrdiff_t JackRecorder::cycle_index(JackFrame frame) const {
    // The timeline is in increasing frame order: the last cycle starting at or before `frame`.
    auto it = std::upper_bound(timeline_.begin(), timeline_.end(), frame,
                               [](JackFrame f, const RecordedCycle& c) { return f < c.frame_time; });
    if (it == timeline_.begin()) return -1;
    --it;
    return frame < it->end() ? it - timeline_.begin() : -1;
}

std::optional<float> JackRecorder::sample_at(int channel, JackFrame frame) const {
    const std::ptrdiff_t i = cycle_index(frame);
    if (i < 0) return std::nullopt;
    const RecordedCycle& c = timeline_[static_cast<std::size_t>(i)];
    return samples_[channel == 0 ? 0 : 1][c.offset + static_cast<std::size_t>(frame - c.frame_time)];
}

OnsetScan JackRecorder::onsets(int channel, JackFrame from, int min_silence) const {
    OnsetScan scan;
    const std::vector<float>& s = samples_[channel == 0 ? 0 : 1];
    std::int64_t zeros = 0;  // recorded zeros since the last sound or gap
    bool after_gap = true;   // no sound seen since the last gap, and fewer than min_silence zeros
    JackFrame expected = -1;
    bool sounding = false;
    for (const RecordedCycle& c : timeline_) {
        if (c.end() <= from) continue;
        if (c.frame_time != expected) {  // a gap (or the first cycle): what happened in it is unknown
            zeros = 0;
            after_gap = true;
            sounding = false;
        }
        expected = c.end();
        for (int i = 0; i < c.frames; ++i) {
            const JackFrame f = c.frame_time + i;
            if (f < from) continue;
            if (s[c.offset + static_cast<std::size_t>(i)] == 0.0f) {
                if (++zeros >= min_silence) after_gap = false;
                continue;
            }
            if (zeros >= min_silence) {
                scan.onsets.push_back(f);
            } else if (after_gap && !sounding) {
                scan.unobservable.push_back(f);
            }
            zeros = 0;
            sounding = true;
        }
    }
    return scan;
}

std::vector<std::pair<JackFrame, JackFrame>> JackRecorder::gaps() const {
    std::vector<std::pair<JackFrame, JackFrame>> found;
    for (std::size_t i = 1; i < timeline_.size(); ++i)
        if (timeline_[i].frame_time != timeline_[i - 1].end())
            found.emplace_back(timeline_[i - 1].end(), timeline_[i].frame_time);
    return found;
}

bool JackRecorder::recorded(JackFrame begin, JackFrame end) const {
    JackFrame f = begin;
    while (f < end) {
        const std::ptrdiff_t i = cycle_index(f);
        if (i < 0) return false;
        f = timeline_[static_cast<std::size_t>(i)].end();
    }
    return true;
}

std::int64_t JackRecorder::recorded_frames() const {
    std::int64_t total = 0;
    for (const RecordedCycle& c : timeline_) total += c.frames;
    return total;
}

}  // namespace tactus::test
