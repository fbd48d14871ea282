#include "engine/soundfont/sf2_reader.h"

#include <algorithm>
#include <array>
#include <bit>
#include <new>
#include <optional>

#include "engine/soundfont/byte_source.h"
#include "engine/soundfont/pdta_reader.h"
#include "engine/soundfont/riff_chunks.h"
#include "engine/soundfont/vorbis_sample.h"

namespace tactus::sf2 {

namespace {

// Zero frames the spec puts after every sample (so interpolation past the end reads silence); the
// decoded SF3 samples get them too.
constexpr std::uint32_t kSamplePadding = 46;
// Decoded SF3 data is addressed with 32-bit frame positions.
constexpr std::size_t kMaxDecodedFrames = std::size_t{1} << 31;

const Chunk* find_list(ByteSource& source, const std::vector<Chunk>& chunks, std::string_view type) {
    for (const Chunk& c : chunks) {
        if (c.is("LIST") && list_type(source, c) == type) return &c;
    }
    return nullptr;
}

std::vector<Chunk> list_children(ByteSource& source, const Chunk& list) {
    return read_chunks(source, list.data + 4, list.data + list.size);
}

struct Version {
    int major = 0, minor = 0;
};

Version read_info(ByteSource& source, const Chunk& info, SoundFont& font) {
    std::optional<Version> version;
    for (const Chunk& c : list_children(source, info)) {
        if (c.is("ifil")) {
            if (c.size != 4)
                throw FormatError{c.offset,
                                  "'ifil' chunk is " + std::to_string(c.size) + " bytes, 4 expected"};
            char v[4];
            if (!source.read(c.data, v, 4)) throw FormatError{c.offset, "cannot read 'ifil'"};
            version = Version{le16(v), le16(v + 2)};
            if (version->major != 2 && version->major != 3) {
                throw FormatError{c.offset, "SoundFont version " + std::to_string(version->major) + "." +
                                                std::to_string(version->minor) +
                                                " is not supported (2.x and 3.x are)"};
            }
        } else if (c.is("INAM")) {
            std::string scratch;
            const std::size_t n = std::min<std::size_t>(c.size, 256);  // spec: at most 256 bytes
            const std::string_view name = source.view(c.data, n, scratch);
            font.name = fixed_name(name.data(), name.size());
        }
    }
    if (!version) throw FormatError{info.offset, "INFO list has no 'ifil' (version) chunk"};
    return *version;
}

struct SampleChunks {
    std::optional<Chunk> smpl, sm24;
};

SampleChunks read_sdta(ByteSource& source, const Chunk& sdta) {
    SampleChunks chunks;
    for (const Chunk& c : list_children(source, sdta)) {
        if (c.is("smpl") && !chunks.smpl) chunks.smpl = c;
        if (c.is("sm24") && !chunks.sm24) chunks.sm24 = c;
    }
    return chunks;
}

PdtaTables read_pdta_tables(ByteSource& source, const Chunk& pdta, std::array<std::string, 9>& scratch) {
    PdtaTables tables;
    const std::array<std::pair<const char*, PdtaTable*>, 9> names{{{"phdr", &tables.phdr},
                                                                   {"pbag", &tables.pbag},
                                                                   {"pmod", &tables.pmod},
                                                                   {"pgen", &tables.pgen},
                                                                   {"inst", &tables.inst},
                                                                   {"ibag", &tables.ibag},
                                                                   {"imod", &tables.imod},
                                                                   {"igen", &tables.igen},
                                                                   {"shdr", &tables.shdr}}};
    // Missing tables are reported (by read_pdta) at the pdta list.
    for (auto& [name, table] : names) table->offset = pdta.offset;
    for (const Chunk& c : list_children(source, pdta)) {
        for (std::size_t i = 0; i < names.size(); ++i) {
            PdtaTable& table = *names[i].second;
            if (!c.is(names[i].first) || table.present) continue;
            table.bytes = source.view(c.data, c.size, scratch[i]);
            if (table.bytes.size() != c.size) throw FormatError{c.offset, "cannot read '" + c.name() + "'"};
            table.offset = c.offset;
            table.present = true;
        }
    }
    return tables;
}

// SF2: the smpl chunk read straight into the int16 vector (no second copy of 100+ MB), and sm24 when
// it is valid (version >= 2.04, one byte per frame: the spec says to ignore it otherwise).
void load_pcm(ByteSource& source, const Chunk& smpl, const std::optional<Chunk>& sm24, Version version,
              SoundFont& font) {
    const std::size_t frames = smpl.size / 2;
    font.data.resize(frames);
    if (!source.read(smpl.data, font.data.data(), frames * 2))
        throw FormatError{smpl.offset, "cannot read the sample data"};
    if constexpr (std::endian::native == std::endian::big) {
        for (auto& v : font.data) {
            const auto u = static_cast<std::uint16_t>(v);
            v = static_cast<std::int16_t>(static_cast<std::uint16_t>((u >> 8) | (u << 8)));
        }
    }
    const bool sm24_allowed = version.major > 2 || version.minor >= 4;
    if (sm24 && sm24_allowed && (sm24->size == frames || sm24->size == frames + (frames & 1U))) {
        font.data24.resize(frames);
        if (!source.read(sm24->data, font.data24.data(), frames))
            throw FormatError{sm24->offset, "cannot read 'sm24'"};
    }
}

// SF3: every Ogg Vorbis sample decoded, one after another with the spec's padding, and its positions
// rewritten (its loop is relative to its own start, as MuseScore writes and FluidSynth reads it).
// Uncompressed samples in the same font are copied over from the raw chunk.
void load_compressed(ByteSource& source, const Chunk& smpl, SoundFont& font) {
    std::string scratch;
    // One sample's bytes at a time (from a file: read; from memory: a view), never the whole chunk:
    // the decoded data is the only large allocation.
    const auto bytes_of = [&](std::uint64_t offset, std::uint64_t length) {
        const std::string_view b = source.view(smpl.data + offset, static_cast<std::size_t>(length), scratch);
        if (b.size() != length) throw FormatError{smpl.data + offset, "cannot read the sample data"};
        return b;
    };
    // Reserve what the streams announce, so that the decoded data (100+ MB for a GM font) is not
    // copied as a growing vector doubles; capped, since a stream's announcement is only a claim.
    std::uint64_t announced = 0;
    for (const Sample& s : font.samples) {
        if ((s.type & kSampleTypeVorbis) == 0 || s.start == s.end) continue;
        const std::int64_t frames = vorbis_frame_count(bytes_of(s.start, s.end - s.start));
        if (frames > 0) announced += static_cast<std::uint64_t>(frames) + kSamplePadding;
    }
    std::vector<std::int16_t> data;
    data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(announced, std::uint64_t{smpl.size} * 64)));
    for (std::size_t i = 0; i < font.samples.size(); ++i) {
        Sample& s = font.samples[i];
        if (s.start == s.end) {  // ROM or empty: nothing to place
            s.loop_start = s.loop_end = s.end = s.start = 0;
            continue;
        }
        const auto start = static_cast<std::uint32_t>(data.size());
        if ((s.type & kSampleTypeVorbis) != 0) {
            std::string why;
            const std::int64_t n = decode_vorbis_sample(bytes_of(s.start, s.end - s.start), data,
                                                        kMaxDecodedFrames - kSamplePadding, &why);
            if (n < 0) {
                throw FormatError{smpl.data + s.start,
                                  "sample " + std::to_string(i) + " ('" + s.name + "'): " + why};
            }
            s.loop_start += start;
            s.loop_end += start;
        } else {
            // smpl holds s.end frames (read_pdta checked it against the chunk's frame count).
            if (data.size() + (s.end - s.start) + kSamplePadding > kMaxDecodedFrames) {
                throw FormatError{smpl.data + 2 * std::uint64_t{s.start},
                                  "sample " + std::to_string(i) + " ('" + s.name + "'): the samples exceed " +
                                      std::to_string(kMaxDecodedFrames) + " frames"};
            }
            const std::string_view raw =
                bytes_of(2 * std::uint64_t{s.start}, 2 * std::uint64_t{s.end - s.start});
            for (std::size_t f = 0; f + 1 < raw.size(); f += 2) {
                data.push_back(static_cast<std::int16_t>(le16(raw.data() + f)));
            }
            s.loop_start = s.loop_start - s.start + start;
            s.loop_end = s.loop_end - s.start + start;
        }
        s.start = start;
        s.end = static_cast<std::uint32_t>(data.size());
        data.insert(data.end(), kSamplePadding, 0);
        if (s.end - s.start < 4) {
            s.loop_start = s.loop_end = s.end = s.start;
        } else {
            // Loops relative to the decoded sample may still be off: clamp them to this sample.
            if (s.loop_end > s.end) s.loop_end = s.end;
            fix_up_loop(s, s.end);
        }
    }
    font.data = std::move(data);
}

