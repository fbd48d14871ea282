#include "server/control_server.h"

#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "core/document_files.h"
#include "core/document_json.h"
#include "core/general_midi_font.h"
#include "engine/instrument_factory.h"
#include "engine/lv2/plugin_catalogue.h"
#include "engine/soundfont/font_library.h"
#include "server/edit_journal.h"
#include "server/edit_messages.h"
#include "server/orchestra_admission.h"
#include "server/osc_args.h"
#include "server/osc_out.h"
#include "server/osc_packet.h"
#include "server/plugin_state_admission.h"
#include "server/position_reporter.h"

namespace tactus {

namespace {

// The engine's own housekeeping (on /load, for a new document): applied at the start of the next block.
EngineCommand at_next_block(CommandKind kind) {
    EngineCommand c;
    c.kind = kind;
    c.frame = kAsap;
    return c;
}

constexpr std::uint8_t clamp_velocity(std::int64_t v) {
    return static_cast<std::uint8_t>(v < 1 ? 1 : v > 127 ? 127 : v);
}

// Audition and live notes: one key per (track, pitch), apart from score note ids.
VoiceKey live_key(std::uint32_t track, std::int64_t pitch) {
    return kLiveKeyBit | (VoiceKey(track) << 8) | VoiceKey(pitch & 0x7f);
}

// Auditions of score notes: the note's id, apart from live keys and from the score's own voices.
constexpr VoiceKey kAuditionKeyBit = kLiveKeyBit | (VoiceKey{1} << 62);

// Replies bigger than this go over TCP (or to a file): a UDP datagram can hold about 64 KiB.
constexpr std::size_t kMaxUdpReply = 60 * 1024;

// Where position reports may go: a port on the sender's own host. A local-socket client (the owner)
// and a loopback client may name any loopback address; numeric addresses and "localhost" only, so
// that no name lookup happens on the control thread.
struct ReportTarget {
    sockaddr_storage addr{};
    socklen_t addr_len = 0;
    std::string error;
};

ReportTarget report_target(const std::string& host, int port, const ReplyTarget& from, bool remote) {
    ReportTarget out;
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* list = nullptr;
    const std::string numeric = host == "localhost" ? "127.0.0.1" : host;
    if (getaddrinfo(numeric.c_str(), nullptr, &hints, &list) != 0 || list == nullptr) {
        out.error = "host '" + host.substr(0, 64) + "' is not a numeric IPv4 or IPv6 address (or localhost)";
        return out;
    }
    std::memcpy(&out.addr, list->ai_addr, list->ai_addrlen);
    out.addr_len = static_cast<socklen_t>(list->ai_addrlen);
    freeaddrinfo(list);
    const auto p = htons(static_cast<std::uint16_t>(port));
    if (out.addr.ss_family == AF_INET) reinterpret_cast<sockaddr_in&>(out.addr).sin_port = p;
    if (out.addr.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6&>(out.addr).sin6_port = p;

    // The owner, and loopback clients, are on this machine: loopback targets. Everyone else (another
    // host, or a --trust-host one that is not loopback) names its own address.
    const bool from_this_machine =
        !remote && (from.kind == ReplyTarget::Kind::Local || ClientAccess::is_loopback(from.addr));
    const bool allowed = from_this_machine ? ClientAccess::is_loopback(out.addr)
                                           : ClientAccess::same_host(out.addr, from.addr);
    if (!allowed)
        out.error = "reports go only to a port on the sender's own host: " + host + " is not " +
                    (from_this_machine ? std::string("a loopback address")
                                       : "the host this came from (" + from.describe() + ")");
    return out;
}

bool same_target(const ReplyTarget& a, const ReplyTarget& b) {
    if (a.kind != b.kind) return false;
    if (a.kind == ReplyTarget::Kind::Tcp) return a.connection == b.connection;
    return a.addr_len == b.addr_len && std::memcmp(&a.addr, &b.addr, a.addr_len) == 0;
}

}  // namespace

ControlServer::ControlServer(EngineHost& host, OscTransport& transport, PositionReporter* reporter,
                             ControlServerOptions options)
    : host_(host), transport_(transport), reporter_(reporter), options_(options) {
    handlers_ = {
        {"/load", &ControlServer::on_load},
        {"/load/json", &ControlServer::on_load_json},
        {"/play", &ControlServer::on_play},
        {"/stop", &ControlServer::on_stop},
        {"/pause", &ControlServer::on_pause},
        {"/locate/beat", &ControlServer::on_locate_beat},
        {"/locate/seconds", &ControlServer::on_locate_seconds},
        {"/loop", &ControlServer::on_loop},
        {"/tempo/scale", &ControlServer::on_tempo_scale},
        {"/note/on", &ControlServer::on_note_on},
        {"/note/off", &ControlServer::on_note_off},
        {"/panic", &ControlServer::on_panic},
        {"/track/level", &ControlServer::on_track_level},
        {"/track/pan", &ControlServer::on_track_pan},
        {"/track/mute", &ControlServer::on_track_mute},
        {"/track/solo", &ControlServer::on_track_solo},
        {"/track/parameters", &ControlServer::on_track_parameters},
        {"/track/parameter", &ControlServer::on_track_parameter},
        {"/bus/level", &ControlServer::on_track_level},
        {"/bus/pan", &ControlServer::on_track_pan},
        {"/bus/mute", &ControlServer::on_track_mute},
        {"/bus/solo", &ControlServer::on_track_solo},
        {"/track/send", &ControlServer::on_track_send},
        {"/track/insert/parameter", &ControlServer::on_insert_parameter},
        {"/bus/insert/parameter", &ControlServer::on_insert_parameter},
        {"/master/insert/parameter", &ControlServer::on_insert_parameter},
        {"/master/level", &ControlServer::on_master_level},
        {"/metronome", &ControlServer::on_metronome},
        {"/countin", &ControlServer::on_count_in},
        {"/midi/input", &ControlServer::on_midi_input},
        {"/record", &ControlServer::on_record},
        {"/midi/clock", &ControlServer::on_midi_clock},
        {"/instruments", &ControlServer::on_instruments},
        {"/soundfont/presets", &ControlServer::on_soundfont_presets},
        {"/plugins", &ControlServer::on_plugins},
        {"/plugin/controls", &ControlServer::on_plugin_controls},
        {"/status", &ControlServer::on_status},
        {"/subscribe", &ControlServer::on_subscribe},
        {"/unsubscribe", &ControlServer::on_unsubscribe},
        {"/ping", &ControlServer::on_ping},
        {"/quit", &ControlServer::on_quit},
        {"/edits/subscribe", &ControlServer::on_edits_subscribe},
        {"/edits/unsubscribe", &ControlServer::on_edits_unsubscribe},
        {"/edits/since", &ControlServer::on_edits_since},
        {"/document", &ControlServer::on_document},
        {"/journal", &ControlServer::on_journal},
        {"/auth", &ControlServer::on_auth},
    };
    for (const auto& [address, handler] : handlers_) addresses_.push_back(address);
    for (const char* edit :
         {"/note/add",       "/note/move",         "/note/track",       "/note/resize",   "/note/delete",
          "/note/pitch",     "/note/velocity",     "/note/audition",    "/track/add",     "/track/remove",
          "/track/rename",   "/track/move",        "/track/instrument", "/tempo/set",     "/meter/set",
          "/markers/set",    "/track/controllers", "/track/plugin",     "/track/inserts", "/track/sends",
          "/bus/add",        "/bus/remove",        "/bus/rename",       "/bus/inserts",   "/master/inserts",
          "/automation/set", "/time/shift"})
        addresses_.push_back(edit);
    // A document loaded before the server started (tactusd --load): its track meters' order.
    if (reporter_) reporter_->set_track_slots(host_.slots_in_document_order());
    if (host_.has_document()) arm_first_track_for_midi_input();
}

void ControlServer::reply(const ReplyTarget& to, const std::vector<std::uint8_t>& bytes) {
    transport_.send(to, bytes);
}

void ControlServer::reply_error(const ReplyTarget& to, const std::string& address,
                                const std::string& message) {
    ++errors_;
    reply(to, OscOut("/error").s(address).s(message).bytes());
}

void ControlServer::reply_ok(const ReplyTarget& to, const std::string& address) {
    reply(to, OscOut("/reply").s(address).bytes());
}

void ControlServer::handle_malformed(const std::string& problem, const ReplyTarget& from) {
    if (!admit(OscPacket{}, from)) return;
    reply_error(from, "", "malformed packet: " + problem);
}

bool ControlServer::admit(const OscPacket& packet, const ReplyTarget& from) {
    ClientAccess& access = options_.access;
    if (access.admitted(from)) {
        if (from.is_stream()) transport_.vouch_for(from.connection);
        return true;
    }
    const OscMessage* first = packet.messages.empty() ? nullptr : &packet.messages.front();
    if (first != nullptr && first->address == "/auth") {
        std::string token;
        if (first->args.size() == 1 && first->args[0].type == 's') token = first->args[0].s;
        if (access.authenticate(from, token)) {
            if (from.is_stream()) transport_.vouch_for(from.connection);
            return true;
        }
        if (from.is_stream()) {
            reply_error(from, "/auth", "wrong token: closing the connection");
            transport_.disconnect(from.connection);
        }
        return false;
    }
    access.count_ignored();
    if (from.is_stream()) {
        reply_error(from, first != nullptr ? first->address : "",
                    "authentication required: a client from another host sends /auth TOKEN first "
                    "(docs/security.md); closing the connection");
        transport_.disconnect(from.connection);
    }
    return false;
}

Frame ControlServer::PacketFrames::of(const OscMessage& message) {
    if (!message.timetag) {
        if (!immediate_) immediate_ = host_.frame_for_arrival(arrival_ns_);
        return *immediate_;
    }
    if (!timed_ || timed_->first != *message.timetag)
        timed_.emplace(*message.timetag, host_.frame_for_host_time(ntp_to_monotonic_ns(*message.timetag)));
    return timed_->second;
}

void ControlServer::check_horizon(const Context& ctx, double seconds, const char* what) const {
    if (!ctx.timed) return;
    const Frame now = host_.frame_for_host_time(ctx.arrival_ns);
    const double ahead = double(ctx.frame - now) / host_.sample_rate();
    if (ahead > seconds) {
        char text[160];
        std::snprintf(text, sizeof text, "timetag is %.1f s ahead: %s at most %g s ahead (docs/protocol.md)",
                      ahead, what, seconds);
        throw OscArgError(text);
    }
}

void ControlServer::handle_packet(const OscPacket& packet, const ReplyTarget& from, std::int64_t arrival_ns) {
    if (!admit(packet, from)) return;
    PacketFrames frames(host_, arrival_ns);
    // Consecutive edit messages form one batch, applied all or none.
    std::vector<const OscMessage*> batch;
    for (const OscMessage& message : packet.messages) {
        if (is_edit_address(message.address)) {
            if (!batch.empty() && batch.front()->timetag != message.timetag)  // another bundle's time
                apply_edit_batch(std::exchange(batch, {}), from, frames);
            batch.push_back(&message);
            continue;
        }
        if (!batch.empty()) apply_edit_batch(batch, from, frames);
        batch.clear();
        dispatch(message, from, frames);
    }
    if (!batch.empty()) apply_edit_batch(batch, from, frames);
}

void ControlServer::apply_edit_batch(const std::vector<const OscMessage*>& batch, const ReplyTarget& from,
                                     PacketFrames& frames) {
    const std::string& first = batch.front()->address;
    if (!host_.has_document()) {
        reply_error(from, first, "no document loaded (send /load first)");
        return;
    }
    // The batch is heard from the frame of its packet (or timetag), with the packet's commands.
    const Frame frame = frames.of(*batch.front());
    try {
        check_horizon(
            Context{*batch.front(), from, frame, batch.front()->timetag.has_value(), frames.arrival_ns()},
            kEditHorizonSeconds, "edits are heard in order, so a batch may be timestamped");
    } catch (const OscArgError& e) {
        reply_error(from, first, e.what());
        return;
    }
    std::vector<Edit> edits;
    std::vector<NoteId> auditions;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        try {
            parse_edit_message(*batch[i], edits, auditions);
        } catch (const OscArgError& e) {
            const std::string where = batch.size() > 1 ? " (message " + std::to_string(i + 1) + " of " +
                                                             std::to_string(batch.size()) +
                                                             "; no edit of the bundle was applied)"
                                                       : "";
            reply_error(from, batch[i]->address, e.what() + where);
            return;
        }
    }
    for (NoteId id : auditions)  // checked before anything changes: the batch is all or none
        if (!host_.editor().find_note(id) && std::none_of(edits.begin(), edits.end(), [id](const Edit& e) {
                const auto* add = std::get_if<edit::NoteAdd>(&e);
                return add && add->note.id == id;
            }))
            return reply_error(from, "/note/audition", "no note with id " + std::to_string(id));
    // An orchestra an edit names passes the path policy as one a loaded document names; a confined
    // client learns why it does not compile without its text (as from /load).
    const bool confined_client = options_.access.classify(from) != ClientClass::Owner;
    if (const std::string refused =
            admit_edit_orchestras(edits, document_dir_, options_.paths, confined_client);
        !refused.empty())
        return reply_error(from, first, refused);
    std::size_t edit_count = edits.size();
    if (edit_count > 0) {
        std::string error;
        EditEffect effect;
        std::vector<std::string> silenced;
        if (!host_.edit(std::move(edits), &error, &effect, frame, confined_client, &silenced)) {
            reply_error(from, first, error);
            return;
        }
        for (const std::string& why :
             silenced)  // as /load warns: applied, the track silent (or an insert left out)
            reply(from, OscOut("/warning").s(first).s(why).bytes());
        if (reporter_) reporter_->set_track_slots(host_.slots_in_document_order());
        if (effect.tempo_changed) resend_loop(frame);
        const EditBatch& applied = *host_.editor().last_batch();
        const auto bundle = edit_batch_bundle(applied);
        const auto resync = OscOut("/resync").h(static_cast<std::int64_t>(applied.revision)).bytes();
        push_to_subscribers(bundle, bundle.size() > kMaxUdpReply ? resync : bundle, &from);
        journal_.record(bundle);
    }
    reply(from, OscOut("/reply")
                    .s(first)
                    .h(static_cast<std::int64_t>(host_.editor().revision()))
                    .i(static_cast<std::int32_t>(edit_count))
                    .bytes());
    for (NoteId id : auditions) audition(id, frame, frames.arrival_ns());
}

// A short preview of a score note on its track's instrument, whatever the transport does: as long
// as the note, but at least 50 ms and at most 1 s.
void ControlServer::audition(NoteId id, Frame frame, std::int64_t arrival_ns) {
    const auto placed = host_.editor().find_note(id);
    if (!placed) return;
    const auto slot = host_.track_index(placed->track);
    if (!slot) return;
    const Note& n = placed->note;
    const double seconds = std::clamp(
        double(host_.score_frame_at_beat(n.end()) - host_.score_frame_at_beat(n.start)) / host_.sample_rate(),
        0.05, 1.0);
    EngineCommand on;
    on.kind = CommandKind::NoteOn;
    on.frame = frame;
    on.track = *slot;
    on.key = kAuditionKeyBit | n.id;
    on.pitch = static_cast<std::int16_t>(n.pitch);
    on.velocity = clamp_velocity(n.velocity);
    on.value = n.cents;
    EngineCommand off = on;
    off.kind = CommandKind::NoteOff;
    const auto length_ns = static_cast<std::int64_t>(seconds * 1e9);
    off.frame = frame == kAsap ? host_.frame_for_host_time(arrival_ns + length_ns)
                               : frame + static_cast<Frame>(std::lround(seconds * host_.sample_rate()));
    host_.submit(on);
    host_.submit(off);
}

void ControlServer::push_to_subscribers(const std::vector<std::uint8_t>& bytes,
                                        const std::vector<std::uint8_t>& udp_bytes,
                                        const ReplyTarget* except) {
    for (const ReplyTarget& to : edit_subscribers_) {
        if (except && same_target(to, *except)) continue;
        if (to.kind == ReplyTarget::Kind::Udp) {
            reply(to, udp_bytes);
            continue;
        }
        // A batch larger than the outbox still goes whole to a subscriber that reads; one that cannot
        // take it now is told to resynchronise instead (when that fits).
        if (!transport_.send_requested(to, bytes, nullptr) && &udp_bytes != &bytes) reply(to, udp_bytes);
    }
}

void ControlServer::document_changed() {
    if (reporter_) reporter_->set_track_slots(host_.slots_in_document_order());
    const auto resync = OscOut("/resync").h(static_cast<std::int64_t>(host_.editor().revision())).bytes();
    push_to_subscribers(resync, resync, nullptr);
}

void ControlServer::program_applied(const EngineEvent& event) {
    const auto bytes = OscOut("/applied").h(static_cast<std::int64_t>(event.revision)).h(event.frame).bytes();
    push_to_subscribers(bytes, bytes, nullptr);
}

// The loop is held in beats: when the tempo changes, its frames move with it (on the frame the new
// tempo is heard from).
void ControlServer::resend_loop(Frame frame) {
    if (!loop_enabled_) return;
    EngineCommand c;
    c.kind = CommandKind::SetLoop;
    c.flag = true;
    c.frame = frame;
    c.a = host_.score_frame_at_beat(loop_begin_beat_);
    c.b = host_.score_frame_at_beat(loop_end_beat_);
    host_.submit(c);
}

// A keyboard plays the first track of a newly loaded document until /midi/input picks another.
void ControlServer::arm_first_track_for_midi_input() {
    EngineCommand c = at_next_block(CommandKind::MidiInputTrack);
    const auto& tracks = host_.document().tracks;
    c.flag = !tracks.empty();
    if (c.flag) c.track = *host_.track_index(tracks.front().id);
    midi_input_track_ = c.flag ? tracks.front().id : 0;
    host_.submit(c);
}

void ControlServer::on_edits_subscribe(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    // Subscribers over stream connections that have closed since (a GUI reconnects with a new one).
    std::erase_if(edit_subscribers_, [&](const ReplyTarget& t) {
        return t.is_stream() && !transport_.has_connection(t.connection);
    });
    const bool known = std::any_of(edit_subscribers_.begin(), edit_subscribers_.end(),
                                   [&](const ReplyTarget& t) { return same_target(t, ctx.from); });
    if (!known) {
        if (edit_subscribers_.size() >= kMaxEditSubscribers) {
            // The owner (the private socket) takes the place of the oldest subscriber that is not.
            const auto other =
                std::find_if(edit_subscribers_.begin(), edit_subscribers_.end(),
                             [](const ReplyTarget& t) { return t.kind != ReplyTarget::Kind::Local; });
            if (ctx.from.kind != ReplyTarget::Kind::Local || other == edit_subscribers_.end())
                throw OscArgError("too many edit subscribers (at most " +
                                  std::to_string(kMaxEditSubscribers) + ")");
            edit_subscribers_.erase(other);
        }
        edit_subscribers_.push_back(ctx.from);
    }
    reply(ctx.from, OscOut("/reply")
                        .s(ctx.message.address)
                        .h(static_cast<std::int64_t>(host_.editor().revision()))
                        .bytes());
}

void ControlServer::on_edits_unsubscribe(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    std::erase_if(edit_subscribers_, [&](const ReplyTarget& t) { return same_target(t, ctx.from); });
    reply_ok(ctx.from, ctx.message.address);
}

void ControlServer::on_edits_since(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    const auto revision = static_cast<std::uint64_t>(args.integer_in(0, "revision", 0, INT64_MAX));
    const auto batches = host_.editor().batches_since(revision);
    if (!batches)
        throw OscArgError("revision " + std::to_string(revision) +
                          " is not in the edit log (the document is at " +
                          std::to_string(host_.editor().revision()) + "): fetch the whole /document");
    // One answer, sent whole or refused with the reason (never cut short by a full outbox).
    std::vector<std::vector<std::uint8_t>> answer;
    answer.reserve(batches->size() + 1);
    for (const EditBatch* batch : *batches) {
        answer.push_back(edit_batch_bundle(*batch));
        if (ctx.from.kind == ReplyTarget::Kind::Udp && answer.back().size() > kMaxUdpReply)
            throw OscArgError("edit batch " + std::to_string(batch->revision) +
                              " is too big for a UDP datagram: ask over TCP or fetch the whole /document");
    }
    answer.push_back(OscOut("/reply")
                         .s(ctx.message.address)
                         .h(static_cast<std::int64_t>(host_.editor().revision()))
                         .i(static_cast<std::int32_t>(batches->size()))
                         .bytes());
    if (std::string why; !transport_.send_requested(ctx.from, answer, &why))
        throw OscArgError("the batches since revision " + std::to_string(revision) +
                          " were not sent: " + why + "; fetch the whole /document");
}

void ControlServer::on_document(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    require_document(ctx);
    const Document doc = canonical_document(host_.document());
    const auto revision = static_cast<std::int64_t>(doc.revision);
    if (args.has(0)) {
        const std::string& path = args.string(0, "path");
        const std::string text = document_to_string(doc);
        const ResolvedPath target = options_.paths.write_file(path, ".json", confined(ctx), text);
        if (!target.ok()) throw OscArgError(target.error);
        journal_.begin(target.path, text, doc, doc, true, true);  // the saved file is the journal's new base
        reply(ctx.from, OscOut("/reply").s(ctx.message.address).h(revision).s(target.path).bytes());
        return;
    }
    std::vector<std::vector<std::uint8_t>> answer;
    std::size_t text_size = 0;
    {
        const std::string text = document_to_string(doc);
        text_size = text.size();
        answer.push_back(osc_int64_and_long_string("/document", revision, text));
    }
    if (ctx.from.kind == ReplyTarget::Kind::Udp && answer.front().size() > kMaxUdpReply)
        throw OscArgError("the document is " + std::to_string(text_size) +
                          " bytes, too big for a UDP datagram: ask over TCP or give a path to write it to");
    // A document larger than the connection's usual outbox still goes (whole), or the client is told.
    if (std::string why; !transport_.send_requested(ctx.from, answer, &why))
        throw OscArgError("the document (" + std::to_string(text_size) + " bytes) was not sent: " + why +
                          "; give a path to write it to");
}

// /journal PATH: the loaded document continues the file PATH (a client that loaded it with /load/json,
// or saved it itself); a fresh journal starts beside it. /journal alone: the edits were saved or
// discarded: stop journaling and remove the journal.
void ControlServer::on_journal(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    if (!args.has(0) || args.string(0, "path").empty()) {
        journal_.end(true);
        reply_ok(ctx.from, ctx.message.address);
        return;
    }
    require_document(ctx);
    const std::string& path = args.string(0, "path");
    std::string bytes;
    const ResolvedPath file = options_.paths.read_file(path, confined(ctx), &bytes);
    if (!file.ok()) throw OscArgError(file.error);
    if (!file.path.ends_with(".json")) throw OscArgError(path + ": only .json documents have a journal");
    LoadResult result =
        load_document_bytes(bytes, path, confined(ctx) ? ContentInErrors::Withheld : ContentInErrors::Quoted);
    if (!result.document) throw OscArgError(result.errors.front().to_string());
    if (const std::string journal = journal_path_for(file.path);
        ::access(journal.substr(0, journal.rfind('/') + 1).c_str(), W_OK) != 0)
        throw OscArgError(path + ": its directory is not writable: no journal");
    journal_.begin(file.path, bytes, *result.document, host_.document(), false, true);
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).s(journal_path_for(file.path)).bytes());
}

