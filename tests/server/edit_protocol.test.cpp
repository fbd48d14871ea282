// The editing protocol (docs/protocol.md, "Editing the document") through the real ControlServer
// and EngineHost, in process: the host runs the offline backend unstarted and the test renders its
// blocks itself, so every frame is known. Two UDP sockets of the test are the clients.
//
// Checked here: replies carry the new revision; refused edits and batches (missing ids, conflicts,
// out-of-range values, a bad message inside a bundle) leave document and revision unchanged and say
// why; pushes reach the other subscriber and rebuild the same document; /edits/since and /document
// resynchronise; an audition sounds on its exact frame with the transport stopped.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/document_editor.h"
#include "core/document_json.h"
#include "core/edit_inverse.h"
#include "server/control_server.h"
#include "server/edit_messages.h"
#include "server/engine_host.h"
#include "server/osc_args.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"
#include "server/osc_transport.h"
#include "support/in_process_server.h"

namespace tactus {
namespace {

constexpr const char* kDocument = R"({"format": "tactus", "version": 1, "revision": 7,
    "tempo": [{"beat": 0, "bpm": 120}],
    "tracks": [
      {"id": 1, "name": "Lead", "preset": "sine", "notes": [
        {"id": 10, "start": 0, "length": 1, "pitch": 60, "velocity": 100},
        {"id": 11, "start": 1, "length": 1, "pitch": 62, "velocity": 100}]},
      {"id": 2, "name": "Bass", "preset": "bass", "notes": []}]})";

class EditProtocol : public InProcessServer {
protected:
    std::string document() const override { return kDocument; }
};

TEST_F(EditProtocol, each_batch_replies_with_the_new_revision_and_the_edit_count) {
    EXPECT_EQ(text_of(call(OscOut("/note/add").h(1).h(12).d(2.0).d(0.5).i(64).i(90).bytes(), a_)),
              "/reply ,shi \"/note/add\" 8 1");
    EXPECT_EQ(text_of(call(OscOut("/note/move").h(12).d(3.0).h(11).d(4.0).bytes(), a_)),
              "/reply ,shi \"/note/move\" 9 2");
    EXPECT_EQ(text_of(call(osc_bundle({OscOut("/note/delete").h(10).bytes(),
                                       OscOut("/note/pitch").h(11).i(70).d(-25.0).bytes(),
                                       OscOut("/track/rename").h(2).s("Low end").bytes()}),
                           a_)),
              "/reply ,shi \"/note/delete\" 10 3");
    const Document& doc = host_.document();
    EXPECT_EQ(doc.revision, 10u);
    ASSERT_TRUE(host_.editor().find_note(12));
    EXPECT_EQ(host_.editor().find_note(12)->note.start, 3.0);
    EXPECT_FALSE(host_.editor().find_note(10));
    EXPECT_EQ(host_.editor().find_note(11)->note.pitch, 70);
    EXPECT_EQ(host_.editor().find_note(11)->note.cents, -25.0);
    EXPECT_EQ(doc.tracks[1].name, "Low end");
}

TEST_F(EditProtocol, an_edit_naming_a_missing_id_is_refused_and_changes_nothing) {
    expect_refused(OscOut("/note/move").h(99).d(1.0).bytes(), "/note/move",
                   "edit 1 of 1 (note/move): no note with id 99");
    expect_refused(OscOut("/note/add").h(5).h(20).d(0.0).d(1.0).i(60).i(100).bytes(), "/note/add",
                   "edit 1 of 1 (note/add): no track with id 5");
    expect_refused(OscOut("/track/remove").h(3).bytes(), "/track/remove",
                   "edit 1 of 1 (track/remove): no track with id 3");
}

TEST_F(EditProtocol, a_bundle_with_a_conflict_applies_none_of_its_edits) {
    expect_refused(osc_bundle({OscOut("/note/delete").h(10).bytes(),
                               OscOut("/note/add").h(1).h(30).d(0.0).d(1.0).i(60).i(100).bytes(),
                               OscOut("/note/add").h(2).h(30).d(4.0).d(1.0).i(40).i(100).bytes()}),
                   "/note/delete", "edit 3 of 3 (note/add): note id 30 already exists (on track 1)");
    expect_refused(
        osc_bundle({OscOut("/note/delete").h(10).bytes(), OscOut("/note/resize").h(10).d(2.0).bytes()}),
        "/note/delete", "edit 2 of 2 (note/resize): no note with id 10");
}

