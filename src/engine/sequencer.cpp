#include "engine/sequencer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tactus {

namespace {
constexpr Frame kNever = std::numeric_limits<Frame>::max();
constexpr int kClickPitch = 84;                                    // accented first beat of a bar
constexpr int kClickPitchWeak = 76;                                // other beats
constexpr VoiceKey kClickKey = kLiveKeyBit | 0x4D45'5452'4F00ull;  // "METRO"
}  // namespace

void Sequencer::set_mixer(TrackMixer* mixer, bool keep_notes) {
    if (!keep_notes) {
        active_.release_all([](std::uint32_t, VoiceKey) {});
        active_.set_overflowed(false);
    }
    mixer_ = mixer;
}

void Sequencer::set_score(const ScoreSnapshot* score, Frame output_frame, bool keep_beat) {
    const Frame position = score_frame_at(output_frame);
    Frame new_position = position;
    if (keep_beat && score_ && score && transport_.playing) {
        const double beat = score_->exact_beat_at_score_frame(position);
        new_position = score->score_frame_at_beat(beat);
        transport_.anchor(output_frame, new_position);
    }
    if (!transport_.playing) stopped_at_ = new_position;
    const ScoreSnapshot* previous = score_;
    score_ = score;
    midi_clock_.set_score(score, new_position);
    // In-flight notes keep their keys, so their note-offs in the new snapshot still find them; a
    // note the new snapshot no longer sounds here (deleted, moved, re-pitched) is released now,
    // with its envelope.
    if (transport_.playing && score_ && mixer_) release_notes_gone_at(new_position);
    seek(new_position);
    // Controls whose lane is gone go back to their settings; every lane of the new score takes its place.
    if (previous && mixer_)
        for (const CompiledAutomationLane& lane : previous->automation().lanes())
            if (!score_ || !score_->automation().find(lane.control)) mixer_->release_automation(lane.control);
    place_automation(new_position, transport_.playing && new_position >= count_in_end_);
}

void Sequencer::release_notes_gone_at(Frame score_frame) {
    active_.clear_marks();
    score_->for_each_note_sounding_at(
        score_frame, [this](const SnapshotNote& n) { active_.mark(n.track, n.key, n.pitch, n.cents); });
    active_.release_unmarked([this](std::uint32_t track, VoiceKey key) { deliver(track, note_off(key)); });
}

void Sequencer::seek(Frame score_frame) {
    next_event_ = score_ ? score_->first_event_at_or_after(score_frame) : EventCursor{};
    seek_metronome(score_frame);
}

void Sequencer::seek_metronome(Frame score_frame) {
    next_click_frame_ = kNever;
    if (!score_) return;
    // The first whole beat whose frame is at or after score_frame.
    long long beat = static_cast<long long>(std::ceil(score_->beat_at_score_frame(score_frame) - 1e-9));
    while (score_->score_frame_at_beat(double(beat)) < score_frame) ++beat;
    while (score_->score_frame_at_beat(double(beat - 1)) >= score_frame) --beat;
    next_click_beat_ = beat;
    next_click_frame_ = score_->score_frame_at_beat(double(beat));
}

void Sequencer::set_metronome(Instrument* click, bool enabled) {
    click_ = click;
    metronome_enabled_ = enabled && click != nullptr;
}

void Sequencer::play(Frame output_frame, Frame score_frame, Frame count_in_frames) {
    release_score_notes();
    const Frame from = score_frame - std::max<Frame>(count_in_frames, 0);
    transport_.anchor(output_frame, from);
    transport_.playing = true;
    seek(from);
    midi_clock_.start(output_frame, score_frame);  // the clock starts with the score, after a count-in
    count_in_end_ = score_frame;
    if (from < score_frame) {
        // The score's own events start at score_frame: nothing before it plays during the count-in.
        next_event_ = score_ ? score_->first_event_at_or_after(score_frame) : EventCursor{};
        pending_chase_ = score_frame;
        place_automation(score_frame, false);  // the values the score starts with, held until it does
    } else {
        pending_chase_ = kNever;
        chase(score_frame);
    }
}

void Sequencer::stop(Frame output_frame) {
    // Stopped during a count-in: the position is where the score was about to start.
    stopped_at_ = std::max(score_frame_at(output_frame), transport_.playing ? count_in_end_ : stopped_at_);
    pending_chase_ = kNever;
    transport_.playing = false;
    midi_clock_.stop(output_frame);
    release_score_notes();
    place_automation(stopped_at_, false);
}

void Sequencer::locate(Frame output_frame, Frame score_frame) {
    release_score_notes();
    pending_chase_ = kNever;
    count_in_end_ = std::min(count_in_end_, score_frame);
    transport_.anchor(output_frame, score_frame);
    if (!transport_.playing) stopped_at_ = score_frame;
    seek(score_frame);
    if (transport_.playing) {
        chase(score_frame);
        midi_clock_.start(output_frame, score_frame);
    } else {
        place_automation(score_frame, false);
    }
}