void ControlServer::dispatch(const OscMessage& message, const ReplyTarget& from, PacketFrames& frames) {
    const auto it = handlers_.find(message.address);
    if (it == handlers_.end()) {
        reply_error(from, message.address, "unknown address (see docs/protocol.md; /ping answers)");
        return;
    }
    try {
        it->second(*this, Context{message, from, frames.of(message), message.timetag.has_value(),
                                  frames.arrival_ns()});
    } catch (const OscArgError& e) {
        reply_error(from, message.address, e.what());
    }
}

// A command timestamped ahead reports when its frame comes: its reply is awaited that much longer.
std::chrono::steady_clock::time_point ControlServer::reply_expiry(const Context& ctx) const {
    const auto now = std::chrono::steady_clock::now();
    if (!ctx.timed) return now + kReplyExpiry;
    const double ahead = double(ctx.frame - host_.frame_for_host_time(ctx.arrival_ns)) / host_.sample_rate();
    return now + kReplyExpiry +
           std::chrono::milliseconds(std::llround(std::clamp(ahead, 0.0, 3600.0) * 1000));
}

bool ControlServer::submit(const Context& ctx, EngineCommand command) {
    check_horizon(ctx, kScheduleHorizonSeconds, "the engine holds commands");
    if (pending_.size() >= kMaxPendingReplies) {
        reply_error(ctx.from, ctx.message.address,
                    "too many commands await the engine (" + std::to_string(kMaxPendingReplies) +
                        "): command rejected");
        return false;
    }
    command.frame = ctx.frame;
    command.request = next_request_++;
    if (!host_.submit(command)) {
        reply_error(ctx.from, ctx.message.address, "engine command queue is full: command rejected");
        return false;
    }
    pending_.emplace(command.request, PendingReply{ctx.from, ctx.message.address, reply_expiry(ctx)});
    return true;
}

