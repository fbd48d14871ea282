// Effect plugins after a track's instrument (or on a bus), in order: the track's insert chain.
//
// Timing: every plugin runs whole chunks of kChunk frames on the chain's own clock, so a render offline
// and one through JACK at any period run them identically. A chunk runs once its last input frame has
// arrived, so the chain's output lags its input by latency() = kChunk - 1 frames, plus what its plugins
// report (a look-ahead limiter's); the engine compensates (engine/compensated_mix.h). A parameter
// change splits its plugin's chunk on the frame it is due (a plugin that needs whole chunks takes it
// from the chunk's start).
//
// Channels: a stereo plugin takes left and right; a mono one (one input, one output) runs twice, one
// instance per channel; mono in and stereo out gets the average of the two; stereo in and mono out
// gives its one output to both. A bypassed insert passes its input through, delayed by the latency the
// plugin reported when it was made, so the chain's timing never moves.
//
// State: an insert's Insert::state (LV2 state as Turtle) is restored after its parameters when the
// chain is made (both instances of a mono plugin get it); save_state() reads it back.
//
// Threading: create() off the audio thread (instantiates the plugins, restores their state); the
// destructor off it too. save_state() off the audio thread at any time, also while the chain is being
// rendered (the LV2 state spec lets save() run concurrently with run()); it takes lilv's lock and
// allocates. Everything else from the one thread that renders the track (the audio thread or an
// offline render), without allocation or locks of ours. Plugins using the LV2 worker get one in the
// mode create() is given (engine/lv2/lv2_worker.h: Threaded for the realtime engine, Synchronous for
// offline renders).
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/score.h"
#include "engine/lv2/lv2_plugin.h"
#include "engine/lv2/quiet_tail.h"

namespace tactus {

class InsertChain {
public:
    static constexpr int kChunk = 64;

    // nullptr with *error naming the insert ("insert 2: LV2 plugin <uri> ...") when a plugin is missing,
    // is an instrument, has no audio input, fails, or its state cannot be restored. With `skipped`, such
    // an insert instead passes its input through unchanged and its message is added there: the track
    // plays on without it.
    static std::unique_ptr<InsertChain> create(const std::vector<Insert>& inserts, double sample_rate,
                                               std::string* error,
                                               std::vector<std::string>* skipped = nullptr,
                                               lv2::WorkerMode worker = lv2::WorkerMode::Threaded);

    std::size_t size() const { return slots_.size(); }
    // The plugin of an insert, or nullptr for one that could not be made (it passes its input through).
    const lv2::Plugin* plugin(std::size_t insert) const { return slots_[insert].instances[0].get(); }
    int latency() const { return latency_; }
    // The insert's plugin state now, as Insert::state takes it ("" for none, a plugin without state, or
    // an insert that could not be made). Off the audio thread (see the threading note above).
    std::string save_state(std::size_t insert) const;

    // In place: `frames` frames of input become the output of `latency()` frames before.
    void process(float* left, float* right, int frames);
    // From the next frame processed (out-of-range inserts or controls are ignored).
    void set_parameter(std::size_t insert, std::size_t control, float value);
    void set_bypass(std::size_t insert, bool bypass);
    bool bypassed(std::size_t insert) const { return insert < slots_.size() && slots_[insert].bypass; }
    // True when the output has stayed under -120 dBFS for a while with nothing pending: with a silent
    // input, the rest of the output is (near) zeros.
    bool is_quiet() const;
    // The renderer skipped `frames` frames of silence (a quiet chain with a silent input): the chunk
    // grid moves on as if they had been processed; the plugins do not run. Before the first frame
    // processed nothing moves: the grid starts there, on a frame the score sets (a note's, as heard
    // through the chain), so offline and realtime renders run the plugins on the same chunks.
    void skip(long long frames);

private:
    struct Slot {
        // [0] nullptr: the plugin could not be made, the slot passes through; [1]: the right channel's
        // mono twin.
        std::array<std::unique_ptr<lv2::Plugin>, 2> instances;
        bool bypass = false;
        int latency = 0;
        std::vector<float> delay_left, delay_right;  // the bypass's delay line (latency frames)
        std::size_t delay_at = 0;
    };
    struct Change {
        int frame;
        std::size_t insert;
        std::size_t control;
        float value;
    };
    static constexpr std::size_t kMaxChangesPerChunk = 256;

    InsertChain() = default;
    static bool make_slot(Slot& slot, const Insert& spec, double sample_rate, lv2::WorkerMode worker,
                          std::string* error);
    void run_chunk();
    void run_slot(Slot& slot, std::size_t index);

    std::vector<Slot> slots_;
    int latency_ = kChunk - 1;
    std::array<float, kChunk> in_left_{}, in_right_{};    // the chunk being filled
    std::array<float, kChunk> out_left_{}, out_right_{};  // the last chunk's output
    std::array<float, kChunk> scratch_left_{}, scratch_right_{};
    int position_ = 0;        // frames of the current chunk received
    bool ran_ = false;        // process() has been called: the grid has started
    bool silent_out_ = true;  // the last chunk's output is all zeros
    std::array<Change, kMaxChangesPerChunk> changes_{};
    std::size_t change_count_ = 0;
    QuietTail tail_{48000.0};  // made for the chain's rate by create()
};

}  // namespace tactus
