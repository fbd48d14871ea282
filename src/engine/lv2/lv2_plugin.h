// One instance of an LV2 plugin, run in chunks of a fixed size the host chose: ports connected to
// buffers it owns, control inputs as plain floats, a MIDI input as an atom sequence with frame times.
//
// State (state:interface): save_state() gives the plugin's own state as Turtle, restore_state() puts
// such a text back into a new instance. Control values are not part of it: they are the document's
// `parameters`, set through the control ports (a state's lv2:port values are ignored on restore).
//
// Worker (worker:schedule): a plugin that asks for it gets a Worker (lv2_worker.h), threaded or
// synchronous as create() is told; its responses are delivered around each run().
//
// Threading: create() instantiates and activates off the audio thread (lilv, under World's lock) and
// the destructor deactivates and frees there too; restore_state() also off it, before the instance is
// handed to the thread that runs it (it is an instantiation-class call: nothing else may call the
// plugin meanwhile). save_state() off the audio thread at any time, also while another thread runs the
// plugin (the state spec lets save() run concurrently with run(); not with create or restore).
// Between, one thread at a time (the audio thread, or an offline render's) calls the rest: no
// allocation, no lock, no I/O of ours. What the plugin itself does in run() is its own
// (docs/plugins.md lists what was measured).
//
// Crashes: every call into the plugin's code is made inside an lv2::InPlugin naming it
// (running_plugin.h), so that tactusd's crash handler can name the plugin that crashed it. A plugin
// refused for this process (refused_plugins.h, tactusd --bypass-plugin) is not made: create() fails
// with "LV2 plugin <URI> (Name) was bypassed: it crashed the engine last time".
#pragma once

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/log/log.h>
#include <lv2/options/options.h>
#include <lv2/state/state.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/lv2/lv2_worker.h"
#include "engine/lv2/plugin_catalogue.h"

namespace tactus::lv2 {

class Plugin {
public:
    // Every run() is `chunk_frames` long. nullptr with *error naming the plugin when it is not installed,
    // cannot be played (plugin_catalogue.h) or fails to instantiate. `worker`: how a plugin that uses the
    // worker extension gets its work done (Threaded for the realtime engine, Synchronous for offline
    // renders: lv2_worker.h).
    static std::unique_ptr<Plugin> create(const std::string& uri, double sample_rate, int chunk_frames,
                                          std::string* error, WorkerMode worker = WorkerMode::Threaded);
    ~Plugin();
    Plugin(const Plugin&) = delete;
    Plugin& operator=(const Plugin&) = delete;

    const PluginInfo& info() const { return info_; }
    int chunk_frames() const { return chunk_; }
    int audio_inputs() const { return static_cast<int>(audio_in_.size()); }
    int audio_outputs() const { return static_cast<int>(audio_out_.size()); }
    bool has_midi_input() const { return midi_in_ != nullptr; }

    // Control inputs, in port order (PortInfo::kind == ControlIn).
    const std::vector<const PortInfo*>& controls() const { return controls_; }
    float control(std::size_t i) const { return control_values_[control_ports_[i]]; }
    // Clamped to the port's range (whole numbers and on/off as the port says); NaN and infinity are ignored.
    void set_control(std::size_t i, float value);
    // The index in controls() of the port with this symbol, or -1.
    long control_index(const std::string& symbol) const;
    // Frames of latency the plugin reports now (its latency port after the last run; 0 without one).
    int reported_latency() const;

    // True when the plugin has the state interface (state:interface).
    bool has_state() const { return state_interface_ != nullptr; }
    // The plugin's state as Turtle (a state:state of the plugin, URI urn:tactus:state), without port
    // values; "" when it has no state interface or saves nothing. Off the audio thread (see above).
    std::string save_state() const;
    // Restores a text save_state() gave (for this plugin URI). "" restores nothing. False with *error
    // naming the plugin when the text is not LV2 state in Turtle, is another plugin's, or the plugin
    // has no state interface; the instance is then as it was. Work the plugin schedules while
    // restoring (a file to load) is done before this returns, and its responses delivered.
    bool restore_state(const std::string& state, std::string* error);
    // The worker serving the plugin, or nullptr when it does not use the worker extension.
    const Worker* worker() const { return worker_.get(); }

