#include "engine/csound/csound_instrument.h"

#include <csound/csound.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/realtime_scope.h"
#include "engine/csound/csound_internals.h"

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
    // A score note cut short (a finite p3, which a negative p1 cannot end) is released by this host
    // instrument: turnoff2 on the note's exact p1, its release segments allowed.
    if (csoundCompileOrc(orchestra_->csound(),
                         "instr tactus_release\n turnoff2 p4, 4, p5\n turnoff\nendin\n") == 0)
        releaser_ = csoundEvalCode(orchestra_->csound(), "return nstrnum(\"tactus_release\")");
    // Every controller channel now, off the audio thread (the audio thread only writes through them).
    const auto channel = [this](const std::string& name) -> double* {
        MYFLT* p = nullptr;
        const int type = CSOUND_CONTROL_CHANNEL | CSOUND_INPUT_CHANNEL;
        return csoundGetChannelPtr(orchestra_->csound(), &p, name.c_str(), type) == CSOUND_SUCCESS ? p
                                                                                                   : nullptr;
    };
    for (std::size_t cc = 0; cc < cc_channels_.size(); ++cc)
        cc_channels_[cc] = channel("tactus.cc" + std::to_string(cc));
    sustain_channel_ = channel("tactus.sustain");
    bend_channel_ = channel("tactus.bend");
    pressure_channel_ = channel("tactus.pressure");
    program_channel_ = channel("tactus.program");
    for (const CsoundChannel& declared : orchestra_->channels()) {
        if (declared.kind != CsoundChannel::Kind::Control || !declared.input) continue;
        if (declared.name.rfind("tactus.", 0) == 0) continue;  // the controllers' own
        if (double* p = channel(declared.name)) {
            parameters_.push_back(
                {declared.name, declared.minimum, declared.maximum, declared.default_value});
            parameter_channels_.push_back(p);
        }
    }
    warm_up();
}

// Csound allocates an event's node the first time it holds that many events, and an instrument's
// instance the first time that many play at once; both are kept for reuse. Doing it all once here, off
// the audio thread, leaves the audio thread nothing of that to allocate for up to kHeldSlots notes: as
// many events of an empty host instrument, and that many instances of the track's instrument and some
// of the releaser (prealloc). What the orchestra's own opcodes allocate the first time they initialise
// (a table, a delay line) is not warmed: that would run the orchestra's code (docs/realtime.md).
void CsoundInstrument::warm_up() {
    CSOUND* csound = orchestra_->csound();
    if (csoundCompileOrc(csound, "instr tactus_idle\nendin\n") != 0) return;
    const MYFLT idle = csoundEvalCode(csound, "return nstrnum(\"tactus_idle\")");
    std::string prealloc =
        "prealloc " + std::to_string(instrument_) + ", " + std::to_string(kHeldSlots) + "\n";
    if (releaser_ > 0) prealloc += "prealloc \"tactus_release\", " + std::to_string(kHeldSlots) + "\n";
    csoundCompileOrc(csound, prealloc.c_str());
    for (int i = 0; i < 2 * kHeldSlots; ++i) {
        const MYFLT p[3] = {idle, 0.0, static_cast<double>(ksmps_) / orchestra_->sample_rate()};
        csoundScoreEvent(csound, 'i', p, 3);
    }
    for (int cycle = 0; cycle < 3; ++cycle) csoundPerformKsmps(csound);
    origin_ = csoundGetCurrentTimeSamples(csound);  // the instrument's time 0, on a cycle boundary
}

// Csound is the only reader, on this thread, between k-cycles: a plain store is enough.
void CsoundInstrument::controller(const ControllerEvent& event) {
    const auto set = [](double* channel, double value) {
        if (channel) *channel = value;
    };
    switch (event.kind) {
        case ControllerKind::ControlChange:
            if (event.number >= 0 && event.number < 128)
                set(cc_channels_[static_cast<std::size_t>(event.number)], event.value);
            if (event.number == 64) set(sustain_channel_, event.value >= 64.0 ? 1.0 : 0.0);
            break;
        case ControllerKind::PitchBend:
            set(bend_channel_, event.value);
            break;
        case ControllerKind::ChannelPressure:
            set(pressure_channel_, event.value);
            break;
        case ControllerKind::ProgramChange:
            set(program_channel_, event.number);
            break;
    }
}

void CsoundInstrument::set_parameter(std::size_t index, double value) {
    if (index >= parameters_.size()) return;
    const InstrumentParameter& p = parameters_[index];
    if (p.minimum < p.maximum) value = std::clamp(value, p.minimum, p.maximum);
    *parameter_channels_[index] = value;
}

