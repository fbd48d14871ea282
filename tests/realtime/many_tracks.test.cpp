// Thousands of tracks, with the realtime checker linked (any allocation or lock on the audio side
// aborts): a 10,000-track document loads into the engine and a level change on its last track takes
// effect on the exact frame it was given; solo and mute keep their meaning among thousands of tracks,
// with only the sounding tracks rendered, and across the mixer switch of a track edit; a MIDI file of
// 65,535 tracks imports and renders.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/midi_convert.h"
#include "core/midi_file.h"
#include "core/realtime_scope.h"
#include "engine/instrument_factory.h"
#include "engine/offline_render.h"
#include "engine/realtime_engine.h"
#include "support/score_builder.h"

namespace tactus {
namespace {

constexpr double kRate = 48000.0;
constexpr int kBlock = 256;
constexpr int kRampFrames = 480;  // TrackStrip::kSmoothingSeconds at 48 kHz

// `tracks` sine tracks; the listed ones hold a note from beat 0 for 8 beats, every other one a note
// at beat 100 (in the score, silent for the whole test).
Document sine_tracks(std::size_t tracks, const std::vector<std::size_t>& sounding) {
    Document doc;
    doc.tracks.reserve(tracks);
    for (std::size_t t = 0; t < tracks; ++t) {
        const bool sounds = std::find(sounding.begin(), sounding.end(), t) != sounding.end();
        const auto id = static_cast<NoteId>(t + 1);
        doc.tracks.push_back(test::track(static_cast<TrackId>(t + 1), "sine",
                                         {test::note(id, sounds ? 0.0 : 100.0, sounds ? 8.0 : 1.0, 60)}));
    }
    return doc;
}

struct EngineRun {
    std::vector<float> left;
    Frame applied_at = -1;
};

// Loads `doc` into a RealtimeEngine as tactusd does (make_track_mixer, ScoreSnapshot::build,
// publish), plays from frame 0 and, when `level_at` >= 0, sets `track`'s level to 0 on that frame.
EngineRun run_engine(const Document& doc, std::uint32_t track, Frame level_at, Frame frames) {
    RealtimeEngineOptions options;
    options.sample_rate = kRate;
    RealtimeEngine engine(options);
    std::string error;
    auto program = std::make_unique<EngineProgram>();
    program->mixer = make_track_mixer(doc, kRate, &error);
    EXPECT_TRUE(program->mixer) << error;
    program->score = ScoreSnapshot::build(doc, kRate);
    program->generation = 1;
    engine.publish(std::move(program));
    EngineCommand play;
    play.kind = CommandKind::Play;
    play.frame = 0;
    engine.submit(play);
    if (level_at >= 0) {
        EngineCommand level;
        level.kind = CommandKind::TrackLevel;
        level.frame = level_at;
        level.track = track;
        level.value = 0.0;
        level.request = 7;
        engine.submit(level);
    }
    EngineRun run;
    const auto blocks = static_cast<std::size_t>((frames + kBlock - 1) / kBlock);
    run.left.resize(blocks * kBlock);
    std::vector<float> right(run.left.size());
    for (Frame f = 0; f < frames; f += kBlock)  // process() runs inside its own RealtimeScope
        engine.process(f, 0, kBlock, run.left.data() + f, right.data() + f, {});
    EngineEvent event;
    while (engine.next_event(event))
        if (event.request == 7) run.applied_at = event.frame;
    return run;
}

TEST(ManyTracks, a_10000_track_document_loads_and_a_level_change_on_track_9999_applies_on_its_frame) {
    constexpr std::uint32_t kLast = 9999;
    const Document doc = sine_tracks(10000, {kLast});
    constexpr Frame kFrames = 48000;
    constexpr Frame kChange = 24000 + 77;  // inside a block
    const EngineRun unchanged = run_engine(doc, kLast, -1, kFrames);
    const EngineRun changed = run_engine(doc, kLast, kChange, kFrames);

    EXPECT_EQ(changed.applied_at, kChange);
    ASSERT_NE(unchanged.left[kChange], 0.0f) << "the last track's note must sound at the change";
    for (Frame f = 0; f < kChange; ++f)
        ASSERT_EQ(changed.left[f], unchanged.left[f]) << "frame " << f << ", before the change";
    // The ramp to 0 starts on the change's frame and ends 10 ms later in exact silence.
    EXPECT_LT(std::abs(changed.left[kChange]), std::abs(unchanged.left[kChange]));
    for (Frame f = kChange + kRampFrames; f < kFrames; ++f)
        ASSERT_EQ(changed.left[f], 0.0f) << "frame " << f << ", after the ramp";
}

// A TrackMixer driven as the audio thread drives it: every call under a RealtimeScope.
class MixerRig {
public:
    explicit MixerRig(std::shared_ptr<TrackMixer> mixer) : mixer_(std::move(mixer)) {}
    TrackMixer& mixer() { return *mixer_; }