TEST_F(EditProtocol, out_of_range_values_are_refused_naming_the_value) {
    expect_refused(OscOut("/note/pitch").h(10).i(130).d(0.0).bytes(), "/note/pitch",
                   "edit 1 of 1 (note/pitch): pitch must be within 0..127 (got 130)");
    expect_refused(OscOut("/note/velocity").h(10).i(0).bytes(), "/note/velocity",
                   "edit 1 of 1 (note/velocity): velocity must be within 1..127 (got 0)");
    expect_refused(OscOut("/note/move").h(10).d(-0.5).bytes(), "/note/move",
                   "edit 1 of 1 (note/move): start must be within 0..1000000 (got -0.5)");
    expect_refused(
        OscOut("/track/instrument").h(1).s("synth").s("kazoo").bytes(), "/track/instrument",
        "edit 1 of 1 (track/instrument): unknown preset 'kazoo' for instrument 'synth' (available: "
        "sine, pluck, pad, bass, lead, saw, square, triangle, click, drums)");
    expect_refused(
        OscOut("/meter/set").i(0).i(7).i(6).bytes(), "/meter/set",
        "edit 1 of 1 (meter/set): meter entry 1: denominator must be a power of two within 1..64 (got 6)");
    expect_refused(OscOut("/markers/set").d(4).s("Verse").d(-1).s("Before").bytes(), "/markers/set",
                   "edit 1 of 1 (markers/set): marker 2: beat must be within 0..1000000 (got -1)");
    expect_refused(OscOut("/markers/set").d(4).bytes(), "/markers/set",
                   "takes one or more groups of 2 arguments (BEAT NAME); got 1");
}

TEST_F(EditProtocol, a_malformed_message_inside_a_bundle_refuses_the_whole_bundle) {
    expect_refused(
        osc_bundle({OscOut("/note/delete").h(10).bytes(), OscOut("/note/move").h(11).s("soon").bytes()}),
        "/note/move",
        "argument 2 (start) must be a number (i, h, f or d) (message 2 of 2; no edit of the bundle was "
        "applied)");
    expect_refused(OscOut("/note/move").h(11).d(1.0).h(10).bytes(), "/note/move",
                   "takes one or more groups of 2 arguments (ID START); got 3");
}

TEST_F(EditProtocol, the_other_subscriber_receives_every_batch_and_rebuilds_the_same_document) {
    EXPECT_EQ(text_of(call(OscOut("/edits/subscribe").bytes(), b_)), "/reply ,sh \"/edits/subscribe\" 7");
    DocumentEditor mirror(host_.document());  // b's copy, kept up to date from pushes alone

    call(OscOut("/note/add").h(2).h(40).d(8.0).d(2.0).i(36).i(110).bytes(), a_);
    call(osc_bundle({OscOut("/note/move").h(10).d(6.0).bytes(), OscOut("/note/delete").h(11).bytes(),
                     OscOut("/tempo/set").d(0).d(100).i(1).d(8).d(140).i(0).bytes()}),
         a_);
    call(OscOut("/track/add").h(3).s("Pad").s("synth").s("pad").i(0).bytes(), a_);
    call(OscOut("/markers/set").d(8).s("Chorus").d(0).s("Intro").bytes(), a_);
    call(OscOut("/note/delete").h(999).bytes(), a_);  // refused: not pushed
    EXPECT_TRUE(a_.receive().empty()) << "the sender gets its reply, not a push of its own edits";

    const auto pushes = b_.receive();
    ASSERT_EQ(pushes.size(), 4u);
    std::uint64_t expected_revision = 8;
    for (const OscPacket& push : pushes) {
        ASSERT_TRUE(push.is_bundle);
        const OscMessage& head = push.messages.front();
        ASSERT_EQ(head.address, "/edited");
        EXPECT_EQ(head.args[0].i, std::int64_t(expected_revision++));
        ASSERT_EQ(std::size_t(head.args[1].i), push.messages.size() - 1);
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        for (std::size_t i = 1; i < push.messages.size(); ++i)
            parse_edit_message(push.messages[i], edits, auditions);
        std::string error;
        ASSERT_TRUE(mirror.apply(edits, nullptr, &error)) << error;
    }
    EXPECT_EQ(mirror.revision(), host_.editor().revision());
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(host_.document()));
}

TEST_F(EditProtocol, edits_since_a_revision_replays_the_batches_and_an_old_revision_is_refused) {
    call(OscOut("/note/delete").h(10).bytes(), a_);
    call(OscOut("/note/resize").h(11).d(3.0).bytes(), a_);
    send(OscOut("/edits/since").h(8).bytes(), b_);
    const auto packets = b_.receive();
    ASSERT_EQ(packets.size(), 2u);
    EXPECT_EQ(text_of(packets[0].messages[0]), "/edited ,hi 9 1");
    EXPECT_EQ(text_of(packets[0].messages[1]), "/note/resize ,hd 11 3.000000");
    EXPECT_EQ(text_of(packets[1].messages[0]), "/reply ,shi \"/edits/since\" 9 1");
    EXPECT_EQ(
        text_of(call(OscOut("/edits/since").h(3).bytes(), b_)),
        "/error ,ss \"/edits/since\" \"revision 3 is not in the edit log (the document is at 9): fetch the "
        "whole /document\"");
}

TEST_F(EditProtocol, the_whole_document_comes_back_by_reply_or_in_a_file) {
    call(OscOut("/note/add").h(2).h(41).d(1.5).d(0.5).i(40).i(90).bytes(), a_);
    send(OscOut("/document").bytes(), b_);
    const auto packets = b_.receive();
    ASSERT_EQ(packets.size(), 1u);
    const OscMessage& reply = packets[0].messages[0];
    ASSERT_EQ(reply.address, "/document");
    EXPECT_EQ(reply.args[0].i, 8);
    LoadResult fetched = parse_document(reply.args[1].s, "<reply>");
    ASSERT_TRUE(fetched.errors.empty()) << fetched.errors.front().to_string();
    EXPECT_EQ(*fetched.document, canonical_document(host_.document()));

    const std::string path =
        (std::filesystem::temp_directory_path() / ("tactus-edit-doc-" + std::to_string(::getpid()) + ".json"))
            .string();
    EXPECT_EQ(text_of(call(OscOut("/document").s(path).bytes(), b_)),
              "/reply ,shs \"/document\" 8 \"" + path + "\"");
    LoadResult saved = load_document_file(path);
    ASSERT_TRUE(saved.errors.empty()) << saved.errors.front().to_string();
    EXPECT_EQ(*saved.document, canonical_document(host_.document()));
    std::filesystem::remove(path);
}

