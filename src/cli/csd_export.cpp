#include "cli/csd_export.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "core/file_read.h"
#include "engine/csound/csound_orchestra.h"
#include "engine/score_snapshot.h"

namespace tactus {

namespace {

// The engine's CsoundInstrument holds this many notes at once, and gives a note's p1 the fraction
// (slot + 1) / 1000 of the lowest free slot (csound_instrument.h).
constexpr int kHeldSlots = 256;

// Controller channels as the host instrument's p4: 0..127 the CCs, then these.
constexpr int kSustainCode = 128, kBendCode = 129, kPressureCode = 130, kProgramCode = 131;

// Sets one of the tactus.* controller channels at init (p4 the channel, p5 the value), as the engine's
// CsoundInstrument::controller() does between k-cycles.
constexpr const char* kControllerInstrument = R"(
; Tactus's controller changes (tactus export): p4 the channel (0..127 tactus.ccN, 128 tactus.sustain,
; 129 tactus.bend, 130 tactus.pressure, 131 tactus.program), p5 its value, set before the k-cycle
; that holds the change, as Tactus sets it.
instr tactus_controller
  if p4 < 128 then
    Sname sprintf "tactus.cc%d", p4
    chnset p5, Sname
  elseif p4 == 128 then
    chnset p5, "tactus.sustain"
  elseif p4 == 129 then
    chnset p5, "tactus.bend"
  elseif p4 == 130 then
    chnset p5, "tactus.pressure"
  else
    chnset p5, "tactus.program"
  endif
endin
)";

std::string number(double value) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    return text;
}

// Csound's score reader truncates p2 * sr to the sample and picks the k-cycle by truncation too:
// +0.25 keeps the truncation on the frame (docs/research/csound-6.18-hosting.md, section 5).
double start_seconds(Frame frame, double rate) {
    return (static_cast<double>(frame) + 0.25) / rate;
}

// A note of `length` frames from `frame` ends on its last frame; one that ends on a k-cycle boundary is
// read a cycle long by Csound, so it is given a cycle less (section 5). +0.2, not +0.25, keeps a
// released note's end (p2 + p3, rounded to a k-cycle) off a tie at ksmps 1: as CsoundInstrument::p3_for.
double length_seconds(Frame frame, Frame length, int ksmps, double rate) {
    const Frame boundary = (frame + length) % ksmps == 0 ? ksmps : 0;
    double samples = static_cast<double>(length - boundary) + 0.2;
    if (samples <= 0.0) samples = static_cast<double>(length) - 0.5;
    return samples / rate;
}

struct TrackPlan {
    std::size_t index = 0;  // in the document
    int instrument = 0;     // Csound's number for the track's instrument
    std::array<VoiceKey, kHeldSlots> slot_keys{};
    std::array<bool, kHeldSlots> slot_used{};
    std::size_t dropped = 0;  // notes beyond kHeldSlots at once: the engine does not play them either
};

struct OrchestraPlan {
    std::string path;
    std::string text;  // the orchestra as the file has it (a .csd's <CsInstruments>)
    std::shared_ptr<CsoundOrchestra> orchestra;  // compiled at the export rate: ksmps, instrument numbers
    int ksmps = 1;
    std::vector<TrackPlan> tracks;
    std::string score;
    std::size_t notes = 0, controllers = 0;
    // The tracks' parameter values (the orchestra's input channels), clamped as the engine clamps them.
    std::map<std::string, double> parameters;
    // Controller changes of the current k-cycle, by channel: only the last of a cycle is heard.
    Frame cycle = -1;
    std::map<int, double> pending;
};

void flush_controllers(OrchestraPlan& plan, double rate) {
    for (const auto& [code, value] : plan.pending) {
        // Before every note of the cycle (their p2 are cycle + offset + 0.25 samples), so a note that
        // starts in the same cycle reads the new value at its init, as in Tactus.
        const double p2 = (static_cast<double>(plan.cycle) + 0.125) / rate;
        plan.score += "i \"tactus_controller\" " + number(p2) + " " + number(1.0 / rate) + " " +
                      std::to_string(code) + " " + number(value) + "\n";
        ++plan.controllers;
    }
    plan.pending.clear();
}

