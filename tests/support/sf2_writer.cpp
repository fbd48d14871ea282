#include "support/sf2_writer.h"

#include <sndfile.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tactus::test {

namespace {

constexpr std::size_t kPadding = 46;  // zero frames after each sample (spec 7.10)

void u8(std::string& b, unsigned v) {
    b.push_back(static_cast<char>(v & 0xFF));
}
void u16(std::string& b, unsigned v) {
    u8(b, v);
    u8(b, v >> 8);
}
void u32(std::string& b, std::uint32_t v) {
    u16(b, v & 0xFFFF);
    u16(b, v >> 16);
}
void name20(std::string& b, const std::string& s) {
    std::string n = s.substr(0, 20);
    n.resize(20, '\0');
    b += n;
}

// One chunk: id, size, payload, pad byte. `offsets` records where each id first appears.
struct Out {
    std::string bytes;
    std::map<std::string, std::size_t, std::less<>>* offsets;
    void chunk(const char* id, const std::string& payload) {
        offsets->emplace(id, bytes.size());
        bytes.append(id, 4);
        u32(bytes, static_cast<std::uint32_t>(payload.size()));
        bytes += payload;
        if (payload.size() % 2 != 0) bytes.push_back('\0');
    }
};

// libsndfile virtual I/O writing into a string (Ogg Vorbis encoding for SF3).
struct Sink {
    std::string bytes;
    sf_count_t position = 0;
};
sf_count_t sink_length(void* u) {
    return static_cast<sf_count_t>(static_cast<Sink*>(u)->bytes.size());
}
sf_count_t sink_seek(sf_count_t offset, int whence, void* u) {
    auto* s = static_cast<Sink*>(u);
    if (whence == SEEK_SET) s->position = offset;
    if (whence == SEEK_CUR) s->position += offset;
    if (whence == SEEK_END) s->position = static_cast<sf_count_t>(s->bytes.size()) + offset;
    return s->position;
}
sf_count_t sink_read(void* dst, sf_count_t n, void* u) {
    auto* s = static_cast<Sink*>(u);
    const sf_count_t left = std::max<sf_count_t>(0, static_cast<sf_count_t>(s->bytes.size()) - s->position);
    n = std::min(n, left);
    std::memcpy(dst, s->bytes.data() + s->position, static_cast<std::size_t>(n));
    s->position += n;
    return n;
}
sf_count_t sink_write(const void* src, sf_count_t n, void* u) {
    auto* s = static_cast<Sink*>(u);
    const auto end = static_cast<std::size_t>(s->position + n);
    if (s->bytes.size() < end) s->bytes.resize(end);
    std::memcpy(s->bytes.data() + s->position, src, static_cast<std::size_t>(n));
    s->position += n;
    return n;
}
sf_count_t sink_tell(void* u) {
    return static_cast<Sink*>(u)->position;
}

std::string encode_vorbis(const Sf2Sample& sample) {
    Sink sink;
    SF_VIRTUAL_IO io{sink_length, sink_seek, sink_read, sink_write, sink_tell};
    SF_INFO info{};
    info.samplerate = static_cast<int>(sample.rate);
    info.channels = 1;
    info.format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    SNDFILE* f = sf_open_virtual(&io, SFM_WRITE, &info, &sink);
    if (f == nullptr) throw std::runtime_error(std::string("Ogg Vorbis encoder: ") + sf_strerror(nullptr));
    sf_writef_short(f, sample.frames.data(), static_cast<sf_count_t>(sample.frames.size()));
    sf_close(f);
    return sink.bytes;
}

void write_gens(std::string& gen, const std::optional<Sf2Range>& keys, const std::optional<Sf2Range>& vels,
                const std::vector<Sf2GenValue>& gens, int target, sf2::Gen target_gen) {
    if (keys) {
        u16(gen, sf2::KeyRange);
        u8(gen, static_cast<unsigned>(keys->low));
        u8(gen, static_cast<unsigned>(keys->high));
    }
    if (vels) {
        u16(gen, sf2::VelRange);
        u8(gen, static_cast<unsigned>(vels->low));
        u8(gen, static_cast<unsigned>(vels->high));
    }
    for (const Sf2GenValue& g : gens) {
        u16(gen, g.gen);
        u16(gen, static_cast<unsigned>(g.amount) & 0xFFFF);
    }
    if (target >= 0) {
        u16(gen, target_gen);
        u16(gen, static_cast<unsigned>(target));
    }
}

void write_mods(std::string& mod, const std::vector<sf2::Modulator>& mods) {
    for (const sf2::Modulator& m : mods) {
        u16(mod, m.source);
        u16(mod, m.destination);
        u16(mod, static_cast<std::uint16_t>(m.amount));
        u16(mod, m.amount_source);
        u16(mod, m.transform);
    }
}

std::size_t records(const std::string& table, std::size_t size) {
    return table.size() / size;
}

}  // namespace