    // Queues a MIDI message (1..3 bytes) at `frame` (0 <= frame < chunk) of the next chunk, in frame
    // order. False when the chunk's queue is full (the message is dropped).
    bool add_midi(int frame, const std::uint8_t* bytes, std::uint32_t size);
    // True when the plugin requires whole chunks (buf-size:fixedBlockLength or powerOf2BlockLength): a
    // control change then applies from the chunk's start instead of splitting it.
    bool needs_whole_chunks() const { return whole_chunks_; }
    // The next chunk's input (mono plugins read the left one); written by the caller before run().
    float* input(int channel) { return in_buffers_[std::size_t(channel)].data(); }
    // Runs frames [from, to) of the chunk (0 <= from < to <= chunk), with the MIDI queued for them
    // (their times made relative to `from`). Running up to `to` == chunk ends the chunk: the queue
    // empties for the next one.
    void run(int from, int to);
    void run() { run(0, chunk_); }
    // The last chunk's output; a mono plugin's one output is given as both channels.
    const float* output(int channel) const {
        return out_buffers_[std::min<std::size_t>(std::size_t(channel), out_buffers_.size() - 1)].data();
    }

private:
    struct MidiEvent {
        int frame;
        std::uint32_t size;
        std::uint8_t bytes[4];
    };
    static constexpr std::size_t kMaxEventsPerChunk = 512;

    Plugin() = default;
    void write_midi(int from, int to);

    PluginInfo info_;
    LilvInstance* instance_ = nullptr;
    int chunk_ = 0;
    std::vector<float> control_values_;  // one per port (unused for non-control ports)
    std::vector<unsigned> control_ports_;
    std::vector<const PortInfo*> controls_;
    long latency_port_ = -1;
    std::vector<unsigned> audio_in_, audio_out_;
    std::vector<std::vector<float>> in_buffers_, out_buffers_;
    std::vector<std::vector<std::uint64_t>> atom_buffers_;  // 8-byte aligned, one per atom port
    LV2_Atom_Sequence* midi_in_ = nullptr;
    std::size_t midi_capacity_ = 0;  // bytes of the sequence's body
    std::vector<MidiEvent> events_;  // the chunk's MIDI (capacity reserved: never grows past it)
    std::size_t events_sent_ = 0;    // of which written to the plugin in earlier ranges
    bool whole_chunks_ = false;
    LV2_URID atom_sequence_ = 0, atom_chunk_ = 0, atom_frame_time_ = 0, midi_event_ = 0;
    std::vector<LV2_Atom_Sequence*> atom_outputs_;
    std::vector<float> cv_scratch_;  // unconnected optional ports
    // Features handed to instantiate (they must outlive the instance).
    float sample_rate_f_ = 48000.0f;
    std::int32_t min_block_ = 0, max_block_ = 0, nominal_block_ = 0, sequence_size_ = 0;
    std::vector<LV2_Options_Option> options_;
    LV2_Log_Log log_{};
    std::vector<LV2_Feature> features_;
    std::vector<const LV2_Feature*> feature_list_;
    std::unique_ptr<Worker> worker_;  // before instantiation (features_ points into it)
    // What the worker calls: the plugin's worker interface, each call marked as in the plugin.
    struct MarkedWorker {
        LV2_Worker_Interface interface {};
        const LV2_Worker_Interface* plugin = nullptr;
        LV2_Handle handle = nullptr;
        const char* uri = nullptr;
        static LV2_Worker_Status work(LV2_Handle self, LV2_Worker_Respond_Function respond,
                                      LV2_Worker_Respond_Handle respond_handle, std::uint32_t size,
                                      const void* data);
        static LV2_Worker_Status work_response(LV2_Handle self, std::uint32_t size, const void* body);
        static LV2_Worker_Status end_run(LV2_Handle self);
    };
    MarkedWorker marked_worker_;
    const LV2_State_Interface* state_interface_ = nullptr;
};

}  // namespace tactus::lv2
