// The control thread's protocol logic (docs/protocol.md): validates each OSC message, turns it into
// engine commands stamped with their output frame, and replies to the sender. Never blocks on a
// client: replies go out through the transport's non-blocking send and are dropped (and counted)
// when a client does not read.
//
// Threading: every method runs on the control thread, except that the dispatch table is immutable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/document_json.h"
#include "server/client_access.h"
#include "server/document_journal.h"
#include "server/engine_host.h"
#include "server/midi_recorder.h"
#include "server/osc_message.h"
#include "server/osc_transport.h"
#include "server/path_policy.h"

namespace tactus {

class OscArgs;
class PositionReporter;

struct ControlServerOptions {
    // Inline documents over UDP are limited by the datagram; over TCP by the transport's frame limit.
    std::size_t max_inline_json_udp = 60 * 1024;
    PathPolicy paths;     // which files clients may name (default: the owner only, absolute paths)
    ClientAccess access;  // who is served (default: the local socket and loopback, no token)
};

class ControlServer {
public:
    ControlServer(EngineHost& host, OscTransport& transport, PositionReporter* reporter,
                  ControlServerOptions options = {});

    // One received packet (a message, or a bundle flattened into messages).
    void handle_packet(const OscPacket& packet, const ReplyTarget& from, std::int64_t arrival_ns);
    // A packet that could not be parsed.
    void handle_malformed(const std::string& problem, const ReplyTarget& from);
    // Replies for commands the audio thread has applied (they carry the frame it used).
    void pump_engine_events();

    // Waits until the edit journal's writer thread has written everything queued (tests, fuzzing).
    void flush_journal() { journal_.writer().flush(); }
    bool quit_requested() const { return quit_; }
    std::uint64_t errors_sent() const { return errors_; }
    const std::vector<std::string>& addresses() const { return addresses_; }

private:
    struct Context {
        const OscMessage& message;
        const ReplyTarget& from;
        Frame frame;                  // the output frame the message applies on
        bool timed = false;           // `frame` comes from a bundle's timetag
        std::int64_t arrival_ns = 0;  // when its packet was read (CLOCK_MONOTONIC)
    };
    // The frames of one packet's messages, each computed once: every untimestamped message of a
    // packet applies on one frame, and every message of one timetag on one frame (OSC 1.0: a
    // bundle's messages take effect atomically), even if the clock's estimate moves meanwhile.
    class PacketFrames {
    public:
        PacketFrames(const EngineHost& host, std::int64_t arrival_ns)
            : host_(host), arrival_ns_(arrival_ns) {}
        Frame of(const OscMessage& message);
        std::int64_t arrival_ns() const { return arrival_ns_; }

    private:
        const EngineHost& host_;
        std::int64_t arrival_ns_;
        std::optional<Frame> immediate_;
        std::optional<std::pair<std::uint64_t, Frame>> timed_;
    };
    // Commands may be scheduled at most this far ahead; edit batches (heard in order, so a later
    // batch waits for an earlier one's frame) at most kEditHorizonSeconds.
    static constexpr double kScheduleHorizonSeconds = 60.0;
    static constexpr double kEditHorizonSeconds = 1.0;
    // Throws when a timestamped message is further ahead than `seconds`.
    void check_horizon(const Context& ctx, double seconds, const char* what) const;
    std::chrono::steady_clock::time_point reply_expiry(const Context& ctx) const;
    using Handler = std::function<void(ControlServer&, const Context&)>;

    // False when `from` is not served: another host that has not given the token (a TCP connection
    // whose first packet starts with the right /auth is admitted for good; a UDP datagram must start
    // with it every time). A refused TCP connection is told and closed; a
    // refused UDP peer gets nothing, so a spoofed source address cannot be made a target.
    bool admit(const OscPacket& packet, const ReplyTarget& from);
    // Whether the sender is held to the allowed directories (all but the owner).
    bool confined(const Context& ctx) const {
        return options_.access.classify(ctx.from) != ClientClass::Owner;
    }
    void dispatch(const OscMessage& message, const ReplyTarget& from, PacketFrames& frames);
    void reply(const ReplyTarget& to, const std::vector<std::uint8_t>& bytes);
    void reply_error(const ReplyTarget& to, const std::string& address, const std::string& message);
    void reply_ok(const ReplyTarget& to, const std::string& address);
    // Submits a command; its reply is sent once the audio thread reports the frame it applied on.
    // False (and the sender told) when the engine's queue is full.
    bool submit(const Context& ctx, EngineCommand command);
    // A command with no arguments; a track command: track id, then one value read by `read_value`.
    void submit_plain(const Context& ctx, CommandKind kind);
    void submit_switch(const Context& ctx, CommandKind kind);  // one argument: on or off
    bool submit_track(const Context& ctx, CommandKind kind,
                      const std::function<void(const OscArgs&, EngineCommand&)>& read_value);
    // A mixer command the engine took: kept in the document and pushed to the other edit subscribers
    // as `message` (the command in its normal form).
    void mixer_changed(const Context& ctx, const MixChange& change, const std::vector<std::uint8_t>& message);
    // A track's mixer setting: a number within lo..hi, or a switch.
    void submit_mixer_value(const Context& ctx, CommandKind kind, const char* name, double lo, double hi,
                            std::optional<double> MixChange::*setting);
    void submit_mixer_switch(const Context& ctx, CommandKind kind, const char* name,
                             std::optional<bool> MixChange::*setting);
    std::uint32_t track_arg(const Context& ctx, std::size_t index) const;
    std::uint32_t bus_arg(const Context& ctx, std::size_t index) const;
    std::uint32_t slot_arg(const Context& ctx, std::size_t index, bool bus) const;
    static bool is_bus_address(const Context& ctx);
    bool submit_mixer(const Context& ctx, CommandKind kind,
                      const std::function<void(const OscArgs&, EngineCommand&)>& read_value);
    void require_document(const Context& ctx) const;