void Sequencer::chase(Frame score_frame) {
    if (!score_ || !mixer_) return;
    place_automation(score_frame, true);
    // Controllers first: a chased note then sounds with the program, pedal and bend of its place.
    score_->controller_chase().for_each_at(score_frame, [this](std::uint32_t slot, const ControllerEvent& c) {
        ChannelEvent e;
        e.kind = ChannelEventKind::Controller;
        e.controller = c;
        deliver(slot, e);
    });
    score_->for_each_note_sounding_at(score_frame, [this, score_frame](const SnapshotNote& n) {
        if (!mixer_->has_channel(n.track)) return;
        deliver(n.track, score_note_on(n.key, n.pitch, n.cents, n.velocity, n.off - score_frame));
        if (!active_.add(n.track, n.key, n.pitch, n.cents)) active_.set_overflowed(true);
    });
}

Frame Sequencer::automation_frame() {
    if (!in_render_) return mixer_->clock();
    flush(offset_);  // what comes before this frame is mixed with the controls as they were
    return queue_frame();
}

void Sequencer::follow_segment(const CompiledAutomationLane& lane, long point, Frame into) {
    AutomationCurve curve;
    const Frame now = automation_frame();
    const std::size_t next = std::size_t(point + 1);
    if (point < 0) {
        curve.hold(lane.points.front().value);
    } else if (next == lane.points.size()) {
        curve.hold(lane.points.back().value);
    } else {
        const CompiledAutomationPoint& p = lane.points[std::size_t(point)];
        const CompiledAutomationPoint& q = lane.points[next];
        curve.follow(p.value, q.value, p.shape, now - into, q.frame - p.frame);
    }
    mixer_->automate(lane.control, curve);
}

void Sequencer::place_automation(Frame score_frame, bool follow) {
    if (!score_ || !mixer_) return;
    for (const CompiledAutomationLane& lane : score_->automation().lanes()) {
        if (!follow) {
            AutomationCurve held;
            held.hold(lane.value_at(score_frame));
            automation_frame();
            mixer_->automate(lane.control, held);
            continue;
        }
        const long point = lane.segment_at(score_frame);
        follow_segment(lane, point, point < 0 ? 0 : score_frame - lane.points[std::size_t(point)].frame);
    }
}

void Sequencer::chase_track(std::uint32_t slot, Frame output_frame) {
    if (!transport_.playing || !score_ || !mixer_) return;
    Instrument* instrument = mixer_->instrument(slot);
    if (!instrument) return;
    const Frame now = score_frame_at(output_frame);
    score_->controller_chase().for_each_at(now, [&](std::uint32_t track, const ControllerEvent& c) {
        if (track == slot) instrument->controller(c);
    });
    score_->for_each_note_sounding_at(now, [&](const SnapshotNote& n) {
        if (n.track == slot && active_.contains(slot, n.key))
            instrument->score_note_on(n.key, n.pitch, n.cents, n.velocity, n.off - now);
    });
}

void Sequencer::release_score_notes() {
    if (!mixer_) return;
    active_.release_all([this](std::uint32_t track, VoiceKey key) { deliver(track, note_off(key)); });
    if (active_.overflowed()) {
        ChannelEvent e;
        e.kind = ChannelEventKind::ReleaseAll;
        for (std::size_t t = 0; t < mixer_->track_count(); ++t) deliver(static_cast<std::uint32_t>(t), e);
        active_.set_overflowed(false);
    }
}

ChannelEvent Sequencer::score_note_on(VoiceKey key, int pitch, float cents, int velocity, long long length) {
    ChannelEvent e;
    e.kind = ChannelEventKind::ScoreNoteOn;
    e.key = key;
    e.pitch = static_cast<std::int16_t>(pitch);
    e.cents = cents;
    e.velocity = static_cast<std::uint8_t>(velocity);
    e.length = length;
    return e;
}

ChannelEvent Sequencer::note_off(VoiceKey key) {
    ChannelEvent e;
    e.kind = ChannelEventKind::NoteOff;
    e.key = key;
    return e;
}

void Sequencer::make_room() {
    flush(offset_);
    mixer_->apply_queued();
}

void Sequencer::deliver(std::uint32_t slot, ChannelEvent e) {
    if (in_render_) {
        e.frame = queue_frame();
        if (mixer_->queue(slot, e)) return;
        make_room();
    }
    if (Instrument* instrument = mixer_->instrument(slot)) apply_channel_event(*instrument, e);
}

void Sequencer::deliver_click(ChannelEvent e) {
    if (in_render_ && mixer_ && mixer_->aux() == click_) {
        e.frame = queue_frame();
        if (mixer_->queue_aux(e)) return;
        make_room();
    }
    apply_channel_event(*click_, e);
}