    void note_on(std::size_t slot) {
        RealtimeScope realtime;
        mixer_->instrument(slot)->note_on(slot + 1, 60, 0.0, 100);
    }
    // Renders `ms` milliseconds; returns the largest |sample| of the mix.
    float render(int ms) {
        float peak = 0.0f;
        RealtimeScope realtime;
        for (int done = 0; done < ms * 48; done += kBlock) {
            mixer_->render(left_, right_, kBlock);
            for (int i = 0; i < kBlock; ++i) peak = std::max({peak, std::abs(left_[i]), std::abs(right_[i])});
        }
        return peak;
    }
    // Lets ramps finish, then meters 20 ms: the peak of each slot over it.
    std::vector<float> peaks(const std::vector<std::size_t>& slots) {
        render(20);
        {
            RealtimeScope realtime;
            mixer_->reset_peaks();
        }
        render(20);
        std::vector<float> out;
        for (std::size_t s : slots) out.push_back(mixer_->track_peak(s));
        return out;
    }
    void solo(std::size_t slot, bool on) {
        RealtimeScope realtime;
        mixer_->set_solo(slot, on);
    }
    void mute(std::size_t slot, bool on) {
        RealtimeScope realtime;
        mixer_->set_mute(slot, on);
    }

private:
    std::shared_ptr<TrackMixer> mixer_;
    float left_[kBlock] = {};
    float right_[kBlock] = {};
};

std::shared_ptr<TrackMixer> mixer_for(const Document& doc) {
    std::string error;
    std::shared_ptr<TrackMixer> mixer = make_track_mixer(doc, kRate, &error);
    if (!mixer) ADD_FAILURE() << error;
    return mixer;
}

// Which of the peaks are non-zero, as a string of 0/1 (readable in a failure).
std::string heard(const std::vector<float>& peaks) {
    std::string s;
    for (float p : peaks) s += p > 0.0f ? '1' : '0';
    return s;
}

TEST(ManyTracks, solo_and_mute_keep_their_meaning_among_2000_tracks_and_only_sounding_ones_are_rendered) {
    MixerRig rig(mixer_for(sine_tracks(2000, {})));
    const std::vector<std::size_t> slots = {10, 500, 1000, 1999};
    for (std::size_t s : {10, 1000, 1999}) rig.note_on(s);
    EXPECT_EQ(heard(rig.peaks(slots)), "1011");
    EXPECT_EQ(rig.mixer().rendered_channels(), 3u) << "idle tracks are not rendered";

    rig.solo(1000, true);
    rig.solo(1000, true);  // twice: still one soloed track
    EXPECT_EQ(rig.mixer().soloed_tracks(), 1u);
    EXPECT_EQ(heard(rig.peaks(slots)), "0010");
    rig.solo(1999, true);
    EXPECT_EQ(heard(rig.peaks(slots)), "0011");

    // A track that starts playing while others are soloed is silent from its first sample.
    rig.note_on(500);
    {
        RealtimeScope realtime;
        rig.mixer().reset_peaks();
    }
    rig.render(5);
    EXPECT_EQ(rig.mixer().track_peak(500), 0.0f);
    EXPECT_EQ(heard(rig.peaks(slots)), "0011");

    rig.solo(1000, false);
    rig.solo(1999, false);
    EXPECT_EQ(rig.mixer().soloed_tracks(), 0u);
    EXPECT_EQ(heard(rig.peaks(slots)), "1111");

    rig.mute(10, true);
    EXPECT_EQ(heard(rig.peaks(slots)), "0111");
    rig.solo(10, true);  // the only soloed track is muted: nothing is heard
    rig.render(20);
    EXPECT_EQ(rig.render(20), 0.0f);
    rig.mute(10, false);
    EXPECT_EQ(heard(rig.peaks(slots)), "1000");
    EXPECT_EQ(rig.mixer().rendered_channels(), 4u);
}

TEST(ManyTracks, a_track_edit_switch_counts_solo_from_the_slots_that_changed_and_keeps_sounding_channels) {
    Document doc = sine_tracks(1000, {});
    doc.tracks[999].solo = true;
    auto first = mixer_for(doc);
    MixerRig a(first);
    a.note_on(3);
    a.note_on(999);
    EXPECT_EQ(first->soloed_tracks(), 1u);
    EXPECT_EQ(heard(a.peaks({3, 999})), "01");

    // The soloed track is removed: its channel retires (still rendered while it fades).
    auto channels = first->channels();
    auto removed = channels[999];
    channels[999] = nullptr;
    auto second = std::make_shared<TrackMixer>(kRate);
    second->set_channels(channels);
    second->set_retiring({removed});
    {
        RealtimeScope realtime;
        second->take_over(first.get());
        removed->instrument->release_all();
    }
    EXPECT_EQ(second->soloed_tracks(), 0u);
    EXPECT_EQ(second->rendered_channels(), 2u) << "track 3 and the retiring channel";
    MixerRig b(second);
    EXPECT_EQ(heard(b.peaks({3})), "1") << "no solo left: track 3 is heard again";
    b.render(1000);  // the removed track's release ends
    EXPECT_EQ(second->rendered_channels(), 1u);

    // A track added soloed silences track 3 again.
    channels.push_back(
        std::make_shared<TrackChannel>(make_instrument(test::track(1001, "sine"), kRate, nullptr), kRate,
                                       TrackControls{1.0, 0.0, false, true}, 1000));
    auto third = std::make_shared<TrackMixer>(kRate);
    third->set_channels(channels);
    {
        RealtimeScope realtime;
        third->take_over(second.get());
    }
    EXPECT_EQ(third->soloed_tracks(), 1u);
    EXPECT_EQ(heard(MixerRig(third).peaks({3})), "0");
}

// Through the engine's program switch: a track edit removes the soloed track, and the track it kept
// silent is heard again from the switch on, while the removed one fades out among the retiring.
TEST(ManyTracks, removing_the_soloed_track_lets_the_others_be_heard_from_the_program_switch) {
    Document doc;
    doc.tracks.push_back(test::track(1, "sine", {test::note(1, 0.0, 8.0, 60)}, -1.0));  // hard left
    doc.tracks.push_back(test::track(2, "sine", {test::note(2, 0.0, 8.0, 67)}, 1.0));   // hard right
    doc.tracks[1].solo = true;
    RealtimeEngineOptions options;
    options.sample_rate = kRate;
    RealtimeEngine engine(options);
    std::string error;
    std::shared_ptr<TrackMixer> first = make_track_mixer(doc, kRate, &error);
    ASSERT_TRUE(first) << error;
    auto program = std::make_unique<EngineProgram>();
    program->mixer = first;
    program->score = ScoreSnapshot::build(doc, kRate);
    program->generation = 1;
    engine.publish(std::move(program));
    EngineCommand play;
    play.kind = CommandKind::Play;
    engine.submit(play);

    constexpr Frame kSwitch = 50 * kBlock, kEnd = 188 * kBlock;  // whole blocks
    std::vector<float> left(kEnd), right(kEnd);
    for (Frame f = 0; f < kEnd; f += kBlock) {
        if (f == kSwitch) {  // the track edit, as EngineHost publishes it
            Document edited = doc;
            edited.tracks.pop_back();
            auto second = std::make_shared<TrackMixer>(kRate);
            second->set_channels({first->channels()[0], nullptr});
            second->set_retiring({first->channels()[1]});
            const std::uint32_t slots[] = {0};
            auto next = std::make_unique<EngineProgram>();
            next->mixer = second;
            next->score = ScoreSnapshot::build(edited, kRate, slots);
            next->generation = 2;
            engine.publish(std::move(next));
        }
        engine.process(f, 0, kBlock, left.data() + f, right.data() + f, {});
    }
    for (Frame f = 0; f < kSwitch; ++f) {
        ASSERT_EQ(left[f], 0.0f) << "frame " << f << ": track 1 is not soloed";
        ASSERT_NE(right[f + kBlock], 0.0f) << "frame " << f + kBlock << ": the soloed track 2 sounds";
    }
    float heard = 0.0f;
    for (Frame f = kSwitch; f < kSwitch + 4800; ++f) heard = std::max(heard, std::abs(left[f]));
    EXPECT_GT(heard, 0.1f) << "track 1 is heard once the soloed track is gone";
    for (Frame f = kEnd - 4800; f < kEnd; ++f)
        ASSERT_EQ(right[f], 0.0f) << "frame " << f << ": track 2 has faded";
}

// One note per track, each on a tick of its own among 384 (format 1, no conductor track).
MidiFile midi_of_tracks(int tracks) {
    MidiFile file;
    file.division.ticks_per_quarter = 96;
    for (int t = 0; t < tracks; ++t) {
        MidiTrackChunk chunk;
        const auto on = static_cast<std::uint64_t>(t % 384);
        MidiEvent e;
        e.tick = on;
        e.status = 0x90;
        e.data = {static_cast<std::uint8_t>(36 + t % 60), 90};
        chunk.events.push_back(e);
        e.tick = on + 48;
        e.status = 0x80;
        e.data = {static_cast<std::uint8_t>(36 + t % 60), 64};
        chunk.events.push_back(e);
        chunk.end_tick = e.tick;
        file.tracks.push_back(std::move(chunk));
    }
    return file;
}

TEST(ManyTracks, a_midi_file_of_65535_tracks_imports_and_renders) {
    const std::vector<std::uint8_t> bytes = serialise_midi(midi_of_tracks(65535));
    const MidiReadResult read = parse_midi(bytes);
    ASSERT_TRUE(read.file) << read.error;
    MidiImportResult imported = import_midi(*read.file);
    ASSERT_TRUE(imported.document) << imported.error;
    const Document& doc = *imported.document;
    ASSERT_EQ(doc.tracks.size(), 65535u);
    EXPECT_EQ(doc.note_count(), 65535u);
    for (std::size_t t : {std::size_t{0}, std::size_t{384}, std::size_t{65534}}) {
        SCOPED_TRACE("track " + std::to_string(t));
        EXPECT_EQ(doc.tracks[t].id, TrackId(t + 1));
        EXPECT_EQ(doc.tracks[t].name, "Track " + std::to_string(t + 1));
        ASSERT_EQ(doc.tracks[t].notes.size(), 1u);
        EXPECT_EQ(doc.tracks[t].notes[0].start, double(t % 384) / 96.0);
        EXPECT_EQ(doc.tracks[t].notes[0].pitch, int(36 + t % 60));
    }

    // A short render: 0.1 s, in which the notes of some 3,400 tracks start.
    std::string error;
    auto render = OfflineRender::create(doc, OfflineRenderOptions{}, &error);
    ASSERT_TRUE(render) << error;
    std::vector<float> left(512), right(512);
    float peak = 0.0f;
    bool finite = true;
    while (render->frames_rendered() < 4800) {
        int rendered = 0;
        {
            RealtimeScope realtime;
            rendered = render->render_next(left.data(), right.data());
        }
        ASSERT_GT(rendered, 0);
        for (float x : left) {
            finite = finite && std::isfinite(x);
            peak = std::max(peak, std::abs(x));
        }
    }
    EXPECT_TRUE(finite);
    EXPECT_GT(peak, 0.0f);
}

}  // namespace
}  // namespace tactus
