#include "engine/offline_render.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/instrument_factory.h"
#include "engine/parallel_track_render.h"

namespace tactus {

OfflineRender::OfflineRender(const OfflineRenderOptions& options) : options_(options) {}

OfflineRender::~OfflineRender() = default;

int OfflineRender::threads() const {
    return parallel_ ? parallel_->threads() : 1;
}

std::unique_ptr<OfflineRender> OfflineRender::create(const Document& doc, const OfflineRenderOptions& options,
                                                     std::string* error) {
    if (options.block_frames <= 0 || !(options.sample_rate > 0.0)) {
        if (error) *error = "block size and sample rate must be positive";
        return nullptr;
    }
    // Buses and the master chain mix what several tracks rendered: one thread renders it all.
    const bool routed = !doc.buses.empty() || !doc.master_inserts.empty();
    if (options.threads <= 1 || doc.tracks.size() < 2 || routed) return create_serial(doc, 0, options, error);

    std::vector<std::unique_ptr<OfflineRender>> stems;
    Frame score_end = 0;
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        stems.push_back(create_stem(doc, i, options, error));
        if (!stems.back()) return nullptr;
        score_end = std::max(score_end, stems.back()->score_end_);
    }
    for (auto& stem : stems) stem->end_at(score_end);
    std::unique_ptr<OfflineRender> render(new OfflineRender(options));
    render->end_at(score_end);
    const int threads = static_cast<int>(std::min<std::size_t>(std::size_t(options.threads), stems.size()));
    render->parallel_ =
        std::make_unique<ParallelTrackRender>(std::move(stems), options.block_frames, threads);
    return render;
}

std::unique_ptr<OfflineRender> OfflineRender::create_stem(const Document& doc, std::size_t track,
                                                          const OfflineRenderOptions& options,
                                                          std::string* error) {
    Document alone;
    alone.tempo = doc.tempo;
    alone.meter = doc.meter;
    alone.tracks.push_back(doc.tracks[track]);
    // A soloed track elsewhere silences this one as the mixer would (TrackMixer::settings_for).
    const bool any_solo =
        std::any_of(doc.tracks.begin(), doc.tracks.end(), [](const Track& t) { return t.solo; });
    Track& t = alone.tracks.back();
    t.mute = t.mute || (any_solo && !t.solo);
    t.solo = false;
    return create_serial(alone, track, options, error);
}

std::unique_ptr<OfflineRender> OfflineRender::create_serial(const Document& doc, std::size_t first_track,
                                                            const OfflineRenderOptions& options,
                                                            std::string* error) {
    std::unique_ptr<OfflineRender> render(new OfflineRender(options));
    render->snapshot_ = ScoreSnapshot::build(doc, options.sample_rate);
    render->mixer_ = make_track_mixer(doc, options.sample_rate, error, nullptr, options.csound);
    if (!render->mixer_) return nullptr;
    // A SoundFont's samples are read on the font library's thread: the render waits for them.
    for (std::size_t i = 0; i < render->mixer_->channels().size(); ++i) {
        std::string why;
        if (!render->mixer_->channels()[i]->instrument->wait_until_ready(&why)) {
            if (error) *error = "/tracks/" + std::to_string(first_track + i) + ": " + why;
            return nullptr;
        }
    }
    render->compensation_ = std::make_unique<CompensatedMix>(render->mixer_->latency());
    render->mixer_->set_compensation(render->compensation_.get());
    render->sequencer_.set_mixer(render->mixer_.get());
    render->end_at(render->snapshot_->end_frame());
    render->sequencer_.set_score(render->snapshot_.get(), 0);
    render->sequencer_.play(0, 0);
    // The lookahead's first frames come out before output frame 0: rendered, not written.
    std::vector<float> left(std::size_t(options.block_frames)), right(left.size());
    for (int done = 0; done < render->compensation_->lookahead();) {
        const int frames = std::min(options.block_frames, render->compensation_->lookahead() - done);
        render->sequencer_.render(done, frames, left.data(), right.data());
        done += frames;
    }
    return render;
}

void OfflineRender::end_at(Frame score_end) {
    score_end_ = score_end;
    limit_ = score_end + static_cast<Frame>(std::ceil(options_.max_tail_seconds * options_.sample_rate));
}

int OfflineRender::render_next(float* left, float* right) {
    if (parallel_) {
        const int frames = parallel_->render_next(left, right);
        position_ += frames;
        return frames;
    }
    const bool score_done = position_ > score_end_;
    if (position_ >= limit_ || (score_done && mixer_->is_silent())) return 0;
    const int frames = static_cast<int>(std::min<Frame>(options_.block_frames, limit_ - position_));
    sequencer_.render(position_ + compensation_->lookahead(), frames, left, right);
    position_ += frames;
    return frames;
}

}  // namespace tactus