void ControlServer::pump_engine_events() {
    RecordedMidi recorded;
    while (host_.next_recorded(recorded)) apply_recorded(recorder_.feed(recorded, host_.document()));
    EngineEvent event;
    while (host_.next_event(event)) {
        if (event.kind == EngineEventKind::ProgramApplied) {
            program_applied(event);
            continue;
        }
        const auto it = pending_.find(event.request);
        if (it == pending_.end()) continue;
        const PendingReply& p = it->second;
        if (event.kind == EngineEventKind::Rejected) {
            reply_error(p.to, p.address,
                        "the engine's schedule is full (at most 4096 commands more than 1 s ahead, 4096 "
                        "within the next second): command rejected");
        } else if (event.kind == EngineEventKind::Cancelled) {
            reply_error(p.to, p.address,
                        std::string("cancelled before its frame by ") +
                            (event.cause == CommandKind::Panic ? "/panic" : "a /load"));
        } else {
            OscOut out("/reply");
            out.s(p.address).h(event.frame);
            switch (event.command) {
                case CommandKind::Play:
                case CommandKind::Stop:
                case CommandKind::Pause:
                case CommandKind::Locate:
                    out.d(host_.beat_at_score_frame(event.score_frame));
                    break;
                default:
                    break;
            }
            out.i(event.kind == EngineEventKind::AppliedLate ? 1 : 0);
            reply(p.to, out.bytes());
        }
        pending_.erase(it);
    }
    host_.collect_retired();
    send_awaiting_instruments();
    // A command the engine never reported (its report was lost) must not be waited for forever.
    const auto now = std::chrono::steady_clock::now();
    if (now - last_expiry_ > std::chrono::seconds(1)) {
        last_expiry_ = now;
        options_.access.forget_connections(
            [this](std::uint64_t id) { return !transport_.has_connection(id); });
        std::erase_if(pending_, [&](const auto& entry) { return now > entry.second.expires; });
    }
}