// Rendering `frames` of silence would read the ring (all zeros now) and perform a cycle each time it
// ran empty. Csound is idle (no instance, no event pending), so those cycles would only move its clock:
// instead the instrument takes their samples as rendered (origin_ moves back by them), leaves Csound's
// clock where it is, and keeps the ring's fill and read position where the cycles would have left them.
// Events then go to Csound on the same offsets within a k-cycle as if it had run all along.
void CsoundInstrument::skip_silence(long long frames) {
    if (frames <= 0) return;
    if (frames <= ring_count_) {
        ring_count_ -= static_cast<int>(frames);
    } else {
        const long long beyond = frames - ring_count_;
        const long long cycles = (beyond + ksmps_ - 1) / ksmps_;
        origin_ -= cycles * ksmps_;
        ring_count_ = static_cast<int>(cycles * ksmps_ - beyond);
        // The cycles not performed would have written silence where older samples still lie.
        std::fill(ring_left_.begin(), ring_left_.end(), 0.0f);
        std::fill(ring_right_.begin(), ring_right_.end(), 0.0f);
    }
    const long long size = static_cast<long long>(ring_left_.size());
    ring_read_ = static_cast<int>((ring_read_ + frames % size) % size);
    time_ += frames;
}

bool CsoundInstrument::is_silent() const {
    return held_count_ == 0 && !csound_active_ && time_ >= events_until_ && time_ >= sound_until_;
}

// Csound sample `time_` (not computed yet, see the header) starts the note. p2 is relative to the
// samples Csound has rendered. Csound picks the event's k-cycle by rounding p2 to the nearest cycle and
// its offset by truncating p2 * sr: +0.25 keeps the truncation on the frame, and an event in the upper
// half of a cycle is given one cycle earlier (and p2 reads ksmps early) so that the rounding picks its
// own cycle. Verified at ksmps 1..128 (docs/research/csound-6.18-hosting.md).
// csoundScoreEvent and csoundPerformKsmps take the instance's API lock. Once the instrument plays, only
// the audio thread calls into its instance (it was loaded before, and is destroyed after, on the control
// thread, with the engine's program publication between), so the lock is never contended.
void CsoundInstrument::score_event(const double* p, int count) {
    PrivateLockScope api_lock;
    csoundScoreEvent(orchestra_->csound(), 'i', p, count);
}

double CsoundInstrument::event_p2() const {
    const long long offset = time_ % ksmps_;
    const long long shift = 2 * offset >= ksmps_ ? ksmps_ : 0;
    const double rendered = static_cast<double>(csoundGetCurrentTimeSamples(orchestra_->csound()) - origin_);
    return (static_cast<double>(time_ - shift) + 0.25 - rendered) / orchestra_->sample_rate();
}

void CsoundInstrument::send_event(double p1, double p3_seconds, int pitch, double cents, int velocity) {
    const double key = pitch + cents / 100.0;
    const MYFLT p[6] = {p1,
                        event_p2(),
                        p3_seconds,
                        key,
                        static_cast<double>(velocity),
                        440.0 * std::exp2((key - 69.0) / 12.0)};
    score_event(p, 6);
    // Started (or ended) once the cycle holding time_ is computed: it is the next one.
    events_until_ = time_ + ksmps_;
}

// Csound ends a note on a k-cycle boundary, or (--sample-accurate) inside the cycle where its p3
// runs out, truncating like p2; the shift mirrors send_event's, and a note ending exactly on a cycle
// boundary is read one cycle short. Verified to end on the last frame at ksmps 1..128
// (docs/research/csound-6.18-hosting.md). p3 carries +0.2 of a sample, not +0.25: a note whose
// orchestra sets a release (xtratim, linsegr) ends on the k-cycle nearest p2 + p3, and with +0.25 that
// sum is a whole sample and a half at ksmps 1 (a tie that rounding errors decide, differently in
// Tactus and in `csound` of an export); +0.2 keeps it off the tie and truncates to the same samples.
double CsoundInstrument::p3_for(long long length) const {
    const long long offset = time_ % ksmps_;
    const long long shift = 2 * offset >= ksmps_ ? ksmps_ : 0;
    const long long boundary = (time_ + length) % ksmps_ == 0 ? ksmps_ : 0;
    double samples = static_cast<double>(length + shift - boundary) + 0.2;
    if (samples <= 0.0) samples = static_cast<double>(length) - 0.5;
    return samples / orchestra_->sample_rate();
}

void CsoundInstrument::start(VoiceKey key, int pitch, double cents, int velocity, long long length) {
    for (int slot = 0; slot < kHeldSlots; ++slot) {
        Held& held = held_[static_cast<std::size_t>(slot)];
        if (held.used) continue;
        held = {key, true, length < 0 ? kUntilReleased : time_ + length};
        ++held_count_;
        send_event(p1_of(slot), length < 0 ? -1.0 : p3_for(length == 0 ? ksmps_ : length), pitch, cents,
                   velocity);
        return;
    }
}

