#include "engine/offline_render.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/instrument_factory.h"

namespace tactus {

OfflineRender::OfflineRender(const OfflineRenderOptions& options) : options_(options) {}

OfflineRender::~OfflineRender() = default;

std::unique_ptr<OfflineRender> OfflineRender::create(const Document& doc, const OfflineRenderOptions& options,
                                                     std::string* error) {
    if (options.block_frames <= 0 || !(options.sample_rate > 0.0)) {
        if (error) *error = "block size and sample rate must be positive";
        return nullptr;
    }
    std::unique_ptr<OfflineRender> render(new OfflineRender(options));
    render->snapshot_ = ScoreSnapshot::build(doc, options.sample_rate);
    render->mixer_ = make_track_mixer(doc, options.sample_rate, error, nullptr, options.csound);
    if (!render->mixer_) return nullptr;
    // A SoundFont's samples are read on the font library's thread: the render waits for them.
    for (std::size_t i = 0; i < render->mixer_->channels().size(); ++i) {
        std::string why;
        if (!render->mixer_->channels()[i]->instrument->wait_until_ready(&why)) {
            if (error) *error = "/tracks/" + std::to_string(i) + ": " + why;
            return nullptr;
        }
    }
    const int threads =
        static_cast<int>(std::min<std::size_t>(std::size_t(std::max(1, options.threads)), doc.tracks.size()));
    if (threads > 1) {
        render->team_ = std::make_unique<ForkJoinTeam>(threads);
        render->mixer_->set_team(render->team_.get());
    }
    render->compensation_ = std::make_unique<CompensatedMix>(render->mixer_->latency());
    render->mixer_->set_compensation(render->compensation_.get());
    render->sequencer_.set_mixer(render->mixer_.get());
    render->end_at(render->snapshot_->end_frame());
    render->sequencer_.set_score(render->snapshot_.get(), 0);
    render->sequencer_.play(0, 0);
    render->pending_left_.assign(std::size_t(options.block_frames), 0.0f);
    render->pending_right_.assign(std::size_t(options.block_frames), 0.0f);
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

bool OfflineRender::render_block() {
    const bool score_done = position_ > score_end_;
    if (position_ >= limit_ || (score_done && mixer_->is_silent())) return false;
    const int frames = static_cast<int>(std::min<Frame>(options_.block_frames, limit_ - position_));
    sequencer_.render(position_ + compensation_->lookahead(), frames, pending_left_.data(),
                      pending_right_.data());
    position_ += frames;
    // Up to the block's last sound; the zeros after it are held until more sound shows they are not the
    // end. Only +0.0 is held (and handed out again as +0.0): a -0.0 keeps its sign bit in a float file.
    const auto zero = [](float s) { return s == 0.0f && !std::signbit(s); };
    int end = frames;
    while (end > 0 && zero(pending_left_[std::size_t(end - 1)]) && zero(pending_right_[std::size_t(end - 1)]))
        --end;
    if (end > 0) {
        zeros_due_ += held_zeros_;
        held_zeros_ = 0;
    }
    held_zeros_ += frames - end;
    pending_at_ = 0;
    pending_end_ = end;
    return true;
}

int OfflineRender::render_next(float* left, float* right) {
    for (;;) {
        if (zeros_due_ > 0) {
            const int n = static_cast<int>(std::min<Frame>(zeros_due_, options_.block_frames));
            std::fill_n(left, n, 0.0f);
            std::fill_n(right, n, 0.0f);
            zeros_due_ -= n;
            handed_out_ += n;
            return n;
        }
        if (pending_at_ < pending_end_) {
            const int n = pending_end_ - pending_at_;
            std::copy_n(pending_left_.data() + pending_at_, n, left);
            std::copy_n(pending_right_.data() + pending_at_, n, right);
            pending_at_ = pending_end_;
            handed_out_ += n;
            return n;
        }
        if (over_) return 0;
        if (!render_block()) {
            // The end: the silence held back counts only as far as the last note's end.
            over_ = true;
            zeros_due_ = std::clamp<Frame>(score_end_ + 1 - handed_out_, 0, held_zeros_);
            held_zeros_ = 0;
        }
    }
}

}  // namespace tactus