void ControlServer::submit_plain(const Context& ctx, CommandKind kind) {
    OscArgs(ctx.message).expect_at_most(0);
    EngineCommand c;
    c.kind = kind;
    submit(ctx, c);
}

bool ControlServer::submit_track(const Context& ctx, CommandKind kind,
                                 const std::function<void(const OscArgs&, EngineCommand&)>& read_value) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    EngineCommand c;
    c.kind = kind;
    c.track = track_arg(ctx, 0);
    read_value(args, c);
    return submit(ctx, c);
}

bool ControlServer::is_bus_address(const Context& ctx) {
    return ctx.message.address.rfind("/bus/", 0) == 0;
}

std::uint32_t ControlServer::bus_arg(const Context& ctx, std::size_t index) const {
    return slot_arg(ctx, index, true);
}

void ControlServer::mixer_changed(const Context& ctx, const MixChange& change,
                                  const std::vector<std::uint8_t>& message) {
    const auto id = static_cast<std::uint64_t>(OscArgs(ctx.message).integer(0, "id"));
    is_bus_address(ctx) ? host_.set_bus_mix(id, change) : host_.set_mix(id, change);
    push_to_subscribers(message, message, &ctx.from);
    journal_.record(message);
}

std::uint32_t ControlServer::track_arg(const Context& ctx, std::size_t index) const {
    return slot_arg(ctx, index, false);
}

// The mixer slot of the track (or bus) whose id is argument `index`.
std::uint32_t ControlServer::slot_arg(const Context& ctx, std::size_t index, bool bus) const {
    const OscArgs args(ctx.message);
    const std::int64_t id = args.integer(index, bus ? "bus id" : "track id");
    const auto slot =
        bus ? host_.bus_index(static_cast<BusId>(id)) : host_.track_index(static_cast<TrackId>(id));
    if (id <= 0 || !slot)
        throw OscArgError(std::string(bus ? "no bus" : "no track") + " with id " + std::to_string(id) +
                          " in the loaded document");
    return *slot;
}

void ControlServer::require_document(const Context&) const {
    if (!host_.has_document()) throw OscArgError("no document loaded (send /load first)");
}