    void on_load(const Context&);
    void on_load_json(const Context&);
    void on_play(const Context&);
    void on_stop(const Context&);
    void on_pause(const Context&);
    void on_locate_beat(const Context&);
    void on_locate_seconds(const Context&);
    void on_loop(const Context&);
    void on_tempo_scale(const Context&);
    void on_note_on(const Context&);
    void on_note_off(const Context&);
    void on_panic(const Context&);
    void on_track_level(const Context&);
    void on_track_pan(const Context&);
    void on_track_mute(const Context&);
    void on_track_solo(const Context&);
    void on_track_parameters(const Context&);
    void on_track_parameter(const Context&);
    void on_track_send(const Context&);
    void on_insert_parameter(const Context&);
    void on_master_level(const Context&);
    void on_metronome(const Context&);
    void on_count_in(const Context&);
    void on_midi_input(const Context&);
    void on_record(const Context&);
    void on_midi_clock(const Context&);
    void submit_record(const Context& ctx, bool on);
    // Applies the edits recording made (pushed to every edit subscriber).
    void apply_recorded(std::vector<Edit> edits);
    // Ends recording at the beat being heard (held notes end there); `rearm` starts it again.
    void finish_recording(bool rearm);
    void arm_first_track_for_midi_input();
    void on_instruments(const Context&);
    void on_soundfont_presets(const Context&);
    void on_plugins(const Context&);
    void on_plugin_controls(const Context&);
    void on_status(const Context&);
    void on_subscribe(const Context&);
    void on_unsubscribe(const Context&);
    void on_ping(const Context&);
    void on_quit(const Context&);
    void on_auth(const Context&);
    void on_edits_subscribe(const Context&);
    void on_edits_unsubscribe(const Context&);
    void on_edits_since(const Context&);
    void on_document(const Context&);
    void on_journal(const Context&);

    // Consecutive edit messages of one packet: parsed, applied all or none, answered once, pushed
    // to the other edit subscribers, then their auditions played.
    void apply_edit_batch(const std::vector<const OscMessage*>& batch, const ReplyTarget& from,
                          PacketFrames& frames);
    void audition(NoteId id, Frame frame, std::int64_t arrival_ns);
    // Sends to every edit subscriber but `except` (nullptr: all); UDP ones get `udp_bytes` when the
    // bundle is too big for a datagram.
    void push_to_subscribers(const std::vector<std::uint8_t>& bytes,
                             const std::vector<std::uint8_t>& udp_bytes, const ReplyTarget* except);
    void document_changed();  // after a load: subscribers resynchronise
    // A published program took effect: edit subscribers learn on which frame.
    void program_applied(const EngineEvent& event);
    void resend_loop(Frame frame);  // after a tempo change, on the frame it is heard from
    // Replies with the first load error, or loads the document (with the revision argument, if any)
    // and ends the journal of the document it replaces. `recovered`: /load's count of batches
    // replayed from the file's journal, appended to the reply.
    // `document_dir`: the directory of the document's file, which its orchestra names are relative to
    // ("" for an inline document: the policy's base directory).
    bool load_document(const Context& ctx, LoadResult result, std::optional<std::size_t> recovered = {},
                       const std::string& document_dir = {});
    // The loaded document's `document_dir`: an edit's relative orchestra name resolves against it too.
    std::string document_dir_;

    EngineHost& host_;
    OscTransport& transport_;
    PositionReporter* reporter_;
    ControlServerOptions options_;
    std::map<std::string, Handler> handlers_;
    std::vector<std::string> addresses_;

    struct PendingReply {
        ReplyTarget to;
        std::string address;
        // Forgotten (its report taken for lost) 10 s after its frame was due.
        std::chrono::steady_clock::time_point expires;
    };
    static constexpr std::chrono::seconds kReplyExpiry{10};
    // Commands accepted and not yet reported by the engine: a bound on the map below (about 200 bytes
    // each, 13 MiB at most), far above what the engine's queues hold, so only a flood whose reports
    // are lost reaches it; beyond, a command is refused like one that finds the engine's queue full.
    static constexpr std::size_t kMaxPendingReplies = 65'536;
    std::chrono::steady_clock::time_point last_expiry_{};
    std::unordered_map<std::uint64_t, PendingReply> pending_;
    // /load's replies held until the document's fonts are in memory (pump_engine_events sends them),
    // so a client that waits for the reply hears every track; other clients are served meanwhile.
    std::vector<std::pair<ReplyTarget, std::vector<std::vector<std::uint8_t>>>> awaiting_instruments_;
    void send_when_instruments_ready(const ReplyTarget& to, std::vector<std::vector<std::uint8_t>> replies);
    void send_awaiting_instruments();
    std::uint64_t next_request_ = 1;
    int count_in_bars_ = 0;
    bool loop_enabled_ = false;
    double loop_begin_beat_ = 0.0, loop_end_beat_ = 0.0;
    bool quit_ = false;
    std::uint64_t errors_ = 0;
    std::vector<ReplyTarget> edit_subscribers_;
    TrackId midi_input_track_ = 0;  // the track live MIDI input plays (0: none)
    MidiRecorder recorder_{[this](Frame f) { return host_.beat_at_score_frame(f); }};
    static constexpr std::size_t kMaxEditSubscribers = 64;
    DocumentJournal journal_;  // every accepted batch and mixer change, beside the document's file
};

}  // namespace tactus