void add_controller(OrchestraPlan& plan, const ControllerEvent& c, Frame frame, double rate) {
    const Frame cycle = frame - frame % plan.ksmps;
    if (cycle != plan.cycle) {
        flush_controllers(plan, rate);
        plan.cycle = cycle;
    }
    switch (c.kind) {
        case ControllerKind::ControlChange:
            if (c.number < 0 || c.number > 127) return;
            plan.pending[c.number] = c.value;
            if (c.number == 64) plan.pending[kSustainCode] = c.value >= 64.0 ? 1.0 : 0.0;
            break;
        case ControllerKind::PitchBend:
            plan.pending[kBendCode] = c.value;
            break;
        case ControllerKind::ChannelPressure:
            plan.pending[kPressureCode] = c.value;
            break;
        case ControllerKind::ProgramChange:
            plan.pending[kProgramCode] = c.number;
            break;
    }
}

void add_note(OrchestraPlan& plan, TrackPlan& track, const ScoreEvent& on, double rate) {
    int slot = 0;
    while (slot < kHeldSlots && track.slot_used[std::size_t(slot)]) ++slot;
    if (slot == kHeldSlots) {
        ++track.dropped;
        return;
    }
    track.slot_used[std::size_t(slot)] = true;
    track.slot_keys[std::size_t(slot)] = on.key;
    // A zero-length note lasts one k-cycle (CsoundInstrument::score_note_on).
    const Frame length = on.off > on.frame ? on.off - on.frame : plan.ksmps;
    const double key = on.pitch + static_cast<double>(on.cents) / 100.0;
    const double p1 = track.instrument + (slot + 1) / 1000.0;
    plan.score += "i " + number(p1) + " " + number(start_seconds(on.frame, rate)) + " " +
                  number(length_seconds(on.frame, length, plan.ksmps, rate)) + " " + number(key) + " " +
                  std::to_string(on.velocity) + " " + number(440.0 * std::exp2((key - 69.0) / 12.0)) + "\n";
    ++plan.notes;
}

void release_note(TrackPlan& track, VoiceKey key) {
    for (int slot = 0; slot < kHeldSlots; ++slot)
        if (track.slot_used[std::size_t(slot)] && track.slot_keys[std::size_t(slot)] == key) {
            track.slot_used[std::size_t(slot)] = false;
            return;
        }
}

// `output` itself for the only orchestra; with several, "<output stem>-<orchestra stem>.csd" beside it
// (a number added when two orchestras share a stem).
std::string csd_path(const std::string& output, const std::vector<OrchestraPlan>& plans,
                     const OrchestraPlan& plan) {
    if (plans.size() == 1) return output;
    namespace fs = std::filesystem;
    const auto stem_of = [](const OrchestraPlan& p) { return fs::path(p.path).stem().string(); };
    int same = 0, index = 0;
    for (const OrchestraPlan& p : plans) {
        if (stem_of(p) != stem_of(plan)) continue;
        ++same;
        if (&p == &plan) index = same;
    }
    std::string name = fs::path(output).stem().string() + "-" + stem_of(plan);
    if (index > 1) name += "-" + std::to_string(index);
    return (fs::path(output).parent_path() / (name + ".csd")).string();
}

std::string track_label(const Document& doc, std::size_t i) {
    const Track& t = doc.tracks[i];
    return "track " + std::to_string(i + 1) + (t.name.empty() ? "" : " '" + t.name + "'");
}

