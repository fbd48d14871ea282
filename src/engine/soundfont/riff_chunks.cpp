#include "engine/soundfont/riff_chunks.h"

#include <cstdio>

namespace tactus::sf2 {

std::string printable_id(const char* id) {
    std::string out;
    for (int i = 0; i < 4; ++i) {
        const auto c = static_cast<unsigned char>(id[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02X", c);
            out += hex;
        }
    }
    return out;
}

std::string Chunk::name() const {
    return printable_id(id);
}

namespace {

// A chunk header at `at` whose id is four printable characters and whose size fits before `end`.
bool plausible_header(ByteSource& source, std::uint64_t at, std::uint64_t end) {
    if (at > end || end - at < 8) return false;
    char header[8];
    if (!source.read(at, header, 8)) return false;
    for (int i = 0; i < 4; ++i) {
        const auto c = static_cast<unsigned char>(header[i]);
        if (c < 0x20 || c > 0x7E) return false;
    }
    return le32(header + 4) <= end - at - 8;
}

}  // namespace

std::vector<Chunk> read_chunks(ByteSource& source, std::uint64_t begin, std::uint64_t end) {
    std::vector<Chunk> chunks;
    std::uint64_t at = begin;
    while (at < end) {
        if (end - at < 8) {
            throw FormatError{
                at, "truncated chunk header (" + std::to_string(end - at) + " bytes left, 8 needed)"};
        }
        char header[8];
        if (!source.read(at, header, 8)) throw FormatError{at, "cannot read the chunk header"};
        Chunk chunk;
        std::memcpy(chunk.id, header, 4);
        chunk.offset = at;
        chunk.data = at + 8;
        chunk.size = le32(header + 4);
        if (chunk.size > end - chunk.data) {
            throw FormatError{at, "chunk '" + chunk.name() + "' of " + std::to_string(chunk.size) +
                                      " bytes runs past the end of its container (" +
                                      std::to_string(end - chunk.data) + " bytes left)"};
        }
        chunks.push_back(chunk);
        at = chunk.data + chunk.size;
        // RIFF pads odd chunks to even. SF3 files written by MuseScore leave the pad byte out after
        // their odd-sized smpl chunk (and FluidSynth ignores padding altogether): when the padded
        // position holds no plausible chunk header but the unpadded one does, take the unpadded one.
        if ((chunk.size & 1U) != 0 && at < end) {
            if (plausible_header(source, at + 1, end) || !plausible_header(source, at, end)) ++at;
        }
    }
    return chunks;
}

std::string list_type(ByteSource& source, const Chunk& list) {
    if (!list.is("LIST")) return {};
    if (list.size < 4)
        throw FormatError{list.offset,
                          "LIST chunk too short for its type (" + std::to_string(list.size) + " bytes)"};
    char type[4];
    if (!source.read(list.data, type, 4)) throw FormatError{list.data, "cannot read the LIST type"};
    return printable_id(type);
}

std::string fixed_name(const char* p, std::size_t n) {
    std::size_t len = 0;
    while (len < n && p[len] != '\0') ++len;
    std::string name(p, len);
    // Names are ASCII by the spec; anything else becomes ? so that messages and JSON stay clean.
    for (char& c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F) c = '?';
    }
    return name;
}

}  // namespace tactus::sf2
