// A track played by an LV2 instrument plugin (mda EPiano, JX10, x42 setBfree, ...).
//
// Timing: the plugin always runs whole chunks of kChunk frames on a grid of its own clock, with each
// note and controller as a MIDI event on its exact frame within the chunk, and a parameter change
// splitting the chunk on its frame (unless the plugin needs whole chunks: then from the chunk's start).
// A chunk can only run once every event in it is known, and the sequencer tells an event at the start
// of the render() call it is due in, so the output lags by latency() = kChunk - 1 frames (plus what
// the plugin reports); the engine compensates, and a note is heard on its frame. The chunks do not
// depend on the device period: a render offline and one through JACK run the plugin identically.
//
// Notes to MIDI: a note's pitch with its cents rounded to the nearest key (MIDI 1.0 has no per-note
// tuning); two notes on one key sound as a retrigger, and the key is released when the last of them
// ends. Controllers go out as control change, pitch bend, program change and channel pressure.
//
// Silence: once no note is held and the output has stayed under -120 dBFS for half a second (QuietTail), the
// instrument is silent (the mixer stops rendering it and the plugin does not run until the next event).
//
// State: the track's plugin_state (LV2 state as Turtle) is restored after its parameters when the
// instrument is made; save_state() reads the plugin's state back.
//
// Threading: create and destroy off the audio thread; save_state() off the audio thread at any time,
// also while the instrument renders (the LV2 state spec lets save() run concurrently with run()); every
// other call from the audio thread (or an offline render loop) only. A plugin using the LV2 worker gets
// one in the mode create() is given (lv2_worker.h).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/instrument.h"
#include "engine/lv2/lv2_plugin.h"
#include "engine/lv2/quiet_tail.h"

namespace tactus {

class Lv2Instrument final : public Instrument {
public:
    static constexpr int kChunk = 64;

    // nullptr with *error naming the plugin when it is not installed, not an instrument, fails, or its
    // state cannot be restored. `parameters`: control input values by port symbol, set before the first
    // chunk (unknown symbols are skipped: a plugin may have lost a port since the document was saved).
    // `state`: Track::plugin_state, restored after the parameters ("" for none). `worker`: Threaded for
    // the realtime engine, Synchronous for offline renders (lv2_worker.h).
    static std::unique_ptr<Lv2Instrument> create(const std::string& uri, double sample_rate, int midi_channel,
                                                 const std::map<std::string, double>& parameters,
                                                 std::string* error, const std::string& state = {},
                                                 lv2::WorkerMode worker = lv2::WorkerMode::Threaded);

    int latency() const override { return latency_; }
    void note_on(VoiceKey key, int pitch, double cents, int velocity) override;
    void note_off(VoiceKey key) override;
    void release_all() override;
    void kill_all() override;
    void controller(const ControllerEvent& event) override;
    // The plugin's control inputs, by symbol, with their ranges and defaults.
    const std::vector<InstrumentParameter>& parameters() const override { return parameters_; }
    void set_parameter(std::size_t index, double value) override;
    void render(float* left, float* right, int frames) override;
    bool is_silent() const override;
    void skip_silence(long long frames) override;

    const lv2::Plugin& plugin() const { return *plugin_; }
    // The plugin's state now, as Track::plugin_state takes it ("" for none). Off the audio thread.
    std::string save_state() const { return plugin_->save_state(); }

private:
    static constexpr int kMaxHeld = 256;
    static constexpr std::size_t kMaxControlChanges = 64;
    struct Held {
        VoiceKey key = 0;
        int pitch = 0;
        bool used = false;
    };
    struct ControlChange {
        int frame;
        std::size_t index;
        float value;
    };

    Lv2Instrument(std::unique_ptr<lv2::Plugin> plugin, double sample_rate, int midi_channel);
    // The frame within the next chunk that an event given now falls on.
    int event_frame() const { return read_ - 1; }
    void send(std::uint8_t status, std::uint8_t a, std::uint8_t b, std::uint32_t size = 3);
    void run_chunk();
    float gain_at(long long plugin_frame) const;

    std::unique_ptr<lv2::Plugin> plugin_;
    std::uint8_t channel_ = 0;
    int latency_ = kChunk - 1;
    std::vector<InstrumentParameter> parameters_;
    // The last chunk's output, after the panic fade; read_ of its kChunk frames already rendered.
    std::array<float, kChunk> out_left_{}, out_right_{};
    int read_ = 1;               // starts with kChunk - 1 frames of silence: the latency
    long long chunk_start_ = 0;  // plugin time of the next chunk to run
    std::array<Held, kMaxHeld> held_{};
    std::array<std::uint8_t, 128> on_key_{};  // held notes per key
    int held_count_ = 0;
    bool sustain_ = false;
    std::array<ControlChange, kMaxControlChanges> changes_{};
    std::size_t change_count_ = 0;
    QuietTail tail_;
    // Panic: the output fades from panic_at_ over fade_frames_ and stays silent until unmute_at_.
    long long panic_at_ = -1, unmute_at_ = -1;
    long long fade_frames_ = 1;
    bool events_pending_ = false;
};

}  // namespace tactus