int Sf2Writer::add_sample(Sf2Sample sample) {
    samples_.push_back(std::move(sample));
    return static_cast<int>(samples_.size()) - 1;
}

int Sf2Writer::add_sample(std::string name, std::vector<std::int16_t> frames, std::uint32_t rate,
                          int root_key, std::uint32_t loop_start, std::uint32_t loop_end) {
    Sf2Sample s;
    s.name = std::move(name);
    s.frames = std::move(frames);
    s.rate = rate;
    s.root_key = root_key;
    s.loop_start = loop_start;
    s.loop_end = loop_end;
    return add_sample(std::move(s));
}

int Sf2Writer::add_instrument(std::string name, std::vector<Sf2InstrumentZone> zones) {
    instruments_.push_back({std::move(name), std::move(zones)});
    return static_cast<int>(instruments_.size()) - 1;
}

int Sf2Writer::add_preset(std::string name, int bank, int program, std::vector<Sf2PresetZone> zones) {
    presets_.push_back({std::move(name), bank, program, std::move(zones)});
    return static_cast<int>(presets_.size()) - 1;
}

std::string Sf2Writer::bytes() const {
    offsets_.clear();
    // sdta: the samples one after another, each followed by the spec's 46 zero frames (SF3: the Ogg
    // streams one after another, positions in bytes).
    std::string smpl, sm24, shdr;
    for (const Sf2Sample& s : samples_) {
        std::uint32_t start, end, loop_start, loop_end;
        if (compress_) {
            start = static_cast<std::uint32_t>(smpl.size());
            smpl += encode_vorbis(s);
            end = static_cast<std::uint32_t>(smpl.size());
            loop_start = s.loop_start;
            loop_end = s.loop_end;
        } else {
            start = static_cast<std::uint32_t>(smpl.size() / 2);
            for (std::size_t i = 0; i < s.frames.size(); ++i) {
                u16(smpl, static_cast<std::uint16_t>(s.frames[i]));
                u8(sm24, i < s.low_bytes.size() ? s.low_bytes[i] : 0);
            }
            end = static_cast<std::uint32_t>(smpl.size() / 2);
            for (std::size_t i = 0; i < kPadding; ++i) {
                u16(smpl, 0);
                u8(sm24, 0);
            }
            loop_start = start + s.loop_start;
            loop_end = start + s.loop_end;
        }
        name20(shdr, s.name);
        u32(shdr, start);
        u32(shdr, end);
        u32(shdr, loop_start);
        u32(shdr, loop_end);
        u32(shdr, s.rate);
        u8(shdr, static_cast<unsigned>(s.root_key));
        u8(shdr, static_cast<unsigned>(s.correction));
        u16(shdr, s.link);
        u16(shdr, static_cast<unsigned>(s.type | (compress_ ? 0x10 : 0)));
    }
    name20(shdr, "EOS");
    shdr.append(26, '\0');

    std::string inst, ibag, imod, igen;
    for (const Instrument& in : instruments_) {
        name20(inst, in.name);
        u16(inst, static_cast<unsigned>(records(ibag, 4)));
        for (const Sf2InstrumentZone& z : in.zones) {
            u16(ibag, static_cast<unsigned>(records(igen, 4)));
            u16(ibag, static_cast<unsigned>(records(imod, 10)));
            write_gens(igen, z.keys, z.velocities, z.gens, z.sample, sf2::SampleId);
            write_mods(imod, z.mods);
        }
    }
    name20(inst, "EOI");
    u16(inst, static_cast<unsigned>(records(ibag, 4)));
    u16(ibag, static_cast<unsigned>(records(igen, 4)));
    u16(ibag, static_cast<unsigned>(records(imod, 10)));
    igen.append(4, '\0');
    imod.append(10, '\0');

    std::string phdr, pbag, pmod, pgen;
    for (const Preset& p : presets_) {
        name20(phdr, p.name);
        u16(phdr, static_cast<unsigned>(p.program));
        u16(phdr, static_cast<unsigned>(p.bank));
        u16(phdr, static_cast<unsigned>(records(pbag, 4)));
        u32(phdr, 0);
        u32(phdr, 0);
        u32(phdr, 0);
        for (const Sf2PresetZone& z : p.zones) {
            u16(pbag, static_cast<unsigned>(records(pgen, 4)));
            u16(pbag, static_cast<unsigned>(records(pmod, 10)));
            write_gens(pgen, z.keys, z.velocities, z.gens, z.instrument, sf2::InstrumentId);
            write_mods(pmod, z.mods);
        }
    }
    name20(phdr, "EOP");
    u16(phdr, 0);
    u16(phdr, 0);
    u16(phdr, static_cast<unsigned>(records(pbag, 4)));
    phdr.append(12, '\0');
    u16(pbag, static_cast<unsigned>(records(pgen, 4)));
    u16(pbag, static_cast<unsigned>(records(pmod, 10)));
    pgen.append(4, '\0');
    pmod.append(10, '\0');

    const auto version = version_.value_or(compress_ ? std::pair{3, 1}
                                           : sm24_   ? std::pair{2, 4}
                                                     : std::pair{2, 1});
    std::string ifil;
    u16(ifil, static_cast<unsigned>(version.first));
    u16(ifil, static_cast<unsigned>(version.second));
    std::string inam = name_;
    inam.push_back('\0');

    // Offsets are recorded as the file is assembled: 12 bytes of RIFF header, then each LIST.
    Out out{"", &offsets_};
    out.bytes.resize(12);
    const auto list = [&](const char* type,
                          const std::vector<std::pair<const char*, const std::string*>>& subs) {
        Out inner{"", &offsets_};
        const std::size_t list_at = out.bytes.size();
        inner.bytes.append(type, 4);
        std::map<std::string, std::size_t, std::less<>> local;
        inner.offsets = &local;
        for (const auto& [id, payload] : subs) inner.chunk(id, *payload);
        for (const auto& [id, at] : local) offsets_.emplace(id, list_at + 8 + at);
        offsets_.emplace(std::string("LIST ") + type, list_at);
        out.chunk("LIST", inner.bytes);
    };
    const std::string isng = std::string("EMU8000") + '\0';
    list("INFO", {{"ifil", &ifil}, {"isng", &isng}, {"INAM", &inam}});
    if (sm24_ && !compress_) {
        list("sdta", {{"smpl", &smpl}, {"sm24", &sm24}});
    } else {
        list("sdta", {{"smpl", &smpl}});
    }
    list("pdta", {{"phdr", &phdr},
                  {"pbag", &pbag},
                  {"pmod", &pmod},
                  {"pgen", &pgen},
                  {"inst", &inst},
                  {"ibag", &ibag},
                  {"imod", &imod},
                  {"igen", &igen},
                  {"shdr", &shdr}});
    std::memcpy(out.bytes.data(), "RIFF", 4);
    std::string size;
    u32(size, static_cast<std::uint32_t>(out.bytes.size() - 8));
    std::memcpy(out.bytes.data() + 4, size.data(), 4);
    std::memcpy(out.bytes.data() + 8, "sfbk", 4);
    return out.bytes;
}

std::size_t Sf2Writer::chunk_offset(std::string_view id) const {
    if (offsets_.empty()) (void)bytes();
    auto it = offsets_.find(id);
    if (it == offsets_.end()) throw std::out_of_range("no chunk " + std::string(id));
    return it->second;
}

void put16(std::string& bytes, std::size_t at, std::uint16_t value) {
    bytes.at(at) = static_cast<char>(value & 0xFF);
    bytes.at(at + 1) = static_cast<char>(value >> 8);
}

void put32(std::string& bytes, std::size_t at, std::uint32_t value) {
    put16(bytes, at, static_cast<std::uint16_t>(value & 0xFFFF));
    put16(bytes, at + 2, static_cast<std::uint16_t>(value >> 16));
}

}  // namespace tactus::test