bool ControlServer::load_document(const Context& ctx, LoadResult result, std::optional<std::size_t> recovered,
                                  const std::string& document_dir) {
    if (!result.errors.empty()) {
        reply_error(ctx.from, ctx.message.address, result.errors.front().to_string());
        return false;
    }
    Document doc = std::move(*result.document);
    // The optional second argument of /load and /load/json: the revision to resume from.
    if (const OscArgs args(ctx.message); args.has(1))
        doc.revision = static_cast<std::uint64_t>(args.integer_in(1, "revision", 0, INT64_MAX));
    if (const std::string refused = admit_orchestras(doc, document_dir, options_.paths, confined(ctx));
        !refused.empty()) {
        reply_error(ctx.from, ctx.message.address, refused);
        return false;
    }
    if (const std::string refused = admit_plugin_states(doc, options_.paths, confined(ctx));
        !refused.empty()) {
        reply_error(ctx.from, ctx.message.address, refused);
        return false;
    }
    // A csound track whose orchestra does not load plays silent, and the client is told why (Csound's
    // own message, which quotes the file, only to the owner; the log has it); any other problem
    // refuses the document.
    const auto problems = check_instruments(doc, host_.csound_permissions());
    std::vector<std::string> warnings;
    for (const InstrumentProblem& p : problems) {
        const std::string told =
            p.json_path + ": " +
            (confined(ctx) && !p.withheld_message.empty() ? p.withheld_message : p.message);
        if (!p.track_can_play_silent) {
            reply_error(ctx.from, ctx.message.address, told);
            return false;
        }
        std::cerr << "tactusd: " << ctx.message.address << ": " << p.json_path << ": " << p.message
                  << p.consequence() << "\n";
        warnings.push_back(told + p.consequence());
    }
    // Commands waiting for a frame belong to the old document (its tracks): cancelled, each told.
    host_.submit(at_next_block(CommandKind::CancelPending));
    // Stop first: the old instruments stop being rendered when the new ones arrive.
    host_.submit(at_next_block(CommandKind::Stop));
    std::string error;
    if (!host_.load(std::move(doc), &error)) {
        reply_error(ctx.from, ctx.message.address, error);
        return false;
    }
    // A new document starts at beat 0 with no loop: without this, the stop above returns to where
    // the last /play of the old document started (a plain /play would start the new one there), and
    // the old loop's frames would go on looping in the new one.
    host_.submit(at_next_block(CommandKind::SetLoop));  // flag false: no loop
    EngineCommand to_start = at_next_block(CommandKind::Locate);
    to_start.score_frame = 0;
    host_.submit(to_start);
    loop_enabled_ = false;
    recorder_.cancel();
    arm_first_track_for_midi_input();
    document_changed();
    journal_.end(false);  // /load starts the new document's own journal
    document_dir_ = document_dir;
    std::vector<std::vector<std::uint8_t>> replies;
    for (const std::string& warning : warnings)
        replies.push_back(OscOut("/warning").s(ctx.message.address).s(warning).bytes());
    const Document& loaded = host_.document();
    OscOut out("/reply");
    out.s(ctx.message.address)
        .i(static_cast<std::int32_t>(loaded.tracks.size()))
        .i(static_cast<std::int32_t>(loaded.note_count()))
        .h(static_cast<std::int64_t>(loaded.revision));
    if (recovered) out.i(static_cast<std::int32_t>(*recovered));
    replies.push_back(out.bytes());
    send_when_instruments_ready(ctx.from, std::move(replies));
    return true;
}

void ControlServer::send_when_instruments_ready(const ReplyTarget& to,
                                                std::vector<std::vector<std::uint8_t>> replies) {
    // An earlier load still waiting is answered now: its document is already replaced.
    for (const auto& [target, held] : awaiting_instruments_)
        for (const auto& bytes : held) reply(target, bytes);
    awaiting_instruments_.clear();
    awaiting_instruments_.emplace_back(to, std::move(replies));
    send_awaiting_instruments();
}

void ControlServer::send_awaiting_instruments() {
    if (awaiting_instruments_.empty() || !host_.instruments_ready()) return;
    for (const auto& [target, held] : awaiting_instruments_)
        for (const auto& bytes : held) reply(target, bytes);
    awaiting_instruments_.clear();
}

void ControlServer::on_load(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    const std::string& path = args.string(0, "path");
    std::string bytes;
    const ResolvedPath file = options_.paths.read_file(path, confined(ctx), &bytes);
    if (!file.ok()) throw OscArgError(file.error);
    // A confined client names files but never reads them: errors give places and kinds, not content.
    LoadResult result = load_document_bytes(
        bytes, file.path, confined(ctx) ? ContentInErrors::Withheld : ContentInErrors::Quoted);
    for (LoadError& e : result.errors) e.file = path;
    // A journal beside a .json document, left by a crash, is replayed onto it.
    const std::string document_dir = document_directory(file.path);  // its orchestras' names start here
    if (!result.document || !file.path.ends_with(".json")) {
        load_document(ctx, std::move(result), 0, document_dir);
        return;
    }
    const Document file_doc = *result.document;
    std::string note;
    const std::size_t recovered = journal_.recover(file.path, bytes, *result.document, &note);
    if (!note.empty()) std::cerr << "tactusd: " << file.path << ": " << note << "\n";
    if (!load_document(ctx, std::move(result), recovered, document_dir)) return;
    journal_.begin(file.path, bytes, file_doc, host_.document(), recovered == 0 && !args.has(1), false);
}

void ControlServer::on_load_json(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    const std::string& text = args.string(0, "document");
    if (ctx.from.kind == ReplyTarget::Kind::Udp && text.size() > options_.max_inline_json_udp)
        throw OscArgError("inline document of " + std::to_string(text.size()) +
                          " bytes is over the UDP limit of " + std::to_string(options_.max_inline_json_udp) +
                          "; send it over TCP or /load a path");
    load_document(ctx, parse_document(text, "<inline>"));
}

void ControlServer::on_play(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = CommandKind::Play;
    c.score_frame = kResume;
    double start_beat = 0.0;
    const bool explicit_start = args.has(0);
    if (explicit_start) {
        start_beat = args.number_in(0, "beat", -1e6, 1e6);
        c.score_frame = host_.score_frame_at_beat(start_beat);
    }
    if (count_in_bars_ > 0) {
        const EngineStatus status = host_.status();
        if (status.playing && !explicit_start) {
            reply_ok(ctx.from, ctx.message.address);
            return;
        }
        if (!explicit_start) {
            start_beat = host_.beat_at_score_frame(status.score_frame);
            c.score_frame = status.score_frame;
        }
        const TimeSignature& meter = host_.document().meter.front();
        const double beats = count_in_bars_ * meter.numerator * 4.0 / meter.denominator;
        c.a = c.score_frame - host_.score_frame_at_beat(start_beat - beats);
    }
    submit(ctx, c);
}

void ControlServer::on_stop(const Context& ctx) {
    finish_recording(true);  // notes held at the stop end there; recording stays armed
    submit_plain(ctx, CommandKind::Stop);
}

void ControlServer::on_pause(const Context& ctx) {
    submit_plain(ctx, CommandKind::Pause);
}

void ControlServer::on_locate_beat(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = CommandKind::Locate;
    c.score_frame = host_.score_frame_at_beat(args.number_in(0, "beat", -1e6, 1e6));
    submit(ctx, c);
}

void ControlServer::on_locate_seconds(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = CommandKind::Locate;
    c.score_frame = host_.score_frame_at_seconds(args.number_in(0, "seconds", -1e6, 1e7));
    submit(ctx, c);
}

void ControlServer::on_loop(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(3);
    const bool enabled = args.boolean(0, "on");
    if (args.has(1) || args.has(2)) {
        const double a = args.number_in(1, "begin beat", 0, 1e6);
        const double b = args.number_in(2, "end beat", 0, 1e6);
        if (!(b > a)) throw OscArgError("argument 3 (end beat) must be after the begin beat");
        loop_begin_beat_ = a;
        loop_end_beat_ = b;
    } else if (enabled && !(loop_end_beat_ > loop_begin_beat_)) {
        throw OscArgError("no loop range set yet: send /loop 1 BEGIN END");
    }
    loop_enabled_ = enabled;
    EngineCommand c;
    c.kind = CommandKind::SetLoop;
    c.flag = enabled;
    c.a = host_.score_frame_at_beat(loop_begin_beat_);
    c.b = host_.score_frame_at_beat(loop_end_beat_);
    submit(ctx, c);
}