void CsoundInstrument::note_on(VoiceKey key, int pitch, double cents, int velocity) {
    start(key, pitch, cents, velocity, -1);  // held until its note-off
}

// A zero-length note lasts one k-cycle, so that its instrument initialises, runs once and releases;
// its note-off (on the same frame) is then its own end.
void CsoundInstrument::score_note_on(VoiceKey key, int pitch, double cents, int velocity, long long length) {
    start(key, pitch, cents, velocity, std::max<long long>(length, 0));
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
    Held& held = held_[static_cast<std::size_t>(slot)];
    held.used = false;
    --held_count_;
    // A note that ends by its p3 by now needs no release. A held one is released by a negative p1,
    // one cut short by the releaser; either way the orchestra's release segments play.
    if (held.ends_at == kUntilReleased) {
        send_event(-p1_of(slot), 0.0, 0, 0.0, 0);
    } else if (time_ < held.ends_at && releaser_ > 0) {
        const MYFLT p[5] = {releaser_, event_p2(), static_cast<double>(ksmps_) / orchestra_->sample_rate(),
                            p1_of(slot), 1.0};
        score_event(p, 5);
        events_until_ = time_ + ksmps_;
    }
}

void CsoundInstrument::release_all() {
    for (int slot = 0; slot < kHeldSlots; ++slot)
        if (held_[static_cast<std::size_t>(slot)].used) release_slot(slot);
}

// Panic: the output fades out over kPanicFadeSeconds, then every note the instrument started is turned
// off without its release segments (the releaser, scheduled that much later, with p5 = 0). The output
// stays silent until the turnoff's k-cycle has played, then opens again for new notes.
void CsoundInstrument::kill_all() {
    const double sr = orchestra_->sample_rate();
    fade_frames_ = std::max<long long>(1, std::llround(kPanicFadeSeconds * sr));
    fade_from_ = time_;
    fade_until_ = time_ + fade_frames_ + 2 * ksmps_;
    for (int slot = 0; slot < kHeldSlots; ++slot) {
        Held& held = held_[static_cast<std::size_t>(slot)];
        if (!held.used) continue;
        held.used = false;
        --held_count_;
        if (releaser_ <= 0) continue;
        const MYFLT p[5] = {releaser_, event_p2() + static_cast<double>(fade_frames_) / sr,
                            static_cast<double>(ksmps_) / sr, p1_of(slot), 0.0};
        score_event(p, 5);
    }
    events_until_ = fade_until_;
}

// The panic fade's gain on Csound sample `sample` (1 when no panic is under way).
float CsoundInstrument::panic_gain(long long sample) const {
    if (sample < fade_from_ || sample >= fade_until_) return 1.0f;
    if (sample >= fade_from_ + fade_frames_) return 0.0f;
    return 1.0f - static_cast<float>(sample - fade_from_) / static_cast<float>(fade_frames_);
}

void CsoundInstrument::perform_one_cycle() {
    CSOUND* csound = orchestra_->csound();
    const long long cycle_start = csoundGetCurrentTimeSamples(csound) - origin_;
    {
        PrivateLockScope api_lock;  // see score_event()
        csoundPerformKsmps(csound);
    }
    const MYFLT* spout = csoundGetSpout(csound);
    const int size = static_cast<int>(ring_left_.size());
    bool sound = false;
    int at = (ring_read_ + ring_count_) % size;
    for (int i = 0; i < ksmps_; ++i, at = at + 1 == size ? 0 : at + 1) {
        const MYFLT l = spout[i * channels_];
        const MYFLT r = channels_ > 1 ? spout[i * channels_ + 1] : l;
        const float gain = panic_gain(cycle_start + i);
        ring_left_[static_cast<std::size_t>(at)] = gain * static_cast<float>(l * scale_);
        ring_right_[static_cast<std::size_t>(at)] = gain * static_cast<float>(r * scale_);
        sound = sound || l != 0.0 || r != 0.0;
    }
    ring_count_ += ksmps_;
    if (sound) sound_until_ = time_ + ring_count_;
    csound_active_ = csound_active_instances(csound) > 0;
}

// Copies runs of the ring (up to its end or to what it holds) rather than frame by frame.
void CsoundInstrument::render(float* left, float* right, int frames) {
    const int size = static_cast<int>(ring_left_.size());
    while (frames > 0) {
        if (ring_count_ == 0) perform_one_cycle();
        const int run = std::min({frames, ring_count_, size - ring_read_});
        std::copy_n(ring_left_.data() + ring_read_, run, left);
        std::copy_n(ring_right_.data() + ring_read_, run, right);
        left += run;
        right += run;
        frames -= run;
        ring_read_ = (ring_read_ + run) % size;
        ring_count_ -= run;
        time_ += run;
    }
}

}  // namespace tactus
