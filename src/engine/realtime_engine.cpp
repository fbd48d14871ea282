#include "engine/realtime_engine.h"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "core/realtime_scope.h"
#include "engine/instrument_factory.h"
#include "engine/peak_level.h"

namespace tactus {

namespace {

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no syscall, no lock
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// CPU time this thread has run (POSIX; a syscall but no lock): separates work from preemption.
std::int64_t thread_cpu_ns() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

std::unique_ptr<Instrument> make_click(double rate) {
    Track metronome;
    metronome.preset = "click";
    std::string error;
    return make_instrument(metronome, rate, &error);
}

constexpr double kPeakWindowSeconds = 0.05;

// At most one read of the thread's CPU clock per this many frames (every block at periods this long).
constexpr Frame kCpuClockFrames = 256;

bool shares_a_channel(const TrackMixer& before, const TrackMixer& after) {
    const auto& a = before.channels();
    const auto& b = after.channels();
    for (std::size_t slot = 0; slot < a.size() && slot < b.size(); ++slot)
        if (a[slot] && a[slot] == b[slot]) return true;
    return false;
}

// Calls fn(slot, old channel) for every slot whose channel differs between two mixers.
template <class Fn>
void for_each_replaced_slot(const TrackMixer& before, const TrackMixer& after, Fn&& fn) {
    const auto& old_channels = before.channels();
    const auto& new_channels = after.channels();
    for (std::size_t slot = 0; slot < old_channels.size(); ++slot) {
        if (!old_channels[slot]) continue;
        if (slot < new_channels.size() && new_channels[slot] == old_channels[slot]) continue;
        fn(slot, *old_channels[slot]);
    }
}

}  // namespace

RealtimeEngine::RealtimeEngine(const RealtimeEngineOptions& options)
    : options_(options),
      commands_(options.command_capacity),
      // Every command queued or held may be reported in one block (applied, rejected or cancelled),
      // and one program switch.
      events_(options.command_capacity + options.near_capacity + options.scheduled_capacity + 1),
      mix_(options.lookahead_frames, CompensatedMix::kMaxLookahead),
      wanted_lookahead_(mix_.lookahead()),
      lookahead_now_(mix_.lookahead()),
      click_(make_click(options.sample_rate)) {
    pending_.reserve(options.near_capacity + options.scheduled_capacity);
    near_frames_ = static_cast<Frame>(std::llround(options.near_seconds * options.sample_rate));
    master_.set_ramp_frames(
        static_cast<int>(std::lround(TrackStrip::kSmoothingSeconds * options.sample_rate)));
    sequencer_.set_metronome(click_.get(), false);
    sequencer_.set_midi_clock_bus(&midi_out_);
}

RealtimeEngine::~RealtimeEngine() = default;

bool RealtimeEngine::submit(const EngineCommand& command) {
    return commands_.try_push(command);
}

void RealtimeEngine::publish(std::unique_ptr<const EngineProgram> program) {
    programs_.publish(std::move(program));
    programs_.collect_retired();
}

std::size_t RealtimeEngine::collect_retired() {
    return programs_.collect_retired();
}

bool RealtimeEngine::next_event(EngineEvent& event) {
    return events_.try_pop(event);
}

// `previous` is the publisher's previous snapshot: it stays alive until the next swap, so its mixer
// and score can be read here.
void RealtimeEngine::switch_program(const EngineProgram* program, Frame at) {
    const EngineProgram* previous = program_;
    program_ = program;
    if (!program) return;
    const bool new_mixer = !previous || previous->mixer != program->mixer;
    // A mixer built for a track edit shares channels with the one before it (a load shares none):
    // the voices on shared channels go on. Decided here, not by a flag of the program, because
    // programs published in quick succession may be skipped.
    const bool shared = new_mixer && previous && previous->mixer && program->mixer &&
                        shares_a_channel(*previous->mixer, *program->mixer);
    if (new_mixer) {
        if (previous && previous->mixer) {
            previous->mixer->set_aux(nullptr);
            previous->mixer->set_compensation(nullptr);
        }
        sequencer_.set_mixer(program->mixer.get(), shared);
        if (program->mixer) {
            program->mixer->set_aux(click_.get());
            program->mixer->set_compensation(&mix_);
            program->mixer->take_over(previous ? previous->mixer.get() : nullptr);
        }
        // A channel that left its slot (track removed, instrument replaced) releases its notes; the
        // new mixer renders it among its retiring channels until they have faded.
        if (shared)
            for_each_replaced_slot(*previous->mixer, *program->mixer,
                                   [](std::size_t, TrackChannel& old) { old.instrument->release_all(); });
    }
    // A changed tempo map keeps the beat being heard (timing.md); otherwise the score frame stays.
    const bool keep_beat =
        previous && previous->score && program->score && previous->score->tempo() != program->score->tempo();
    sequencer_.set_score(program->score.get(), at, keep_beat);
    // A track's new instrument takes over the notes the old one was holding.
    if (shared)
        for_each_replaced_slot(*previous->mixer, *program->mixer,
                               [this, at](std::size_t slot, TrackChannel&) {
                                   sequencer_.chase_track(static_cast<std::uint32_t>(slot), at);
                               });
}

void RealtimeEngine::take_commands(Frame block_start) {
    EngineCommand command;
    while (commands_.try_pop(command)) {
        const bool far = command.frame != kAsap && command.frame >= block_start + near_frames_;
        const std::size_t held_in_room = far ? far_pending_ : pending_.size() - far_pending_;
        if (held_in_room >= (far ? options_.scheduled_capacity : options_.near_capacity)) {
            reject(command, block_start);  // never applied early or late by surprise
            continue;
        }
        pending_.push_back({command, next_seq_++, far});  // within capacity: no allocation
        std::push_heap(pending_.begin(), pending_.end(), later);
        if (far) ++far_pending_;
    }
}

void RealtimeEngine::pop_pending() {
    std::pop_heap(pending_.begin(), pending_.end(), later);
    if (pending_.back().far) --far_pending_;
    pending_.pop_back();
}

void RealtimeEngine::push_event(const EngineEvent& event) {
    if (!events_.try_push(event)) ++board_.events_dropped;
}

void RealtimeEngine::reject(const EngineCommand& command, Frame at) {
    ++board_.rejected_commands;
    if (command.request == 0) return;
    EngineEvent event;
    event.kind = EngineEventKind::Rejected;
    event.command = command.kind;
    event.request = command.request;
    event.frame = at;
    push_event(event);
}

void RealtimeEngine::cancel_pending_before(const Pending& cause, Frame at) {
    const auto cancelled = [&](const Pending& p) {
        if (p.seq > cause.seq) return false;
        ++board_.cancelled_commands;
        if (p.far) --far_pending_;
        if (p.command.request != 0) {
            EngineEvent event;
            event.kind = EngineEventKind::Cancelled;
            event.command = p.command.kind;
            event.cause = cause.command.kind;
            event.request = p.command.request;
            event.frame = at;
            push_event(event);
        }
        return true;
    };
    pending_.erase(std::remove_if(pending_.begin(), pending_.end(), cancelled), pending_.end());
    std::make_heap(pending_.begin(), pending_.end(), later);
}

void RealtimeEngine::report(const EngineCommand& command, Frame at, Frame score_frame, bool late) {
    if (command.request == 0) return;
    EngineEvent event;
    event.kind = late ? EngineEventKind::AppliedLate : EngineEventKind::Applied;
    event.command = command.kind;
    event.request = command.request;
    event.frame = at;
    event.score_frame = score_frame;
    push_event(event);
}

void RealtimeEngine::apply(const Pending& pending, Frame at, bool late) {
    const EngineCommand& c = pending.command;
    ++board_.commands_applied;
    if (late) ++board_.late_commands;
    TrackMixer* mixer = sequencer_.mixer();
    Frame score_frame = 0;
    switch (c.kind) {
        case CommandKind::Play:
            score_frame = c.score_frame == kResume ? sequencer_.score_frame_at(at) : c.score_frame;
            if (!sequencer_.playing() || c.score_frame != kResume) {
                play_started_at_ = score_frame;
                sequencer_.play(at, score_frame, c.a);  // c.a: count-in frames (metronome alone)
                // Report where the score itself starts: after the count-in.
                report(c, at + std::max<Frame>(c.a, 0), score_frame, late);
                return;
            }
            break;
        case CommandKind::Stop:
            sequencer_.stop(at);
            sequencer_.locate(at, play_started_at_);
            score_frame = play_started_at_;
            break;
        case CommandKind::Pause:
            sequencer_.stop(at);
            score_frame = sequencer_.score_frame_at(at);
            break;
        case CommandKind::Locate:
            sequencer_.locate(at, c.score_frame);
            score_frame = c.score_frame;
            if (!sequencer_.playing()) play_started_at_ = c.score_frame;
            break;
        case CommandKind::SetLoop:
            sequencer_.set_loop({c.flag, c.a, c.b});
            break;
        case CommandKind::NoteOn:
            if (Instrument* instrument = mixer ? mixer->instrument(c.track) : nullptr)
                instrument->note_on(c.key, c.pitch, c.value, c.velocity);
            break;
        case CommandKind::NoteOff:
            if (Instrument* instrument = mixer ? mixer->instrument(c.track) : nullptr)
                instrument->note_off(c.key);
            break;
        case CommandKind::Panic:
            cancel_pending_before(pending, at);
            if (mixer)
                for (std::size_t t = 0; t < mixer->track_count(); ++t)
                    if (Instrument* instrument = mixer->instrument(t)) instrument->kill_all();
            if (click_) click_->kill_all();
            break;
        case CommandKind::TrackLevel:
            if (mixer) mixer->set_level(c.track, c.value);
            break;
        case CommandKind::TrackPan:
            if (mixer) mixer->set_pan(c.track, c.value);
            break;
        case CommandKind::TrackMute:
            if (mixer) mixer->set_mute(c.track, c.flag);
            break;
        case CommandKind::TrackSolo:
            if (mixer) mixer->set_solo(c.track, c.flag);
            break;
        case CommandKind::MasterLevel:
            change_master_at(at, c.value);
            break;
        case CommandKind::Metronome:
            sequencer_.set_metronome(click_.get(), c.flag);
            break;
        case CommandKind::MidiInputTrack:
            midi_input_track_ = c.flag ? static_cast<int>(c.track) : -1;
            break;
        case CommandKind::Record:
            recording_ = c.flag;
            break;
        case CommandKind::MidiClock:
            sequencer_.set_midi_clock(c.flag, at);
            break;
        case CommandKind::CancelPending:
            cancel_pending_before(pending, at);
            break;
        case CommandKind::TrackParameter:
            if (Instrument* instrument = mixer ? mixer->instrument(c.track) : nullptr)
                instrument->set_parameter(static_cast<std::size_t>(c.a), c.value);
            break;
        case CommandKind::BusLevel:
            if (mixer) mixer->set_bus_level(c.track, c.value);
            break;
        case CommandKind::BusPan:
            if (mixer) mixer->set_bus_pan(c.track, c.value);
            break;
        case CommandKind::BusMute:
            if (mixer) mixer->set_bus_mute(c.track, c.flag);
            break;
        case CommandKind::BusSolo:
            if (mixer) mixer->set_bus_solo(c.track, c.flag);
            break;
        case CommandKind::SendLevel:
            if (mixer) mixer->set_send_level(c.track, static_cast<std::size_t>(c.a), c.value);
            break;
        case CommandKind::InsertParameter:
            if (InsertChain* chain =
                    mixer ? mixer->insert_chain(static_cast<InsertOwner>(c.pitch), c.track) : nullptr)
                chain->set_parameter(static_cast<std::size_t>(c.a), static_cast<std::size_t>(c.b),
                                     static_cast<float>(c.value));
            break;
    }
    report(c, at, score_frame, late);
}

void RealtimeEngine::process(Frame frame_time, std::int64_t host_time_ns, int frames, float* left,
                             float* right, std::span<const MidiInputEvent> midi_in) {
    RealtimeScope realtime;
    const std::int64_t started = now_ns();
    // The thread's CPU clock is a system call: at small periods it is read in one block of every
    // kCpuClockFrames (-1: not this block).
    std::int64_t cpu_started = -1;
    if (frame_time >= cpu_clock_due_ || frame_time + kCpuClockFrames < cpu_clock_due_) {
        cpu_started = thread_cpu_ns();
        cpu_clock_due_ = frame_time + kCpuClockFrames;
    }
    if (const int wanted = wanted_lookahead_.load(std::memory_order_acquire);
        wanted != mix_.lookahead() && !sequencer_.playing() && mix_.is_silent() &&
        (!sequencer_.mixer() || sequencer_.mixer()->is_silent())) {
        mix_.set_lookahead(wanted);
        lookahead_now_.store(mix_.lookahead(), std::memory_order_release);
    }
    // The engine's own frames run a lookahead ahead of the output; the mix brings them back.
    const Frame engine_frame = frame_time + mix_.lookahead();
    midi_out_.begin_block(engine_frame);
    if (!held_program_)
        if (const EngineProgram* program = programs_.acquire(); program != program_) held_program_ = program;
    take_commands(engine_frame);
    render_with_live_midi(engine_frame, frames, left, right, midi_in);
    apply_master(frame_time, frames, left, right);
    midi_delay_.hold(midi_out_, engine_frame);
    midi_delay_.release(frame_time, frames, midi_out_due_);
    const auto lookahead_ns = std::llround(1e9 * mix_.lookahead() / options_.sample_rate);
    publish_status(engine_frame, host_time_ns + lookahead_ns, frames, started, cpu_started, left, right);
}

// A master level change is heard on its frame: it waits for the output to get there. When more are
// waiting than there is room for, the oldest takes effect at once.
void RealtimeEngine::change_master_at(Frame frame, double level) {
    if (master_changes_count_ == master_changes_.size()) {
        master_.set_target(master_changes_[0].second);
        std::move(master_changes_.begin() + 1, master_changes_.end(), master_changes_.begin());
        --master_changes_count_;
    }
    master_changes_[master_changes_count_++] = {frame, level};
}

// The master gain on the output block [frame_time, frame_time + frames), each change from its frame.
void RealtimeEngine::apply_master(Frame frame_time, int frames, float* left, float* right) {
    int done = 0;
    while (done < frames) {
        int end = frames;
        if (master_changes_count_ > 0) {
            const Frame due = master_changes_[0].first;
            if (due <= frame_time + done) {
                master_.set_target(master_changes_[0].second);
                std::move(master_changes_.begin() + 1, master_changes_.begin() + master_changes_count_,
                          master_changes_.begin());
                --master_changes_count_;
                continue;
            }
            end = static_cast<int>(std::min<Frame>(frames, due - frame_time));
        }
        if (!master_.is_steady() || master_.value() != 1.0) {
            for (int i = done; i < end; ++i) {
                const float g = static_cast<float>(master_.next());
                left[i] *= g;
                right[i] *= g;
            }
        }
        done = end;
    }
}

// Renders the block, splitting it at a held program's frame, at every pending command's frame and
// at every live MIDI event's offset, so each takes effect on its exact frame. On a shared frame the
// program switches first, then commands apply (they name the new program's tracks), then live MIDI.
void RealtimeEngine::render_with_live_midi(Frame frame_time, int frames, float* left, float* right,
                                           std::span<const MidiInputEvent> midi_in) {
    const Frame block_end = frame_time + frames;
    int done = 0;
    std::size_t next_midi = 0;
    for (;;) {
        const bool program_due = held_program_ && held_program_->apply_at < block_end;
        const bool command_due = !pending_.empty() && pending_.front().command.frame < block_end;
        const bool midi_due = next_midi < midi_in.size();
        if (!program_due && !command_due && !midi_due) break;
        const Frame program_frame = program_due ? std::max(held_program_->apply_at, frame_time) : block_end;
        const Frame command_frame =
            command_due ? std::max(pending_.front().command.frame, frame_time) : block_end;
        const Frame midi_frame =
            midi_due ? frame_time + std::clamp(midi_in[next_midi].offset, 0, frames - 1) : block_end;
        const Frame at = std::min({program_frame, command_frame, midi_frame});
        const int offset = static_cast<int>(at - frame_time);
        if (offset > done) {
            if (done == 0) note_position_heard_at(frame_time);
            sequencer_.render(frame_time + done, offset - done, left + done, right + done);
            done = offset;
        }
        if (program_due && program_frame == at) {
            const EngineProgram* program = held_program_;
            held_program_ = nullptr;
            switch_program(program, at);
            report_program(*program, at);
        } else if (command_due && command_frame == at) {
            const Pending pending = pending_.front();
            pop_pending();
            const bool late = pending.command.frame < frame_time && pending.command.frame != kAsap;
            apply(pending, at, late);
        } else {
            play_live_midi(midi_in[next_midi++], at);
        }
    }
    if (done == 0) note_position_heard_at(frame_time);
    if (done < frames) sequencer_.render(frame_time + done, frames - done, left + done, right + done);
}

// The position is read once everything due on the block's first frame has applied and before any
// later switch, locate, loop wrap or tempo change of the block: the status then describes exactly
// what was heard at block_frame.
void RealtimeEngine::note_position_heard_at(Frame frame_time) {
    EngineStatus& s = board_;
    s.playing = sequencer_.playing();
    s.score_frame = sequencer_.score_frame_at(frame_time);
    if (const ScoreSnapshot* score = sequencer_.score()) {
        s.beat = score->beat_at_score_frame(s.score_frame);
        s.bpm = score->tempo().bpm_at(s.beat);
        const BarPosition bar = score->bar_at_beat(s.beat);
        s.bar = bar.bar;
        s.beat_in_bar = bar.beat_in_bar;
    }
}

void RealtimeEngine::report_program(const EngineProgram& program, Frame at) {
    EngineEvent event;
    event.kind = EngineEventKind::ProgramApplied;
    event.request = program.generation;
    event.revision = program.revision;
    event.frame = at;
    push_event(event);
}

// A live MIDI message on the instrument of the track armed for input (any channel).
void RealtimeEngine::play_live_midi(const MidiInputEvent& event, Frame at) {
    if (recording_ && sequencer_.playing() && event.size >= 2) {
        // Played against what was heard then: the engine frame a lookahead before this one.
        const Frame played_at = at - mix_.lookahead();
        RecordedMidi r;
        r.frame = played_at;
        r.score_frame = std::max<Frame>(0, sequencer_.score_frame_at(played_at));
        r.size = event.size;
        for (int b = 0; b < 3; ++b) r.bytes[b] = event.bytes[b];
        if (!recorded_.try_push(r))
            recorded_dropped_.store(recorded_dropped_.load(std::memory_order_relaxed) + 1,
                                    std::memory_order_relaxed);
    }
    TrackMixer* mixer = sequencer_.mixer();
    Instrument* instrument =
        mixer && midi_input_track_ >= 0 ? mixer->instrument(std::size_t(midi_input_track_)) : nullptr;
    if (!instrument || event.size < 2) return;
    const int type = event.bytes[0] & 0xF0;
    const int channel = event.bytes[0] & 0x0F;
    const int data1 = event.bytes[1] & 0x7F;
    const int data2 = event.size > 2 ? event.bytes[2] & 0x7F : 0;
    // One key per (channel, pitch), apart from score notes, auditions and OSC live notes.
    const VoiceKey key = kLiveKeyBit | (VoiceKey{1} << 61) | (VoiceKey(channel) << 8) | VoiceKey(data1);
    switch (type) {
        case 0x90:
            if (data2 > 0) {
                instrument->note_on(key, data1, 0.0, data2);
                break;
            }
            [[fallthrough]];
        case 0x80:
            instrument->note_off(key);
            break;
        case 0xB0:
            instrument->controller({0.0, ControllerKind::ControlChange, data1, double(data2)});
            break;
        case 0xC0:
            instrument->controller({0.0, ControllerKind::ProgramChange, data1, 0.0});
            break;
        case 0xD0:
            instrument->controller({0.0, ControllerKind::ChannelPressure, 0, double(data1)});
            break;
        case 0xE0:
            instrument->controller(
                {0.0, ControllerKind::PitchBend, 0, ((data2 << 7 | data1) - 8192) / 8192.0});
            break;
        default:
            break;
    }
}

void RealtimeEngine::publish_status(Frame frame_time, std::int64_t host_time_ns, int frames,
                                    std::int64_t started_ns, std::int64_t cpu_started_ns, const float* left,
                                    const float* right) {
    // Peaks over a window of about 50 ms: long enough for a 30 Hz reader to see every transient.
    if (frame_time >= peak_window_end_) {
        master_peak_ = {};
        if (TrackMixer* mixer = sequencer_.mixer()) mixer->reset_peaks();
        peak_window_end_ = frame_time + static_cast<Frame>(kPeakWindowSeconds * options_.sample_rate);
    }
    master_peak_[0] = std::max(master_peak_[0], peak_of(left, frames));
    master_peak_[1] = std::max(master_peak_[1], peak_of(right, frames));
    EngineStatus& s = board_;
    s.block_frame = frame_time;
    s.block_host_ns = host_time_ns;
    s.block_frames = frames;
    s.metronome = sequencer_.metronome_enabled();
    s.generation = program_ ? program_->generation : 0;
    s.master_peak = master_peak_;
    const TrackMixer* mixer = sequencer_.mixer();
    s.track_count =
        mixer ? static_cast<int>(std::min<std::size_t>(mixer->track_count(), kMaxMeteredTracks)) : 0;
    for (int t = 0; t < s.track_count; ++t) s.track_peak[t] = mixer->track_peak(t);
    // CPU time is read inside the wall-clock span, so a block's CPU figure never exceeds its load. A
    // block's CPU time is at most its wall-clock time, so only a block whose load exceeds the CPU peak
    // can raise it: the others skip the clock (a system call, a large part of a small block's cost).
    const double budget_ns = 1e9 * frames / options_.sample_rate;
    const auto load_of = [&](std::int64_t ns) { return static_cast<float>(double(ns) / budget_ns); };
    float wall_load = load_of(now_ns() - started_ns);
    if (cpu_started_ns >= 0 && wall_load > s.dsp_cpu_peak) {
        const float cpu_load = load_of(thread_cpu_ns() - cpu_started_ns);
        wall_load = load_of(now_ns() - started_ns);  // (a span that holds the CPU clock's)
        s.dsp_cpu_peak = std::max(s.dsp_cpu_peak, cpu_load);
    }
    s.dsp_load = wall_load;
    s.dsp_load_peak = std::max(s.dsp_load_peak, s.dsp_load);
    status_.store(s);
}

}  // namespace tactus