void ControlServer::on_tempo_scale(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    const double scale = args.number_in(0, "scale", 0.1, 10.0);
    std::string error;
    check_horizon(ctx, kEditHorizonSeconds,
                  "a tempo change is heard in order with edits, so it may be timestamped");
    if (!host_.set_tempo_scale(scale, &error, ctx.frame)) {
        reply_error(ctx.from, ctx.message.address, error);
        return;
    }
    resend_loop(ctx.frame);
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).d(scale).bytes());
}

void ControlServer::on_note_on(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(4);
    EngineCommand c;
    c.kind = CommandKind::NoteOn;
    c.track = track_arg(ctx, 0);
    const std::int64_t pitch = args.integer_in(1, "pitch", 0, 127);
    c.pitch = static_cast<std::int16_t>(pitch);
    c.velocity = clamp_velocity(args.has(2) ? args.integer_in(2, "velocity", 1, 127) : 100);
    c.value = args.has(3) ? args.number_in(3, "cents", -100, 100) : 0.0;
    c.key = live_key(c.track, pitch);
    submit(ctx, c);
}

void ControlServer::on_note_off(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    EngineCommand c;
    c.kind = CommandKind::NoteOff;
    c.track = track_arg(ctx, 0);
    c.key = live_key(c.track, args.integer_in(1, "pitch", 0, 127));
    submit(ctx, c);
}

void ControlServer::on_panic(const Context& ctx) {
    submit_plain(ctx, CommandKind::Panic);
}

// The mixer commands: applied by the engine on their frame, recorded in the document, and pushed to
// the other edit subscribers in normal form (h track id, then d value or i on).
void ControlServer::submit_mixer_value(const Context& ctx, CommandKind kind, const char* name, double lo,
                                       double hi, std::optional<double> MixChange::*setting) {
    const auto read = [&](const OscArgs& args, EngineCommand& c) {
        c.value = args.number_in(1, name, lo, hi);
    };
    if (!submit_mixer(ctx, kind, read)) return;
    const OscArgs args(ctx.message);
    MixChange change;
    change.*setting = args.number(1, name);
    mixer_changed(ctx, change,
                  OscOut(ctx.message.address).h(args.integer(0, "id")).d(*(change.*setting)).bytes());
}

void ControlServer::submit_mixer_switch(const Context& ctx, CommandKind kind, const char* name,
                                        std::optional<bool> MixChange::*setting) {
    const auto read = [&](const OscArgs& args, EngineCommand& c) { c.flag = args.boolean(1, name); };
    if (!submit_mixer(ctx, kind, read)) return;
    const OscArgs args(ctx.message);
    MixChange change;
    change.*setting = args.boolean(1, name);
    mixer_changed(ctx, change,
                  OscOut(ctx.message.address).h(args.integer(0, "id")).i(*(change.*setting) ? 1 : 0).bytes());
}

// A track's or a bus's strip (the address says which): the bus's command kind follows the track's.
bool ControlServer::submit_mixer(const Context& ctx, CommandKind kind,
                                 const std::function<void(const OscArgs&, EngineCommand&)>& read_value) {
    if (!is_bus_address(ctx)) return submit_track(ctx, kind, read_value);
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    EngineCommand c;
    c.kind = kind == CommandKind::TrackLevel  ? CommandKind::BusLevel
             : kind == CommandKind::TrackPan  ? CommandKind::BusPan
             : kind == CommandKind::TrackMute ? CommandKind::BusMute
                                              : CommandKind::BusSolo;
    c.track = bus_arg(ctx, 0);
    read_value(args, c);
    return submit(ctx, c);
}

void ControlServer::on_track_level(const Context& ctx) {
    submit_mixer_value(ctx, CommandKind::TrackLevel, "level", 0.0, 4.0, &MixChange::level);
}

void ControlServer::on_track_pan(const Context& ctx) {
    submit_mixer_value(ctx, CommandKind::TrackPan, "pan", -1.0, 1.0, &MixChange::pan);
}

void ControlServer::on_track_mute(const Context& ctx) {
    submit_mixer_switch(ctx, CommandKind::TrackMute, "mute", &MixChange::mute);
}

void ControlServer::on_track_solo(const Context& ctx) {
    submit_mixer_switch(ctx, CommandKind::TrackSolo, "solo", &MixChange::solo);
}

// The level of a track's send to a bus, live: kept in the document, pushed and journaled like the
// mixer's controls (adding or removing a send is an edit: /track/sends).
void ControlServer::on_track_send(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(3);
    EngineCommand c;
    c.kind = CommandKind::SendLevel;
    c.track = track_arg(ctx, 0);
    c.a = bus_arg(ctx, 1);
    c.value = args.number_in(2, "level", 0.0, 4.0);
    const auto track = static_cast<TrackId>(args.integer(0, "track id"));
    const auto bus = static_cast<BusId>(args.integer(1, "bus id"));
    const Track& t = host_.document().tracks[*host_.editor().track_position(track)];
    if (std::none_of(t.sends.begin(), t.sends.end(), [&](const Send& s) { return s.bus == bus; }))
        throw OscArgError("track " + std::to_string(track) + " has no send to bus " + std::to_string(bus) +
                          " (add one with /track/sends)");
    if (!submit(ctx, c)) return;
    host_.set_send_level(track, bus, c.value);
    const auto message = OscOut("/track/send").h(std::int64_t(track)).h(std::int64_t(bus)).d(c.value).bytes();
    push_to_subscribers(message, message, &ctx.from);
    journal_.record(message);
}

// A control of an insert, live, without rebuilding the chain: /track/insert/parameter TRACK INSERT
// SYMBOL VALUE, /bus/insert/parameter BUS INSERT SYMBOL VALUE, /master/insert/parameter INSERT SYMBOL
// VALUE (INSERT counts from 0). Applied on its frame, kept in the document, pushed and journaled.
void ControlServer::on_insert_parameter(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    const std::string& address = ctx.message.address;
    const bool master = address == "/master/insert/parameter";
    const std::size_t first = master ? 0 : 1;
    args.expect_at_most(first + 3);
    EngineCommand c;
    c.kind = CommandKind::InsertParameter;
    InsertOwner owner = InsertOwner::Master;
    std::uint64_t id = 0;
    if (!master) {
        owner = is_bus_address(ctx) ? InsertOwner::Bus : InsertOwner::Track;
        c.track = owner == InsertOwner::Bus ? bus_arg(ctx, 0) : track_arg(ctx, 0);
        id = static_cast<std::uint64_t>(args.integer(0, "id"));
    }
    c.pitch = static_cast<std::int16_t>(owner);
    const std::vector<Insert>* inserts = host_.inserts_of(owner, id);
    if (!inserts || inserts->empty())
        throw OscArgError(std::string(master                      ? "the master"
                                      : owner == InsertOwner::Bus ? "bus "
                                                                  : "track ") +
                          (master ? "" : std::to_string(id)) + " has no inserts");
    const auto insert =
        static_cast<std::size_t>(args.integer_in(first, "insert", 0, std::int64_t(inserts->size()) - 1));
    const std::string& symbol = args.string(first + 1, "symbol");
    const double value = args.number(first + 2, "value");
    if (!std::isfinite(value))
        throw OscArgError("argument " + std::to_string(first + 3) + " (value) must be finite");
    const long control = host_.insert_control(owner, c.track, insert, symbol);
    if (control < 0)
        throw OscArgError(
            "insert " + std::to_string(insert) + " (" + (*inserts)[insert].plugin +
            ") has no control input '" + symbol + "'" +
            (control == -2 ? " (the plugin could not be made: it passes its input through)" : ""));
    c.a = insert;
    c.b = control;
    c.value = value;
    if (!submit(ctx, c)) return;
    host_.set_insert_parameter(owner, id, insert, symbol, value);
    OscOut out(address);
    if (!master) out.h(static_cast<std::int64_t>(id));
    const auto message = out.i(static_cast<std::int32_t>(insert)).s(symbol).d(value).bytes();
    push_to_subscribers(message, message, &ctx.from);
    journal_.record(message);
}

