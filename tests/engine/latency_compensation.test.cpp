// Plugin delay compensation: a Csound orchestra computes whole k-cycles and is heard ksmps - 1 frames
// after its events; through a CompensatedMix every other track is delayed to match, so both sound
// together, a lookahead after the engine rendered them. Through the RealtimeEngine (which renders a
// lookahead ahead of its output) a note, a master level change and a MIDI message given for output
// frame F are heard, or leave, on exactly F.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/compensated_mix.h"
#include "engine/csound/csound_instrument.h"
#include "engine/midi_out_instrument.h"
#include "engine/realtime_engine.h"
#include "engine/track_mixer.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;

// Without latency: a constant 0.25 while a note is held, exact zeros otherwise.
class StepInstrument final : public Instrument {
public:
    void note_on(VoiceKey, int, double, int) override { ++held_; }
    void note_off(VoiceKey) override { held_ = held_ > 0 ? held_ - 1 : 0; }
    void release_all() override { held_ = 0; }
    void kill_all() override { held_ = 0; }
    void render(float* left, float* right, int frames) override {
        for (int i = 0; i < frames; ++i) left[i] = right[i] = held_ > 0 ? 0.25f : 0.0f;
    }
    bool is_silent() const override { return held_ == 0; }

private:
    int held_ = 0;
};

// A Csound orchestra whose notes sound at once at a constant level: a note's first sample is its
// first non-zero one.
std::unique_ptr<CsoundInstrument> instant_csound(int ksmps) {
    const std::string orchestra = "ksmps = " + std::to_string(ksmps) +
                                  "\nnchnls = 2\n0dbfs = 1\ninstr 1\n  a1 = 0.5\n  outs a1, a1\nendin\n";
    std::string error;
    auto loaded = CsoundOrchestra::compile({orchestra, 1}, "instant.orc", kRate, &error);
    EXPECT_TRUE(loaded) << error;
    return loaded ? std::make_unique<CsoundInstrument>(std::move(loaded), 1) : nullptr;
}

// The first frames where `samples` turns non-zero after silence.
std::vector<long long> onsets(const std::vector<float>& samples) {
    std::vector<long long> found;
    for (std::size_t f = 0; f < samples.size(); ++f)
        if (samples[f] != 0.0f && (f == 0 || samples[f - 1] == 0.0f))
            found.push_back(static_cast<long long>(f));
    return found;
}

// A mixer with a Csound track hard left and a step track hard right; notes given to both at
// `starts` (held 400 frames), rendered in spans of at most `span`, split at every event.
struct TwoTrackRig {
    std::shared_ptr<TrackMixer> mixer = std::make_shared<TrackMixer>(kRate);
    std::vector<float> left, right;

    explicit TwoTrackRig(int ksmps) {
        auto csound = instant_csound(ksmps);
        if (csound) mixer->add_track(std::move(csound), {1.0, -1.0, false, false});
        mixer->add_track(std::make_unique<StepInstrument>(), {1.0, 1.0, false, false});
    }

    void play(const std::vector<long long>& starts, int span, long long end) {
        std::vector<std::pair<long long, bool>> events;
        for (long long s : starts) events.insert(events.end(), {{s, true}, {s + 400, false}});
        std::vector<float> l(256), r(256);
        long long t = 0;
        std::size_t next = 0;
        while (t < end) {
            for (; next < events.size() && events[next].first == t; ++next)
                for (std::size_t slot = 0; slot < 2; ++slot) {
                    Instrument* instrument = mixer->instrument(slot);
                    if (events[next].second)
                        instrument->note_on(VoiceKey(next / 2 + 1), 60, 0.0, 100);
                    else
                        instrument->note_off(VoiceKey(next / 2 + 1));
                }
            long long upto = std::min(end, t + span);
            if (next < events.size()) upto = std::min(upto, events[next].first);
            const int n = static_cast<int>(upto - t);
            mixer->render(l.data(), r.data(), n);
            left.insert(left.end(), l.begin(), l.begin() + n);
            right.insert(right.end(), r.begin(), r.begin() + n);
            t = upto;
        }
    }
};

std::vector<long long> note_starts() {
    std::vector<long long> starts;
    for (long long k = 0; k < 24; ++k) starts.push_back(700 + k * 1013 + (k * 53) % 127);
    return starts;
}

TEST(LatencyCompensation, a_csound_track_and_a_track_without_latency_sound_together_a_lookahead_later) {
    const std::vector<long long> starts = note_starts();
    for (int ksmps : {1, 32, 64, 100, 129}) {
        for (int span : {1, 7, 100, 256}) {
            SCOPED_TRACE("ksmps " + std::to_string(ksmps) + ", spans of " + std::to_string(span));
            TwoTrackRig rig(ksmps);
            ASSERT_EQ(rig.mixer->track_count(), 2u);
            CompensatedMix mix(128);
            rig.mixer->set_compensation(&mix);
            rig.play(starts, span, starts.back() + 2000);
            const auto csound = onsets(rig.left), step = onsets(rig.right);
            ASSERT_EQ(csound.size(), starts.size());
            ASSERT_EQ(step.size(), starts.size());
            for (std::size_t i = 0; i < starts.size(); ++i) {
                EXPECT_EQ(csound[i], starts[i] + 128) << "Csound note " << i;
                EXPECT_EQ(step[i], starts[i] + 128) << "step note " << i;
            }
        }
    }
}