void Sequencer::apply(const ScoreEvent& e) {
    if (!mixer_) return;
    if (e.kind == ScoreEventKind::Automation) {
        // (Its control may be a bus's: e.track is then a bus slot.)
        follow_segment(score_->automation().lanes()[e.controller], static_cast<long>(e.key), 0);
        return;
    }
    if (!mixer_->has_channel(e.track)) return;
    switch (e.kind) {
        case ScoreEventKind::NoteOn:
            deliver(e.track, score_note_on(e.key, e.pitch, e.cents, e.velocity, e.off - e.frame));
            if (!active_.add(e.track, e.key, e.pitch, e.cents)) active_.set_overflowed(true);
            break;
        case ScoreEventKind::NoteOff:
        case ScoreEventKind::ZeroLengthNoteOff:
            deliver(e.track, note_off(e.key));
            active_.remove(e.track, e.key);
            break;
        case ScoreEventKind::Controller: {
            ChannelEvent c;
            c.kind = ChannelEventKind::Controller;
            c.controller = score_->controllers()[e.controller];
            deliver(e.track, c);
            break;
        }
        case ScoreEventKind::Automation:
            break;
    }
}

void Sequencer::click(Frame score_frame) {
    if (click_ && metronome_sounds(score_frame)) {
        const bool downbeat = score_->bar_at_beat(double(next_click_beat_)).beat_in_bar < 1e-9;
        ChannelEvent on = note_off(kClickKey);
        deliver_click(on);
        on.kind = ChannelEventKind::NoteOn;
        on.pitch = downbeat ? kClickPitch : kClickPitchWeak;
        on.velocity = downbeat ? 127 : 90;
        deliver_click(on);
        deliver_click(note_off(kClickKey));  // a shortest trigger: the click's own envelope shapes it
    }
    ++next_click_beat_;
    next_click_frame_ = score_->score_frame_at_beat(double(next_click_beat_));
}

void Sequencer::mix(int offset, int frames) {
    if (frames <= 0) return;
    if (mixer_) {
        mixer_->render(block_left_ + offset, block_right_ + offset, frames);
    } else {
        std::fill_n(block_left_ + offset, frames, 0.0f);
        std::fill_n(block_right_ + offset, frames, 0.0f);
    }
}

void Sequencer::flush(int offset) {
    mix(mixed_, offset - mixed_);
    mixed_ = std::max(mixed_, offset);
}

// Events are queued on their frames (the mixer renders each channel up to each of its own events);
// the block is mixed at its end, or earlier when the queue fills.
void Sequencer::render(Frame output_frame, int frames, float* left, float* right) {
    block_left_ = left;
    block_right_ = right;
    in_render_ = true;
    mixed_ = 0;
    offset_ = 0;
    // Output frames were lost (an xrun) but the mixer's clock went on without them: the automation
    // curves, on mixer frames, are put back on the score's frames.
    if (transport_.playing && score_ && output_frame != next_output_frame_) {
        const Frame position = transport_.score_frame_at(output_frame);
        place_automation(position, position >= count_in_end_);
    }
    next_output_frame_ = output_frame + frames;
    while (offset_ < frames) {
        if (!transport_.playing || !score_) break;
        const Frame position = transport_.score_frame_at(output_frame + offset_);
        const LoopRange& loop = transport_.loop;
        const bool wraps = loop.active() && position < loop.end;
        const Frame span_end =
            position + std::min<Frame>(frames - offset_, wraps ? loop.end - position : frames);
        // Play every event inside [position, span_end), each on its exact frame.
        Frame cursor = position;
        for (;;) {
            const ScoreEvent* event = score_->event_at(next_event_);
            for (; event && event->frame < cursor; event = score_->event_at(next_event_))
                ++next_event_.index;  // never replay the past
            const Frame event_frame = event ? event->frame : kNever;
            const Frame next =
                std::min({event_frame, next_click_frame_, pending_chase_, midi_clock_.next_frame()});
            if (next >= span_end) break;
            if (next > cursor) {
                offset_ += static_cast<int>(next - cursor);
                cursor = next;
            }
            if (pending_chase_ == next) {
                pending_chase_ = kNever;
                chase(next);
            }
            if (next_click_frame_ == next) click(next);
            if (midi_clock_.next_frame() == next) midi_clock_.send_due(next, output_frame + offset_);
            for (event = score_->event_at(next_event_); event && event->frame == next;
                 event = score_->event_at(next_event_)) {
                apply(*event);
                ++next_event_.index;
            }
        }
        offset_ += static_cast<int>(span_end - cursor);
        if (wraps && span_end == loop.end) {
            // The loop's end: release what sounds, jump back to its start on this very frame.
            release_score_notes();
            count_in_end_ = std::min(count_in_end_, loop.begin);  // (a stop after the wrap stays there)
            transport_.anchor(output_frame + offset_, loop.begin);
            seek(loop.begin);
            chase(loop.begin);
            midi_clock_.wrap(output_frame + offset_, loop.begin);
        }
    }
    offset_ = frames;
    flush(frames);
    in_render_ = false;
}

}  // namespace tactus