std::shared_ptr<const SoundFont> read(ByteSource& source, const std::string& path, SampleData mode) {
    auto font = std::make_shared<SoundFont>();
    font->path = path;
    const std::uint64_t size = source.size();
    if (size < 12)
        throw FormatError{0,
                          "not a SoundFont: " + std::to_string(size) + " bytes, too short for a RIFF header"};
    char header[12];
    if (!source.read(0, header, 12)) throw FormatError{0, "cannot read the RIFF header"};
    if (std::string_view(header, 4) != "RIFF")
        throw FormatError{0, "not a RIFF file (starts with '" + printable_id(header) + "')"};
    const std::uint64_t riff_size = le32(header + 4);
    if (riff_size < 4 || riff_size > size - 8) {
        throw FormatError{4, "the RIFF chunk says " + std::to_string(riff_size) +
                                 " bytes after its 8-byte header, the file has " + std::to_string(size) +
                                 " bytes in all: truncated?"};
    }
    if (std::string_view(header + 8, 4) != "sfbk") {
        throw FormatError{8, "RIFF form '" + printable_id(header + 8) + "' is not a SoundFont ('sfbk')"};
    }
    const std::vector<Chunk> top = read_chunks(source, 12, 8 + riff_size);
    const Chunk* info = find_list(source, top, "INFO");
    const Chunk* sdta = find_list(source, top, "sdta");
    const Chunk* pdta = find_list(source, top, "pdta");
    if (info == nullptr) throw FormatError{12, "no INFO list"};
    if (sdta == nullptr) throw FormatError{12, "no sdta (sample data) list"};
    if (pdta == nullptr) throw FormatError{12, "no pdta (presets, instruments, samples) list"};

    const Version version = read_info(source, *info, *font);
    const SampleChunks samples = read_sdta(source, *sdta);
    std::array<std::string, 9> scratch;
    const PdtaTables tables = read_pdta_tables(source, *pdta, scratch);
    SampleChunkSize smpl_size;
    if (samples.smpl) smpl_size = SampleChunkSize{samples.smpl->size / 2U, samples.smpl->size};
    read_pdta(tables, smpl_size, *font);

    const bool compressed = std::any_of(font->samples.begin(), font->samples.end(),
                                        [](const Sample& s) { return (s.type & kSampleTypeVorbis) != 0; });
    if (mode == SampleData::Skip) {
        // Without decoding, compressed samples have no frame positions yet.
        if (compressed) {
            for (Sample& s : font->samples) s.start = s.end = s.loop_start = s.loop_end = 0;
        }
        return font;
    }
    if (!samples.smpl) return font;  // no sample data: read_pdta accepted only empty samples
    if (compressed) {
        load_compressed(source, *samples.smpl, *font);
    } else {
        load_pcm(source, *samples.smpl, samples.sm24, version, *font);
    }
    return font;
}

std::shared_ptr<const SoundFont> read_reporting(ByteSource& source, const std::string& path, SampleData mode,
                                                std::string* error) {
    try {
        return read(source, path, mode);
    } catch (const FormatError& e) {
        *error = path + ": byte " + std::to_string(e.byte) + ": " + e.what;
    } catch (const std::bad_alloc&) {
        *error = path + ": out of memory reading the font";
    } catch (const std::length_error&) {
        *error = path + ": out of memory reading the font";
    }
    return nullptr;
}

}  // namespace

std::shared_ptr<const SoundFont> read_sound_font(std::string_view bytes, const std::string& path,
                                                 SampleData samples, std::string* error) {
    MemoryByteSource source(bytes);
    return read_reporting(source, path, samples, error);
}

std::shared_ptr<const SoundFont> read_sound_font_file(const std::string& path, SampleData samples,
                                                      std::string* error) {
    FileByteSource source;
    std::string why;
    if (!source.open(path, &why)) {
        *error = path + ": " + why;
        return nullptr;
    }
    return read_reporting(source, path, samples, error);
}

}  // namespace tactus::sf2
