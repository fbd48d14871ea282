#include "engine/sequencer.h"

#include <algorithm>

namespace tactus {

void Sequencer::set_score(const ScoreSnapshot* score, Frame output_frame) {
    score_ = score;
    // Keep the position; in-flight notes keep their keys, so their note-offs still find them.
    seek(transport_.score_frame_at(output_frame));
}

void Sequencer::seek(Frame score_frame) {
    next_event_ = score_ ? score_->first_event_at_or_after(score_frame) : 0;
}

void Sequencer::play(Frame output_frame, Frame score_frame) {
    release_score_notes();
    transport_.anchor(output_frame, score_frame);
    transport_.playing = true;
    seek(score_frame);
    chase(score_frame);
}

void Sequencer::stop() {
    transport_.playing = false;
    release_score_notes();
}

void Sequencer::locate(Frame output_frame, Frame score_frame) {
    release_score_notes();
    transport_.anchor(output_frame, score_frame);
    seek(score_frame);
    if (transport_.playing) chase(score_frame);
}

void Sequencer::chase(Frame score_frame) {
    if (!score_) return;
    score_->for_each_note_sounding_at(score_frame, [this](const SnapshotNote& n) {
        if (n.track >= mixer_.track_count()) return;
        mixer_.instrument(n.track).note_on(n.key, n.pitch, n.cents, n.velocity);
        if (!active_.add(n.track, n.key)) active_.set_overflowed(true);
    });
}

void Sequencer::release_score_notes() {
    active_.release_all([this](std::uint32_t track, VoiceKey key) {
        if (track < mixer_.track_count()) mixer_.instrument(track).note_off(key);
    });
    if (active_.overflowed()) {
        for (std::size_t t = 0; t < mixer_.track_count(); ++t) mixer_.instrument(t).release_all();
        active_.set_overflowed(false);
    }
}

void Sequencer::apply(const ScoreEvent& e) {
    if (e.track >= mixer_.track_count()) return;
    Instrument& instrument = mixer_.instrument(e.track);
    switch (e.kind) {
        case ScoreEventKind::NoteOn:
            instrument.note_on(e.key, e.pitch, e.cents, e.velocity);
            if (!active_.add(e.track, e.key)) active_.set_overflowed(true);
            break;
        case ScoreEventKind::NoteOff:
        case ScoreEventKind::ZeroLengthNoteOff:
            instrument.note_off(e.key);
            active_.remove(e.track, e.key);
            break;
        case ScoreEventKind::Controller:
            instrument.controller(score_->controllers()[e.controller]);
            break;
    }
}

void Sequencer::mix(int offset, int frames) {
    if (frames > 0) mixer_.render(block_left_ + offset, block_right_ + offset, frames);
}

void Sequencer::render(Frame output_frame, int frames, float* left, float* right) {
    block_left_ = left;
    block_right_ = right;
    int done = 0;
    while (done < frames) {
        if (!transport_.playing || !score_) {
            mix(done, frames - done);
            break;
        }
        const Frame position = transport_.score_frame_at(output_frame + done);
        const LoopRange& loop = transport_.loop;
        const bool wraps = loop.active() && position < loop.end;
        const Frame span_end = position + std::min<Frame>(frames - done, wraps ? loop.end - position : frames);
        // Play every event inside [position, span_end), rendering up to each one's exact frame.
        const auto events = score_->events();
        Frame cursor = position;
        while (next_event_ < events.size() && events[next_event_].frame < span_end) {
            const ScoreEvent& event = events[next_event_];
            if (event.frame < cursor) {  // behind the play position: never replay the past
                ++next_event_;
                continue;
            }
            if (event.frame > cursor) {
                mix(done, static_cast<int>(event.frame - cursor));
                done += static_cast<int>(event.frame - cursor);
                cursor = event.frame;
            }
            apply(event);
            ++next_event_;
        }
        mix(done, static_cast<int>(span_end - cursor));
        done += static_cast<int>(span_end - cursor);
        if (wraps && span_end == loop.end) {
            // The loop's end: release what sounds, jump back to its start on this very frame.
            release_score_notes();
            transport_.anchor(output_frame + done, loop.begin);
            seek(loop.begin);
            chase(loop.begin);
        }
    }
}

}  // namespace tactus
