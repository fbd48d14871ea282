// The engine's audio-thread core: one process() call per device period.
//
//   control threads --EngineCommand--> MpscQueue ----------------+
//   control thread  --EngineProgram--> SnapshotPublisher -------> process() --> left/right
//   report threads  <--EngineStatus--- SeqLock <-----------------+     |
//   control thread  <--EngineEvent---- SpscQueue <---------------------+
//
// Each command carries the output frame it applies on; process() renders up to that frame, applies
// it, and goes on, so commands land sample-exactly like score events. A command whose frame has
// already passed is applied at the start of the block and counted as late. A program carries a frame
// too (EngineProgram::apply_at) and switches on it, before the commands of that frame.
//
// Commands waiting for their frame are held in a heap of fixed capacity, in two rooms: one for
// commands due within `near_seconds`, one for those due later. A command that finds its room full is
// rejected (reported, counted), never applied early or late; a far-future flood cannot take the
// room of the commands due next. Panic and CancelPending cancel every command submitted before them
// that still waits (each reported).
//
// Lookahead (plugin delay compensation): process() for output frames [f, f + n) runs commands, programs
// and the score for engine frames [f + L, f + L + n) and mixes them through a CompensatedMix that
// delays each track by L minus its instrument's latency, so an instrument that computes ahead (a
// Csound orchestra) still sounds on its frame. Every frame the engine names (commands, reports,
// status) is the output frame where its effect is heard. The MIDI output is delayed by L as well.
//
// Threading: process() only from the audio thread (no allocation, no locks, no I/O). submit() from
// any control thread. publish()/collect_retired()/next_event() from one control thread (the owner).
// status() from any thread.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "core/midi_input.h"
#include "engine/compensated_mix.h"
#include "engine/engine_command.h"
#include "engine/engine_program.h"
#include "engine/engine_status.h"
#include "engine/instrument.h"
#include "engine/lockfree/mpsc_queue.h"
#include "engine/lockfree/seqlock.h"
#include "engine/lockfree/snapshot_publisher.h"
#include "engine/lockfree/spsc_queue.h"
#include "engine/midi_out_bus.h"
#include "engine/midi_out_delay.h"
#include "engine/sequencer.h"
#include "engine/smoothed_gain.h"

namespace tactus {

struct RealtimeEngineOptions {
    double sample_rate = 48000.0;
    std::size_t command_capacity = 4096;    // commands waiting for the audio thread to take them
    std::size_t near_capacity = 4096;       // commands held for a frame within near_seconds
    std::size_t scheduled_capacity = 4096;  // commands held for a frame further ahead
    double near_seconds = 1.0;
    // Frames the engine renders ahead of its output (0..CompensatedMix::kMaxLookahead): instruments
    // with up to this much latency are heard on their frame.
    int lookahead_frames = 0;
};

class RealtimeEngine {
public:
    explicit RealtimeEngine(const RealtimeEngineOptions& options);
    ~RealtimeEngine();

    // Any control thread. False when the queue is full: the command is rejected, never waited for.
    bool submit(const EngineCommand& command);
    // The owner control thread: hands a new program to the audio thread (and reclaims retired ones).
    void publish(std::unique_ptr<const EngineProgram> program);
    std::size_t collect_retired();
    // The owner control thread: the next thing the audio thread reported, if any.
    bool next_event(EngineEvent& event);
    // The engine's MIDI output: "midi" instruments send into it (make_instrument takes its address,
    // off the audio thread); its messages are read after each process() on the audio thread.
    MidiOutBus* midi_out_bus() { return &midi_out_; }
    // The MIDI output of the last process() call, placed in its output block.
    const MidiOutBus& midi_out() const { return midi_out_due_; }
    // Control thread: the next live MIDI message recorded (see CommandKind::Record), if any.
    bool next_recorded(RecordedMidi& recorded) { return recorded_.try_pop(recorded); }
    // Recorded messages lost because the control thread did not read them in time.
    std::uint64_t recorded_dropped() const { return recorded_dropped_.load(std::memory_order_relaxed); }
    // Any thread.
    EngineStatus status() const { return status_.load(); }
    double sample_rate() const { return options_.sample_rate; }
    // The lookahead the audio thread renders with now (any thread).
    int lookahead() const { return lookahead_now_.load(std::memory_order_acquire); }
    // Control thread: the lookahead wanted from now on (up to CompensatedMix::kMaxLookahead): a document
    // whose plugins lag more than the lookahead raises it, so they are heard on their frames. The audio
    // thread takes it at the start of a block when the transport is stopped and nothing sounds (the
    // engine's time then jumps ahead by the change, where no note can be cut or shifted).
    void request_lookahead(int frames) { wanted_lookahead_.store(frames, std::memory_order_release); }
    int requested_lookahead() const { return wanted_lookahead_.load(std::memory_order_acquire); }