TEST_F(EditProtocol, loading_with_a_revision_resumes_there_and_tells_subscribers_to_resync) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    load(kDocument, 120);
    EXPECT_EQ(host_.editor().revision(), 120u);
    const auto pushes = b_.receive();
    ASSERT_EQ(pushes.size(), 1u);
    EXPECT_EQ(text_of(pushes[0].messages[0]), "/resync ,h 120");
    EXPECT_EQ(text_of(call(OscOut("/note/delete").h(10).bytes(), a_)), "/reply ,shi \"/note/delete\" 121 1");
}

TEST_F(EditProtocol, an_edit_can_audition_its_note_on_the_frame_an_immediate_command_gets) {
    // Transport stopped. Arrival at frame 1000: immediate commands apply two periods later.
    const Frame arrival_frame = 1000;
    const Frame expected = host_.frame_for_arrival(host_.host_time_at_frame(arrival_frame));
    ASSERT_GT(expected, arrival_frame);
    // A new track with the click preset (its peak is on the note's first sample) and a note on it.
    send(osc_bundle({OscOut("/track/add").h(3).s("Clicks").s("synth").s("click").bytes(),
                     OscOut("/note/add").h(3).h(50).d(4.0).d(0.25).i(69).i(120).bytes(),
                     OscOut("/note/audition").h(50).bytes()}),
         a_, host_.host_time_at_frame(arrival_frame));
    EXPECT_EQ(text_of(a_.receive().at(0).messages.at(0)), "/reply ,shi \"/track/add\" 8 2");

    render(48000);
    const auto sounds = [](float x) { return x != 0.0f; };
    const Frame first_sound = std::find_if(out_.begin(), out_.end(), sounds) - out_.begin();
    const Frame last_sound = Frame(out_.rend() - std::find_if(out_.rbegin(), out_.rend(), sounds)) - 1;
    EXPECT_EQ(first_sound, expected) << "the audition's first sample";
    // The preview ends (a held audition would go on sounding): silent well within the second.
    EXPECT_LT(last_sound, 48000 - 4800);
    EXPECT_FALSE(host_.status().playing);
}

TEST_F(EditProtocol, an_audition_lasts_as_long_as_its_note_up_to_a_second) {
    // Note 10: one beat at 120 bpm (0.5 s) of sine; note 11 made 8 beats (4 s): its preview stops at 1 s.
    call(OscOut("/note/resize").h(11).d(8.0).bytes(), a_);
    send(OscOut("/note/audition").h(10).bytes(), a_, host_.host_time_at_frame(0));
    send(OscOut("/note/audition").h(11).bytes(), a_, host_.host_time_at_frame(96000));
    render(4 * 48000);
    const Frame start = host_.frame_for_arrival(host_.host_time_at_frame(0));
    EXPECT_TRUE(sounding(start + 20000, start + 22000)) << "note 10's preview stopped early";
    EXPECT_FALSE(sounding(start + 36000, 96000)) << "note 10's preview went on past its 0.5 s";
    const Frame second = start + 96000;
    EXPECT_TRUE(sounding(second + 44000, second + 46000)) << "note 11's preview stopped before 1 s";
    EXPECT_FALSE(sounding(second + 60000, Frame(out_.size()))) << "note 11's preview went on past 1 s";
}

// Note 11 (beats 1..2 at 120 bpm: frames 24000..48000) made 8 beats long, so it sounds 0.5..4.5 s.
TEST_F(EditProtocol, a_new_instrument_takes_over_a_sounding_note_and_the_old_one_fades) {
    call(OscOut("/note/resize").h(11).d(8.0).bytes(), a_);
    call(OscOut("/note/delete").h(10).bytes(), a_);
    send(OscOut("/play").bytes(), a_, host_.host_time_at_frame(0));
    render(48000);  // to 1 s: note 11 sounds on the sine
    a_.receive();   // the /play reply
    ASSERT_TRUE(sounding(40000, 48000));
    const float sine_step = largest_step(40000, 48000);
    EXPECT_EQ(text_of(call(OscOut("/track/instrument").h(1).s("synth").s("triangle").bytes(), a_)),
              "/reply ,shi \"/track/instrument\" 10 1");
    render(4 * 48000);  // to 5 s
    // The switch happens at a block boundary after 1 s: no jump there bigger than the sine's own
    // (the sine releases, the triangle starts from zero), and the note goes on to its end at 4.5 s
    // on the triangle, then stops.
    EXPECT_LE(largest_step(48000, 52000), sine_step * 1.5f);
    EXPECT_TRUE(sounding(4 * 48000, 4 * 48000 + 4800)) << "the new instrument did not take over the note";
    EXPECT_FALSE(sounding(5 * 48000 - 4800, 5 * 48000)) << "the note did not end";
}

