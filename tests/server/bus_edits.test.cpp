// Buses, sends and the master chain through the protocol (docs/protocol.md, "Mixer"): bus/add,
// track/sends, bus/inserts and master/inserts are edits, pushed to the other subscriber (whose mirror
// becomes the same document) and undone exactly; a bus with sends cannot be removed alone, but with its
// sends in one batch it can, and its undo brings both back. The live controls (/bus/level, /track/send,
// /bus/insert/parameter) are heard on the bus, kept in the document and pushed. Bad targets are refused
// naming what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/edit_inverse.h"
#include "server/edit_messages.h"
#include "support/in_process_server.h"

namespace tactus {
namespace {

// Track 1 holds a saw hard left for 8 beats; track 2 is silent.
constexpr const char* kDocument = R"({"format": "tactus", "version": 1, "revision": 3,
    "tempo": [{"beat": 0, "bpm": 120}],
    "tracks": [
      {"id": 1, "name": "Lead", "preset": "saw", "pan": -1, "notes": [
        {"id": 10, "start": 0, "length": 8, "pitch": 60, "velocity": 100}]},
      {"id": 2, "name": "Keys", "preset": "sine", "notes": []}]})";

const std::string kAmp = "http://plugin.org.uk/swh-plugins/amp";

class BusEdits : public InProcessServer {
protected:
    std::string document() const override { return kDocument; }

    float peak(Frame from, Frame to) const {
        float p = 0.0f;
        for (Frame i = from; i < to; ++i) p = std::max(p, std::abs(out_[std::size_t(i)]));
        return p;
    }
    static double db(float ratio) { return 20.0 * std::log10(ratio); }
};

TEST_F(BusEdits, buses_sends_and_master_inserts_are_edits_pushed_and_undone_exactly) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    DocumentEditor mirror(host_.document());
    const Document before = host_.document();

    EXPECT_EQ(text_of(call(OscOut("/bus/add").h(5).s("Reverb").bytes(), a_)), "/reply ,shi \"/bus/add\" 4 1");
    EXPECT_EQ(text_of(call(OscOut("/track/sends").h(1).h(5).d(0.5).i(0).bytes(), a_)),
              "/reply ,shi \"/track/sends\" 5 1");
    EXPECT_EQ(text_of(call(OscOut("/bus/inserts").h(5).s(kAmp).i(0).i(1).s("gain").d(-6.0).bytes(), a_)),
              "/reply ,shi \"/bus/inserts\" 6 1");
    EXPECT_EQ(text_of(call(OscOut("/master/inserts").s(kAmp).i(1).i(0).bytes(), a_)),
              "/reply ,shi \"/master/inserts\" 7 1");
    const Document& doc = host_.document();
    ASSERT_EQ(doc.buses.size(), 1u);
    EXPECT_EQ(doc.buses[0].name, "Reverb");
    EXPECT_EQ(doc.buses[0].inserts, (std::vector<Insert>{Insert{kAmp, {{"gain", -6.0}}, false, {}}}));
    EXPECT_EQ(doc.tracks[0].sends, (std::vector<Send>{Send{5, 0.5, false}}));
    EXPECT_EQ(doc.master_inserts, (std::vector<Insert>{Insert{kAmp, {}, true, {}}}));

    mirror_pushes(mirror);
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(host_.document()));

    // Alone, the bus cannot go: its send would be left pointing nowhere.
    expect_refused(OscOut("/bus/remove").h(5).bytes(), "/bus/remove",
                   "edit 1 of 1 (bus/remove): bus 5 still has sends from tracks 1: remove them first "
                   "(track/sends, in the same batch)");
    // With the send, in one batch, it can; the undo of that batch brings both back.
    std::string error;
    const Document routed = host_.document();
    const std::vector<Edit> removal = {edit::TrackSends{1, {}}, edit::BusRemove{5}};
    const auto undo = inverse_edits(host_.editor(), removal, &error);
    ASSERT_TRUE(undo) << error;
    call(osc_bundle(edit_messages(removal)), a_);
    EXPECT_TRUE(host_.document().buses.empty());
    EXPECT_TRUE(host_.document().tracks[0].sends.empty());
    call(osc_bundle(edit_messages(*undo)), a_);
    Document restored = canonical_document(host_.document());
    restored.revision = routed.revision;
    EXPECT_EQ(restored, canonical_document(routed));

    // Undoing every edit gives the document before them.
    DocumentEditor original(before);
    const std::vector<Edit> all = {edit::BusAdd{routed.buses[0], 0},
                                   edit::TrackSends{1, routed.tracks[0].sends},
                                   edit::MasterInserts{routed.master_inserts}};
    const auto back = inverse_edits(original, all, &error);
    ASSERT_TRUE(back) << error;
    ASSERT_TRUE(original.apply(all, nullptr, &error)) << error;
    ASSERT_TRUE(original.apply(*back, nullptr, &error)) << error;
    Document undone = original.document();
    undone.revision = before.revision;
    EXPECT_EQ(undone, before);
}