    // Audio thread: renders [frame_time, frame_time + frames) of output.
    // `midi_in`: live MIDI of this block (played on the armed track's instrument at its offsets, a
    // lookahead later; recorded where it was played).
    void process(Frame frame_time, std::int64_t host_time_ns, int frames, float* left, float* right,
                 std::span<const MidiInputEvent> midi_in = {});

private:
    // A command held for its frame; `seq` orders equal frames first come, first served.
    struct Pending {
        EngineCommand command;
        std::uint64_t seq = 0;
        bool far = false;  // held in the room for commands beyond near_seconds
    };
    static bool later(const Pending& a, const Pending& b) {
        return a.command.frame != b.command.frame ? a.command.frame > b.command.frame : a.seq > b.seq;
    }

    void switch_program(const EngineProgram* program, Frame at);
    void take_commands(Frame block_start);
    void pop_pending();
    // Cancels every waiting command submitted before `cause` (Panic, CancelPending).
    void cancel_pending_before(const Pending& cause, Frame at);
    void reject(const EngineCommand& command, Frame at);
    // To the control thread; counted as dropped when its queue is full.
    void push_event(const EngineEvent& event);
    void render_with_live_midi(Frame frame_time, int frames, float* left, float* right,
                               std::span<const MidiInputEvent> midi_in);
    void play_live_midi(const MidiInputEvent& event, Frame at);
    void apply(const Pending& pending, Frame at, bool late);
    void change_master_at(Frame frame, double level);
    void apply_master(Frame frame_time, int frames, float* left, float* right);
    void report(const EngineCommand& command, Frame at, Frame score_frame, bool late);
    void report_program(const EngineProgram& program, Frame at);
    void note_position_heard_at(Frame frame_time);
    void publish_status(Frame frame_time, std::int64_t host_time_ns, int frames, std::int64_t started_ns,
                        std::int64_t cpu_started_ns, const float* left, const float* right);

    RealtimeEngineOptions options_;
    MpscQueue<EngineCommand> commands_;
    SpscQueue<EngineEvent> events_;
    SpscQueue<RecordedMidi> recorded_{4096};
    MidiOutBus midi_out_;      // what the engine sends while it renders (engine frames)
    MidiOutDelay midi_delay_;  // ... held until its output frame
    MidiOutBus midi_out_due_;  // ... and what leaves in the current output block
    bool recording_ = false;
    std::atomic<std::uint64_t> recorded_dropped_{0};
    SnapshotPublisher<EngineProgram> programs_;
    SeqLock<EngineStatus> status_;

    // Audio-thread state.
    int midi_input_track_ = -1;  // the slot live MIDI input plays, or -1
    const EngineProgram* program_ = nullptr;
    // Acquired from the publisher but not yet due (its apply_at is ahead). While one is held the
    // publisher is not asked again, so the program still playing (its previous) stays valid.
    const EngineProgram* held_program_ = nullptr;
    Sequencer sequencer_;
    CompensatedMix mix_;
    std::atomic<int> wanted_lookahead_;
    std::atomic<int> lookahead_now_;
    std::unique_ptr<Instrument> click_;
    SmoothedGain master_{1.0};
    std::array<std::pair<Frame, double>, 64> master_changes_{};  // (output frame, level), in order
    std::size_t master_changes_count_ = 0;
    std::vector<Pending> pending_;  // a min-heap by (frame, seq); capacity fixed at construction
    std::size_t far_pending_ = 0;   // how many of pending_ sit in the far room
    std::uint64_t next_seq_ = 1;
    Frame near_frames_ = 0;
    Frame play_started_at_ = 0;  // score frame the last Play started from (Stop returns there)
    EngineStatus board_;         // the audio thread's working copy of the status
    Frame peak_window_end_ = 0;
    std::array<float, 2> master_peak_{};
    Frame cpu_clock_due_ = 0;  // the next block from this output frame reads the CPU clock
};

}  // namespace tactus