TEST_F(EditProtocol, removing_a_track_fades_its_sounding_notes_out) {
    call(OscOut("/note/resize").h(11).d(8.0).bytes(), a_);
    call(OscOut("/note/delete").h(10).bytes(), a_);
    send(OscOut("/play").bytes(), a_, host_.host_time_at_frame(0));
    render(48000);
    a_.receive();  // the /play reply
    const float sine_step = largest_step(40000, 48000);
    EXPECT_EQ(text_of(call(OscOut("/track/remove").h(1).bytes(), a_)), "/reply ,shi \"/track/remove\" 10 1");
    render(2 * 48000);
    EXPECT_LE(largest_step(47000, 60000), sine_step * 1.01f) << "the removed track was cut, not released";
    EXPECT_TRUE(sounding(48000 + 128, 48000 + 400)) << "the release tail is missing";
    EXPECT_FALSE(sounding(2 * 48000, 3 * 48000)) << "the removed track goes on sounding";
    EXPECT_EQ(host_.document().tracks.size(), 1u);
}

TEST_F(EditProtocol, a_loop_keeps_its_beats_when_a_tempo_edit_changes_their_frames) {
    load(R"({"format": "tactus", "version": 1, "tempo": [{"beat": 0, "bpm": 120}], "tracks": [
        {"id": 1, "name": "Clicks", "preset": "click", "notes": [
          {"id": 1, "start": 0, "length": 0.1, "pitch": 72, "velocity": 120}]}]})");
    send(osc_bundle({OscOut("/loop").i(1).d(0.0).d(2.0).bytes(), OscOut("/play").bytes()}), a_,
         host_.host_time_at_frame(0));
    render(48000 * 3 / 2);  // 1.5 s: passes start every 2 beats = 1 s
    a_.receive();           // the /loop and /play replies
    call(OscOut("/tempo/set").d(0).d(60).i(0).bytes(), a_);
    render(48000 * 8);
    std::vector<Frame> onsets;
    for (Frame i = 1; i < Frame(out_.size()); ++i)
        if (out_[std::size_t(i)] != 0.0f && out_[std::size_t(i - 1)] == 0.0f &&
            std::all_of(out_.begin() + std::max<Frame>(0, i - 2000), out_.begin() + i,
                        [](float x) { return x == 0.0f; }))
            onsets.push_back(i);
    ASSERT_GE(onsets.size(), 5u);
    // After the change, two beats at 60 bpm: a pass every 2 s.
    for (std::size_t k = onsets.size() - 3; k + 1 < onsets.size(); ++k)
        EXPECT_EQ(onsets[k + 1] - onsets[k], 96000) << "pass " << k;
}

TEST_F(EditProtocol, controller_events_and_whole_tracks_travel_as_edits_and_a_removal_is_undone_exactly) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    DocumentEditor mirror(host_.document());  // b's copy, kept up to date from pushes alone
    EXPECT_EQ(text_of(call(OscOut("/track/controllers")
                               .h(2)
                               .d(3.0)
                               .s("cc")
                               .i(64)
                               .d(0.0)
                               .d(1.0)
                               .s("cc")
                               .i(64)
                               .d(127.0)
                               .d(2.0)
                               .s("pitch_bend")
                               .i(0)
                               .d(-0.5)
                               .d(2.5)
                               .s("program")
                               .i(33)
                               .d(0.0)
                               .bytes(),
                           a_)),
              "/reply ,shi \"/track/controllers\" 8 1");
    const std::vector<ControllerEvent> expected = {{1.0, ControllerKind::ControlChange, 64, 127},
                                                   {2.0, ControllerKind::PitchBend, 0, -0.5},
                                                   {2.5, ControllerKind::ProgramChange, 33, 0},
                                                   {3.0, ControllerKind::ControlChange, 64, 0}};
    EXPECT_EQ(host_.document().tracks[1].controllers, expected);
    EXPECT_EQ(text_of(call(OscOut("/track/add")
                               .h(3)
                               .s("Keys")
                               .s("synth")
                               .s("pad")
                               .i(0)
                               .i(5)
                               .d(0.5)
                               .d(-0.25)
                               .i(1)
                               .i(0)
                               .bytes(),
                           a_)),
              "/reply ,shi \"/track/add\" 9 1");
    const Track& keys = host_.document().tracks[0];
    EXPECT_EQ(keys.name, "Keys");
    EXPECT_EQ(keys.midi_channel, 5);
    EXPECT_EQ(keys.level, 0.5);
    EXPECT_EQ(keys.pan, -0.25);
    EXPECT_TRUE(keys.mute);
    EXPECT_FALSE(keys.solo);

    // Undo of removing both tracks, as a GUI computes it, sent back as edit messages.
    const Document before = host_.document();
    std::string error;
    const std::vector<Edit> removal = {edit::TrackRemove{3}, edit::TrackRemove{2}};
    const auto undo = inverse_edits(host_.editor(), removal, &error);
    ASSERT_TRUE(undo.has_value()) << error;
    call(osc_bundle(edit_messages(removal)), a_);
    ASSERT_EQ(host_.document().tracks.size(), 1u);
    EXPECT_EQ(text_of(call(osc_bundle(edit_messages(*undo)), a_)), "/reply ,shi \"/track/add\" 11 3");
    Document restored = canonical_document(host_.document());
    restored.revision = before.revision;
    EXPECT_EQ(restored, canonical_document(before)) << "the undo did not bring the tracks back whole";

    const auto pushes = b_.receive();
    ASSERT_EQ(pushes.size(), 4u);
    for (const OscPacket& push : pushes) {
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        for (std::size_t i = 1; i < push.messages.size(); ++i)
            parse_edit_message(push.messages[i], edits, auditions);
        ASSERT_TRUE(mirror.apply(edits, nullptr, &error)) << error;
    }
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(host_.document()));

    expect_refused(OscOut("/track/controllers").h(2).d(1.0).s("aftertouch").i(0).d(5.0).bytes(),
                   "/track/controllers",
                   "argument 3 (kind) must be one of cc, pitch_bend, program, pressure (got \"aftertouch\")");
    expect_refused(
        OscOut("/track/controllers").h(2).d(1.0).s("cc").i(64).bytes(), "/track/controllers",
        "takes the arguments TRACK_ID (BEAT KIND NUMBER VALUE)...: a track id, then groups of 4; got 4");
    expect_refused(
        OscOut("/track/controllers").h(2).d(1.0).s("cc").i(64).d(200.0).bytes(), "/track/controllers",
        "edit 1 of 1 (track/controllers): controller event 1: value must be within 0..127 (got 200)");
    expect_refused(
        OscOut("/track/add").h(4).s("X").s("synth").s("sine").i(0).i(1).d(1.0).bytes(), "/track/add",
        "takes the arguments ID NAME INSTRUMENT PRESET [INDEX [CHANNEL LEVEL PAN MUTE SOLO [ORCHESTRA "
        "CSOUND_INSTRUMENT (PARAMETER VALUE)...]]]: the mixer and channel come all five or none; got 7");
}

