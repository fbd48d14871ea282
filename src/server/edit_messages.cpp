#include "server/edit_messages.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <string>

#include "server/osc_args.h"
#include "server/osc_out.h"

namespace tactus {

namespace {

// The argument groups of each repeating edit message, named for error messages.
struct EditShape {
    std::string_view address;
    std::size_t group;      // arguments per edit; the message may repeat the group
    std::size_t max_args;   // for non-repeating messages (0: repeats)
    const char* arguments;  // how docs/protocol.md names them
};

constexpr EditShape kShapes[] = {
    {"/note/add", 6, 0, "TRACK ID START LENGTH PITCH VELOCITY"},
    {"/note/move", 2, 0, "ID START"},
    {"/note/track", 2, 0, "ID TRACK"},
    {"/note/resize", 2, 0, "ID LENGTH"},
    {"/note/delete", 1, 0, "ID"},
    {"/note/pitch", 3, 0, "ID PITCH CENTS"},
    {"/note/velocity", 2, 0, "ID VELOCITY"},
    {"/note/audition", 1, 0, "ID"},
    {"/track/add", 4, SIZE_MAX,
     "ID NAME INSTRUMENT PRESET [INDEX [CHANNEL LEVEL PAN MUTE SOLO [ORCHESTRA CSOUND_INSTRUMENT "
     "(PARAMETER VALUE)...]]]"},
    {"/track/remove", 1, 1, "ID"},
    {"/track/rename", 2, 2, "ID NAME"},
    {"/track/move", 2, 2, "ID INDEX"},
    {"/track/instrument", 3, SIZE_MAX,
     "ID INSTRUMENT PRESET [ORCHESTRA CSOUND_INSTRUMENT (PARAMETER VALUE)...]"},
    {"/track/soundfont", 4, 5, "ID FONT BANK PROGRAM [DRUMS]"},
    {"/track/plugin", 2, SIZE_MAX, "ID URI (SYMBOL VALUE)..."},
    {"/track/inserts", 1, SIZE_MAX, "ID (URI BYPASS COUNT (SYMBOL VALUE)...)..."},
    {"/track/sends", 1, SIZE_MAX, "ID (BUS LEVEL PRE_FADER)..."},
    {"/bus/add", 2, 7, "ID NAME [INDEX [LEVEL PAN MUTE SOLO]]"},
    {"/bus/remove", 1, 1, "ID"},
    {"/bus/rename", 2, 2, "ID NAME"},
    {"/bus/inserts", 1, SIZE_MAX, "ID (URI BYPASS COUNT (SYMBOL VALUE)...)..."},
    {"/master/inserts", 0, SIZE_MAX, "(URI BYPASS COUNT (SYMBOL VALUE)...)..."},
    {"/tempo/set", 3, 0, "BEAT BPM RAMP"},
    {"/meter/set", 3, 0, "BAR NUMERATOR DENOMINATOR"},
    {"/markers/set", 2, 0, "BEAT NAME"},
    {"/track/controllers", 1, 0, "TRACK_ID (BEAT KIND NUMBER VALUE)..."},
    {"/automation/set", 3, 0, "OWNER ID CONTROL (BEAT VALUE SHAPE)..."},
    {"/time/shift", 4, 4, "AT BY BAR BARS"},
};

const EditShape* shape_of(std::string_view address) {
    for (const EditShape& s : kShapes)
        if (s.address == address) return &s;
    return nullptr;
}

// Integers are kept within int's range so that the editor's range checks see the value sent.
int small_int(const OscArgs& args, std::size_t i, const char* name) {
    return static_cast<int>(std::clamp<std::int64_t>(args.integer(i, name), INT_MIN, INT_MAX));
}

std::uint64_t id_arg(const OscArgs& args, std::size_t i, const char* name, bool zero_allowed = false) {
    const std::int64_t v = args.integer(i, name);
    if (v < 0 || (v == 0 && !zero_allowed))
        throw OscArgError("argument " + std::to_string(i + 1) + " (" + name +
                          ") must be a positive id (got " + std::to_string(v) + ")");
    return static_cast<std::uint64_t>(v);
}

std::size_t index_arg(const OscArgs& args, std::size_t i) {
    return static_cast<std::size_t>(args.integer_in(i, "index", 0, INT32_MAX));
}

// The Csound part of /track/add and /track/instrument from argument `first` on: the orchestra, the
// Csound instrument, then name/value pairs of parameters. `shape` names the arguments in errors.
edit::CsoundChoice csound_args(const OscArgs& args, std::size_t first, const EditShape& shape) {
    const std::size_t n = args.size();
    if (n < first + 2 || (n - first) % 2 != 0)
        throw OscArgError("takes the arguments " + std::string(shape.arguments) +
                          ": the orchestra and Csound instrument come together, then parameter names each "
                          "with its value; got " +
                          std::to_string(n));
    edit::CsoundChoice csound{
        args.string(first, "orchestra"), args.string(first + 1, "Csound instrument"), {}};
    for (std::size_t i = first + 2; i < n; i += 2) {
        const std::string name = args.string(i, "parameter");
        if (name.empty())
            throw OscArgError("argument " + std::to_string(i + 1) + " (parameter) must name a parameter");
        csound.parameters[name] = args.number(i + 1, "value");
    }
    return csound;
}

// Pushed with the Csound arguments only when there is something to carry (the old short forms otherwise).
bool has_csound(const Track& t) {
    return !t.orchestra.empty() || !t.csound_instrument.empty() || !t.parameters.empty();
}
void write_soundfont(std::vector<std::vector<std::uint8_t>>& out, TrackId track,
                     const edit::SoundFontChoice& font) {
    out.push_back(OscOut("/track/soundfont")
                      .h(static_cast<std::int64_t>(track))
                      .s(font.soundfont)
                      .i(font.bank)
                      .i(font.program)
                      .i(font.drums ? 1 : 0)
                      .bytes());
}
void write_plugin(std::vector<std::vector<std::uint8_t>>& out, TrackId track,
                  const edit::PluginChoice& plugin) {
    OscOut m("/track/plugin");
    m.h(static_cast<std::int64_t>(track)).s(plugin.plugin);
    for (const auto& [symbol, value] : plugin.parameters) m.s(symbol).d(value);
    out.push_back(m.bytes());
}
// `address` with the owner's id first (none for the master), then the inserts.
void write_inserts(std::vector<std::vector<std::uint8_t>>& out, const char* address,
                   std::optional<std::uint64_t> owner, const std::vector<Insert>& inserts) {
    OscOut m(address);
    if (owner) m.h(static_cast<std::int64_t>(*owner));
    for (const Insert& insert : inserts) {
        m.s(insert.plugin).i(insert.bypass ? 1 : 0).i(static_cast<std::int32_t>(insert.parameters.size()));
        for (const auto& [symbol, value] : insert.parameters) m.s(symbol).d(value);
    }
    out.push_back(m.bytes());
}
void write_sends(std::vector<std::vector<std::uint8_t>>& out, TrackId track, const std::vector<Send>& sends) {
    OscOut m("/track/sends");
    m.h(static_cast<std::int64_t>(track));
    for (const Send& send : sends)
        m.h(static_cast<std::int64_t>(send.bus)).d(send.level).i(send.pre_fader ? 1 : 0);
    out.push_back(m.bytes());
}
// Name/value pairs from argument `first` to `end` (exclusive).
std::map<std::string, double> parameter_args(const OscArgs& args, std::size_t first, std::size_t end) {
    std::map<std::string, double> parameters;
    for (std::size_t i = first; i + 1 < end; i += 2) {
        const std::string name = args.string(i, "parameter");
        if (name.empty())
            throw OscArgError("argument " + std::to_string(i + 1) + " (parameter) must name a parameter");
        parameters[name] = args.number(i + 1, "value");
    }
    return parameters;
}
// Inserts from argument `first` on, each its URI, bypass, a parameter count and that many pairs.
std::vector<Insert> insert_args(const OscArgs& args, std::size_t first, const EditShape& shape) {
    std::vector<Insert> inserts;
    const std::size_t n = args.size();
    for (std::size_t i = first; i < n;) {
        if (i + 3 > n)
            throw OscArgError("takes the arguments " + std::string(shape.arguments) +
                              ": each insert is its URI, bypass and parameter count; argument " +
                              std::to_string(i + 1) + " starts an incomplete one");
        Insert insert;
        insert.plugin = args.string(i, "plugin URI");
        insert.bypass = args.boolean(i + 1, "bypass");
        const auto count = static_cast<std::size_t>(args.integer_in(i + 2, "parameter count", 0, 1 << 16));
        const std::size_t end = i + 3 + 2 * count;
        if (end > n)
            throw OscArgError("argument " + std::to_string(i + 3) + " (parameter count) says " +
                              std::to_string(count) + " parameters, but the message ends first");
        insert.parameters = parameter_args(args, i + 3, end);
        inserts.push_back(std::move(insert));
        i = end;
    }
    return inserts;
}
void write_csound(OscOut& m, const std::string& orchestra, const std::string& csound_instrument,
                  const std::map<std::string, double>& parameters) {
    m.s(orchestra).s(csound_instrument);
    for (const auto& [name, value] : parameters) m.s(name).d(value);
}

}  // namespace

bool is_edit_address(std::string_view address) {
    return shape_of(address) != nullptr;
}

void parse_edit_message(const OscMessage& message, std::vector<Edit>& edits, std::vector<NoteId>& auditions) {
    const EditShape* shape = shape_of(message.address);
    if (!shape) throw OscArgError("not an edit address");
    const OscArgs args(message);
    const std::size_t n = args.size();
    if (message.address == "/markers/set" && n == 0) return edits.push_back(edit::MarkersReplace{});  // none
    if (message.address == "/track/controllers") {
        if (n == 0 || (n - 1) % 4 != 0)
            throw OscArgError(std::string("takes the arguments ") + shape->arguments + ": a track id, then " +
                              "groups of 4; got " + std::to_string(n));
        edit::TrackControllers controllers{id_arg(args, 0, "track id"), {}};
        for (std::size_t i = 1; i < n; i += 4) {
            ControllerEvent c;
            c.beat = args.number(i, "beat");
            const std::string kind = args.string(i + 1, "kind");
            const auto parsed = controller_kind_from_name(kind);
            if (!parsed)
                throw OscArgError("argument " + std::to_string(i + 2) +
                                  " (kind) must be one of cc, pitch_bend, program, pressure (got \"" + kind +
                                  "\")");
            c.kind = *parsed;
            c.number = small_int(args, i + 2, "number");
            c.value = args.number(i + 3, "value");
            controllers.events.push_back(c);
        }
        return edits.push_back(std::move(controllers));
    }
    if (message.address == "/automation/set") {
        if (n < 3 || (n - 3) % 3 != 0)
            throw OscArgError(std::string("takes the arguments ") + shape->arguments +
                              ": an owner, an id and a control, then groups of 3; got " + std::to_string(n));
        const std::string& owner_name = args.string(0, "owner");
        const auto owner = automation_owner_from_name(owner_name);
        if (!owner)
            throw OscArgError("argument 1 (owner) must be track, bus or master (got \"" + owner_name + "\")");
        const bool master = *owner == AutomationOwner::Master;
        edit::AutomationSet set{{*owner,
                                 id_arg(args, 1,
                                        master                           ? "master id (0)"
                                        : *owner == AutomationOwner::Bus ? "bus id"
                                                                         : "track id",
                                        master),
                                 args.string(2, "control")},
                                {}};
        for (std::size_t i = 3; i < n; i += 3) {
            AutomationPoint p;
            p.beat = args.number(i, "beat");
            p.value = args.number(i + 1, "value");
            const std::string& shape_name = args.string(i + 2, "shape");
            const auto parsed = automation_shape_from_name(shape_name);
            if (!parsed)
                throw OscArgError("argument " + std::to_string(i + 3) +
                                  " (shape) must be one of hold, linear, smooth (got \"" + shape_name +
                                  "\")");
            p.shape = *parsed;
            set.points.push_back(p);
        }
        return edits.push_back(std::move(set));
    }
    if (shape->max_args == 0) {
        if (n == 0 || n % shape->group != 0)
            throw OscArgError("takes one or more groups of " + std::to_string(shape->group) + " argument" +
                              (shape->group == 1 ? "" : "s") + " (" + shape->arguments + "); got " +
                              std::to_string(n));
    } else if (n < shape->group || n > shape->max_args) {
        throw OscArgError("takes the arguments " + std::string(shape->arguments) + "; got " +
                          std::to_string(n));
    }
    const std::string_view a = message.address;
    if (a == "/tempo/set") {
        edit::TempoReplace tempo;
        for (std::size_t i = 0; i < n; i += 3)
            tempo.points.push_back(
                {args.number(i, "beat"), args.number(i + 1, "bpm"), args.boolean(i + 2, "ramp")});
        edits.push_back(std::move(tempo));
        return;
    }
    if (a == "/meter/set") {
        edit::MeterReplace meter;
        for (std::size_t i = 0; i < n; i += 3)
            meter.meter.push_back({small_int(args, i, "bar"), small_int(args, i + 1, "numerator"),
                                   small_int(args, i + 2, "denominator")});
        edits.push_back(std::move(meter));
        return;
    }
    if (a == "/markers/set") {
        edit::MarkersReplace markers;
        for (std::size_t i = 0; i < n; i += 2)
            markers.markers.push_back({args.number(i, "beat"), args.string(i + 1, "name")});
        edits.push_back(std::move(markers));
        return;
    }
    if (a == "/track/add") {
        edit::TrackAdd add;
        add.track.id = id_arg(args, 0, "track id");
        add.track.name = args.string(1, "name");
        add.track.instrument = args.string(2, "instrument");
        add.track.preset = args.string(3, "preset");
        add.index = args.has(4) ? index_arg(args, 4) : SIZE_MAX;
        if (n > 5) {
            if (n < 10)
                throw OscArgError("takes the arguments " + std::string(shape->arguments) +
                                  ": the mixer and channel come all five or none; got " + std::to_string(n));
            add.track.midi_channel = small_int(args, 5, "MIDI channel");
            add.track.level = args.number(6, "level");
            add.track.pan = args.number(7, "pan");
            add.track.mute = args.boolean(8, "mute");
            add.track.solo = args.boolean(9, "solo");
        }
        if (n > 10) {
            edit::CsoundChoice csound = csound_args(args, 10, *shape);
            add.track.orchestra = std::move(csound.orchestra);
            add.track.csound_instrument = std::move(csound.csound_instrument);
            add.track.parameters = std::move(csound.parameters);
        }
        edits.push_back(std::move(add));
        return;
    }
    if (a == "/time/shift")
        return edits.push_back(edit::TimeShift{args.number(0, "at"), args.number(1, "by"),
                                               small_int(args, 2, "bar"), small_int(args, 3, "bars")});
    if (a == "/track/remove") return edits.push_back(edit::TrackRemove{id_arg(args, 0, "track id")});
    if (a == "/track/rename")
        return edits.push_back(edit::TrackRename{id_arg(args, 0, "track id"), args.string(1, "name")});
    if (a == "/track/move")
        return edits.push_back(edit::TrackMove{id_arg(args, 0, "track id"), index_arg(args, 1)});
    if (a == "/track/instrument") {
        edit::TrackInstrument change{id_arg(args, 0, "track id"), args.string(1, "instrument"),
                                     args.string(2, "preset"), std::nullopt};
        if (n > 3) change.csound = csound_args(args, 3, *shape);
        edits.push_back(std::move(change));
        return;
    }
    if (a == "/track/plugin") {
        if ((n - 2) % 2 != 0)
            throw OscArgError("takes the arguments " + std::string(shape->arguments) +
                              ": parameter symbols each with its value; got " + std::to_string(n));
        edit::PluginChoice plugin{args.string(1, "plugin URI"), parameter_args(args, 2, n), {}};
        if (plugin.plugin.empty()) throw OscArgError("argument 2 (plugin URI) must not be empty");
        edits.push_back(edit::TrackInstrument{id_arg(args, 0, "track id"), "lv2", "plugin", std::nullopt,
                                              std::nullopt, std::move(plugin)});
        return;
    }
    if (a == "/track/inserts")
        return edits.push_back(edit::TrackInserts{id_arg(args, 0, "track id"), insert_args(args, 1, *shape)});
    if (a == "/bus/inserts")
        return edits.push_back(edit::BusInserts{id_arg(args, 0, "bus id"), insert_args(args, 1, *shape)});
    if (a == "/master/inserts") return edits.push_back(edit::MasterInserts{insert_args(args, 0, *shape)});
    if (a == "/track/sends") {
        if ((n - 1) % 3 != 0)
            throw OscArgError("takes the arguments " + std::string(shape->arguments) +
                              ": a track id, then groups of 3; got " + std::to_string(n));
        edit::TrackSends sends{id_arg(args, 0, "track id"), {}};
        for (std::size_t i = 1; i < n; i += 3)
            sends.sends.push_back(
                {id_arg(args, i, "bus id"), args.number(i + 1, "level"), args.boolean(i + 2, "pre-fader")});
        return edits.push_back(std::move(sends));
    }
    if (a == "/bus/add") {
        if (n != 2 && n != 3 && n != 7)
            throw OscArgError("takes the arguments " + std::string(shape->arguments) +
                              ": the mixer comes all four or none; got " + std::to_string(n));
        edit::BusAdd add;
        add.bus.id = id_arg(args, 0, "bus id");
        add.bus.name = args.string(1, "name");
        add.index = args.has(2) ? index_arg(args, 2) : SIZE_MAX;
        if (n == 7) {
            add.bus.level = args.number(3, "level");
            add.bus.pan = args.number(4, "pan");
            add.bus.mute = args.boolean(5, "mute");
            add.bus.solo = args.boolean(6, "solo");
        }
        return edits.push_back(std::move(add));
    }
    if (a == "/bus/remove") return edits.push_back(edit::BusRemove{id_arg(args, 0, "bus id")});
    if (a == "/bus/rename")
        return edits.push_back(edit::BusRename{id_arg(args, 0, "bus id"), args.string(1, "name")});
    if (a == "/track/soundfont") {
        // The font ("" plays the default one), bank and program; the preset's name is the client's to show.
        edit::SoundFontChoice font{args.string(1, "font"), small_int(args, 2, "bank"),
                                   small_int(args, 3, "program"), n > 4 && args.boolean(4, "drums")};
        if (font.bank < 0 || font.bank > 16383) throw OscArgError("argument 3 (bank) must be 0..16383");
        if (font.program < 0 || font.program > 127) throw OscArgError("argument 4 (program) must be 0..127");
        const std::string preset = std::to_string(font.bank) + ":" + std::to_string(font.program);
        edits.push_back(edit::TrackInstrument{id_arg(args, 0, "track id"), "soundfont", preset, std::nullopt,
                                              std::move(font)});
        return;
    }
    for (std::size_t i = 0; i < n; i += shape->group) {
        if (a == "/note/add") {
            Note note;
            note.id = id_arg(args, i + 1, "note id", true);  // 0: the engine picks one
            note.start = args.number(i + 2, "start");
            note.length = args.number(i + 3, "length");
            note.pitch = small_int(args, i + 4, "pitch");
            note.velocity = small_int(args, i + 5, "velocity");
            edits.push_back(edit::NoteAdd{id_arg(args, i, "track id"), note});
        } else if (a == "/note/move") {
            edits.push_back(edit::NoteMove{id_arg(args, i, "note id"), args.number(i + 1, "start"), 0});
        } else if (a == "/note/track") {
            edits.push_back(
                edit::NoteMove{id_arg(args, i, "note id"), std::nullopt, id_arg(args, i + 1, "track id")});
        } else if (a == "/note/resize") {
            edits.push_back(edit::NoteResize{id_arg(args, i, "note id"), args.number(i + 1, "length")});
        } else if (a == "/note/delete") {
            edits.push_back(edit::NoteDelete{id_arg(args, i, "note id")});
        } else if (a == "/note/pitch") {
            edits.push_back(edit::NotePitch{id_arg(args, i, "note id"), small_int(args, i + 1, "pitch"),
                                            args.number(i + 2, "cents")});
        } else if (a == "/note/velocity") {
            edits.push_back(
                edit::NoteVelocity{id_arg(args, i, "note id"), small_int(args, i + 1, "velocity")});
        } else if (a == "/note/audition") {
            auditions.push_back(id_arg(args, i, "note id"));
        }
    }
}

namespace {

void write_edit(const Edit& e, std::vector<std::vector<std::uint8_t>>& out) {
    const auto id = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
    if (auto* add = std::get_if<edit::NoteAdd>(&e)) {
        const Note& n = add->note;
        out.push_back(OscOut("/note/add")
                          .h(id(add->track))
                          .h(id(n.id))
                          .d(n.start)
                          .d(n.length)
                          .i(n.pitch)
                          .i(n.velocity)
                          .bytes());
        if (n.cents != 0.0) out.push_back(OscOut("/note/pitch").h(id(n.id)).i(n.pitch).d(n.cents).bytes());
    } else if (auto* move = std::get_if<edit::NoteMove>(&e)) {
        if (move->start) out.push_back(OscOut("/note/move").h(id(move->id)).d(*move->start).bytes());
        if (move->track) out.push_back(OscOut("/note/track").h(id(move->id)).h(id(move->track)).bytes());
    } else if (auto* resize = std::get_if<edit::NoteResize>(&e)) {
        out.push_back(OscOut("/note/resize").h(id(resize->id)).d(resize->length).bytes());
    } else if (auto* del = std::get_if<edit::NoteDelete>(&e)) {
        out.push_back(OscOut("/note/delete").h(id(del->id)).bytes());
    } else if (auto* pitch = std::get_if<edit::NotePitch>(&e)) {
        out.push_back(OscOut("/note/pitch").h(id(pitch->id)).i(pitch->pitch).d(pitch->cents).bytes());
    } else if (auto* velocity = std::get_if<edit::NoteVelocity>(&e)) {
        out.push_back(OscOut("/note/velocity").h(id(velocity->id)).i(velocity->velocity).bytes());
    } else if (auto* track = std::get_if<edit::TrackAdd>(&e)) {
        const Track& t = track->track;
        OscOut m("/track/add");
        m.h(id(t.id))
            .s(t.name)
            .s(t.instrument)
            .s(t.preset)
            .i(static_cast<std::int32_t>(std::min<std::size_t>(track->index, INT32_MAX)))
            .i(t.midi_channel)
            .d(t.level)
            .d(t.pan)
            .i(t.mute ? 1 : 0)
            .i(t.solo ? 1 : 0);
        if (has_csound(t)) write_csound(m, t.orchestra, t.csound_instrument, t.parameters);
        out.push_back(m.bytes());
        if (t.instrument == "soundfont") write_soundfont(out, t.id, soundfont_of(t));
        if (t.instrument == "lv2") write_plugin(out, t.id, {t.plugin, t.parameters, t.plugin_state});
        if (!t.inserts.empty()) write_inserts(out, "/track/inserts", t.id, t.inserts);
        if (!t.sends.empty()) write_sends(out, t.id, t.sends);
    } else if (auto* remove = std::get_if<edit::TrackRemove>(&e)) {
        out.push_back(OscOut("/track/remove").h(id(remove->id)).bytes());
    } else if (auto* rename = std::get_if<edit::TrackRename>(&e)) {
        out.push_back(OscOut("/track/rename").h(id(rename->id)).s(rename->name).bytes());
    } else if (auto* tmove = std::get_if<edit::TrackMove>(&e)) {
        out.push_back(
            OscOut("/track/move").h(id(tmove->id)).i(static_cast<std::int32_t>(tmove->index)).bytes());
    } else if (auto* instrument = std::get_if<edit::TrackInstrument>(&e)) {
        OscOut m("/track/instrument");
        m.h(id(instrument->id)).s(instrument->instrument).s(instrument->preset);
        if (const auto& csound = instrument->csound)
            write_csound(m, csound->orchestra, csound->csound_instrument, csound->parameters);
        if (instrument->soundfont && instrument->instrument == "soundfont")
            write_soundfont(out, instrument->id, *instrument->soundfont);
        else if (instrument->lv2 && instrument->instrument == "lv2")
            write_plugin(out, instrument->id, *instrument->lv2);
        else
            out.push_back(m.bytes());
    } else if (auto* inserts = std::get_if<edit::TrackInserts>(&e)) {
        write_inserts(out, "/track/inserts", inserts->id, inserts->inserts);
    } else if (auto* sends = std::get_if<edit::TrackSends>(&e)) {
        write_sends(out, sends->id, sends->sends);
    } else if (auto* badd = std::get_if<edit::BusAdd>(&e)) {
        const Bus& b = badd->bus;
        out.push_back(OscOut("/bus/add")
                          .h(id(b.id))
                          .s(b.name)
                          .i(static_cast<std::int32_t>(std::min<std::size_t>(badd->index, INT32_MAX)))
                          .d(b.level)
                          .d(b.pan)
                          .i(b.mute ? 1 : 0)
                          .i(b.solo ? 1 : 0)
                          .bytes());
        if (!b.inserts.empty()) write_inserts(out, "/bus/inserts", b.id, b.inserts);
    } else if (auto* bremove = std::get_if<edit::BusRemove>(&e)) {
        out.push_back(OscOut("/bus/remove").h(id(bremove->id)).bytes());
    } else if (auto* brename = std::get_if<edit::BusRename>(&e)) {
        out.push_back(OscOut("/bus/rename").h(id(brename->id)).s(brename->name).bytes());
    } else if (auto* binserts = std::get_if<edit::BusInserts>(&e)) {
        write_inserts(out, "/bus/inserts", binserts->id, binserts->inserts);
    } else if (auto* minserts = std::get_if<edit::MasterInserts>(&e)) {
        write_inserts(out, "/master/inserts", std::nullopt, minserts->inserts);
    } else if (auto* tempo = std::get_if<edit::TempoReplace>(&e)) {
        OscOut m("/tempo/set");
        for (const TempoPoint& p : tempo->points) m.d(p.beat).d(p.bpm).i(p.ramp ? 1 : 0);
        out.push_back(m.bytes());
    } else if (auto* meter = std::get_if<edit::MeterReplace>(&e)) {
        OscOut m("/meter/set");
        for (const TimeSignature& t : meter->meter) m.i(t.bar).i(t.numerator).i(t.denominator);
        out.push_back(m.bytes());
    } else if (auto* markers = std::get_if<edit::MarkersReplace>(&e)) {
        OscOut m("/markers/set");
        for (const Marker& marker : markers->markers) m.d(marker.beat).s(marker.name);
        out.push_back(m.bytes());
    } else if (auto* controllers = std::get_if<edit::TrackControllers>(&e)) {
        OscOut m("/track/controllers");
        m.h(id(controllers->id));
        for (const ControllerEvent& c : controllers->events)
            m.d(c.beat).s(controller_kind_name(c.kind)).i(c.number).d(c.value);
        out.push_back(m.bytes());
    } else if (auto* set = std::get_if<edit::AutomationSet>(&e)) {
        OscOut m("/automation/set");
        m.s(automation_owner_name(set->target.owner)).h(id(set->target.id)).s(set->target.control);
        for (const AutomationPoint& p : set->points) m.d(p.beat).d(p.value).s(automation_shape_name(p.shape));
        out.push_back(m.bytes());
    } else if (auto* shift = std::get_if<edit::TimeShift>(&e)) {
        out.push_back(OscOut("/time/shift").d(shift->at).d(shift->by).i(shift->bar).i(shift->bars).bytes());
    }
}

}  // namespace

std::vector<std::vector<std::uint8_t>> edit_messages(const std::vector<Edit>& edits) {
    std::vector<std::vector<std::uint8_t>> messages;
    for (const Edit& e : edits) write_edit(e, messages);
    return messages;
}

std::vector<std::uint8_t> edit_batch_bundle(const EditBatch& batch) {
    std::vector<std::vector<std::uint8_t>> messages = edit_messages(batch.edits);
    messages.insert(messages.begin(), OscOut("/edited")
                                          .h(static_cast<std::int64_t>(batch.revision))
                                          .i(static_cast<std::int32_t>(messages.size()))
                                          .bytes());
    return osc_bundle(messages);
}

}  // namespace tactus
