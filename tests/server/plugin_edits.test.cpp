// Plugins through the editing protocol (docs/protocol.md): /track/plugin gives a track an LV2
// instrument and /track/inserts its whole insert chain, each as one edit that is applied, pushed to the
// other subscriber (who rebuilds the same document from the pushes alone), undone exactly, and heard:
// the engine rebuilds the track's channel with the new chain. A removed LV2 track with inserts comes
// back whole from its undo. Malformed chains are refused naming the argument.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "core/edit_inverse.h"
#include "server/edit_messages.h"
#include "support/in_process_server.h"

namespace tactus {
namespace {

constexpr const char* kDocument = R"({"format": "tactus", "version": 1, "revision": 3,
    "tempo": [{"beat": 0, "bpm": 120}],
    "tracks": [
      {"id": 1, "name": "Lead", "preset": "saw", "notes": [
        {"id": 10, "start": 0, "length": 4, "pitch": 60, "velocity": 100}]},
      {"id": 2, "name": "Keys", "preset": "sine", "notes": [
        {"id": 11, "start": 0, "length": 4, "pitch": 64, "velocity": 100}]}]})";

const std::string kEPiano = "http://drobilla.net/plugins/mda/EPiano";
const std::string kOverdrive = "http://drobilla.net/plugins/mda/Overdrive";
const std::string kAmp = "http://plugin.org.uk/swh-plugins/amp";

class PluginEdits : public InProcessServer {
protected:
    std::string document() const override { return kDocument; }
};

TEST_F(PluginEdits, a_track_gets_a_plugin_and_inserts_as_edits_pushed_and_undone_exactly) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    DocumentEditor mirror(host_.document());
    const Document before = host_.document();

    EXPECT_EQ(text_of(call(OscOut("/track/plugin").h(2).s(kEPiano).s("treble_boost").d(0.8).bytes(), a_)),
              "/reply ,shi \"/track/plugin\" 4 1");
    const Track& keys = host_.document().tracks[1];
    EXPECT_EQ(keys.instrument, "lv2");
    EXPECT_EQ(keys.plugin, kEPiano);
    EXPECT_EQ(keys.parameters, (std::map<std::string, double>{{"treble_boost", 0.8}}));

    EXPECT_EQ(text_of(call(OscOut("/track/inserts")
                               .h(2)
                               .s(kOverdrive)
                               .i(0)
                               .i(2)
                               .s("drive")
                               .d(0.7)
                               .s("muffle")
                               .d(0.2)
                               .s(kAmp)
                               .i(1)
                               .i(0)
                               .bytes(),
                           a_)),
              "/reply ,shi \"/track/inserts\" 5 1");
    const std::vector<Insert> chain = {Insert{kOverdrive, {{"drive", 0.7}, {"muffle", 0.2}}, false, {}},
                                       Insert{kAmp, {}, true, {}}};
    EXPECT_EQ(host_.document().tracks[1].inserts, chain);

    mirror_pushes(mirror);
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(host_.document()));

    // Removing the track and undoing it brings plugin, parameters and inserts back.
    std::string error;
    const Document with_plugins = host_.document();
    const std::vector<Edit> removal = {edit::TrackRemove{2}};
    const auto undo = inverse_edits(host_.editor(), removal, &error);
    ASSERT_TRUE(undo) << error;
    call(osc_bundle(edit_messages(removal)), a_);
    ASSERT_EQ(host_.document().tracks.size(), 1u);
    call(osc_bundle(edit_messages(*undo)), a_);
    Document restored = canonical_document(host_.document());
    restored.revision = with_plugins.revision;
    EXPECT_EQ(restored, canonical_document(with_plugins));

    // Undoing the two plugin edits gives the document before them.
    const std::vector<Edit> plugin_edits = {
        edit::TrackInstrument{2, "lv2", "plugin", std::nullopt, std::nullopt,
                              edit::PluginChoice{kEPiano, {}, {}}},
        edit::TrackInserts{2, chain}};
    DocumentEditor original(before);
    const auto back = inverse_edits(original, plugin_edits, &error);
    ASSERT_TRUE(back) << error;
    ASSERT_TRUE(original.apply(plugin_edits, nullptr, &error)) << error;
    ASSERT_TRUE(original.apply(*back, nullptr, &error)) << error;
    EXPECT_EQ(original.document().tracks[1].inserts, before.tracks[1].inserts);
    EXPECT_EQ(original.document().tracks[1].instrument, "synth");
}

TEST_F(PluginEdits, the_engine_plays_the_new_chain) {
    // Track 1 alone (track 2 muted) holds a saw at full sustain; an amplifier at -12 dB inserted on it
    // mid-note takes the note over (the old channel fades out) and it goes on 12 dB down.
    send(OscOut("/track/mute").h(2).i(1).bytes(), a_);
    send(OscOut("/play").bytes(), a_);
    render(24000);
    send(OscOut("/track/inserts").h(1).s(kAmp).i(0).i(1).s("gain").d(-12.0).bytes(), a_);
    std::vector<std::string> answers;
    for (const OscPacket& p : a_.receive())
        for (const OscMessage& m : p.messages) answers.push_back(text_of(m));
    EXPECT_NE(std::find(answers.begin(), answers.end(), "/reply ,shi \"/track/inserts\" 4 1"), answers.end())
        << (answers.empty() ? "no answer" : answers.back());
    render(48000);
    const auto peak = [this](Frame from, Frame to) {
        float p = 0.0f;
        for (Frame i = from; i < to; ++i) p = std::max(p, std::abs(out_[std::size_t(i)]));
        return p;
    };
    const float before = peak(12000, 24000), after = peak(48000, 72000);
    ASSERT_GT(before, 0.05f);
    EXPECT_NEAR(20.0 * std::log10(after / before), -12.0, 0.5);
}

TEST_F(PluginEdits, malformed_chains_are_refused_naming_the_argument) {
    expect_refused(
        OscOut("/track/inserts").h(1).s(kAmp).i(0).bytes(), "/track/inserts",
        "takes the arguments ID (URI BYPASS COUNT (SYMBOL VALUE)...)...: each insert is its URI, bypass "
        "and parameter count; argument 2 starts an incomplete one");
    expect_refused(OscOut("/track/inserts").h(1).s(kAmp).i(0).i(2).s("gain").d(1.0).bytes(), "/track/inserts",
                   "argument 4 (parameter count) says 2 parameters, but the message ends first");
    expect_refused(OscOut("/track/inserts").h(1).s("").i(0).i(0).bytes(), "/track/inserts",
                   "edit 1 of 1 (track/inserts): insert 1: the plugin's URI must not be empty");
    expect_refused(
        OscOut("/track/plugin").h(1).s(kEPiano).s("treble_boost").bytes(), "/track/plugin",
        "takes the arguments ID URI (SYMBOL VALUE)...: parameter symbols each with its value; got 3");
    expect_refused(OscOut("/track/inserts").h(9).bytes(), "/track/inserts",
                   "edit 1 of 1 (track/inserts): no track with id 9");
}

}  // namespace
}  // namespace tactus