TEST_F(EditProtocol, mixer_changes_are_kept_in_the_document_and_pushed_to_the_other_subscribers) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    send(OscOut("/track/level").i(2).d(0.5).bytes(), a_);
    send(OscOut("/track/pan").h(2).d(-0.75).bytes(), a_);
    send(OscOut("/track/mute").i(1).i(1).bytes(), a_);
    send(OscOut("/track/solo").i(2).i(1).bytes(), a_);
    send(OscOut("/track/level").i(2).d(7.0).bytes(), a_);  // refused: neither kept nor pushed
    render(4096);
    std::vector<std::string> to_a;
    for (const OscPacket& p : a_.receive()) to_a.push_back(p.messages[0].address);
    EXPECT_EQ(to_a, (std::vector<std::string>{"/error", "/reply", "/reply", "/reply", "/reply"}))
        << "the sender gets its replies and no push";
    std::vector<std::string> to_b;
    for (const OscPacket& p : b_.receive())
        if (p.messages[0].address != "/applied")
            to_b.push_back(text_of(p.messages[0]));  // the load's program
    EXPECT_EQ(to_b, (std::vector<std::string>{"/track/level ,hd 2 0.500000", "/track/pan ,hd 2 -0.750000",
                                              "/track/mute ,hi 1 1", "/track/solo ,hi 2 1"}));
    const Document& doc = host_.document();
    EXPECT_EQ(doc.revision, 7u) << "mixer moves are not edits";
    EXPECT_EQ(doc.tracks[1].level, 0.5);
    EXPECT_EQ(doc.tracks[1].pan, -0.75);
    EXPECT_TRUE(doc.tracks[0].mute);
    EXPECT_TRUE(doc.tracks[1].solo);
    EXPECT_FALSE(doc.tracks[0].solo);
}

// Note 11 made 8 beats long sounds 0.5..4.5 s on the sine. Its level is turned down live, then the
// track gets a new instrument: the new one must sound at the level set, not at the loaded one.
TEST_F(EditProtocol, a_level_set_live_holds_when_the_track_gets_a_new_instrument) {
    call(OscOut("/note/resize").h(11).d(8.0).bytes(), a_);
    call(OscOut("/note/delete").h(10).bytes(), a_);
    send(OscOut("/play").bytes(), a_, host_.host_time_at_frame(0));
    render(48000);
    const auto peak = [&](Frame from, Frame to) {
        float p = 0.0f;
        for (Frame i = from; i < to; ++i) p = std::max(p, std::abs(out_[std::size_t(i)]));
        return p;
    };
    const float full = peak(40000, 48000);
    ASSERT_GT(full, 0.01f);
    send(OscOut("/track/level").i(1).d(0.25).bytes(), a_);
    render(48000);  // to 2 s; the level ramps within milliseconds
    const float turned_down = peak(88000, 96000);
    EXPECT_NEAR(turned_down, 0.25f * full, 0.05f * full);
    a_.receive();
    EXPECT_EQ(text_of(call(OscOut("/track/instrument").h(1).s("synth").s("sine").bytes(), a_)),
              "/reply ,shi \"/track/instrument\" 10 1");
    render(2 * 48000);  // to 4 s: the new sine has taken the note over
    EXPECT_NEAR(peak(3 * 48000, 4 * 48000), turned_down, 0.05f * full)
        << "the new instrument came back at the loaded level";
}