TEST(LatencyCompensation, without_it_the_csound_track_is_late_by_its_latency) {
    const std::vector<long long> starts = note_starts();
    TwoTrackRig rig(64);
    rig.play(starts, 256, starts.back() + 2000);
    const auto csound = onsets(rig.left), step = onsets(rig.right);
    ASSERT_EQ(csound.size(), starts.size());
    ASSERT_EQ(step.size(), starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
        EXPECT_EQ(step[i], starts[i]);
        EXPECT_EQ(csound[i], starts[i] + 63);
    }
}

TEST(LatencyCompensation, latency_beyond_the_lookahead_is_heard_late_by_the_excess_only) {
    const std::vector<long long> starts = note_starts();
    TwoTrackRig rig(200);  // latency 199
    CompensatedMix mix(128);
    rig.mixer->set_compensation(&mix);
    rig.play(starts, 64, starts.back() + 2000);
    const auto csound = onsets(rig.left), step = onsets(rig.right);
    ASSERT_EQ(csound.size(), starts.size());
    ASSERT_EQ(step.size(), starts.size());
    for (std::size_t i = 0; i < starts.size(); ++i) {
        EXPECT_EQ(step[i], starts[i] + 128);
        EXPECT_EQ(csound[i], starts[i] + 199);
    }
}

// The RealtimeEngine with a lookahead, driven block by block from output frame 0.
class LookaheadEngine {
public:
    explicit LookaheadEngine(int lookahead, std::shared_ptr<TrackMixer> mixer) : engine_(options(lookahead)) {
        auto program = std::make_unique<EngineProgram>();
        program->score = ScoreSnapshot::build(Document(), kRate);
        program->mixer = std::move(mixer);
        program->generation = 1;
        engine_.publish(std::move(program));
    }
    RealtimeEngine& engine() { return engine_; }

    void command(CommandKind kind, Frame frame, std::uint32_t track = 0, double value = 0.0,
                 VoiceKey key = 1) {
        EngineCommand c;
        c.kind = kind;
        c.frame = frame;
        c.track = track;
        c.value = value;
        c.key = key;
        c.pitch = 60;
        c.velocity = 100;
        ASSERT_TRUE(engine_.submit(c));
    }
    // Output frames up to `end`, in blocks of `block`; the MIDI that left, with its output frames.
    void run_until(Frame end, int block) {
        std::vector<float> l(static_cast<std::size_t>(block)), r(l.size());
        while (now_ < end) {
            const int frames = static_cast<int>(std::min<Frame>(block, end - now_));
            engine_.process(now_, 0, frames, l.data(), r.data());
            left.insert(left.end(), l.begin(), l.begin() + frames);
            right.insert(right.end(), r.begin(), r.begin() + frames);
            const MidiOutBus& bus = engine_.midi_out();
            for (int i = 0; i < bus.count(); ++i) midi_frames.push_back(now_ + bus.events()[i].offset);
            now_ += frames;
        }
    }
    std::vector<float> left, right;
    std::vector<Frame> midi_frames;

private:
    static RealtimeEngineOptions options(int lookahead) {
        RealtimeEngineOptions o;
        o.sample_rate = kRate;
        o.lookahead_frames = lookahead;
        return o;
    }
    RealtimeEngine engine_;
    Frame now_ = 0;
};

TEST(LatencyCompensation,
     the_engine_plays_a_note_given_for_output_frame_f_on_f_on_a_csound_and_a_plain_track) {
    for (int block : {64, 128, 300}) {
        SCOPED_TRACE("blocks of " + std::to_string(block));
        TwoTrackRig tracks(32);
        LookaheadEngine rig(128, tracks.mixer);
        const std::vector<long long> starts = note_starts();
        for (std::size_t i = 0; i < starts.size(); ++i) {
            for (std::uint32_t track : {0u, 1u}) {
                rig.command(CommandKind::NoteOn, starts[i], track, 0.0, i + 1);
                rig.command(CommandKind::NoteOff, starts[i] + 400, track, 0.0, i + 1);
            }
        }
        rig.run_until(starts.back() + 2000, block);
        EXPECT_EQ(rig.engine().status().late_commands, 0u);
        const auto csound = onsets(rig.left), step = onsets(rig.right);
        ASSERT_EQ(csound.size(), starts.size());
        ASSERT_EQ(step.size(), starts.size());
        for (std::size_t i = 0; i < starts.size(); ++i) {
            EXPECT_EQ(csound[i], starts[i]) << "Csound note " << i;
            EXPECT_EQ(step[i], starts[i]) << "step note " << i;
        }
    }
}

TEST(LatencyCompensation, the_engine_changes_the_master_level_and_sends_midi_on_their_output_frames) {
    auto mixer = std::make_shared<TrackMixer>(kRate);
    mixer->add_track(std::make_unique<StepInstrument>(), {1.0, 1.0, false, false});
    LookaheadEngine rig(200, mixer);
    // The MIDI track needs the engine's bus: added before the mixer is rendered.
    mixer->add_track(std::make_unique<MidiOutInstrument>(*rig.engine().midi_out_bus(), 0), {});
    const Frame note = 1000, level = 3333, midi = 5077;
    rig.command(CommandKind::NoteOn, note, 0);
    rig.command(CommandKind::MasterLevel, level, 0, 0.5);
    rig.command(CommandKind::NoteOn, midi, 1);
    rig.run_until(8000, 128);
    EXPECT_EQ(onsets(rig.right), std::vector<long long>{note});
    EXPECT_EQ(rig.right[level - 1], 0.25f) << "the master level changed before its frame";
    EXPECT_LT(rig.right[level + 1], 0.25f) << "the master level did not change from its frame";
    EXPECT_FLOAT_EQ(rig.right[7000], 0.125f);
    EXPECT_EQ(rig.midi_frames, std::vector<Frame>{midi});
}

}  // namespace
}  // namespace tactus
