#include "engine/csound/csound_instrument.h"

#include <csound/csound.h>

#include <cmath>

namespace tactus {

CsoundInstrument::CsoundInstrument(std::unique_ptr<CsoundOrchestra> orchestra, int instrument_number)
    : orchestra_(std::move(orchestra)), instrument_(instrument_number) {
    ksmps_ = orchestra_->ksmps();
    channels_ = orchestra_->output_channels();
    scale_ = 1.0 / csoundGet0dBFS(orchestra_->csound());
    const std::size_t ring = static_cast<std::size_t>(2 * ksmps_);
    ring_left_.assign(ring, 0.0f);
    ring_right_.assign(ring, 0.0f);
    ring_count_ = latency();  // the delay starts as silence
}

// Csound sample `time_` (not computed yet, see the header) starts the note. p2 is relative to the
// samples Csound has rendered. Csound picks the event's k-cycle by rounding p2 to the nearest cycle and
// its offset by truncating p2 * sr: +0.25 keeps the truncation on the frame, and an event in the upper
// half of a cycle is given one cycle earlier (and p2 reads ksmps early) so that the rounding picks its
// own cycle. Verified at ksmps 1..128 (docs/research/csound-6.18-hosting.md).
void CsoundInstrument::send_event(double p1, double p3_seconds, int pitch, double cents, int velocity) {
    CSOUND* csound = orchestra_->csound();
    const double sr = orchestra_->sample_rate();
    const long long offset = time_ % ksmps_;
    const long long shift = 2 * offset >= ksmps_ ? ksmps_ : 0;
    const double rendered = static_cast<double>(csoundGetCurrentTimeSamples(csound));
    const double key = pitch + cents / 100.0;
    const MYFLT p[6] = {p1,
                        (static_cast<double>(time_ - shift) + 0.25 - rendered) / sr,
                        p3_seconds,
                        key,
                        static_cast<double>(velocity),
                        440.0 * std::exp2((key - 69.0) / 12.0)};
    csoundScoreEvent(csound, 'i', p, 6);
}

void CsoundInstrument::note_on(VoiceKey key, int pitch, double cents, int velocity) {
    for (int slot = 0; slot < kHeldSlots; ++slot) {
        if (held_[static_cast<std::size_t>(slot)].used) continue;
        held_[static_cast<std::size_t>(slot)] = {key, true};
        send_event(p1_of(slot), -1.0, pitch, cents, velocity);  // held until its note-off
        return;
    }
}

void CsoundInstrument::note_off(VoiceKey key) {
    for (int slot = 0; slot < kHeldSlots; ++slot) {
        if (held_[static_cast<std::size_t>(slot)].used && held_[static_cast<std::size_t>(slot)].key == key) {
            release_slot(slot);
            return;
        }
    }
}

void CsoundInstrument::release_slot(int slot) {
    held_[static_cast<std::size_t>(slot)].used = false;
    send_event(-p1_of(slot), 0.0, 0, 0.0, 0);  // a negative p1 releases the held instance
}

void CsoundInstrument::release_all() {
    for (int slot = 0; slot < kHeldSlots; ++slot)
        if (held_[static_cast<std::size_t>(slot)].used) release_slot(slot);
}

void CsoundInstrument::kill_all() {
    release_all();
}

void CsoundInstrument::perform_one_cycle() {
    CSOUND* csound = orchestra_->csound();
    csoundPerformKsmps(csound);
    const MYFLT* spout = csoundGetSpout(csound);
    const int size = static_cast<int>(ring_left_.size());
    for (int i = 0; i < ksmps_; ++i) {
        const int at = (ring_read_ + ring_count_ + i) % size;
        const MYFLT l = spout[i * channels_];
        const MYFLT r = channels_ > 1 ? spout[i * channels_ + 1] : l;
        ring_left_[static_cast<std::size_t>(at)] = static_cast<float>(l * scale_);
        ring_right_[static_cast<std::size_t>(at)] = static_cast<float>(r * scale_);
    }
    ring_count_ += ksmps_;
}

void CsoundInstrument::render(float* left, float* right, int frames) {
    const int size = static_cast<int>(ring_left_.size());
    for (int i = 0; i < frames; ++i) {
        if (ring_count_ == 0) perform_one_cycle();
        left[i] = ring_left_[static_cast<std::size_t>(ring_read_)];
        right[i] = ring_right_[static_cast<std::size_t>(ring_read_)];
        ring_read_ = (ring_read_ + 1) % size;
        --ring_count_;
        ++time_;
    }
}

}  // namespace tactus
