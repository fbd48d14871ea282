// A test's ears on a JACK server: a client with two input ports, connected to another client's two
// outputs (by default tactusd:out_left/out_right), that records every cycle it is given together with
// that cycle's JACK frame time. Cycles lost to an xrun (the recorder's own, or the source's) are not
// recorded, so they show as gaps in frame time: the timeline says which frames were heard and which
// were not, and a test judges timing only on frames that were heard.
//
// Frames are JACK frame times (jack_last_frame_time), widened to 64 bits the way the engine widens
// them (a fresh server counts from 0, so both agree).
//
// A cycle stamped with a frame time that does not advance past the previous cycle's end (JACK calling
// the process callback twice for one frame time, seen rarely right after a client was frozen) is
// ambiguous: it and every cycle it overlaps are left out of the timeline (counted in
// repeated_cycles()), so they count as lost.
//
// So is a cycle whose frame time may not be its own (counted in late_cycles()): jack_last_frame_time()
// names the cycle the server began last, so a callback that runs after the next cycle began (more than
// a period after its cycle's start, seen by the thousand when JACK runs without realtime scheduling on
// a busy machine) may carry audio tactusd rendered for another frame time than the one it reads; and
// the first cycle after a gap, which may be the late rest of a cycle the server had already moved past.
//
// Threading: construct, start(), stop() and every query from one control thread. The process callback
// runs on JACK's realtime thread: it only copies into buffers preallocated for `seconds` and publishes
// the number of cycles with a release store, so recorded_until() may be polled while recording. The
// timeline queries (cycles(), sample_at(), onsets(), gaps(), recorded()) describe the timeline as
// stop() or update_timeline() last built it. The xrun callback (JACK's notification thread) bumps an
// atomic.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

typedef struct _jack_client jack_client_t;
typedef struct _jack_port jack_port_t;

namespace tactus::test {

using JackFrame = std::int64_t;

struct JackRecorderOptions {
    std::string server;  // JACK server name (JackServerName)
    std::string client_name = "tactus-recorder";
    std::string source_client = "tactusd";  // connects <source>:out_left and <source>:out_right
    double seconds = 30.0;                  // room preallocated; cycles beyond it are counted, not kept
};

// One recorded cycle: its JACK frame time, where its samples start in the channel buffers, and how many.
struct RecordedCycle {
    JackFrame frame_time = 0;
    std::size_t offset = 0;
    int frames = 0;
    std::int64_t entered_ns = 0;   // CLOCK_MONOTONIC at the process callback's entry
    std::int64_t cycle_usecs = 0;  // JACK's time of the cycle's start (jack_get_cycle_times: current_usecs)
    std::int64_t entered_usecs = 0;  // jack_get_time() at the process callback's entry (JACK's clock)
    float period_usecs = 0;          // jack_get_cycle_times: the period's length in µs

    JackFrame end() const { return frame_time + frames; }
};

struct OnsetScan {
    // Frames where sound starts after at least `min_silence` exact zeros, all within recorded cycles.
    std::vector<JackFrame> onsets;
    // Frames where sound was found after a gap with fewer than `min_silence` recorded zeros before it:
    // it may or may not be an onset (the start could lie in the lost cycles), so it is reported here.
    std::vector<JackFrame> unobservable;
};

class JackRecorder {
public:
    explicit JackRecorder(JackRecorderOptions options);
    ~JackRecorder();  // deactivates and closes the client

    JackRecorder(const JackRecorder&) = delete;
    JackRecorder& operator=(const JackRecorder&) = delete;

    // Whether the client opened and registered its ports; error() says why not.
    bool ok() const { return client_ != nullptr && error_.empty(); }
    const std::string& error() const { return error_; }

    // Activates the client and connects the source's outputs to its inputs; recording starts with
    // the next cycle. False with error() set if the source's ports cannot be connected.
    bool start();
    // Deactivates (returns once no cycle runs) and builds the timeline. Idempotent.
    void stop();

    int sample_rate() const { return sample_rate_; }
    int period() const { return period_; }
    jack_client_t* client() const { return client_; }
    // Xruns JACK reported to this client (its xrun callback), and cycles that did not fit the buffer.
    std::int64_t xruns() const { return xruns_.load(std::memory_order_relaxed); }
    std::int64_t cycles_dropped_for_room() const { return overflow_.load(std::memory_order_relaxed); }

    // The end (exclusive) of the latest recorded cycle, 0 before the first; any thread.
    JackFrame recorded_until() const;
    // Waits until a cycle ending after `frame` was recorded. False on timeout.
    bool wait_until_recorded(JackFrame frame, std::chrono::milliseconds timeout) const;

    // Builds the timeline from the cycles recorded so far (stop() does it too): lets a test look back
    // while the recording goes on.
    void update_timeline();

    // ---- the timeline, as stop() or update_timeline() built it ----
    // The recorded cycles in frame order, none overlapping another.
    const std::vector<RecordedCycle>& cycles() const { return timeline_; }
    // Cycles left out because their frame times repeated or went back (see above).
    std::int64_t repeated_cycles() const { return repeated_; }
    // Cycles left out because their frame time may not be their own (see above).
    std::int64_t late_cycles() const { return late_; }
    // The sample of `channel` (0 left, 1 right) at `frame`; nullopt when no recorded cycle holds it.
    std::optional<float> sample_at(int channel, JackFrame frame) const;
    // Onsets from `from` on (see OnsetScan). Scanning starts "after a gap": the first sound needs
    // `min_silence` recorded zeros before it to count as an onset.
    OnsetScan onsets(int channel, JackFrame from, int min_silence = 64) const;
    // Frame ranges [begin, end) between recorded cycles, from the first recorded cycle on.
    std::vector<std::pair<JackFrame, JackFrame>> gaps() const;
    // Whether every frame of [begin, end) lies in a recorded cycle.
    bool recorded(JackFrame begin, JackFrame end) const;
    // Total frames recorded.
    std::int64_t recorded_frames() const;
    // The samples of a channel; a cycle's are at [offset, offset + frames).
    const float* samples(int channel) const { return samples_[channel == 0 ? 0 : 1].data(); }

private:
    static int on_process(std::uint32_t frames, void* self);
    static int on_xrun(void* self);
    std::size_t published() const { return count_.load(std::memory_order_acquire); }
    // Index of the recorded cycle holding `frame`, or -1.
    std::ptrdiff_t cycle_index(JackFrame frame) const;

    JackRecorderOptions options_;
    std::string error_;
    jack_client_t* client_ = nullptr;
    jack_port_t* inputs_[2] = {nullptr, nullptr};
    int sample_rate_ = 0;
    int period_ = 0;
    bool active_ = false;

    // Preallocated: written by the process thread only, below count_.
    std::vector<float> samples_[2];
    std::vector<RecordedCycle> cycles_;
    std::size_t used_samples_ = 0;  // process thread only
    JackFrame last_frame_ = -1;     // process thread only: the previous cycle's widened frame time
    std::atomic<std::size_t> count_{0};
    std::atomic<std::int64_t> xruns_{0};
    std::atomic<std::int64_t> overflow_{0};
    // Built by stop(): the published cycles minus the ambiguous ones.
    std::vector<RecordedCycle> timeline_;
    std::int64_t repeated_ = 0;
    std::int64_t late_ = 0;
};

}  // namespace tactus::test