// ------------------------------------------------------------------------------------------------
// Automation

OscMessage parsed(const std::vector<std::uint8_t>& bytes) {
    OscPacket packet;
    std::string error;
    EXPECT_TRUE(parse_osc_packet(bytes.data(), bytes.size(), packet, &error)) << error;
    return packet.messages.empty() ? OscMessage{} : packet.messages.front();
}

TEST(AutomationMessages, parsing_what_is_written_gives_the_same_edit_for_every_shape_and_owner) {
    const std::vector<edit::AutomationSet> sets = {
        {{AutomationOwner::Track, 3, "level"},
         {{0, 1, AutomationShape::Hold},
          {2.5, 0.25, AutomationShape::Linear},
          {4, 4, AutomationShape::Smooth}}},
        {{AutomationOwner::Track, 9007199254740991, "send:12"}, {{1.0 / 3.0, 0.1, AutomationShape::Linear}}},
        {{AutomationOwner::Bus, 12, "pan"}, {{0, -1, AutomationShape::Smooth}}},
        {{AutomationOwner::Bus, 5, "level"}, {}},  // no points: the lane goes
        {{AutomationOwner::Master, 0, "level"}, {{2.0, 0.5, AutomationShape::Hold}}}};
    for (const edit::AutomationSet& set : sets) {
        const auto messages = edit_messages({set});
        ASSERT_EQ(messages.size(), 1u);
        const OscMessage m = parsed(messages[0]);
        EXPECT_EQ(m.address, "/automation/set");
        EXPECT_EQ(
            m.types, "shs" + [&] {
                std::string groups;
                for (std::size_t i = 0; i < set.points.size(); ++i) groups += "dds";
                return groups;
            }());
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        parse_edit_message(m, edits, auditions);
        ASSERT_EQ(edits.size(), 1u);
        const auto& back = std::get<edit::AutomationSet>(edits[0]);
        EXPECT_EQ(back.target, set.target);
        EXPECT_EQ(back.points, set.points);
        EXPECT_TRUE(auditions.empty());
    }
    EXPECT_EQ(text_of(parsed(edit_messages({sets[2]})[0])),
              "/automation/set ,shsdds \"bus\" 12 \"pan\" 0.000000 "
              "-1.000000 \"smooth\"");
    EXPECT_TRUE(is_edit_address("/automation/set"));
}

TEST(AutomationMessages, bad_arguments_are_named) {
    const auto error_of = [](const std::vector<std::uint8_t>& bytes) -> std::string {
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        try {
            parse_edit_message(parsed(bytes), edits, auditions);
        } catch (const OscArgError& e) {
            EXPECT_TRUE(edits.empty());
            return e.what();
        }
        return "accepted";
    };
    EXPECT_EQ(error_of(OscOut("/automation/set").s("group").h(1).s("level").bytes()),
              "argument 1 (owner) must be track, bus or master (got \"group\")");
    EXPECT_EQ(error_of(OscOut("/automation/set").h(1).h(1).s("level").bytes()),
              "argument 1 (owner) must be a string (s)");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("track").h(-1).s("level").bytes()),
              "argument 2 (track id) must be a positive id (got -1)");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("bus").h(0).s("pan").bytes()),
              "argument 2 (bus id) must be a positive id (got 0)");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("track").h(1).i(3).bytes()),
              "argument 3 (control) must be a string (s)");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("track").h(1).s("level").d(0).d(1).s("curvy").bytes()),
              "argument 6 (shape) must be one of hold, linear, smooth (got \"curvy\")");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("track").h(1).s("level").s("soon").d(1).s("hold").bytes()),
              "argument 4 (beat) must be a number (i, h, f or d)");
    EXPECT_EQ(error_of(OscOut("/automation/set").s("track").h(1).s("level").d(0).s("x").s("hold").bytes()),
              "argument 5 (value) must be a number (i, h, f or d)");
    EXPECT_EQ(
        error_of(OscOut("/automation/set").s("track").h(1).s("level").d(0).d(1).bytes()),
        "takes the arguments OWNER ID CONTROL (BEAT VALUE SHAPE)...: an owner, an id and a control, then "
        "groups of 3; got 5");
    EXPECT_EQ(
        error_of(OscOut("/automation/set").s("track").h(1).bytes()),
        "takes the arguments OWNER ID CONTROL (BEAT VALUE SHAPE)...: an owner, an id and a control, then "
        "groups of 3; got 2");
}

