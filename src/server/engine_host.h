// Runs a RealtimeEngine on an audio backend and holds what the control side knows: the document,
// its compiled programs, the tempo scale, and the mapping from wall time to output frames.
//
// Threading: constructed, started and driven by the control thread (the OSC loop); the backend calls
// process() on its realtime thread; status()/timing queries are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audio/audio_backend.h"
#include "core/document_editor.h"
#include "core/score.h"
#include "engine/csound/csound_orchestra_policy.h"
#include "engine/lockfree/fork_join_team.h"
#include "engine/realtime_engine.h"

namespace tactus {

struct EngineHostOptions {
    AudioBackendOptions audio;
    // Immediate commands land this many periods after they arrive (zero jitter); 0 = "asap": at
    // the start of the next block.
    int immediate_latency_periods = 2;
    std::size_t command_capacity = 4096;
    // Frames the engine renders ahead of its output, so instruments that compute ahead (a Csound
    // orchestra: ksmps - 1) are heard on their frame (engine/compensated_mix.h). Immediate commands
    // land this much later too.
    int lookahead_frames = 128;
    // What Csound orchestras may do besides making sound: the owner's --csound-allow, never a client's.
    CsoundPermissions csound;
    // Threads rendering the tracks' instruments at once, the audio thread included. Helpers run at
    // the audio thread's realtime priority; where that is not permitted the audio thread renders alone.
    int workers = 1;
};

class EngineHost final : public AudioCallback {
public:
    EngineHost() = default;
    ~EngineHost() override;

    // Opens the audio backend and the engine (no sound yet), then starts the audio stream. Between
    // the two, a document can be loaded and commands queued for the very first frame.
    bool open(const EngineHostOptions& options, std::string* error);
    bool start_audio(std::string* error);
    bool start(const EngineHostOptions& options, std::string* error) {
        return open(options, error) && start_audio(error);
    }
    void stop();
    // False once the audio side has ended by itself (an offline render reached its length, or the
    // JACK server went away).
    bool running() const;

    // Loading (control thread): replaces the document and the instruments; the transport stops.
    // A csound track whose orchestra does not load plays silent; its error is appended to `silenced`
    // ("/tracks/N: message"). Any other instrument that cannot be made fails the load.
    bool load(Document doc, std::string* error, std::vector<std::string>* silenced = nullptr);
    const Document& document() const { return editor_.document(); }
    const DocumentEditor& editor() const { return editor_; }
    bool has_document() const { return loaded_; }
    // True once every track's instrument has what it plays in memory (a SoundFont is read on a loader
    // thread), or has failed to get it.
    bool instruments_ready() const;
    // The mixer slot of a track (stable while the document is edited), or nullopt.
    std::optional<std::uint32_t> track_index(TrackId id) const;
    // Records a live mixer change in the document (not an edit: no revision). The engine gets the
    // change as a command; this keeps /document, saves and a track's next instrument in step with it.
    bool set_mix(TrackId id, const MixChange& change) { return editor_.set_mix(id, change); }
    bool set_bus_mix(BusId id, const MixChange& change) { return editor_.set_bus_mix(id, change); }
    bool set_send_level(TrackId track, BusId bus, double level) {
        return editor_.set_send_level(track, bus, level);
    }
    const std::vector<Insert>* inserts_of(InsertOwner owner, std::uint64_t id) const {
        return editor_.inserts_of(owner, id);
    }
    bool set_insert_parameter(InsertOwner owner, std::uint64_t id, std::size_t insert,
                              const std::string& symbol, double value) {
        return editor_.set_insert_parameter(owner, id, insert, symbol, value);
    }
    // The index of an insert's control input with this symbol in the chain of the track or bus in
    // `slot` (or the master): -1 when it has none, -2 when the insert's plugin could not be made.
    long insert_control(InsertOwner owner, std::uint32_t slot, std::size_t insert,
                        const std::string& symbol) const;
    // The mixer slot of a bus (stable while the document is edited), or nullopt.
    std::optional<std::uint32_t> bus_index(BusId id) const;
    bool set_parameter(TrackId id, const std::string& name, double value) {
        return editor_.set_parameter(id, name, value);
    }
    // The parameters the instrument of track `id` offers (empty for an unknown track).
    const std::vector<InstrumentParameter>& track_parameters(TrackId id) const;
    // Mixer slots in document order (for per-track meters).
    std::vector<std::uint32_t> slots_in_document_order() const;
    std::vector<std::uint32_t> bus_slots_in_document_order() const;

    // Editing (control thread): applies the batch all or none and publishes the result: only the
    // touched chunks of the score for note edits, shared channels for track edits, a rebuild for
    // tempo or meter. On failure nothing changes and *error names the edit. `effect` (optional)
    // says what the batch changed.
    // `apply_at`: the output frame the change is heard from (kAsap: the next block); programs take
    // effect in the order published, so an earlier frame than the last one published waits for it.
    // A csound track (added, or given another instrument) whose orchestra does not load plays silent,
    // as on a load: the batch applies, and `silenced` (when given) gets one warning per such track,
    // "/tracks/N/orchestra: file:line: message" (`withhold_file_text`: without Csound's message, which
    // quotes the file, for a client that may name files but not read them).
    bool edit(std::vector<Edit> edits, std::string* error, EditEffect* effect = nullptr,
              Frame apply_at = kAsap, bool withhold_file_text = false,
              std::vector<std::string>* silenced = nullptr);

