#include "engine/soundfont/pdta_reader.h"

#include <algorithm>
#include <string>
#include <vector>

#include "engine/soundfont/riff_chunks.h"

namespace tactus::sf2 {

namespace {

constexpr std::size_t kPhdrSize = 38, kBagSize = 4, kModSize = 10, kGenSize = 4, kInstSize = 22,
                      kShdrSize = 46;

// A table's records: count and the file offset of record i (for messages).
struct Records {
    const PdtaTable* table;
    const char* name;
    std::size_t record_size;
    std::size_t count() const { return table->bytes.size() / record_size; }
    const char* at(std::size_t i) const { return table->bytes.data() + i * record_size; }
    std::uint64_t offset(std::size_t i) const { return table->offset + 8 + i * record_size; }
};

Records checked_table(const PdtaTable& table, const char* name, std::size_t record_size,
                      std::uint64_t pdta_offset) {
    if (!table.present) throw FormatError{pdta_offset, std::string("pdta list has no '") + name + "' chunk"};
    if (table.bytes.size() % record_size != 0) {
        throw FormatError{table.offset,
                          std::string("'") + name + "' chunk size " + std::to_string(table.bytes.size()) +
                              " is not a multiple of its record size " + std::to_string(record_size)};
    }
    return Records{&table, name, record_size};
}

// Generator numbers the spec defines (the "unused" and "reserved" ones, and anything past
// endOper, are ignored as the spec says).
bool defined_generator(unsigned g) {
    if (g >= EndOper) return false;
    switch (g) {
        case 14:
        case 18:
        case 19:
        case 20:
        case 42:
        case 49:
        case 55:
        case 59:
            return false;
        default:
            return true;
    }
}

// A modulator source the synthesis can evaluate (FluidSynth's fluid_mod_check_sources): a defined
// general controller or a MIDI CC that is not a bank select, data entry, LSB, (N)RPN or channel mode
// message; the curve type one of the four defined. `primary`: "no controller" makes the modulator
// useless (always 0), so it is dropped; as a secondary source it means 1.
bool valid_source(std::uint16_t source, bool primary) {
    const unsigned index = source & 0x7FU;
    const bool cc = (source & 0x80U) != 0;
    const unsigned curve = source >> 10;
    if (curve > 3) return false;
    if (cc) {
        return !(index == 0 || index == 6 || (index >= 32 && index <= 63) || (index >= 98 && index <= 101) ||
                 index >= 120);
    }
    switch (index) {
        case NoController:
            return !primary;
        case NoteOnVelocity:
        case NoteOnKeyNumber:
        case PolyPressure:
        case ChannelPressure:
        case PitchWheel:
        case PitchWheelSensitivity:
            return true;
        default:
            return false;  // includes Link (127): linked modulators are not supported
    }
}

struct RawZone {
    Zone zone;
    bool has_target = false;
    std::uint64_t target_offset = 0;  // of the Instrument/SampleID generator record
};

// The zones of one header (preset or instrument) from its bags, with FluidSynth's tolerance for
// generator order: a KeyRange that is not first, a VelRange after anything but a KeyRange, generators
// after the Instrument/SampleID one, unknown generators: ignored; a repeated generator replaces the
// earlier one. Identical modulators in one zone: the first is kept (spec 9.5.1).
struct ZoneTables {
    Records bags, mods, gens;
    bool preset;  // preset level (Instrument ends a zone) or instrument level (SampleID ends it)
};

RawZone read_zone(const ZoneTables& t, std::size_t bag) {
    RawZone raw;
    Zone& zone = raw.zone;
    const std::size_t gen_begin = le16(t.bags.at(bag)), gen_end = le16(t.bags.at(bag + 1));
    const std::size_t mod_begin = le16(t.bags.at(bag) + 2), mod_end = le16(t.bags.at(bag + 1) + 2);
    const Gen target_gen = t.preset ? InstrumentId : SampleId;
    int level = 0;  // 0: nothing yet, 1: KeyRange seen, 2: anything else seen
    for (std::size_t i = gen_begin; i < gen_end; ++i) {
        const char* rec = t.gens.at(i);
        const unsigned g = le16(rec);
        if (g == target_gen) {
            zone.target = le16(rec + 2);
            raw.has_target = true;
            raw.target_offset = t.gens.offset(i);
            break;  // the rest of this zone's generators are ignored
        }
        if (g == KeyRange || g == VelRange) {
            if ((g == KeyRange && level != 0) || (g == VelRange && level > 1)) continue;
            level = g == KeyRange ? 1 : 2;
            const auto low = static_cast<std::uint8_t>(rec[2]), high = static_cast<std::uint8_t>(rec[3]);
            if (g == KeyRange) {
                zone.key_low = low;
                zone.key_high = high;
            } else {
                zone.velocity_low = low;
                zone.velocity_high = high;
            }
        } else {
            level = 2;
            if (!defined_generator(g) || g == InstrumentId || g == SampleId) continue;
            if (t.preset && instrument_only(g)) continue;
        }
        zone.values[g] = static_cast<std::int16_t>(le16(rec + 2));
        zone.set |= std::uint64_t{1} << g;
    }
    for (std::size_t i = mod_begin; i < mod_end; ++i) {
        const char* rec = t.mods.at(i);
        Modulator m;
        m.source = le16(rec);
        m.destination = le16(rec + 2);
        m.amount = static_cast<std::int16_t>(le16(rec + 4));
        m.amount_source = le16(rec + 6);
        m.transform = le16(rec + 8);
        // Linked modulators (destination bit 15) and destinations that are no generator are dropped;
        // Pitch (59) is accepted, it is where the pitch wheel modulator goes.
        if ((m.destination & 0x8000U) != 0 || (!defined_generator(m.destination) && m.destination != Pitch))
            continue;
        if (!valid_source(m.source, true) || !valid_source(m.amount_source, false)) continue;
        if (m.transform != 0 && m.transform != 2) continue;
        const bool duplicate = std::any_of(zone.modulators.begin(), zone.modulators.end(),
                                           [&](const Modulator& o) { return o.identical(m); });
        if (!duplicate) zone.modulators.push_back(m);
    }
    return raw;
}

// Global zone folded into a local one: its generators where the local zone sets none, its ranges
// where the local zone has none, its modulators unless the local zone has an identical one.
void fold_global(const Zone& global, Zone& local) {
    for (unsigned g = 0; g < static_cast<unsigned>(kGenCount); ++g) {
        if (global.has(static_cast<Gen>(g)) && !local.has(static_cast<Gen>(g)))
            local.values[g] = global.values[g];
    }
    if (!local.has(KeyRange)) {
        local.key_low = global.key_low;
        local.key_high = global.key_high;
    }
    if (!local.has(VelRange)) {
        local.velocity_low = global.velocity_low;
        local.velocity_high = global.velocity_high;
    }
    local.set |= global.set;
    std::vector<Modulator> merged = global.modulators;
    for (const Modulator& m : local.modulators) {
        auto same =
            std::find_if(merged.begin(), merged.end(), [&](const Modulator& o) { return o.identical(m); });
        if (same != merged.end()) {
            *same = m;
        } else {
            merged.push_back(m);
        }
    }
    local.modulators = std::move(merged);
}

// Bag indices of headers (phdr/inst) and generator/modulator indices of bags: non-decreasing, the
// terminal record's index counting every record of the next table (the generator and modulator
// tables may lack their own terminal record, as FluidSynth tolerates).
void check_header_bags(const Records& headers, const Records& bags, std::size_t name_size) {
    if (headers.count() < 1)
        throw FormatError{headers.table->offset,
                          std::string("'") + headers.name + "' chunk has no terminal record"};
    if (bags.count() < 1)
        throw FormatError{bags.table->offset,
                          std::string("'") + bags.name + "' chunk has no terminal record"};
    std::size_t previous = 0;
    const std::size_t bag_offset = name_size + (headers.record_size == kPhdrSize ? 4 : 0);
    for (std::size_t i = 0; i < headers.count(); ++i) {
        const std::size_t bag = le16(headers.at(i) + bag_offset);
        if (bag < previous) {
            throw FormatError{headers.offset(i),
                              std::string("'") + headers.name + "' record " + std::to_string(i) +
                                  ": bag index " + std::to_string(bag) + " is less than the previous one (" +
                                  std::to_string(previous) + ")"};
        }
        previous = bag;
    }
    if (previous != bags.count() - 1) {
        throw FormatError{headers.offset(headers.count() - 1),
                          std::string("'") + headers.name + "' terminal record: bag index " +
                              std::to_string(previous) + ", but '" + bags.name + "' has " +
                              std::to_string(bags.count() - 1) + " bags and a terminal record"};
    }
}

void check_bag_indices(const Records& bags, const Records& items, std::size_t field) {
    std::size_t previous = 0;
    for (std::size_t i = 0; i < bags.count(); ++i) {
        const std::size_t index = le16(bags.at(i) + field);
        if (index < previous) {
            throw FormatError{bags.offset(i), std::string("'") + bags.name + "' record " + std::to_string(i) +
                                                  ": '" + items.name + "' index " + std::to_string(index) +
                                                  " is less than the previous one (" +
                                                  std::to_string(previous) + ")"};
        }
        if (index > items.count()) {
            throw FormatError{bags.offset(i), std::string("'") + bags.name + "' record " + std::to_string(i) +
                                                  ": '" + items.name + "' index " + std::to_string(index) +
                                                  " is past its " + std::to_string(items.count()) +
                                                  " records"};
        }
        previous = index;
    }
    if (previous + 1 < items.count()) {
        throw FormatError{bags.offset(bags.count() - 1),
                          std::string("'") + bags.name + "' terminal record: '" + items.name + "' index " +
                              std::to_string(previous) + ", but the chunk has " +
                              std::to_string(items.count()) + " records"};
    }
}

// The zones of header i: [bag of i, bag of i+1), global zone folded in. The first zone without a
// target is the global zone wherever it is (FluidSynth moves it first); later ones are dropped.
std::vector<Zone> read_zones(const ZoneTables& t, const Records& headers, std::size_t i,
                             std::size_t bag_field, std::size_t target_count, const char* target_name) {
    const std::size_t begin = le16(headers.at(i) + bag_field), end = le16(headers.at(i + 1) + bag_field);
    std::vector<Zone> zones;
    Zone global;
    bool have_global = false;
    for (std::size_t bag = begin; bag < end; ++bag) {
        RawZone raw = read_zone(t, bag);
        if (!raw.has_target) {
            if (!have_global) {
                global = std::move(raw.zone);
                have_global = true;
            }
            continue;
        }
        if (raw.zone.target >= target_count) {
            throw FormatError{raw.target_offset, std::string("'") + headers.name + "' record " +
                                                     std::to_string(i) + " ('" +
                                                     fixed_name(headers.at(i), 20) + "'): a zone refers to " +
                                                     target_name + " " + std::to_string(raw.zone.target) +
                                                     ", the font has " + std::to_string(target_count)};
        }
        zones.push_back(std::move(raw.zone));
    }
    if (have_global) {
        for (Zone& zone : zones) fold_global(global, zone);
    }
    return zones;
}

std::vector<Sample> read_samples(const Records& shdr, SampleChunkSize smpl) {
    if (shdr.count() < 1) throw FormatError{shdr.table->offset, "'shdr' chunk has no terminal record"};
    std::vector<Sample> samples;
    samples.reserve(shdr.count() - 1);
    for (std::size_t i = 0; i + 1 < shdr.count(); ++i) {
        const char* rec = shdr.at(i);
        Sample s;
        s.name = fixed_name(rec, 20);
        s.start = le32(rec + 20);
        s.end = le32(rec + 24);
        s.loop_start = le32(rec + 28);
        s.loop_end = le32(rec + 32);
        s.sample_rate = le32(rec + 36);
        const auto pitch = static_cast<std::uint8_t>(rec[40]);
        s.original_key = pitch > 127 ? 60 : pitch;  // 255 means unpitched; FluidSynth takes 60 for any >127
        s.correction = static_cast<std::int8_t>(rec[41]);
        s.link = le16(rec + 42);
        s.type = le16(rec + 44);
        const std::string where = "sample " + std::to_string(i) + " ('" + s.name + "')";
        if ((s.type & kSampleTypeRom) != 0) {
            // ROM samples live in a sound card we do not have (FluidSynth ignores them): no data.
            s.start = s.end = s.loop_start = s.loop_end = 0;
            samples.push_back(std::move(s));
            continue;
        }
        const bool vorbis = (s.type & kSampleTypeVorbis) != 0;
        const std::uint64_t limit = vorbis ? smpl.bytes : smpl.frames;
        if (s.end > limit || s.start > s.end) {
            throw FormatError{shdr.offset(i), where + ": data [" + std::to_string(s.start) + ", " +
                                                  std::to_string(s.end) +
                                                  ") is not within the sample chunk (" +
                                                  std::to_string(limit) + (vorbis ? " bytes)" : " frames)")};
        }
        if (s.sample_rate == 0) throw FormatError{shdr.offset(i), where + ": sample rate 0"};
        if (!vorbis) {
            if (s.end - s.start < 4) {
                // Too short to interpolate over (FluidSynth disables these too): plays nothing.
                s.start = s.end = s.loop_start = s.loop_end = 0;
            } else {
                fix_up_loop(s, smpl.frames);
            }
        }
        samples.push_back(std::move(s));
    }
    return samples;
}

}  // namespace

void fix_up_loop(Sample& s, std::uint64_t data_frames) {
    const bool bad_start = s.loop_start < s.start || s.loop_start >= s.loop_end;
    const bool bad_end = s.loop_end > data_frames || s.loop_start >= s.loop_end;
    if (bad_start) s.loop_start = s.start;
    if (bad_end) s.loop_end = s.end;
    if (s.loop_start >= s.loop_end) {  // both fixed up and still empty (start == end): no loop at all
        s.loop_start = s.start;
        s.loop_end = s.end;
    }
}

void read_pdta(const PdtaTables& tables, SampleChunkSize smpl, SoundFont& font) {
    const std::uint64_t at = tables.phdr.offset;
    const Records phdr = checked_table(tables.phdr, "phdr", kPhdrSize, at);
    const Records pbag = checked_table(tables.pbag, "pbag", kBagSize, at);
    const Records pmod = checked_table(tables.pmod, "pmod", kModSize, at);
    const Records pgen = checked_table(tables.pgen, "pgen", kGenSize, at);
    const Records inst = checked_table(tables.inst, "inst", kInstSize, at);
    const Records ibag = checked_table(tables.ibag, "ibag", kBagSize, at);
    const Records imod = checked_table(tables.imod, "imod", kModSize, at);
    const Records igen = checked_table(tables.igen, "igen", kGenSize, at);
    const Records shdr = checked_table(tables.shdr, "shdr", kShdrSize, at);

    check_header_bags(phdr, pbag, 20);
    check_header_bags(inst, ibag, 20);
    check_bag_indices(pbag, pgen, 0);
    check_bag_indices(pbag, pmod, 2);
    check_bag_indices(ibag, igen, 0);
    check_bag_indices(ibag, imod, 2);

    font.samples = read_samples(shdr, smpl);

    const ZoneTables izones{ibag, imod, igen, false};
    font.instruments.reserve(inst.count() - 1);
    for (std::size_t i = 0; i + 1 < inst.count(); ++i) {
        struct Instrument instrument;
        instrument.name = fixed_name(inst.at(i), 20);
        instrument.zones = read_zones(izones, inst, i, 20, font.samples.size(), "sample");
        font.instruments.push_back(std::move(instrument));
    }

    const ZoneTables pzones{pbag, pmod, pgen, true};
    font.presets.reserve(phdr.count() - 1);
    for (std::size_t i = 0; i + 1 < phdr.count(); ++i) {
        Preset preset;
        preset.name = fixed_name(phdr.at(i), 20);
        preset.program = le16(phdr.at(i) + 20);
        preset.bank = le16(phdr.at(i) + 22);
        preset.zones = read_zones(pzones, phdr, i, 24, font.instruments.size(), "instrument");
        font.presets.push_back(std::move(preset));
    }
    std::stable_sort(font.presets.begin(), font.presets.end(), [](const Preset& a, const Preset& b) {
        return a.bank != b.bank ? a.bank < b.bank : a.program < b.program;
    });
}

}  // namespace tactus::sf2