std::string csd_text(const Document& doc, const OrchestraPlan& plan, const CsdExportOptions& options,
                     const std::string& sound_file) {
    std::string csd = "<CsoundSynthesizer>\n";
    csd += "; Exported by tactus export";
    if (!doc.title.empty()) csd += " from \"" + doc.title + "\"";
    csd += ": render with `csound THIS.csd` (sound file in <CsOptions>, -o to change it).\n";
    csd += "; Each note is an i-statement on the frame Tactus plays it on at " + number(options.sample_rate) +
           " Hz (sr must stay that rate):\n";
    csd += "; p1 instrument (fraction: Tactus's voice slot), p2 start + 0.25 sample, p3 length so that it\n";
    csd += "; ends on its last frame, p4 MIDI pitch + cents/100, p5 velocity, p6 Hz.\n";
    for (const TrackPlan& t : plan.tracks)
        csd += "; " + track_label(doc, t.index) + ": instrument " + std::to_string(t.instrument) +
               (doc.tracks[t.index].csound_instrument != std::to_string(t.instrument)
                    ? " (" + doc.tracks[t.index].csound_instrument + ")"
                    : "") +
               "\n";
    csd += "<CsOptions>\n";
    csd += "--sample-accurate -d -m0 -r " + number(options.sample_rate) + " -W -f -o " + sound_file + "\n";
    csd += "</CsOptions>\n<CsInstruments>\n";
    csd += plan.text;
    if (!plan.text.empty() && plan.text.back() != '\n') csd += "\n";
    if (!plan.parameters.empty()) {
        csd += "\n; The document's parameter values, set before the first note as Tactus sets them.\n";
        for (const auto& [name, value] : plan.parameters)
            csd += "chnset " + number(value) + ", \"" + name + "\"\n";
    }
    if (plan.controllers > 0) csd += kControllerInstrument;
    csd += "</CsInstruments>\n<CsScore>\n";
    csd += plan.score;
    csd += "e\n</CsScore>\n</CsoundSynthesizer>\n";
    return csd;
}

}  // namespace