// The parameters a track's instrument offers (a Csound orchestra's input channels), each with its range,
// default and the value the document holds.
void ControlServer::on_track_parameters(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    track_arg(ctx, 0);  // an unknown track is an error
    const auto id = static_cast<TrackId>(args.integer(0, "track id"));
    const Track& track = host_.document().tracks[*host_.editor().track_position(id)];
    OscOut out("/track/parameters");
    out.h(id);
    for (const InstrumentParameter& p : host_.track_parameters(id)) {
        double value = p.default_value;
        if (const auto set = track.parameters.find(p.name); set != track.parameters.end())
            value = set->second;
        out.s(p.name).d(p.minimum).d(p.maximum).d(p.default_value).d(value);
    }
    reply(ctx.from, out.bytes());
}

// A parameter set live: applied by the engine on its frame, recorded in the track, pushed to the
// other edit subscribers and journaled like the mixer's controls.
void ControlServer::on_track_parameter(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(3);
    EngineCommand c;
    c.kind = CommandKind::TrackParameter;
    c.track = track_arg(ctx, 0);
    const auto id = static_cast<TrackId>(args.integer(0, "track id"));
    const std::string& name = args.string(1, "parameter");
    const auto& offered = host_.track_parameters(id);
    std::size_t index = offered.size();
    std::string names;
    for (std::size_t i = 0; i < offered.size(); ++i) {
        if (offered[i].name == name) index = i;
        names += (names.empty() ? "" : ", ") + offered[i].name;
    }
    if (index == offered.size())
        throw OscArgError("track " + std::to_string(id) + " has no parameter '" + name + "' (" +
                          (names.empty() ? "its instrument has none" : "it has: " + names) + ")");
    const InstrumentParameter& p = offered[index];
    c.a = static_cast<Frame>(index);
    c.value =
        p.minimum < p.maximum ? args.number_in(2, "value", p.minimum, p.maximum) : args.number(2, "value");
    if (!submit(ctx, c)) return;
    host_.set_parameter(id, name, c.value);
    const auto message = OscOut("/track/parameter").h(id).s(name).d(c.value).bytes();
    push_to_subscribers(message, message, &ctx.from);
    journal_.record(message);
}

void ControlServer::on_master_level(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = CommandKind::MasterLevel;
    c.value = args.number_in(0, "level", 0.0, 4.0);
    submit(ctx, c);
}

// A command whose one argument turns something on or off.
void ControlServer::submit_switch(const Context& ctx, CommandKind kind) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = kind;
    c.flag = args.boolean(0, "on");
    submit(ctx, c);
}

void ControlServer::on_metronome(const Context& ctx) {
    submit_switch(ctx, CommandKind::Metronome);
}

// The track a MIDI keyboard plays (JACK's midi_in port): a track id, or 0 for none.
void ControlServer::on_midi_input(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    EngineCommand c;
    c.kind = CommandKind::MidiInputTrack;
    c.flag = args.integer(0, "track id") != 0;
    if (c.flag) c.track = track_arg(ctx, 0);
    midi_input_track_ = c.flag ? static_cast<TrackId>(args.integer(0, "track id")) : 0;
    submit(ctx, c);
}

// MIDI beat clock on the MIDI output (off by default): /midi/clock 1 turns it on.
void ControlServer::on_midi_clock(const Context& ctx) {
    submit_switch(ctx, CommandKind::MidiClock);
}

// Records live MIDI input into the armed input track while the transport plays:
// /record 1 [replace] [quantize_beats] [punch_in punch_out]; /record 0 ends it.
void ControlServer::on_record(const Context& ctx) {
    require_document(ctx);
    const OscArgs args(ctx.message);
    args.expect_at_most(5);
    const bool on = args.boolean(0, "on");
    if (!on) {
        finish_recording(false);
        submit_record(ctx, false);
        return;
    }
    if (midi_input_track_ == 0 || !host_.track_index(midi_input_track_))
        throw OscArgError("no track is armed for MIDI input (send /midi/input TRACK first)");
    RecordingOptions options;
    options.track = midi_input_track_;
    options.replace = args.has(1) && args.boolean(1, "replace");
    options.quantize_beats = args.has(2) ? args.number_in(2, "quantize", 0, 64) : 0.0;
    if (args.has(3) || args.has(4)) {
        options.punch_in_beat = args.number_in(3, "punch in beat", 0, 1e6);
        options.punch_out_beat = args.number_in(4, "punch out beat", 0, 1e6);
        if (!(options.punch_out_beat > options.punch_in_beat))
            throw OscArgError("argument 5 (punch out beat) must be after the punch in beat");
    }
    recorder_.start(options);
    submit_record(ctx, true);
}

void ControlServer::submit_record(const Context& ctx, bool on) {
    EngineCommand c;
    c.kind = CommandKind::Record;
    c.flag = on;
    submit(ctx, c);
}

void ControlServer::finish_recording(bool rearm) {
    if (!recorder_.active()) return;
    const RecordingOptions options = recorder_.options();
    // Messages the engine recorded before now come first.
    RecordedMidi recorded;
    while (host_.next_recorded(recorded)) apply_recorded(recorder_.feed(recorded, host_.document()));
    apply_recorded(recorder_.finish(host_.status().beat, host_.document()));
    if (rearm) recorder_.start(options);
}

void ControlServer::apply_recorded(std::vector<Edit> edits) {
    if (edits.empty()) return;
    std::string error;
    if (!host_.edit(std::move(edits), &error)) return;  // e.g. the track was removed meanwhile
    const EditBatch& applied = *host_.editor().last_batch();
    const auto bundle = edit_batch_bundle(applied);
    const auto resync = OscOut("/resync").h(static_cast<std::int64_t>(applied.revision)).bytes();
    push_to_subscribers(bundle, bundle.size() > kMaxUdpReply ? resync : bundle, nullptr);
    journal_.record(bundle);
}

void ControlServer::on_count_in(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    count_in_bars_ = static_cast<int>(args.integer_in(0, "bars", 0, 8));
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).i(count_in_bars_).bytes());
}

void ControlServer::on_instruments(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    // Listed once: the soundfont line reads the default font's presets.
    const std::vector<InstrumentInfo> instruments = available_instruments();
    for (const InstrumentInfo& info : instruments) {
        OscOut out("/instrument");
        out.s(info.name);
        for (const std::string& preset : info.presets) out.s(preset);
        reply(ctx.from, out.bytes());
    }
    reply(ctx.from,
          OscOut("/reply").s(ctx.message.address).i(static_cast<std::int32_t>(instruments.size())).bytes());
}

