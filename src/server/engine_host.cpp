#include "server/engine_host.h"

#include <algorithm>
#include <map>
#include <thread>

#include "audio/realtime_platform.h"
#include "engine/instrument_factory.h"

namespace tactus {

EngineHost::~EngineHost() {
    stop();
}

bool EngineHost::open(const EngineHostOptions& options, std::string* error) {
    options_ = options;
    options_.lookahead_frames = std::clamp(options.lookahead_frames, 0, CompensatedMix::kMaxLookahead);
    options_.audio.offline_preroll_frames = options_.lookahead_frames;
    backend_ = open_audio_backend(options_.audio, error);
    if (!backend_) return false;
    start_workers();
    RealtimeEngineOptions engine_options;
    engine_options.sample_rate = backend_->sample_rate();
    engine_options.command_capacity = options.command_capacity;
    engine_options.lookahead_frames = options_.lookahead_frames;
    engine_ = std::make_unique<RealtimeEngine>(engine_options);
    // An empty document, so the engine always has a program (and a metronome) to play.
    mixer_ = std::make_shared<TrackMixer>(backend_->sample_rate());
    publish(ScoreSnapshot::build(Document(), backend_->sample_rate()), true);
    return true;
}

// Helpers wait for nothing but the audio thread's batches, at its priority: the audio thread then never
// waits on a thread that runs below it. Without that priority (not permitted here) it renders alone.
void EngineHost::start_workers() {
    const int wanted = std::clamp(options_.workers, 1, 64);
    if (wanted == 1) return;
    const int priority = backend_->realtime_priority();
    if (priority <= 0 && !backend_->clocked_by_caller()) {
        workers_note_ = "the audio thread is not realtime here: it renders alone (--workers " +
                        std::to_string(wanted) + " needs realtime scheduling)";
        return;
    }
    auto promoted = std::make_shared<std::atomic<int>>(0);
    auto refused = std::make_shared<std::atomic<int>>(0);
    auto team = std::make_unique<ForkJoinTeam>(wanted, [priority, promoted, refused] {
        if (priority <= 0 || platform::make_current_thread_realtime(priority))
            promoted->fetch_add(1);
        else
            refused->fetch_add(1);
    });
    for (int i = 0; i < 500 && promoted->load() + refused->load() < wanted - 1; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (promoted->load() != wanted - 1) {
        workers_note_ = "helper threads may not run at realtime priority " + std::to_string(priority) +
                        " here: the audio thread renders alone";
        return;
    }
    team_ = std::move(team);
}

bool EngineHost::start_audio(std::string* error) {
    return backend_->start(*this, error);
}

bool EngineHost::running() const {
    return backend_ && !backend_->ended();
}

void EngineHost::stop() {
    if (backend_) backend_->stop();
}

void EngineHost::process(const AudioBlock& block) {
    engine_->process(block.frame_time, block.host_time_ns, block.frames, block.left, block.right,
                     {block.midi_in, static_cast<std::size_t>(block.midi_in_count)});
    if (block.midi_out && block.midi_out_count) {
        const MidiOutBus& bus = engine_->midi_out();
        const int n = std::min(bus.count(), block.midi_out_capacity);
        std::copy_n(bus.events(), n, block.midi_out);
        *block.midi_out_count = n;
    }
}

Document EngineHost::scaled_document() const {
    Document doc = editor_.document();
    if (tempo_scale_ != 1.0) {
        std::vector<TempoPoint> points = doc.tempo.points();
        for (TempoPoint& p : points) p.bpm *= tempo_scale_;
        std::string ignored;
        if (auto map = TempoMap::from_points(points, &ignored)) doc.tempo = *map;
    }
    return doc;
}

std::vector<std::uint32_t> EngineHost::slots_in_document_order() const {
    std::vector<std::uint32_t> slots;
    for (const Track& t : editor_.document().tracks) slots.push_back(slots_.at(t.id));
    return slots;
}

std::vector<std::uint32_t> EngineHost::bus_slots_in_document_order() const {
    std::vector<std::uint32_t> slots;
    for (const Bus& b : editor_.document().buses) slots.push_back(bus_slots_.at(b.id));
    return slots;
}

std::shared_ptr<const ScoreSnapshot> EngineHost::build_score() const {
    // (Unscaled, the editor's own document: no copy of a million notes.)
    if (tempo_scale_ == 1.0)
        return ScoreSnapshot::build(editor_.document(), backend_->sample_rate(), slots_in_document_order(),
                                    bus_slots_in_document_order());
    return ScoreSnapshot::build(scaled_document(), backend_->sample_rate(), slots_in_document_order(),
                                bus_slots_in_document_order());
}

void EngineHost::publish(std::shared_ptr<const ScoreSnapshot> score, bool new_mixer, Frame apply_at) {
    if (new_mixer) {
        auto mixer = std::make_shared<TrackMixer>(backend_->sample_rate());
        mixer->set_channels(channels_);
        mixer->set_buses(bus_channels_);
        mixer->set_sends(sends_by_slot());
        mixer->set_master_chain(master_);
        mixer->set_team(team_.get());
        const auto now = std::chrono::steady_clock::now();
        std::erase_if(retiring_, [&](const Retiring& r) { return now - r.since > kRetireFor; });
        std::vector<std::shared_ptr<TrackChannel>> retiring;
        for (const Retiring& r : retiring_) retiring.push_back(r.channel);
        mixer->set_retiring(std::move(retiring));
        mixer_ = std::move(mixer);
    }
    score_ = std::move(score);
    auto program = std::make_unique<EngineProgram>();
    program->score = score_;
    program->mixer = mixer_;
    program->generation = ++generation_;
    program->revision = editor_.revision();
    last_apply_at_ = std::max(last_apply_at_, apply_at);
    program->apply_at = last_apply_at_;
    engine_->publish(std::move(program));
}

bool EngineHost::load(Document doc, std::string* error, std::vector<std::string>* silenced) {
    const double rate = backend_->sample_rate();
    std::vector<std::string> ignored;
    std::shared_ptr<TrackMixer> mixer =
        make_track_mixer(doc, rate, error, engine_->midi_out_bus(), options_.csound,
                         silenced ? silenced : &ignored, lv2::WorkerMode::Threaded);
    if (!mixer) return false;
    mixer->set_team(team_.get());
    channels_ = mixer->channels();
    bus_channels_ = mixer->buses();
    master_ = mixer->master_chain_shared();
    retiring_.clear();
    slots_.clear();
    for (std::uint32_t i = 0; i < doc.tracks.size(); ++i) slots_[doc.tracks[i].id] = i;
    bus_slots_.clear();
    for (std::uint32_t i = 0; i < doc.buses.size(); ++i) bus_slots_[doc.buses[i].id] = i;
    editor_.reset(std::move(doc));
    mixer_ = std::move(mixer);
    publish(build_score(), false);
    fit_lookahead();
    loaded_ = true;
    return true;
}

bool EngineHost::update_channels(const EditEffect& effect, std::string* error) {
    const auto now = std::chrono::steady_clock::now();
    for (TrackId id : effect.tracks_removed) {
        retiring_.push_back({std::move(channels_[slots_.at(id)]), now});
        channels_[slots_.at(id)] = nullptr;
        slots_.erase(id);
    }
    const double rate = backend_->sample_rate();
    for (TrackId id : effect.instruments_changed) {
        const auto position = editor_.track_position(id);
        if (!position) continue;  // added and removed in one batch
        const Track& track = editor_.document().tracks[*position];
        std::string why;  // the edit's check has the reason (EngineHost::edit)
        auto instrument = make_instrument_or_silent(track, rate, error, engine_->midi_out_bus(),
                                                    options_.csound, &why, lv2::WorkerMode::Threaded);
        if (!instrument) return false;
        const auto slot = slots_.find(id);
        const auto at = slot != slots_.end() ? slot->second : static_cast<std::uint32_t>(channels_.size());
        auto channel = std::make_shared<TrackChannel>(
            std::move(instrument), rate, TrackControls{track.level, track.pan, track.mute, track.solo}, at);
        if (slot != slots_.end()) {
            retiring_.push_back({std::move(channels_[at]), now});
            channels_[at] = std::move(channel);  // a new instrument for the track
        } else {
            slots_[id] = at;
            channels_.push_back(std::move(channel));
        }
    }
    return true;
}

bool EngineHost::edit(std::vector<Edit> edits, std::string* error, EditEffect* effect_out, Frame apply_at,
                      bool withhold_file_text, std::vector<std::string>* silenced) {
    // Compiled against the snapshot playing now (its tempo, the tracks' current slots). A csound
    // track that cannot play is let through silent (update_channels), its reason kept for the warning.
    std::map<TrackId, std::string> silent;
    const auto check = [this, withhold_file_text, &silent](const Track& track) {
        Document one;
        one.tracks.push_back(track);
        const auto problems = check_instruments(one, options_.csound);
        silent.erase(track.id);
        if (problems.empty()) return std::string();
        const InstrumentProblem& p = problems.front();
        const std::string told =
            withhold_file_text && !p.withheld_message.empty() ? p.withheld_message : p.message;
        if (!p.track_can_play_silent) return told;
        silent[track.id] = p.json_path.substr(std::string_view("/tracks/0").size()) + ": " + told +
                           p.consequence();  // one track
        return std::string();
    };
    EditEffect effect;
    if (!editor_.apply(std::move(edits), &effect, error, check)) return false;
    if (effect_out) *effect_out = effect;
    if (silenced)
        for (const auto& [id, why] : silent)
            if (const auto at = editor_.track_position(id))
                silenced->push_back("/tracks/" + std::to_string(*at) + why);
    std::vector<SnapshotNote> removed, added;
    removed.reserve(effect.removed.size());
    for (const PlacedNote& n : effect.removed) removed.push_back(score_->compile(n.note, slots_.at(n.track)));
    const bool channels_changed =
        !effect.instruments_changed.empty() || !effect.tracks_removed.empty() || effect.routing_changed;
    if (channels_changed && !update_channels(effect, error)) return false;
    if (effect.routing_changed && !update_buses(effect, error)) return false;
    if (channels_changed) fit_lookahead();
    // Automation lanes name tracks and buses by slot: new routing compiles them again too (a send lane
    // waiting for its bus).
    const bool automation_moved =
        effect.automation_changed || (effect.routing_changed && !editor_.document().automation.empty());
    if (effect.tempo_changed || effect.meter_changed || effect.controllers_changed || automation_moved) {
        publish(build_score(), channels_changed, apply_at);
        return true;
    }
    added.reserve(effect.added.size());
    for (const PlacedNote& n : effect.added) added.push_back(score_->compile(n.note, slots_.at(n.track)));
    publish(score_->with_notes_changed(removed, added), channels_changed, apply_at);
    return true;
}

bool EngineHost::update_buses(const EditEffect& effect, std::string* error) {
    const auto now = std::chrono::steady_clock::now();
    const double rate = backend_->sample_rate();
    for (BusId id : effect.buses_removed) {
        const auto slot = bus_slots_.find(id);
        if (slot == bus_slots_.end()) continue;  // added and removed in one batch
        retiring_.push_back({std::move(bus_channels_[slot->second]), now});
        bus_channels_[slot->second] = nullptr;
        bus_slots_.erase(slot);
    }
    for (BusId id : effect.buses_changed) {
        const auto position = editor_.bus_position(id);
        if (!position) continue;
        const Bus& bus = editor_.document().buses[*position];
        std::vector<std::string> skipped;  // an insert that cannot be made passes through
        auto input = make_bus_input(bus, rate, error, &skipped, lv2::WorkerMode::Threaded);
        if (!input) return false;
        const auto slot = bus_slots_.find(id);
        const auto at =
            slot != bus_slots_.end() ? slot->second : static_cast<std::uint32_t>(bus_channels_.size());
        auto channel = std::make_shared<TrackChannel>(
            std::move(input), rate, TrackControls{bus.level, bus.pan, bus.mute, bus.solo}, at, true);
        if (slot != bus_slots_.end()) {
            retiring_.push_back({std::move(bus_channels_[at]), now});
            bus_channels_[at] = std::move(channel);
        } else {
            bus_slots_[id] = at;
            bus_channels_.push_back(std::move(channel));
        }
    }
    if (effect.master_changed) {
        std::vector<std::string> skipped;
        master_ = make_master_chain(editor_.document().master_inserts, rate, error, &skipped,
                                    lv2::WorkerMode::Threaded);
        if (!master_ && !editor_.document().master_inserts.empty()) return false;
    }
    return true;
}

int EngineHost::path_latency() const {
    // Instruments' and chains' latencies are fixed when they are made: reading them races with nothing.
    int latest = 0;
    std::vector<int> bus_alignment(bus_channels_.size(), 0);
    for (const Track& t : editor_.document().tracks) {
        const auto slot = slots_.find(t.id);
        if (slot == slots_.end() || !channels_[slot->second]) continue;
        const int latency = channels_[slot->second]->instrument->latency();
        latest = std::max(latest, latency);
        for (const Send& send : t.sends)
            if (const auto bus = bus_slots_.find(send.bus); bus != bus_slots_.end())
                bus_alignment[bus->second] = std::max(bus_alignment[bus->second], latency);
    }
    for (std::size_t b = 0; b < bus_channels_.size(); ++b)
        if (bus_channels_[b]) {
            const InsertChain* chain = bus_channels_[b]->instrument->inserts();
            latest = std::max(latest, bus_alignment[b] + (chain ? chain->latency() : 0));
        }
    return latest + (master_ ? master_->latency() : 0);
}

void EngineHost::fit_lookahead() {
    engine_->request_lookahead(
        std::clamp(std::max(options_.lookahead_frames, path_latency()), 0, CompensatedMix::kMaxLookahead));
}

std::vector<std::vector<SendSpec>> EngineHost::sends_by_slot() const {
    std::vector<std::vector<SendSpec>> sends(channels_.size());
    for (const Track& t : editor_.document().tracks)
        if (const auto slot = slots_.find(t.id); slot != slots_.end() && slot->second < sends.size())
            sends[slot->second] = send_specs(t, bus_slots_);
    return sends;
}

long EngineHost::insert_control(InsertOwner owner, std::uint32_t slot, std::size_t insert,
                                const std::string& symbol) const {
    InsertChain* chain = master_.get();
    if (owner != InsertOwner::Master) {
        const auto& channels = owner == InsertOwner::Bus ? bus_channels_ : channels_;
        // The chain's plugins are fixed once made: reading their ports races with nothing.
        chain = slot < channels.size() && channels[slot] ? channels[slot]->instrument->inserts() : nullptr;
    }
    if (!chain || insert >= chain->size()) return -2;
    const lv2::Plugin* plugin = chain->plugin(insert);
    return plugin ? plugin->control_index(symbol) : -2;
}

std::optional<std::uint32_t> EngineHost::bus_index(BusId id) const {
    const auto it = bus_slots_.find(id);
    if (it == bus_slots_.end()) return std::nullopt;
    return it->second;
}

bool EngineHost::instruments_ready() const {
    for (const auto& channel : channels_)
        if (channel && !channel->instrument->ready()) return false;
    return true;
}

const std::vector<InstrumentParameter>& EngineHost::track_parameters(TrackId id) const {
    static const std::vector<InstrumentParameter> none;
    const auto slot = track_index(id);
    if (!slot || *slot >= channels_.size() || !channels_[*slot]) return none;
    return channels_[*slot]->instrument->parameters();
}

std::optional<std::uint32_t> EngineHost::track_index(TrackId id) const {
    const auto it = slots_.find(id);
    if (it == slots_.end()) return std::nullopt;
    return it->second;
}

bool EngineHost::set_tempo_scale(double scale, std::string* error, Frame apply_at) {
    const double previous = tempo_scale_;
    tempo_scale_ = scale;
    for (const TempoPoint& p : editor_.document().tempo.points()) {
        const double bpm = p.bpm * scale;
        if (bpm < TempoMap::kMinBpm || bpm > TempoMap::kMaxBpm) {
            tempo_scale_ = previous;
            if (error) *error = "scaled tempo " + std::to_string(bpm) + " bpm is outside 1..1000";
            return false;
        }
    }
    publish(build_score(), false, apply_at);
    return true;
}

Frame EngineHost::frame_for_arrival(std::int64_t arrival_ns) const {
    if (options_.immediate_latency_periods <= 0) return kAsap;
    return backend_->frame_at_host_time(arrival_ns) + engine_->lookahead() +
           Frame(options_.immediate_latency_periods) * backend_->period();
}

Frame EngineHost::frame_for_host_time(std::int64_t host_ns) const {
    return backend_->frame_at_host_time(host_ns);
}

std::int64_t EngineHost::host_time_at_frame(Frame frame) const {
    return backend_->host_time_at_frame(frame);
}

Frame EngineHost::score_frame_at_beat(double beat) const {
    return score_->score_frame_at_beat(beat);
}

Frame EngineHost::score_frame_at_seconds(double seconds) const {
    return frame_at_seconds(seconds, backend_->sample_rate());
}

double EngineHost::beat_at_score_frame(Frame frame) const {
    return score_->beat_at_score_frame(frame);
}

bool EngineHost::submit(const EngineCommand& command) {
    if (engine_->submit(command)) return true;
    rejected_.fetch_add(1, std::memory_order_relaxed);
    return false;
}

}  // namespace tactus