    // Tempo scale (control thread): a new program whose tempo map is scaled; the beat heard stays put.
    bool set_tempo_scale(double scale, std::string* error, Frame apply_at = kAsap);
    double tempo_scale() const { return tempo_scale_; }

    // Timing (any thread). The frame on which an immediate command that arrived at `arrival_ns`
    // applies, and the frame a bundle timetag (CLOCK_MONOTONIC ns) maps to.
    Frame frame_for_arrival(std::int64_t arrival_ns) const;
    Frame frame_for_host_time(std::int64_t host_ns) const;
    std::int64_t host_time_at_frame(Frame frame) const;

    // Beats <-> score frames in the current (scaled) tempo map.
    Frame score_frame_at_beat(double beat) const;
    Frame score_frame_at_seconds(double seconds) const;
    double beat_at_score_frame(Frame frame) const;

    bool submit(const EngineCommand& command);
    bool next_event(EngineEvent& event) { return engine_->next_event(event); }
    bool next_recorded(RecordedMidi& recorded) { return engine_->next_recorded(recorded); }
    void collect_retired() { engine_->collect_retired(); }
    EngineStatus status() const { return engine_->status(); }

    int sample_rate() const { return backend_->sample_rate(); }
    int period() const { return backend_->period(); }
    // Frames the engine renders ahead of its output now: EngineHostOptions::lookahead_frames, raised
    // while the document's plugins lag more (the latest path to the master: path_latency()).
    int lookahead() const { return engine_->lookahead(); }
    // The latest path to the master of the published channels, in frames (a track's instrument and
    // inserts; a bus: its latest sender, then its inserts; plus the master chain).
    int path_latency() const;
    const CsoundPermissions& csound_permissions() const { return options_.csound; }
    int output_latency_frames() const { return backend_->output_latency_frames(); }
    std::int64_t xruns() const { return backend_->xruns(); }
    bool realtime_scheduling() const { return backend_->realtime_scheduling(); }
    std::string backend_description() const { return backend_->description(); }
    std::string midi_status() const { return backend_->midi_status(); }
    // Threads rendering instruments at once (1: the audio thread alone), and why not more when asked.
    int workers() const { return team_ ? team_->size() : 1; }
    const std::string& workers_note() const { return workers_note_; }
    std::uint64_t rejected_commands() const { return rejected_.load(std::memory_order_relaxed); }
    AudioBackend& backend() { return *backend_; }

    // AudioCallback (realtime thread).
    void process(const AudioBlock& block) override;
    int preroll_frames() const override { return engine_->requested_lookahead(); }

private:
    Document scaled_document() const;
    // Publishes a program of `score` with the current mixer, or (new_mixer) a new mixer of channels_,
    // to take effect on `apply_at` (never before the previous program's frame).
    void publish(std::shared_ptr<const ScoreSnapshot> score, bool new_mixer, Frame apply_at = kAsap);
    std::shared_ptr<const ScoreSnapshot> build_score() const;
    bool update_channels(const EditEffect& effect, std::string* error);
    bool update_buses(const EditEffect& effect, std::string* error);
    // Asks the engine for the lookahead the document's latency needs (never below the option's).
    void fit_lookahead();
    void start_workers();
    // Every track slot's sends, from the document.
    std::vector<std::vector<SendSpec>> sends_by_slot() const;

    EngineHostOptions options_;
    std::unique_ptr<AudioBackend> backend_;
    std::unique_ptr<ForkJoinTeam> team_;  // the mixers' helpers (declared before engine_: outlives them)
    std::string workers_note_;
    std::unique_ptr<RealtimeEngine> engine_;
    DocumentEditor editor_;
    // Control-side copy of the mixer's channels by slot, and each track's slot.
    std::vector<std::shared_ptr<TrackChannel>> channels_;
    std::unordered_map<TrackId, std::uint32_t> slots_;
    // The same for buses, and the master insert chain (shared by every mixer until it is replaced).
    std::vector<std::shared_ptr<TrackChannel>> bus_channels_;
    std::map<BusId, std::uint32_t> bus_slots_;
    std::shared_ptr<InsertChain> master_;
    // Channels that left their slot, kept in the next mixers for a while so their notes fade out.
    struct Retiring {
        std::shared_ptr<TrackChannel> channel;
        std::chrono::steady_clock::time_point since;
    };
    std::vector<Retiring> retiring_;
    static constexpr std::chrono::seconds kRetireFor{4};
    bool loaded_ = false;
    double tempo_scale_ = 1.0;
    std::shared_ptr<const ScoreSnapshot> score_;  // the newest published, for beat conversions
    std::shared_ptr<TrackMixer> mixer_;           // the newest published instruments
    std::uint64_t generation_ = 0;
    Frame last_apply_at_ = kAsap;
    std::atomic<std::uint64_t> rejected_{0};
};

}  // namespace tactus