TEST_F(EditProtocol, automation_lanes_are_edits_pushed_refused_by_name_and_undone_with_their_track) {
    call(OscOut("/edits/subscribe").bytes(), b_);
    DocumentEditor mirror(host_.document());  // b's copy, kept up to date from pushes alone
    EXPECT_EQ(text_of(call(OscOut("/automation/set")
                               .s("track")
                               .h(2)
                               .s("level")
                               .d(4.0)
                               .d(0.5)
                               .s("smooth")
                               .d(0.0)
                               .d(1.0)
                               .s("hold")
                               .bytes(),
                           a_)),
              "/reply ,shi \"/automation/set\" 8 1");
    EXPECT_EQ(text_of(call(
                  OscOut("/automation/set").s("track").h(1).s("pan").i(2).d(-1.0).s("linear").bytes(), a_)),
              "/reply ,shi \"/automation/set\" 9 1");
    const std::vector<AutomationLane> expected = {
        {{AutomationOwner::Track, 1, "pan"}, {{2, -1, AutomationShape::Linear}}},
        {{AutomationOwner::Track, 2, "level"},
         {{0, 1, AutomationShape::Hold}, {4, 0.5, AutomationShape::Smooth}}}};
    EXPECT_EQ(host_.document().automation, expected);
    mirror_pushes(mirror);
    EXPECT_EQ(mirror.document(), host_.document());

    expect_refused(OscOut("/automation/set").s("track").h(2).s("level").d(0.0).d(5.0).s("hold").bytes(),
                   "/automation/set",
                   "edit 1 of 1 (automation/set): automation point 1: value must be within 0..4 (got 5)");
    expect_refused(OscOut("/automation/set").s("bus").h(4).s("pan").d(0.0).d(0.0).s("hold").bytes(),
                   "/automation/set", "edit 1 of 1 (automation/set): no bus with id 4");
    expect_refused(OscOut("/automation/set").s("track").h(2).s("send:4").d(0.0).d(1.0).s("hold").bytes(),
                   "/automation/set", "edit 1 of 1 (automation/set): no bus with id 4 (for \"send:4\")");
    expect_refused(OscOut("/automation/set").s("track").h(2).s("level").d(0.0).d(1.0).s("jump").bytes(),
                   "/automation/set",
                   "argument 6 (shape) must be one of hold, linear, smooth (got \"jump\")");

    // Undo of removing track 2, as a GUI computes it, brings its lane back.
    const Document before = host_.document();
    std::string error;
    const std::vector<Edit> removal = {edit::TrackRemove{2}};
    const auto undo = inverse_edits(host_.editor(), removal, &error);
    ASSERT_TRUE(undo.has_value()) << error;
    call(osc_bundle(edit_messages(removal)), a_);
    EXPECT_EQ(host_.document().automation, (std::vector<AutomationLane>{expected[0]}));
    call(osc_bundle(edit_messages(*undo)), a_);
    Document restored = canonical_document(host_.document());
    restored.revision = before.revision;
    EXPECT_EQ(restored, canonical_document(before));
    EXPECT_EQ(host_.document().automation, expected);

    // Only the owner, id and control: the lane goes.
    EXPECT_EQ(text_of(call(OscOut("/automation/set").s("track").h(1).s("pan").bytes(), a_)),
              "/reply ,shi \"/automation/set\" 12 1");
    EXPECT_EQ(host_.document().automation, (std::vector<AutomationLane>{expected[1]}));
    mirror_pushes(mirror);
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(host_.document()));

    // The document the engine gives back holds the lane.
    send(OscOut("/document").bytes(), b_);
    const auto packets = b_.receive();
    ASSERT_EQ(packets.size(), 1u);
    LoadResult fetched = parse_document(packets[0].messages[0].args[1].s, "<reply>");
    ASSERT_TRUE(fetched.errors.empty()) << fetched.errors.front().to_string();
    EXPECT_EQ(fetched.document->automation, host_.document().automation);
}

// ------------------------------------------------------------------------------------------------
// Time shift

std::string parse_error(const std::vector<std::uint8_t>& bytes) {
    std::vector<Edit> edits;
    std::vector<NoteId> auditions;
    try {
        parse_edit_message(parsed(bytes), edits, auditions);
    } catch (const OscArgError& e) {
        EXPECT_TRUE(edits.empty());
        return e.what();
    }
    return "accepted";
}

TEST(TimeShiftMessages, parsing_what_is_written_gives_the_same_edit) {
    const std::vector<edit::TimeShift> shifts = {
        {4, 8, 1, 2}, {12, -8, 3, -2}, {0, 0, 0, 0}, {1.0 / 3.0, 4.0 / 7.0, 2147483647, -2147483647 - 1}};
    for (const edit::TimeShift& shift : shifts) {
        const auto messages = edit_messages({shift});
        ASSERT_EQ(messages.size(), 1u);
        const OscMessage m = parsed(messages[0]);
        EXPECT_EQ(m.address, "/time/shift");
        EXPECT_EQ(m.types, "ddii");
        std::vector<Edit> edits;
        std::vector<NoteId> auditions;
        parse_edit_message(m, edits, auditions);
        ASSERT_EQ(edits.size(), 1u);
        const auto& back = std::get<edit::TimeShift>(edits[0]);
        EXPECT_EQ(back.at, shift.at);
        EXPECT_EQ(back.by, shift.by);
        EXPECT_EQ(back.bar, shift.bar);
        EXPECT_EQ(back.bars, shift.bars);
        EXPECT_TRUE(auditions.empty());
    }
    EXPECT_EQ(text_of(parsed(edit_messages({shifts[1]})[0])), "/time/shift ,ddii 12.000000 -8.000000 3 -2");
    EXPECT_TRUE(is_edit_address("/time/shift"));
    // Any number type for the beats, whole numbers for the bars.
    std::vector<Edit> edits;
    std::vector<NoteId> auditions;
    parse_edit_message(parsed(OscOut("/time/shift").i(4).f(8.0f).h(1).d(2.0).bytes()), edits, auditions);
    ASSERT_EQ(edits.size(), 1u);
    const auto& shift = std::get<edit::TimeShift>(edits[0]);
    EXPECT_EQ(shift.at, 4);
    EXPECT_EQ(shift.by, 8);
    EXPECT_EQ(shift.bar, 1);
    EXPECT_EQ(shift.bars, 2);
}

