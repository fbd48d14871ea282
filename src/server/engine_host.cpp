#include "server/engine_host.h"

#include "engine/instrument_factory.h"

namespace tactus {

EngineHost::~EngineHost() {
    stop();
}

bool EngineHost::open(const EngineHostOptions& options, std::string* error) {
    options_ = options;
    backend_ = open_audio_backend(options.audio, error);
    if (!backend_) return false;
    RealtimeEngineOptions engine_options;
    engine_options.sample_rate = backend_->sample_rate();
    engine_options.command_capacity = options.command_capacity;
    engine_ = std::make_unique<RealtimeEngine>(engine_options);
    // An empty document, so the engine always has a program (and a metronome) to play.
    return publish(Document(), true, false, error);
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
    engine_->process(block.frame_time, block.host_time_ns, block.frames, block.left, block.right);
}

Document EngineHost::scaled_document() const {
    Document doc = document_;
    if (tempo_scale_ != 1.0) {
        std::vector<TempoPoint> points = doc.tempo.points();
        for (TempoPoint& p : points) p.bpm *= tempo_scale_;
        std::string ignored;
        if (auto map = TempoMap::from_points(points, &ignored)) doc.tempo = *map;
    }
    return doc;
}

bool EngineHost::publish(const Document& doc, bool new_instruments, bool keep_beat, std::string* error) {
    const double rate = backend_->sample_rate();
    if (new_instruments) {
        std::shared_ptr<TrackMixer> mixer = make_track_mixer(doc, rate, error);
        if (!mixer) return false;
        mixer_ = std::move(mixer);
    }
    score_ = ScoreSnapshot::build(doc, rate);
    auto program = std::make_unique<EngineProgram>();
    program->score = score_;
    program->mixer = mixer_;
    program->generation = ++generation_;
    program->keep_beat = keep_beat;
    engine_->publish(std::move(program));
    return true;
}

bool EngineHost::load(Document doc, std::string* error) {
    const Document previous = document_;
    document_ = std::move(doc);
    if (!publish(scaled_document(), true, false, error)) {
        document_ = previous;
        return false;
    }
    loaded_ = true;
    return true;
}

std::optional<std::uint32_t> EngineHost::track_index(TrackId id) const {
    for (std::size_t i = 0; i < document_.tracks.size(); ++i)
        if (document_.tracks[i].id == id) return static_cast<std::uint32_t>(i);
    return std::nullopt;
}

bool EngineHost::set_tempo_scale(double scale, std::string* error) {
    const double previous = tempo_scale_;
    tempo_scale_ = scale;
    for (const TempoPoint& p : document_.tempo.points()) {
        const double bpm = p.bpm * scale;
        if (bpm < TempoMap::kMinBpm || bpm > TempoMap::kMaxBpm) {
            tempo_scale_ = previous;
            if (error) *error = "scaled tempo " + std::to_string(bpm) + " bpm is outside 1..1000";
            return false;
        }
    }
    return publish(scaled_document(), false, true, error);
}

Frame EngineHost::frame_for_arrival(std::int64_t arrival_ns) const {
    if (options_.immediate_latency_periods <= 0) return kAsap;
    return backend_->frame_at_host_time(arrival_ns) +
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