// /soundfont/presets [PATH]: the presets of a font (the default General MIDI font without PATH), one
// /soundfont/preset each, for a client choosing a track's preset by name. Reads only the font's headers
// (16 ms for FluidR3_GM's 148 MB, then cached); a confined client names only fonts it may read.
void ControlServer::on_soundfont_presets(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    std::string path = kGeneralMidiFont;
    if (args.has(0)) {
        const ResolvedPath file = options_.paths.for_reading(
            resolve_document_file(args.string(0, "font"), document_dir_), confined(ctx));
        if (!file.ok()) throw OscArgError(file.error);
        path = file.path;
    }
    std::string error;
    const auto font = sf2::FontLibrary::shared().headers(path, &error);
    if (!font) throw OscArgError(error);
    for (const sf2::Preset& p : font->presets)
        reply(ctx.from, OscOut("/soundfont/preset").i(p.bank).i(p.program).s(p.name).bytes());
    reply(ctx.from, OscOut("/reply")
                        .s(ctx.message.address)
                        .s(path)
                        .i(static_cast<std::int32_t>(font->presets.size()))
                        .bytes());
}

// /plugins [CATEGORY]: the installed LV2 plugins (engine/lv2/plugin_catalogue.h), one /plugin each, for a
// client's plugin browser. Installed plugins are the engine owner's choice, as instruments are: any client
// may list and use them. Only the first call reads the bundles (about 100 ms).
void ControlServer::on_plugins(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    const std::string category = args.has(0) ? args.string(0, "category") : "";
    std::int32_t count = 0;
    for (const lv2::PluginInfo& p : lv2::installed_plugins()) {
        if (!category.empty() && p.category != category) continue;
        reply(ctx.from, OscOut("/plugin")
                            .s(p.uri)
                            .s(p.name)
                            .s(p.category)
                            .i(p.count(lv2::PortKind::AudioIn))
                            .i(p.count(lv2::PortKind::AudioOut))
                            .i(p.takes_midi() ? 1 : 0)
                            .s(p.unplayable_reason())
                            .bytes());
        ++count;
    }
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).s(category).i(count).bytes());
}

// /plugin/controls URI: a plugin's control inputs, one /plugin/control each, for a generic editor.
void ControlServer::on_plugin_controls(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    std::string error;
    const auto plugin = lv2::find_plugin(args.string(0, "plugin URI"), &error);
    if (!plugin) throw OscArgError(error);
    std::int32_t count = 0;
    for (const lv2::PortInfo& port : plugin->ports) {
        if (port.kind != lv2::PortKind::ControlIn) continue;
        const std::int32_t flags =
            (port.toggled ? 1 : 0) | (port.integer || port.enumeration ? 2 : 0) | (port.logarithmic ? 4 : 0);
        reply(ctx.from, OscOut("/plugin/control")
                            .s(port.symbol)
                            .s(port.name)
                            .f(port.minimum)
                            .f(port.maximum)
                            .f(port.default_value)
                            .s(port.unit)
                            .i(flags)
                            .bytes());
        ++count;
    }
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).s(plugin->uri).i(count).bytes());
}

void ControlServer::on_status(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    const EngineStatus s = host_.status();
    const OscTransportStats net = transport_.stats();
    reply(ctx.from, OscOut("/status")
                        .i(host_.sample_rate())
                        .i(host_.period())
                        .h(s.block_frame)
                        .i(s.playing ? 1 : 0)
                        .d(s.beat)
                        .i(s.bar + 1)
                        .d(s.beat_in_bar + 1.0)
                        .d(s.bpm)
                        .h(host_.xruns())
                        .h(static_cast<std::int64_t>(s.late_commands))
                        .h(static_cast<std::int64_t>(host_.rejected_commands() + s.rejected_commands))
                        .h(static_cast<std::int64_t>(net.replies_dropped))
                        .h(static_cast<std::int64_t>(net.malformed_packets))
                        .h(static_cast<std::int64_t>(net.kernel_udp_drops))
                        .f(s.dsp_load)
                        .f(s.dsp_load_peak)
                        .f(s.master_peak[0])
                        .f(s.master_peak[1])
                        .h(static_cast<std::int64_t>(host_.document().revision))
                        .i(host_.realtime_scheduling() ? 1 : 0)
                        .s(host_.backend_description())
                        .f(s.dsp_cpu_peak)
                        .h(static_cast<std::int64_t>(net.connections_evicted))
                        .h(static_cast<std::int64_t>(net.connections_timed_out + net.connections_idle_closed))
                        .h(static_cast<std::int64_t>(net.connections_over_memory))
                        .h(static_cast<std::int64_t>(options_.access.stats().auth_refused))
                        .h(static_cast<std::int64_t>(options_.access.stats().packets_ignored))
                        .i(host_.lookahead())
                        .bytes());
}

void ControlServer::on_subscribe(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(3);
    const double rate = args.has(0) ? args.number_in(0, "rate", 1, 120) : 30.0;
    if (!reporter_) throw OscArgError("position reports are not available in this engine");
    std::string error;
    bool ok = false;
    if (args.has(1)) {
        const std::string& host = args.string(1, "host");
        const auto port = static_cast<int>(args.integer_in(2, "port", 1, 65535));
        const auto to =
            report_target(host, port, ctx.from, options_.access.classify(ctx.from) == ClientClass::Remote);
        if (!to.error.empty()) throw OscArgError(to.error);
        ok = reporter_->subscribe(to.addr, to.addr_len, rate, &error,
                                  options_.access.classify(ctx.from) == ClientClass::Owner);
    } else {
        if (ctx.from.kind != ReplyTarget::Kind::Udp)
            throw OscArgError("over TCP, give the UDP host and port for reports: /subscribe RATE HOST PORT");
        ok = reporter_->subscribe(ctx.from.addr, ctx.from.addr_len, rate, &error);
    }
    if (!ok) {
        reply_error(ctx.from, ctx.message.address, error);
        return;
    }
    reply(ctx.from, OscOut("/reply").s(ctx.message.address).d(rate).bytes());
}

void ControlServer::on_unsubscribe(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(2);
    if (!reporter_) throw OscArgError("position reports are not available in this engine");
    if (args.has(0)) {  // the same rule as /subscribe: nobody cancels another host's reports
        const auto to =
            report_target(args.string(0, "host"), static_cast<int>(args.integer_in(1, "port", 1, 65535)),
                          ctx.from, options_.access.classify(ctx.from) == ClientClass::Remote);
        if (!to.error.empty()) throw OscArgError(to.error);
        reporter_->unsubscribe(to.addr, to.addr_len);
    } else
        reporter_->unsubscribe(ctx.from.addr, ctx.from.addr_len);
    reply_ok(ctx.from, ctx.message.address);
}

void ControlServer::on_ping(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    reply_ok(ctx.from, ctx.message.address);
}

void ControlServer::on_auth(const Context& ctx) {
    const OscArgs args(ctx.message);
    args.expect_at_most(1);
    const std::string& token = args.string(0, "token");
    // Reached by a client already served: a remote one whose packet began with the right token
    // (admit()), or a trusted one, which needs none but is told whether the token it holds is right.
    ClientAccess& access = options_.access;
    if (access.authenticate(ctx.from, token)) {
        reply_ok(ctx.from, ctx.message.address);
        return;
    }
    if (access.classify(ctx.from) == ClientClass::Remote) throw OscArgError("wrong token");
    throw OscArgError(access.has_token() ? "wrong token (this client is trusted and needs none)"
                                         : "this engine has no token (it serves no other host)");
}

void ControlServer::on_quit(const Context& ctx) {
    OscArgs(ctx.message).expect_at_most(0);
    quit_ = true;
    reply_ok(ctx.from, ctx.message.address);
}

}  // namespace tactus
