#include "core/midi_convert.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <tuple>

#include "core/document_json.h"
#include "core/midi_tuning.h"

namespace tactus {

namespace {

constexpr int kDrumChannel = 9;  // MIDI channel 10

// Ticks -> beats for the file's division. SMPTE files are timed in seconds: at a constant 120 bpm a
// beat is half a second.
struct TickClock {
    explicit TickClock(const MidiDivision& d) {
        if (d.smpte) {
            const double fps = d.frames_per_second == 29 ? 30000.0 / 1001.0 : d.frames_per_second;
            beats_per_tick = 2.0 / (fps * d.ticks_per_frame);
        } else {
            beats_per_tick = 1.0 / d.ticks_per_quarter;
            ppq = d.ticks_per_quarter;
        }
    }
    double beat(std::uint64_t tick) const {
        // Divide (not multiply by a reciprocal) so that ticks on the grid give the exact beat k/ppq.
        return ppq ? double(tick) / ppq : double(tick) * beats_per_tick;
    }
    double beats_per_tick = 0.0;
    int ppq = 0;
};

struct OpenNote {
    std::uint64_t tick;
    int velocity;
};

// The notes and controllers of one (MIDI track, channel) while it is read.
struct ChannelTrack {
    Track track;
    std::map<int, std::deque<OpenNote>> open;  // by pitch: first in, first out
    bool has_program = false;
};

void add_tempo_and_meter(const MidiFile& file, const TickClock& clock, Document& doc,
                         std::vector<std::string>& warnings) {
    std::map<std::uint64_t, double> tempo;  // tick -> bpm; the last event on a tick wins
    std::map<std::uint64_t, std::pair<int, int>> meter;
    for (const MidiTrackChunk& t : file.tracks) {
        for (const MidiEvent& e : t.events) {
            if (e.kind != MidiEventKind::Meta) continue;
            if (e.meta_type == 0x51 && e.data.size() == 3 && !file.division.smpte) {
                const std::uint32_t usec =
                    (std::uint32_t(e.data[0]) << 16) | (std::uint32_t(e.data[1]) << 8) | e.data[2];
                if (usec == 0) {
                    warnings.push_back("tempo event of 0 µs per quarter at tick " + std::to_string(e.tick) +
                                       " ignored");
                    continue;
                }
                double bpm = 60e6 / usec;
                if (bpm < TempoMap::kMinBpm || bpm > TempoMap::kMaxBpm) {
                    warnings.push_back("tempo of " + std::to_string(bpm) + " bpm at tick " +
                                       std::to_string(e.tick) + " is outside 1..1000: clamped");
                    bpm = std::clamp(bpm, TempoMap::kMinBpm, TempoMap::kMaxBpm);
                }
                tempo[e.tick] = bpm;
            } else if (e.meta_type == 0x58 && e.data.size() >= 2) {
                meter[e.tick] = {e.data[0], 1 << std::min<int>(e.data[1], 6)};
            } else if (e.meta_type == 0x06) {
                doc.markers.push_back({clock.beat(e.tick), std::string(e.data.begin(), e.data.end())});
            }
        }
    }
    std::vector<TempoPoint> points;
    if (!tempo.count(0)) points.push_back({0.0, 120.0, false});  // MIDI's default tempo
    for (const auto& [tick, bpm] : tempo) points.push_back({clock.beat(tick), bpm, false});
    std::string error;
    if (auto map = TempoMap::from_points(points, &error)) doc.tempo = *map;

    doc.meter.clear();
    if (!meter.count(0)) doc.meter.push_back({0, 4, 4});
    double start_beat = 0.0;
    for (const auto& [tick, sig] : meter) {
        const double beat = clock.beat(tick);
        int bar = 0;
        if (!doc.meter.empty()) {
            const TimeSignature& prev = doc.meter.back();
            const double per_bar = prev.numerator * 4.0 / prev.denominator;
            const double bars = (beat - start_beat) / per_bar;
            bar = prev.bar + static_cast<int>(std::ceil(bars - 1e-9));
            if (std::abs(bars - std::round(bars)) > 1e-9)
                warnings.push_back("time signature at tick " + std::to_string(tick) +
                                   " is not on a bar line: it starts at the next bar");
            if (bar == prev.bar) {  // two on one bar: the later wins
                doc.meter.pop_back();
            } else {
                start_beat += (bar - prev.bar) * per_bar;
            }
        }
        if (sig.first < 1 || sig.first > 64) continue;
        doc.meter.push_back({bar, sig.first, sig.second});
    }
    if (doc.meter.empty()) doc.meter.push_back({0, 4, 4});
}

void close_note(ChannelTrack& ct, int pitch, std::uint64_t end_tick, const TickClock& clock, NoteId& next_id,
                const MidiScaleTuning& tuning, int channel) {
    auto it = ct.open.find(pitch);
    if (it == ct.open.end() || it->second.empty()) return;
    const OpenNote on = it->second.front();
    it->second.pop_front();
    Note n;
    n.id = next_id++;
    n.start = clock.beat(on.tick);
    n.length = clock.beat(end_tick) - n.start;
    n.pitch = pitch;
    n.velocity = std::clamp(on.velocity, 1, 127);
    n.cents = std::clamp(tuning.cents(channel, pitch, on.tick), -100.0, 100.0);
    ct.track.notes.push_back(n);
}

// A document holds positions up to kMaxDocumentBeat: what a file puts later is dropped (warning).
void clip_to_document_limits(Document& doc, std::vector<std::string>& warnings) {
    std::size_t dropped = 0;
    const auto past = [&](double beat) { return beat > kMaxDocumentBeat && ++dropped; };
    for (Track& t : doc.tracks) {
        std::erase_if(t.notes, [&](const Note& n) { return past(n.start); });
        for (Note& n : t.notes) n.length = std::min(n.length, kMaxDocumentBeat);
        std::erase_if(t.controllers, [&](const ControllerEvent& c) { return past(c.beat); });
    }
    std::erase_if(doc.markers, [&](const Marker& m) { return past(m.beat); });
    std::vector<TempoPoint> points = doc.tempo.points();
    std::erase_if(points, [&](const TempoPoint& p) { return past(p.beat); });
    std::string ignored;
    if (auto map = TempoMap::from_points(points, &ignored)) doc.tempo = *map;
    std::erase_if(doc.meter, [&](const TimeSignature& m) { return past(m.bar); });
    if (dropped)
        warnings.push_back(std::to_string(dropped) + " events after beat " +
                           std::to_string(int(kMaxDocumentBeat)) +
                           " (the longest a document holds) were dropped");
}

}  // namespace

std::string preset_for_gm_program(int program) {
    static constexpr const char* kFamilies[16] = {
        "pluck",  "pluck", "square", "pluck", "bass", "pad",   "pad",   "saw",    // piano .. brass
        "square", "sine",  "lead",   "pad",   "pad",  "pluck", "pluck", "sine"};  // reed .. sound effects
    return kFamilies[std::clamp(program, 0, 127) / 8];
}

int gm_program_for_preset(const std::string& preset) {
    static const std::map<std::string, int> kPrograms = {
        {"pluck", 24}, {"square", 80}, {"bass", 38},     {"pad", 88},  {"saw", 81},
        {"sine", 73},  {"lead", 84},   {"triangle", 74}, {"drums", 0}, {"click", 115}};
    const auto it = kPrograms.find(preset);
    return it == kPrograms.end() ? 0 : it->second;
}

void assign_general_midi_instruments(Document& doc, const std::string& font) {
    for (Track& track : doc.tracks) {
        if (track.midi_channel == 0) continue;
        const bool drums = track.midi_channel == kDrumChannel + 1;
        int program = 0;
        for (const ControllerEvent& c : track.controllers)
            if (c.kind == ControllerKind::ProgramChange) {
                program = c.number;
                break;
            }
        if (font.empty()) {
            track.instrument = "synth";
            track.preset = drums ? "drums" : preset_for_gm_program(program);
            track.soundfont.clear();
            track.bank = track.program = 0;
            track.drums = false;
        } else {
            track.instrument = "soundfont";
            track.soundfont = font;
            track.drums = drums;
            track.bank = drums ? 128 : 0;
            track.program = program;
            track.preset = std::to_string(track.bank) + ":" + std::to_string(program);
        }
    }
}

MidiImportResult import_midi(const MidiFile& file) {
    MidiImportResult result;
    Document doc;
    const TickClock clock(file.division);
    add_tempo_and_meter(file, clock, doc, result.warnings);
    const MidiScaleTuning tuning(file);  // scale/octave tuning SysEx: the notes' cents
    NoteId next_note = 1;
    std::size_t poly_pressure = 0;
    for (std::size_t t = 0; t < file.tracks.size(); ++t) {
        const MidiTrackChunk& chunk = file.tracks[t];
        std::string name;
        std::map<int, ChannelTrack> channels;
        for (const MidiEvent& e : chunk.events) {
            if (e.kind == MidiEventKind::Meta && e.meta_type == 0x03 && name.empty())
                name.assign(e.data.begin(), e.data.end());
            if (e.kind != MidiEventKind::Channel) continue;
            ChannelTrack& ct = channels[e.channel()];
            const double beat = clock.beat(e.tick);
            const int type = e.type();
            if (type == 0x90 && e.data[1] > 0) {
                ct.open[e.data[0]].push_back({e.tick, e.data[1]});
            } else if (type == 0x80 || type == 0x90) {
                close_note(ct, e.data[0], e.tick, clock, next_note, tuning, e.channel());
            } else if (type == 0xB0) {
                ct.track.controllers.push_back(
                    {beat, ControllerKind::ControlChange, e.data[0], double(e.data[1])});
            } else if (type == 0xC0) {
                if (!ct.has_program && e.channel() != kDrumChannel)
                    ct.track.preset = preset_for_gm_program(e.data[0]);
                ct.has_program = true;
                ct.track.controllers.push_back({beat, ControllerKind::ProgramChange, e.data[0], 0.0});
            } else if (type == 0xD0) {
                ct.track.controllers.push_back({beat, ControllerKind::ChannelPressure, 0, double(e.data[0])});
            } else if (type == 0xE0) {
                const int value = (e.data[1] << 7) | e.data[0];
                ct.track.controllers.push_back({beat, ControllerKind::PitchBend, 0, (value - 8192) / 8192.0});
            } else if (type == 0xA0) {
                ++poly_pressure;
            }
        }
        for (auto& [channel, ct] : channels) {
            std::size_t unclosed = 0;
            for (auto& [pitch, queue] : ct.open) {
                unclosed += queue.size();
                while (!queue.empty())
                    close_note(ct, pitch, chunk.end_tick, clock, next_note, tuning, channel);
            }
            if (unclosed)
                result.warnings.push_back("track " + std::to_string(t + 1) + ", channel " +
                                          std::to_string(channel + 1) + ": " + std::to_string(unclosed) +
                                          " notes never ended; closed at the track's end");
            if (ct.track.notes.empty() && ct.track.controllers.empty()) continue;
            Track& track = ct.track;
            track.id = TrackId(doc.tracks.size() + 1);
            track.midi_channel = channel + 1;
            const std::string base = name.empty() ? "Track " + std::to_string(t + 1) : name;
            track.name = channels.size() > 1 ? base + " (ch " + std::to_string(channel + 1) + ")" : base;
            if (channel == kDrumChannel)
                track.preset = "drums";
            else if (!ct.has_program)
                track.preset = preset_for_gm_program(0);
            std::stable_sort(track.notes.begin(), track.notes.end(),
                             [](const Note& a, const Note& b) { return a.start < b.start; });
            doc.tracks.push_back(std::move(track));
        }
    }
    if (poly_pressure)
        result.warnings.push_back(
            std::to_string(poly_pressure) +
            " polyphonic key pressure events have no place in a track and were dropped");
    clip_to_document_limits(doc, result.warnings);
    result.document = std::move(doc);
    return result;
}

MidiImportResult import_midi_file(const std::string& path) {
    MidiReadResult read = read_midi_file(path);
    MidiImportResult result;
    if (!read.file) {
        result.error = read.error;
        return result;
    }
    result = import_midi(*read.file);
    for (std::string& w : result.warnings) w = path + ": " + w;
    result.warnings.insert(result.warnings.begin(), read.warnings.begin(), read.warnings.end());
    if (result.document && result.document->title.empty()) {
        const auto slash = path.find_last_of('/');
        result.document->title = path.substr(slash == std::string::npos ? 0 : slash + 1);
    }
    return result;
}

namespace {

MidiEvent meta(std::uint64_t tick, std::uint8_t type, std::vector<std::uint8_t> data) {
    MidiEvent e;
    e.tick = tick;
    e.kind = MidiEventKind::Meta;
    e.status = 0xFF;
    e.meta_type = type;
    e.data = std::move(data);
    return e;
}

MidiEvent channel_event(std::uint64_t tick, int status, std::vector<std::uint8_t> data) {
    MidiEvent e;
    e.tick = tick;
    e.status = static_cast<std::uint8_t>(status);
    e.data = std::move(data);
    return e;
}

std::vector<std::uint8_t> text_bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

std::vector<std::uint8_t> tempo_bytes(double bpm) {
    const auto usec = static_cast<std::uint32_t>(std::lround(60e6 / bpm));
    return {std::uint8_t(usec >> 16), std::uint8_t(usec >> 8), std::uint8_t(usec)};
}

// Ordering of events on one tick: names first, note-offs before controllers before note-ons (a note
// ending where the next starts frees it first), and a zero-length note's off after its own on.
enum Rank { kMetaRank, kNoteOffRank, kControllerRank, kNoteOnRank, kTriggerOffRank };
struct Ranked {
    int rank;
    MidiEvent event;
};

}  // namespace

MidiExportResult export_midi(const Document& doc, int ticks_per_quarter) {
    MidiExportResult result;
    MidiFile& file = result.file;
    file.format = 1;
    file.division.ticks_per_quarter = ticks_per_quarter;
    const auto tick_of = [&](double beat) {
        return static_cast<std::uint64_t>(std::llround(beat * ticks_per_quarter));
    };

    MidiTrackChunk conductor;
    if (!doc.title.empty()) conductor.events.push_back(meta(0, 0x03, text_bytes(doc.title)));
    const auto& points = doc.tempo.points();
    for (std::size_t i = 0; i < points.size(); ++i) {
        conductor.events.push_back(meta(tick_of(points[i].beat), 0x51, tempo_bytes(points[i].bpm)));
        if (points[i].ramp && i + 1 < points.size()) {
            // SMF has no ramps: steps every 1/32 beat at the tempo in the middle of each step.
            for (double b = points[i].beat + 0.125; b < points[i + 1].beat - 1e-9; b += 0.125)
                conductor.events.push_back(meta(tick_of(b), 0x51, tempo_bytes(doc.tempo.bpm_at(b + 0.0625))));
        }
    }
    double beat = 0.0;
    for (std::size_t i = 0; i < doc.meter.size(); ++i) {
        const TimeSignature& m = doc.meter[i];
        if (i > 0) {
            const TimeSignature& prev = doc.meter[i - 1];
            beat += (m.bar - prev.bar) * prev.numerator * 4.0 / prev.denominator;
        }
        int power = 0;
        while ((1 << power) < m.denominator) ++power;
        conductor.events.push_back(
            meta(tick_of(beat), 0x58, {std::uint8_t(m.numerator), std::uint8_t(power), 24, 8}));
    }
    for (const Marker& m : doc.markers)
        conductor.events.push_back(meta(tick_of(m.beat), 0x06, text_bytes(m.name)));
    std::stable_sort(conductor.events.begin(), conductor.events.end(),
                     [](const MidiEvent& a, const MidiEvent& b) { return a.tick < b.tick; });
    conductor.end_tick = conductor.events.empty() ? 0 : conductor.events.back().tick;
    file.tracks.push_back(std::move(conductor));

    int next_channel = 0;
    std::size_t dropped_cents = 0;
    for (const Track& t : doc.tracks) {
        const bool soundfont = t.instrument == "soundfont";
        const bool drums = soundfont ? t.drums : t.preset == "drums";
        int channel = kDrumChannel;
        if (t.midi_channel != 0) {
            channel = t.midi_channel - 1;
        } else if (!drums) {
            if (next_channel == kDrumChannel) ++next_channel;
            if (next_channel > 15) {
                next_channel = 0;
                result.warnings.push_back("more than 15 melodic tracks: channels are shared from track '" +
                                          t.name + "'");
            }
            channel = next_channel++;
        }
        std::vector<Ranked> events;
        events.push_back({kMetaRank, meta(0, 0x03, text_bytes(t.name))});
        const bool has_program =
            std::any_of(t.controllers.begin(), t.controllers.end(), [](const ControllerEvent& c) {
                return c.kind == ControllerKind::ProgramChange && c.beat == 0.0;
            });
        if (channel != kDrumChannel && !has_program) {
            // A SoundFont track's own bank and program; a built-in preset's nearest General MIDI program.
            if (soundfont && t.bank != 0)
                events.push_back({kControllerRank, channel_event(0, 0xB0 | channel,
                                                                 {0, std::uint8_t(std::min(t.bank, 127))})});
            const int program = soundfont ? t.program : gm_program_for_preset(t.preset);
            events.push_back({kControllerRank, channel_event(0, 0xC0 | channel, {std::uint8_t(program)})});
        } else if (channel == kDrumChannel && soundfont && !has_program && t.program != 0) {
            events.push_back({kControllerRank, channel_event(0, 0xC0 | channel, {std::uint8_t(t.program)})});
        }
        for (const ControllerEvent& c : t.controllers) {
            const std::uint64_t tick = tick_of(c.beat);
            switch (c.kind) {
                case ControllerKind::ControlChange:
                    events.push_back({kControllerRank, channel_event(tick, 0xB0 | channel,
                                                                     {std::uint8_t(c.number),
                                                                      std::uint8_t(std::lround(c.value))})});
                    break;
                case ControllerKind::ProgramChange:
                    events.push_back(
                        {kControllerRank, channel_event(tick, 0xC0 | channel, {std::uint8_t(c.number)})});
                    break;
                case ControllerKind::ChannelPressure:
                    events.push_back({kControllerRank, channel_event(tick, 0xD0 | channel,
                                                                     {std::uint8_t(std::lround(c.value))})});
                    break;
                case ControllerKind::PitchBend: {
                    const int v =
                        std::clamp(static_cast<int>(std::lround(c.value * 8192.0)) + 8192, 0, 16383);
                    events.push_back(
                        {kControllerRank, channel_event(tick, 0xE0 | channel,
                                                        {std::uint8_t(v & 0x7F), std::uint8_t(v >> 7)})});
                    break;
                }
            }
        }
        for (const Note& n : t.notes) {
            if (n.cents != 0.0) ++dropped_cents;
            const std::uint64_t on = tick_of(n.start);
            const std::uint64_t off = std::max(on, tick_of(n.end()));
            events.push_back({kNoteOnRank, channel_event(on, 0x90 | channel,
                                                         {std::uint8_t(n.pitch), std::uint8_t(n.velocity)})});
            events.push_back({off == on ? kTriggerOffRank : kNoteOffRank,
                              channel_event(off, 0x80 | channel, {std::uint8_t(n.pitch), 64})});
        }
        std::stable_sort(events.begin(), events.end(), [](const Ranked& a, const Ranked& b) {
            return std::tuple(a.event.tick, a.rank) < std::tuple(b.event.tick, b.rank);
        });
        MidiTrackChunk chunk;
        for (Ranked& r : events) chunk.events.push_back(std::move(r.event));
        chunk.end_tick = chunk.events.back().tick;
        file.tracks.push_back(std::move(chunk));
    }
    if (dropped_cents)
        result.warnings.push_back(
            std::to_string(dropped_cents) +
            " notes have a cents offset, which a MIDI note cannot carry: written without it");
    return result;
}

}  // namespace tactus