CsdExportResult export_csound(const Document& doc, const CsdExportOptions& options) {
    CsdExportResult result;
    bool any_solo = false;
    for (const Track& t : doc.tracks) any_solo = any_solo || t.solo;

    std::vector<OrchestraPlan> plans;
    std::vector<int> plan_of(doc.tracks.size(), -1), track_in_plan(doc.tracks.size(), -1);
    for (std::size_t i = 0; i < doc.tracks.size(); ++i) {
        const Track& t = doc.tracks[i];
        if (t.instrument != "csound") {
            result.warnings.push_back(track_label(doc, i) + " left out: its instrument is '" + t.instrument +
                                      "', not a Csound orchestra");
            continue;
        }
        if (t.mute || (any_solo && !t.solo)) {
            result.warnings.push_back(track_label(doc, i) +
                                      (t.mute ? " left out: muted" : " left out: not soloed"));
            continue;
        }
        std::size_t p = 0;
        while (p < plans.size() && plans[p].path != t.orchestra) ++p;
        if (p == plans.size()) {
            OrchestraPlan plan;
            plan.path = t.orchestra;
            const FileReadResult file = read_regular_file(t.orchestra);
            std::string error;
            std::optional<CsoundSource> source;
            if (file.bytes)
                source = csound_source_of(*file.bytes, t.orchestra, &error);
            else
                error = t.orchestra + ": " + file.error;
            if (!source) {
                result.error = track_label(doc, i) + ": " + error;
                return result;
            }
            plan.text = source->orchestra;
            std::shared_ptr<CsoundOrchestra> orchestra =
                CsoundOrchestra::load(t.orchestra, options.sample_rate, &error, options.csound);
            if (!orchestra) {
                result.error = track_label(doc, i) + ": " + error;
                return result;
            }
            plan.ksmps = orchestra->ksmps();
            plan.orchestra = std::move(orchestra);
            plans.push_back(std::move(plan));
        }
        // The instrument's number, as the engine's factory finds it (a named one: Csound's number).
        const auto instrument = plans[p].orchestra->instrument_number(t.csound_instrument);
        if (!instrument) {
            result.error =
                track_label(doc, i) + ": " + t.orchestra + " has no instrument '" + t.csound_instrument + "'";
            return result;
        }
        // The parameters the document set that the orchestra offers (CsoundInstrument::parameters()).
        for (const auto& [name, value] : t.parameters) {
            for (const CsoundChannel& c : plans[p].orchestra->channels()) {
                if (c.name != name || c.kind != CsoundChannel::Kind::Control || !c.input ||
                    name.rfind("tactus.", 0) == 0)
                    continue;
                const double clamped =
                    c.minimum < c.maximum ? std::clamp(value, c.minimum, c.maximum) : value;
                const auto [at, added] = plans[p].parameters.emplace(name, clamped);
                if (!added && at->second != clamped)
                    result.warnings.push_back(track_label(doc, i) + ": parameter '" + name +
                                              "' = " + number(clamped) + " left out: another track on " +
                                              t.orchestra + " sets it to " + number(at->second) +
                                              ", and in the .csd they share it");
            }
        }
        TrackPlan track;
        track.index = i;
        track.instrument = *instrument;
        plan_of[i] = static_cast<int>(p);
        track_in_plan[i] = static_cast<int>(plans[p].tracks.size());
        plans[p].tracks.push_back(track);
    }
    if (plans.empty()) {
        result.error = "no track to export: none plays a Csound orchestra (and is heard)";
        return result;
    }

    // The engine's own frames: every event in the order the sequencer plays them.
    const auto snapshot = ScoreSnapshot::build(doc, options.sample_rate);
    const std::span<const ControllerEvent> controllers = snapshot->controllers();
    snapshot->for_each_event([&](const ScoreEvent& e) {
        if (e.track >= doc.tracks.size() || plan_of[e.track] < 0) return;
        OrchestraPlan& plan = plans[std::size_t(plan_of[e.track])];
        TrackPlan& track = plan.tracks[std::size_t(track_in_plan[e.track])];
        switch (e.kind) {
            case ScoreEventKind::NoteOn:
                add_note(plan, track, e, options.sample_rate);
                break;
            case ScoreEventKind::NoteOff:
            case ScoreEventKind::ZeroLengthNoteOff:
                release_note(track, e.key);
                break;
            case ScoreEventKind::Controller:
                if (e.controller < controllers.size())
                    add_controller(plan, controllers[e.controller], e.frame, options.sample_rate);
                break;
            case ScoreEventKind::Automation:  // the mix is Tactus's: a .csd plays the instruments
                break;
        }
    });
    for (OrchestraPlan& plan : plans) {
        flush_controllers(plan, options.sample_rate);
        // In Tactus each track has a Csound of its own; in the .csd they share one, and its channels.
        std::size_t with_controllers = 0;
        for (const TrackPlan& t : plan.tracks)
            with_controllers += doc.tracks[t.index].controllers.empty() ? 0 : 1;
        if (with_controllers > 1)
            result.warnings.push_back(
                std::to_string(with_controllers) + " tracks on " + plan.path +
                " have controller changes: in the .csd they share its tactus.* channels");
        for (const TrackPlan& t : plan.tracks)
            if (t.dropped > 0)
                result.warnings.push_back(track_label(doc, t.index) + ": " + std::to_string(t.dropped) +
                                          " notes left out: more than " + std::to_string(kHeldSlots) +
                                          " at once (Tactus does not play them either)");
        CsdFile file;
        file.path = csd_path(options.output, plans, plan);
        file.sound_file = std::filesystem::path(file.path).stem().string() + ".wav";
        file.orchestra = plan.path;
        for (const TrackPlan& t : plan.tracks) file.tracks.push_back(t.index);
        file.notes = plan.notes;
        file.controllers = plan.controllers;
        file.text = csd_text(doc, plan, options, file.sound_file);
        result.files.push_back(std::move(file));
    }
    return result;
}

}  // namespace tactus