TEST_F(BusEdits, live_bus_and_send_and_insert_controls_are_heard_and_kept) {
    // The lead sends post-fader to a bus (hard left) through an amplifier; the bus is soloed, so what is
    // heard is the bus alone.
    call(osc_bundle({OscOut("/bus/add").h(5).s("Amp").i(0).d(1.0).d(-1.0).i(0).i(1).bytes(),
                     OscOut("/bus/inserts").h(5).s(kAmp).i(0).i(1).s("gain").d(0.0).bytes(),
                     OscOut("/track/sends").h(1).h(5).d(1.0).i(0).bytes()}),
         a_);
    call(OscOut("/edits/subscribe").bytes(), b_);
    send(OscOut("/play").bytes(), a_);
    render(24000);
    const float full = peak(12000, 24000);
    ASSERT_GT(full, 0.05f);

    send(OscOut("/track/send").h(1).h(5).d(0.5).bytes(), a_);
    render(24000);
    EXPECT_NEAR(db(peak(36000, 48000) / full), -6.02, 0.3);

    send(OscOut("/bus/insert/parameter").h(5).i(0).s("gain").d(-12.0).bytes(), a_);
    render(24000);
    EXPECT_NEAR(db(peak(60000, 72000) / full), -18.06, 0.3);

    send(OscOut("/bus/level").h(5).d(0.5).bytes(), a_);
    render(24000);
    EXPECT_NEAR(db(peak(84000, 96000) / full), -24.08, 0.3);

    const Document& doc = host_.document();
    EXPECT_EQ(doc.tracks[0].sends[0].level, 0.5);
    EXPECT_EQ(doc.buses[0].inserts[0].parameters.at("gain"), -12.0);
    EXPECT_EQ(doc.buses[0].level, 0.5);
    std::vector<std::string> pushed;
    for (const OscPacket& p : b_.receive())
        for (const OscMessage& m : p.messages) pushed.push_back(text_of(m));
    for (const std::string& expected : {std::string("/track/send ,hhd 1 5 0.500000"),
                                        std::string("/bus/insert/parameter ,hisd 5 0 \"gain\" -12.000000"),
                                        std::string("/bus/level ,hd 5 0.500000")})
        EXPECT_NE(std::find(pushed.begin(), pushed.end(), expected), pushed.end()) << expected;
}

TEST_F(BusEdits, the_lookahead_grows_to_the_latest_path_once_the_transport_stops) {
    // A bus with an insert fed by a track with an insert, and a master chain: 63 + 63 + 63 frames,
    // more than the default 128. While playing the engine keeps its lookahead (raising it would move
    // the notes being heard); stopped and silent, it takes the larger one.
    const int before = host_.lookahead();
    send(OscOut("/play").bytes(), a_);
    render(4800);
    send(osc_bundle({OscOut("/bus/add").h(5).s("Amp").bytes(),
                     OscOut("/bus/inserts").h(5).s(kAmp).i(0).i(0).bytes(),
                     OscOut("/track/inserts").h(1).s(kAmp).i(0).i(0).bytes(),
                     OscOut("/track/sends").h(1).h(5).d(1.0).i(0).bytes(),
                     OscOut("/master/inserts").s(kAmp).i(0).i(0).bytes()}),
         a_);
    EXPECT_EQ(host_.path_latency(), 3 * 63);
    render(4800);
    EXPECT_EQ(host_.lookahead(), before);
    send(OscOut("/stop").bytes(), a_);
    render(4 * 48000);  // the saw's release and the chains' tails die away
    EXPECT_EQ(host_.lookahead(), std::max(before, 3 * 63));
}

TEST_F(BusEdits, bad_targets_are_refused_naming_what_is_wrong) {
    expect_refused(OscOut("/track/sends").h(1).h(9).d(1.0).i(0).bytes(), "/track/sends",
                   "edit 1 of 1 (track/sends): send 1: no bus with id 9");
    call(OscOut("/bus/add").h(5).s("Reverb").bytes(), a_);
    expect_refused(OscOut("/bus/add").h(5).s("Again").bytes(), "/bus/add",
                   "edit 1 of 1 (bus/add): bus id 5 already exists");
    expect_refused(OscOut("/track/sends").h(1).h(5).d(1.0).i(0).h(5).d(0.5).i(1).bytes(), "/track/sends",
                   "edit 1 of 1 (track/sends): send 2: the track already sends to bus 5 (send 1)");
    expect_refused(OscOut("/track/sends").h(1).h(5).d(5.0).i(0).bytes(), "/track/sends",
                   "edit 1 of 1 (track/sends): send 1: level must be within 0..4 (got 5)");
    expect_refused(OscOut("/track/send").h(1).h(5).d(0.5).bytes(), "/track/send",
                   "track 1 has no send to bus 5 (add one with /track/sends)");
    expect_refused(OscOut("/bus/level").h(8).d(0.5).bytes(), "/bus/level",
                   "no bus with id 8 in the loaded document");
    expect_refused(OscOut("/bus/insert/parameter").h(5).i(0).s("gain").d(1.0).bytes(),
                   "/bus/insert/parameter", "bus 5 has no inserts");
    call(OscOut("/master/inserts").s(kAmp).i(0).i(0).bytes(), a_);
    expect_refused(OscOut("/master/insert/parameter").i(0).s("volume").d(1.0).bytes(),
                   "/master/insert/parameter", "insert 0 (" + kAmp + ") has no control input 'volume'");
    expect_refused(OscOut("/master/insert/parameter").i(3).s("gain").d(1.0).bytes(),
                   "/master/insert/parameter", "argument 1 (insert) must be within 0..0 (got 3)");
}

}  // namespace
}  // namespace tactus
