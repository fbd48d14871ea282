// The live-edit tests' OSC side of the model (live_edit_model.h): the edit messages they send and
// the edits each stands for, the edits a pushed batch stands for, and the answers the engine owes
// for a packet, predicted by applying it to the model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "live_edit_model.h"
#include "support/osc_tcp_client.h"
#include "support/tactusd_process.h"

namespace tactus::test {

// OSC's "immediately" timetag (liblo's LO_TT_IMMEDIATE is a C compound literal, not a C++ constant).
inline constexpr lo_timetag kImmediately = {0, 1};

struct EditMessage {
    std::string address;
    OscBytes bytes;
    std::vector<ModelEdit> edits;  // what it asks for (when it parses)
    bool parse_error = false;      // refused before any edit is considered (a bad argument)
    bool is_edit = true;           // false: /ping, splitting a bundle into two batches
};

// Builds the message for `edits` (all of one kind), ids and track ids as `h` unless told otherwise.
inline EditMessage edit_message(const std::vector<ModelEdit>& edits, bool ids_as_int32 = false) {
    EditMessage m;
    m.edits = edits;
    OscOutgoing out;
    const auto id = [&](std::uint64_t v) {
        if (ids_as_int32)
            out.i(static_cast<std::int32_t>(v));
        else
            out.h(static_cast<std::int64_t>(v));
    };
    const EditKind kind = edits.front().kind;
    switch (kind) {
        case EditKind::NoteAdd:
            m.address = "/note/add";
            break;
        case EditKind::NoteMove:
            m.address = "/note/move";
            break;
        case EditKind::NoteTrack:
            m.address = "/note/track";
            break;
        case EditKind::NoteResize:
            m.address = "/note/resize";
            break;
        case EditKind::NoteDelete:
            m.address = "/note/delete";
            break;
        case EditKind::NotePitch:
            m.address = "/note/pitch";
            break;
        case EditKind::NoteVelocity:
            m.address = "/note/velocity";
            break;
        case EditKind::TrackAdd:
            m.address = "/track/add";
            break;
        case EditKind::TrackRemove:
            m.address = "/track/remove";
            break;
        case EditKind::TrackRename:
            m.address = "/track/rename";
            break;
        case EditKind::TrackMove:
            m.address = "/track/move";
            break;
        case EditKind::TrackInstrument:
            m.address = "/track/instrument";
            break;
        case EditKind::TempoSet:
            m.address = "/tempo/set";
            break;
    }
    for (const ModelEdit& e : edits) {
        switch (kind) {
            case EditKind::NoteAdd:
                id(e.track);
                id(e.id);
                out.d(e.start).d(e.length).i(e.pitch).i(e.velocity);
                break;
            case EditKind::NoteMove:
                id(e.id);
                out.d(e.start);
                break;
            case EditKind::NoteTrack:
                id(e.id);
                id(e.track);
                break;
            case EditKind::NoteResize:
                id(e.id);
                out.d(e.length);
                break;
            case EditKind::NoteDelete:
                id(e.id);
                break;
            case EditKind::NotePitch:
                id(e.id);
                out.i(e.pitch).d(e.cents);
                break;
            case EditKind::NoteVelocity:
                id(e.id);
                out.i(e.velocity);
                break;
            case EditKind::TrackAdd:
                id(e.id);
                out.s(e.name).s(e.instrument).s(e.preset);
                if (e.index) out.i(static_cast<std::int32_t>(*e.index));
                break;
            case EditKind::TrackRemove:
                id(e.id);
                break;
            case EditKind::TrackRename:
                id(e.id);
                out.s(e.name);
                break;
            case EditKind::TrackMove:
                id(e.id);
                out.i(static_cast<std::int32_t>(*e.index));
                break;
            case EditKind::TrackInstrument:
                id(e.id);
                out.s(e.instrument).s(e.preset);
                break;
            case EditKind::TempoSet:
                for (const ModelTempo& p : e.tempo) out.d(p.beat).d(p.bpm).i(p.ramp ? 1 : 0);
                break;
        }
    }
    m.bytes = osc_message_bytes(m.address, out);
    return m;
}

// The edits a pushed message stands for (the engine writes ids as h, pitch/velocity/index as i).
inline std::vector<ModelEdit> edits_of_push(const OscIncoming& m, std::string* problem) {
    std::vector<ModelEdit> out;
    const std::string& a = m.address;
    std::size_t group = 0;
    if (a == "/note/add")
        group = 6;
    else if (a == "/note/move" || a == "/note/track" || a == "/note/resize" || a == "/note/velocity" ||
             a == "/track/rename" || a == "/track/move")
        group = 2;
    else if (a == "/note/pitch" || a == "/track/instrument" || a == "/tempo/set")
        group = 3;
    else if (a == "/note/delete" || a == "/track/remove")
        group = 1;
    else if (a == "/track/add")
        group = m.args.size();
    if (group == 0 || m.args.empty() || m.args.size() % group != 0) {
        *problem = "unexpected pushed message " + m.to_string();
        return out;
    }
    try {
        if (a == "/tempo/set") {
            ModelEdit e;
            e.kind = EditKind::TempoSet;
            for (std::size_t i = 0; i < m.args.size(); i += 3)
                e.tempo.push_back({m.number(i), m.number(i + 1), m.integer(i + 2) != 0});
            out.push_back(e);
            return out;
        }
        for (std::size_t i = 0; i < m.args.size(); i += group) {
            ModelEdit e;
            const auto id = [&](std::size_t k) { return static_cast<std::uint64_t>(m.integer(i + k)); };
            if (a == "/note/add") {
                e.kind = EditKind::NoteAdd;
                e.track = id(0);
                e.id = id(1);
                e.start = m.number(i + 2);
                e.length = m.number(i + 3);
                e.pitch = int(m.integer(i + 4));
                e.velocity = int(m.integer(i + 5));
            } else if (a == "/note/move") {
                e.kind = EditKind::NoteMove;
                e.id = id(0);
                e.start = m.number(i + 1);
            } else if (a == "/note/track") {
                e.kind = EditKind::NoteTrack;
                e.id = id(0);
                e.track = id(1);
            } else if (a == "/note/resize") {
                e.kind = EditKind::NoteResize;
                e.id = id(0);
                e.length = m.number(i + 1);
            } else if (a == "/note/delete") {
                e.kind = EditKind::NoteDelete;
                e.id = id(0);
            } else if (a == "/note/pitch") {
                e.kind = EditKind::NotePitch;
                e.id = id(0);
                e.pitch = int(m.integer(i + 1));
                e.cents = m.number(i + 2);
            } else if (a == "/note/velocity") {
                e.kind = EditKind::NoteVelocity;
                e.id = id(0);
                e.velocity = int(m.integer(i + 1));
            } else if (a == "/track/add") {
                e.kind = EditKind::TrackAdd;
                e.id = id(0);
                e.name = m.string(i + 1);
                e.instrument = m.string(i + 2);
                e.preset = m.string(i + 3);
                if (m.args.size() > 4) e.index = m.integer(i + 4);
            } else if (a == "/track/remove") {
                e.kind = EditKind::TrackRemove;
                e.id = id(0);
            } else if (a == "/track/rename") {
                e.kind = EditKind::TrackRename;
                e.id = id(0);
                e.name = m.string(i + 1);
            } else if (a == "/track/move") {
                e.kind = EditKind::TrackMove;
                e.id = id(0);
                e.index = m.integer(i + 1);
            } else if (a == "/track/instrument") {
                e.kind = EditKind::TrackInstrument;
                e.id = id(0);
                e.instrument = m.string(i + 1);
                e.preset = m.string(i + 2);
            }
            out.push_back(e);
        }
    } catch (const std::exception& ex) {
        *problem = ex.what();
        out.clear();
    }
    return out;
}

// One answer the engine owes for a packet: /reply "<address>" revision count, /error "<address>"
// "edit k of n (name): ...", or /reply "/ping".
struct ExpectedAnswer {
    bool error = false;
    std::string address;
    std::uint64_t revision = 0;
    std::size_t count = 0;
    std::string error_prefix;  // for editor errors; "" for argument errors
    bool ping = false;
};

// Predicts the answers to a packet (one message, or a bundle of them) and applies what it should
// apply to `model`: consecutive edit messages form one batch, all or none (docs/protocol.md).
inline std::vector<ExpectedAnswer> predict(const std::vector<EditMessage>& packet, DocModel& model) {
    std::vector<ExpectedAnswer> answers;
    std::vector<const EditMessage*> batch;
    const auto flush = [&] {
        if (batch.empty()) return;
        ExpectedAnswer a;
        a.address = batch.front()->address;
        std::vector<ModelEdit> edits;
        for (const EditMessage* m : batch) {
            if (m->parse_error) {
                a.error = true;
                a.address = m->address;
                break;
            }
            edits.insert(edits.end(), m->edits.begin(), m->edits.end());
        }
        if (!a.error) {
            const std::size_t refused = model.apply_batch(edits);
            if (refused > 0) {
                a.error = true;
                a.error_prefix = "edit " + std::to_string(refused) + " of " + std::to_string(edits.size()) +
                                 " (" + editor_name(edits[refused - 1].kind) + "): ";
            } else {
                a.revision = model.revision;
                a.count = edits.size();
            }
        }
        answers.push_back(a);
        batch.clear();
    };
    for (const EditMessage& m : packet) {
        if (m.is_edit) {
            batch.push_back(&m);
            continue;
        }
        flush();
        ExpectedAnswer ping;
        ping.ping = true;
        ping.address = m.address;
        answers.push_back(ping);
    }
    flush();
    return answers;
}

// "" when `got` is the answer predicted, else what differs.
inline std::string mismatch(const ExpectedAnswer& want, const OscIncoming& got) {
    std::ostringstream why;
    if (want.ping) {
        if (got.address == "/reply" && got.types == "s" && got.string(0) == want.address) return {};
        why << "expected /reply \"" << want.address << "\"";
    } else if (want.error) {
        if (got.address == "/error" && got.types == "ss" && got.string(0) == want.address &&
            got.string(1).rfind(want.error_prefix, 0) == 0)
            return {};
        why << "expected /error \"" << want.address << "\" \"" << want.error_prefix << "...\"";
    } else {
        if (got.address == "/reply" && got.types == "shi" && got.string(0) == want.address &&
            got.integer(1) == std::int64_t(want.revision) && got.integer(2) == std::int64_t(want.count))
            return {};
        why << "expected /reply \"" << want.address << "\" " << want.revision << " " << want.count;
    }
    why << ", got " << got.to_string();
    return why.str();
}

}  // namespace tactus::test