TEST(TimeShiftMessages, bad_arguments_are_named) {
    EXPECT_EQ(parse_error(OscOut("/time/shift").s("soon").d(8).i(1).i(2).bytes()),
              "argument 1 (at) must be a number (i, h, f or d)");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).s("x").i(1).i(2).bytes()),
              "argument 2 (by) must be a number (i, h, f or d)");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).d(INFINITY).i(1).i(2).bytes()),
              "argument 2 (by) must be a finite number");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).d(8).d(1.5).i(2).bytes()),
              "argument 3 (bar) must be an integer (i or h)");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).d(8).i(1).s("two").bytes()),
              "argument 4 (bars) must be an integer (i or h)");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).d(8).i(1).bytes()),
              "takes the arguments AT BY BAR BARS; got 3");
    EXPECT_EQ(parse_error(OscOut("/time/shift").d(4).d(8).i(1).i(2).i(3).bytes()),
              "takes the arguments AT BY BAR BARS; got 5");
}

// Clicks on beats 0 and 4, and the tempo halves at beat 4. Two bars of 4/4 go in at bar 1 while it
// plays (at beat 2): the second click, the tempo change and the marker move to beat 12, 6 s in.
TEST_F(EditProtocol, a_time_shift_moves_notes_and_tempo_in_the_playing_engine_and_its_inverse_undoes_it) {
    load(R"({"format": "tactus", "version": 1, "revision": 30,
        "tempo": [{"beat": 0, "bpm": 120}, {"beat": 4, "bpm": 60}],
        "markers": [{"beat": 4, "name": "Verse"}],
        "tracks": [{"id": 1, "name": "Clicks", "preset": "click", "notes": [
          {"id": 1, "start": 0, "length": 0.1, "pitch": 72, "velocity": 120},
          {"id": 2, "start": 4, "length": 0.1, "pitch": 72, "velocity": 120}]}]})");
    call(OscOut("/edits/subscribe").bytes(), b_);
    DocumentEditor mirror(host_.document());  // b's copy, kept up to date from pushes alone
    const Document before = host_.document();
    send(OscOut("/play").bytes(), a_, host_.host_time_at_frame(0));
    render(48000);  // 1 s: beat 2
    a_.receive();   // the /play reply

    const std::vector<Edit> shift = {edit::TimeShift{4, 8, 1, 2}};
    std::string error;
    const auto undo = inverse_edits(host_.editor(), shift, &error);
    ASSERT_TRUE(undo.has_value()) << error;
    EXPECT_EQ(text_of(call(OscOut("/time/shift").d(4).d(8).i(1).i(2).bytes(), a_)),
              "/reply ,shi \"/time/shift\" 31 1");
    const Document& doc = host_.document();
    EXPECT_EQ(host_.editor().find_note(2)->note.start, 12);
    EXPECT_EQ(doc.tempo.points(), (std::vector<TempoPoint>{{0, 120, false}, {12, 60, false}}));
    EXPECT_EQ(doc.markers, (std::vector<Marker>{{12, "Verse"}}));
    mirror_pushes(mirror);
    EXPECT_EQ(canonical_document(mirror.document()), canonical_document(doc));

    render(48000 * 6);  // to 7 s
    std::vector<Frame> onsets;
    for (Frame i = 1; i < Frame(out_.size()); ++i)
        if (out_[std::size_t(i)] != 0.0f && out_[std::size_t(i - 1)] == 0.0f &&
            std::all_of(out_.begin() + std::max<Frame>(0, i - 2000), out_.begin() + i,
                        [](float x) { return x == 0.0f; }))
            onsets.push_back(i);
    ASSERT_EQ(onsets.size(), 2u);
    EXPECT_EQ(onsets[1] - onsets[0], 6 * 48000) << "12 beats at 120 bpm";

    // Taking them out again is refused while a note starts in the span.
    expect_refused(
        OscOut("/time/shift").d(13).d(-8).i(3).i(-2).bytes(), "/time/shift",
        "edit 1 of 1 (time/shift): note 2 starts at beat 12, inside the removed span 5..13: delete "
        "it first");
    // The undo, as a GUI computes it, sent as edit messages: the document as it was.
    EXPECT_EQ(text_of(call(osc_bundle(edit_messages(*undo)), a_)), "/reply ,shi \"/time/shift\" 32 1");
    Document restored = host_.document();
    restored.revision = before.revision;
    EXPECT_EQ(restored, before);
    mirror_pushes(mirror);
    EXPECT_EQ(mirror.document(), host_.document());
}

TEST_F(EditProtocol, auditioning_a_missing_note_is_refused) {
    expect_refused(OscOut("/note/audition").h(77).bytes(), "/note/audition", "no note with id 77");
}

}  // namespace
}  // namespace tactus
